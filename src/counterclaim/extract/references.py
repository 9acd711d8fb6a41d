"""Speakers named by reference: pronouns, back-references, descriptions and people's surnames."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from counterclaim.actors import PartyHint, RegistryView
from counterclaim.extract.cues import Cue
from counterclaim.extract.sentences import Sentences
from counterclaim.extract.speaker import QUANTIFIERS, Span, Speaker, agrees, agrees_kind, bare, kind_of
from counterclaim.extract.speaker_phrases import PRONOUNS
from counterclaim.lexicon import normalise_phrase

_POSSESSIVE_END: Final = re.compile(r"['’]s?$")
_PERSON_NAME: Final = re.compile(
    r"[A-Z][\w'’]+(?:\s+(?:(?:al|el|bin|ibn|de|da|van|von|abu)[-\s])?[A-Z][\w'’-]+)+"
)
_DOCUMENT_NOUNS: Final = frozenset(
    {
        "report", "study", "statement", "survey", "research", "estimate", "update", "bulletin",
        "tally", "figures", "data", "analysis", "assessment", "investigation", "findings", "count",
        "claim", "announcement", "video", "post", "message", "communique", "release",
    }
)  # fmt: skip
_DOCUMENT_SUBJECT: Final = re.compile(
    r"\W*(?P<x>(?:[Tt]he|[Tt]his|[Ii]ts|[Tt]heir)\s+(?:[\w.-]+\s+){0,3}?(?:report|study|survey|analysis|"
    r"assessment|investigation|review|update|bulletin))\s+(?!said|says|notes|noted|added)[a-z]+"
)
_MODIFIER_START: Final = re.compile(r"\s(?:of|on|in|over|from|covering|into|about|for|by|into)\s")
_PRONOUN_LOOKBACK: Final = 8
_DESCRIPTION_AHEAD: Final = 3


class References:
    """Resolves, in one document, the words that refer to a speaker named elsewhere in it."""

    def __init__(
        self,
        text: str,
        sentences: Sentences,
        registry: RegistryView,
        *,
        cues: Callable[[Span], list[Cue]],
        resolve: Callable[[str, int, Span, PartyHint], Speaker],
        quotation_speaker: Callable[[int], Speaker | None],
    ) -> None:
        self.text = text
        self.sentences = sentences
        self.registry = registry
        self._cues = cues
        self._resolve = resolve
        self._quotation_speaker = quotation_speaker
        self._actors: list[tuple[int, int, str]] | None = None
        self._people: dict[str, Speaker] = {}

    # -- people -------------------------------------------------------------------------------
    def remember_person(self, words: str, speaker: Speaker) -> None:
        """Keep the organisation of a person named with it ("UNRWA's Sam Rose") for later
        mentions by surname ("Rose said", "Rose's office")."""
        if speaker.claimant is None or not speaker.known:
            return
        for match in _PERSON_NAME.finditer(words):
            name = match.group(0)
            surname = _surname(name)
            if len(surname) >= 3 and surname not in self._people and self.registry.get(name) is None:
                self._people[surname] = speaker

    def person(self, name: str, before: int) -> Speaker | None:
        """The organisation of a person named earlier ("UN spokesman Stéphane Dujarric")."""
        remembered = self._people.get(_surname(name))
        if remembered is not None:
            return remembered
        surname = _POSSESSIVE_END.sub("", name.split()[-1])
        if len(surname) < 3 or not surname[0].isupper():
            return None
        pattern = re.compile(rf"(?<![\w]){re.escape(surname)}(?![\w])")
        for match in pattern.finditer(self.text, 0, before):
            window_start = max(0, match.start() - 70)
            window_end = min(len(self.text), match.end() + 70)
            line_start = self.text.rfind("\n", 0, match.start()) + 1
            line_end = self.text.find("\n", match.end())
            window_start = max(window_start, line_start)
            window_end = min(window_end, line_end if line_end >= 0 else window_end)
            best: tuple[int, str] | None = None
            titled = bool(
                re.search(
                    r"(?:minister|president|governor|mayor|spokes\w+|official|commander|chief|ambassador|"
                    r"envoy|head|leader)\W+(?:\w+\W+){0,2}$",
                    self.text[window_start : match.start()],
                    re.I,
                )
            )
            bodies: list[tuple[int, str]] = []
            parties: list[tuple[int, str]] = []
            for start, end, key in self.registry.aliases_in(self.text, window_start, window_end):
                actor = self.registry.get(key)
                if actor is None or actor.kind == "media" or start <= match.start() < end:
                    continue
                distance = match.start() - end if end <= match.start() else start - match.end()
                (parties if actor.is_party else bodies).append((distance, actor.name))
            # the body a person speaks for ("UNICEF spokesperson James Elder"), else, for an
            # office-holder, the state ("Ukrainian Foreign Minister Dmytro Kuleba")
            spokesperson = re.search(r"spokes\w+\W+(?:\w+\W+){0,2}$", self.text[window_start : match.start()])
            if bodies:
                best = min(bodies)
            elif spokesperson:
                # "UNICEF said … spokesperson James Elder said": the body that was speaking
                around = self.sentences.around(match.start())
                speaking = self.previous_speaker(around, match.start(), sentences=3, known_only=True)
                if speaking is not None and not self.registry.is_party(speaking.claimant):
                    return Speaker(speaking.claimant, name, True, "person")
            if best is None and parties and titled:
                best = min(parties)
            if best is not None:
                return Speaker(best[1], name, True, "person")
        return None

    # -- pronouns and descriptions ------------------------------------------------------------
    def pronoun(self, pronoun: str, at: int, span: Span) -> Speaker | None:
        """The speaker a pronoun refers to: the last one named before it that agrees."""
        if pronoun in {"we", "i", "you"}:
            return self._quotation_speaker(at)
        wanted = {"he": "person", "she": "person", "it": "organisation", "they": "plural"}[pronoun]
        if pronoun == "it":
            # "The report covers a 15-month period. It also documents 75 cases": the document
            # the sentence before was about speaks for its author
            previous = self.sentences.before(span)
            if previous is not None and self.text[previous[1] : span[0]].count("\n") < 2:
                subject = _DOCUMENT_SUBJECT.match(self.text, previous[0], previous[1])
                if subject is not None:
                    author = self._resolve(subject.group("x"), subject.start("x"), previous, None)
                    if author.claimant is not None:
                        return author
                # "SANA gave a very different picture. It said …": the body the sentence
                # before was about, when nobody spoke in it
                opening = self._opening_body(previous)
                if opening is not None:
                    return opening
        if wanted == "person":
            # "The Observatory said … He said": the speaker just before, even a body (its
            # spokesman); else the last person named
            recent = self.previous_speaker(span, at, sentences=2, agree="speaking")
            if recent is not None:
                return recent
        return self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree=wanted) or (
            self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="speaking")
            if wanted == "person"
            else None
        )

    def _opening_body(self, sentence: Span) -> Speaker | None:
        """The body a sentence with no reporting cue opens with ("Syrian state news agency SANA
        gave a very different picture"): its subject."""
        if self._cues(sentence):
            return None
        head = self.text[sentence[0] : sentence[1]]
        words = re.match(r"\W*(?:\S+\s+){0,5}", head)
        reach = sentence[0] + (words.end() if words else 0)
        for start, _, name in self._document_actors():
            if sentence[0] <= start < reach:
                return Speaker(name, self.text[start:reach].strip(), True, "organisation")
        return None

    def previous_speaker(
        self,
        span: Span,
        before: int,
        *,
        sentences: int,
        known_only: bool = False,
        agree: str = "",
    ) -> Speaker | None:
        """The last speaker named before ``before`` in ``span`` or in the sentences before it."""
        current: Span | None = span
        limit = before
        for _ in range(sentences):
            if current is None:
                return None
            cues = [
                c for c in self._cues(current) if c.speaker and c.end <= limit and c.speaker_start < limit
            ]
            for cue in reversed(cues):
                bare_words = bare(normalise_phrase(cue.speaker))
                if bare_words in PRONOUNS and (not agree or agrees(bare_words, agree)):
                    resolved = self._resolve(cue.speaker, cue.speaker_start, current, None)
                    if resolved.claimant is not None and (resolved.known or not known_only):
                        return resolved
                    continue
                resolved = self._resolve(cue.speaker, cue.speaker_start, current, None)
                if resolved.claimant is None or (known_only and not resolved.known):
                    continue
                if agree and not agrees_kind(resolved.kind, agree):
                    continue
                return resolved
            current = self.sentences.before(current)
            limit = current[1] if current else 0
        return None

    def back_reference(self, bare_words: str, at: int, span: Span) -> Speaker | None:
        """ "the source added", "the sources said", "the ministry said": the last speaker named
        by the same head noun, else the last one of the same kind."""
        head = bare_words.split()[-1] if bare_words else ""
        stem = head.rstrip("s")
        current: Span | None = span
        limit = at
        fallback: Speaker | None = None
        same_head: Speaker | None = None
        for _ in range(_PRONOUN_LOOKBACK):
            if current is None:
                break
            cues = [
                c for c in self._cues(current) if c.speaker and c.end <= limit and c.speaker_start < limit
            ]
            for cue in reversed(cues):
                words = normalise_phrase(cue.speaker)
                if bare(words) == bare_words:
                    continue  # the same back-reference earlier
                resolved = self._resolve(cue.speaker, cue.speaker_start, current, None)
                if resolved.claimant is None:
                    continue
                if stem and any(w.rstrip("s") == stem for w in words.split()):
                    if resolved.known:
                        return resolved
                    same_head = same_head or resolved
                if fallback is None and agrees_kind(resolved.kind, kind_of(bare_words.split())):
                    fallback = resolved
            current = self.sentences.before(current)
            limit = current[1] if current else 0
        if same_head is not None:
            return same_head
        if head in {"source", "sources", "reporter", "correspondent", "official", "spokesman", "spokeswoman"}:
            return fallback
        if head in _DOCUMENT_NOUNS:
            return self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK)
        return self._introduced(head, at)

    def _introduced(self, head: str, at: int) -> Speaker | None:
        """ "the charity World Central Kitchen … the charity said": the body the same noun
        introduced by name earlier in the paragraph or the one before it, known or not."""
        if not head or head in {"source", "sources", "official", "spokesman", "spokeswoman"}:
            return None
        reach = self.text.rfind("\n\n", 0, max(0, self.text.rfind("\n\n", 0, at)))
        pattern = re.compile(
            rf"(?<![\w])[Tt]he\s+{re.escape(head)}\s+(?P<name>(?:[A-Z][\w'’&-]*\s+)*[A-Z][\w'’&-]*)"
        )
        found = list(pattern.finditer(self.text, max(0, reach), at))
        if not found:
            return None
        name = found[-1].group("name")
        known = self.registry.get(name)
        return Speaker(known.name if known else name, name, known is not None, "organisation")

    def _document_actors(self) -> list[tuple[int, int, str]]:
        """Every registry actor named in the document, in text order (start, end, name)."""
        if self._actors is None:
            found = []
            for start, end, key in self.registry.aliases_in(self.text):
                actor = self.registry.get(key)
                if actor is not None and not actor.is_party:
                    found.append((start, end, actor.name))
            self._actors = found
        return self._actors

    def described(
        self, bare_words: str, at: int, span: Span, *, indefinite: bool = False, headline: bool = False
    ) -> Speaker | None:
        """A description of a body ("a monitor", "the think tank", "the agency", "the two
        organizations", "the report") resolved to the body it describes in this document: for
        "a"/"an", the one named in the next few sentences ("a monitor said … The Syrian
        Observatory said"), else the last one named."""
        words = [w for w in bare_words.split() if w not in QUANTIFIERS]
        if not words:
            return None
        head = words[-1]
        head_two = " ".join(words[-2:]) if len(words) >= 2 else head
        core = _MODIFIER_START.split(" ".join(words), maxsplit=1)[0].split()
        if core and core[-1] in _DOCUMENT_NOUNS and core[-1] != head:
            head = core[-1]  # "a survey of 23 armed conflicts over the last 18 months"
        if head in _DOCUMENT_NOUNS or head_two in {"the report", "the statement"}:
            # "the research notes", "the report said": its author, a body named before; "a
            # survey … concludes" (or one with nobody before it): the body named just after
            indefinite = indefinite or headline
            author_before = None
            if not indefinite:
                author_before = self.previous_speaker(
                    span, at, sentences=_PRONOUN_LOOKBACK, agree="organisation"
                ) or self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK)
            if author_before is not None:
                return author_before
            ahead_limit = self._sentences_ahead(at, _DESCRIPTION_AHEAD)
            author = next(
                (name for start, _, name in self._document_actors() if at < start <= ahead_limit), None
            )
            if author is not None:
                return Speaker(author, bare_words, True, "organisation")
            if indefinite:
                return self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="organisation")
            return None
        if head in {"organizations", "organisations", "groups", "agencies", "bodies"}:
            return self.previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="plural")
        matches = self.registry.describes(head_two) or self._same_role(
            bare_words, self.registry.describes(head)
        )
        if not matches:
            return None
        actors = [(s, e, name) for s, e, name in self._document_actors() if name in matches]
        if not actors:
            # a speaker that was described before by the same words ("the sources", "the monitor")
            return None
        before = [a for a in actors if a[1] <= at]
        after = [a for a in actors if a[0] >= at]
        chosen: tuple[int, int, str] | None = None
        if after and (indefinite or not before):
            ahead_limit = self._sentences_ahead(at, _DESCRIPTION_AHEAD)
            if after[0][0] <= ahead_limit:
                chosen = after[0]
        if chosen is None and before:
            chosen = before[-1]
        if chosen is None:
            return None
        return Speaker(chosen[2], bare_words, True, "organisation")

    def _same_role(self, words: str, matches: frozenset[str]) -> frozenset[str]:
        """Of the bodies a head noun describes ("ministry"), those that hold the role the words
        name: "the interior ministry" is not the health ministry named before."""
        role = self.registry.registry.find_role(words)
        if role is None:
            return matches
        holders = (self.registry.get(name) for name in matches)
        return frozenset(actor.name for actor in holders if actor is not None and role[0] in actor.roles)

    def _sentences_ahead(self, at: int, count: int) -> int:
        span = self.sentences.around(at)
        for _ in range(count):
            following = self.sentences.after(span)
            if following is None:
                break
            span = following
        return span[1]


def _surname(name: str) -> str:
    """The lookup key of a person's name: the last name, without a particle or a possessive."""
    last = _POSSESSIVE_END.sub("", name.split()[-1])
    return re.sub(r"^(?:al|el|bin|ibn|abu|de|da|van|von)-", "", last, flags=re.IGNORECASE).lower()
