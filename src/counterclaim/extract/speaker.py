"""The Speaker type: who a speaker's words resolve to, and the kind of speaker a pronoun agrees with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from counterclaim.extract.speaker_phrases import DETERMINERS, PRONOUNS

Span = tuple[int, int]

# A named body: capitalised words that end in a body's noun ("Aleppo Police Command",
# "Syrian Observatory for Human Rights").
ORGANISATION: Final = re.compile(
    r"((?:[A-Z][\w'’-]*\s+(?:(?:of|for|on|and|to)\s+(?:the\s+)?)?){1,6}(?:Command|Directorate|Ministry|"
    r"Committee|Committees|Council|Office|Agency|Department|Authority|Service|Hospital|Police|Network|"
    r"Centre|Center|Coalition|Front|Brigade|Movement|Union|Organisation|Organization|Institute|"
    r"Society|Bank|Court|Commission|Administration|Executive|Bureau|Foundation|Observatory|Monitor|"
    r"Academy|Mission|Group|Association|Project|Watch|Syndicate|Federation|Board|Team|Unit)"
    r"(?:\s+(?:for|of|on|to|in)\s+(?:the\s+)?(?:[A-Z][\w'’-]*)(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*)?)(?![\w])"
)
# Words that open a speaker's phrase but do not name it: "Other media sources", "two officials".
QUANTIFIERS: Final = frozenset(
    {
        "other", "some", "two", "three", "four", "several", "many", "various", "both", "all",
        "senior", "unnamed", "anonymous", "one", "most", "few", "more",
    }
)  # fmt: skip
_PERSON_TITLES: Final = frozenset(
    {
        "spokesman", "spokeswoman", "spokesperson", "minister", "president", "governor", "mayor",
        "official", "commander", "chief", "director", "head", "secretary-general", "secretary",
        "envoy", "representative", "ambassador", "coordinator", "correspondent", "reporter",
        "analyst", "adviser", "advisor", "general", "colonel", "officer", "leader", "chairman",
        "chairwoman", "deputy", "commissioner", "prosecutor", "senator", "mr", "mrs",
        "ms", "dr", "prof", "lieutenant", "captain", "major", "researcher", "expert", "doctor",
        "surgeon", "activist", "witness", "resident", "medic", "paramedic", "rescuer", "worker",
    }
)  # fmt: skip
_PLURAL_HEADS: Final = frozenset(
    {
        "officials", "sources", "activists", "witnesses", "residents", "medics", "rescuers",
        "workers", "authorities", "observers", "analysts", "experts", "researchers", "doctors",
        "police", "forces", "organizations", "organisations", "groups", "agencies", "people",
        "monitors", "journalists", "reporters",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved claimant: canonical name (None when unknown or anonymous) and text.

    ``known`` is True when the claimant is an actor of the registry (or a person's
    organisation); an unknown speaker keeps the text's words in ``claimant``.
    """

    claimant: str | None
    text: str | None
    known: bool
    kind: str = ""  # "person", "plural", "organisation" or "" (for pronoun agreement)
    # the sentence a carried attribution comes from: its dates go on with it
    source: tuple[int, int] | None = None


NOBODY: Final = Speaker(None, None, False)


def bare(normalised: str) -> str:
    """A normalised speaker phrase without the determiners that open it."""
    words = normalised.split()
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return " ".join(words)


def kind_of(words: list[str]) -> str:
    """The kind of speaker a phrase's words name: "person", "plural" or "organisation"."""
    if not words:
        return ""
    last = words[-1].lower().strip(",.;:()")
    if last in PRONOUNS:
        return {"he": "person", "she": "person", "it": "organisation", "they": "plural"}.get(last, "")
    if last in _PLURAL_HEADS:
        return "plural"
    lowered = {w.lower().strip(",.") for w in words}
    if lowered & _PERSON_TITLES or (
        len(words) >= 2
        and all(w[:1].isupper() for w in words[-2:])
        and not ORGANISATION.search(" ".join(words))
    ):
        return "person"
    return "organisation"


def agrees(pronoun: str, wanted: str) -> bool:
    """Whether a pronoun can stand for a speaker of the ``wanted`` kind."""
    return {"he": "person", "she": "person", "it": "organisation", "they": "plural"}.get(pronoun) == wanted


def agrees_kind(kind: str, wanted: str) -> bool:
    """Whether a speaker of ``kind`` can be the one a reference of the ``wanted`` kind means
    ("speaking": anyone who speaks for themselves or a body)."""
    if not kind:
        return True
    if wanted == "speaking":
        return kind in {"person", "organisation"}
    if wanted == "plural":
        return kind in {"plural", "organisation"}
    if wanted == "organisation":
        return kind in {"organisation"}
    return kind == wanted or kind == ""
