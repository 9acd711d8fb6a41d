"""Who makes a claim: "X said", "according to X", "said X", "X told Y", quotes, back-references."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from counterclaim.actors import PartyHint, RegistryView
from counterclaim.extract.sentences import Sentences
from counterclaim.lexicon import Lexicon, normalise_phrase

Span = tuple[int, int]

_ACCORDING: Final = re.compile(r"(?<![\w])according\s+to\s+", re.IGNORECASE)
_QUOTED_AS: Final = re.compile(r"(?<![\w])quot(?:ed|ing)\s+(?P<x>.{2,80}?)\s+as\s+saying", re.IGNORECASE)
_SPAN_END: Final = re.compile(
    r"[,;:.!?“”\"(]|\s(?:which|who|that|while|and\s+(?:the|a)\s+\w+\s+(?:said|says))\s", re.IGNORECASE
)
_BOUNDARY_BEFORE: Final = re.compile(
    r"[,;:“”\"(\[–—]|\s(?:that|while|whereas|but|as|because|after|before|when)\s", re.IGNORECASE
)
_PASSIVE_BEFORE: Final = re.compile(
    r"(?<![\w])(?:(?:was|were|is|are|been|being|be)(?:\s+(?:also|later|widely|first|previously|"
    r"initially|now|reportedly|officially))?|an|the|it's|widely|often|reportedly|initially|"
    r"if|when|unless|once|[Tt]he|[Aa]n)\s*$"
)
# "daily reports of attacks", "media claims": a noun, not a reporting verb.
_NOUN_VERBS: Final = frozenset(
    {"reports", "claims", "estimates", "records", "notes", "states", "claim", "estimate"}
)
_NOUN_BEFORE: Final = re.compile(
    r"(?<![\w])(?:daily|media|new|latest|initial|unconfirmed|conflicting|these|their|its|his|her|"
    r"such|some|many|several|official|earlier|previous|recent|local|news|press|[a-z]+['’]s)\s*$",
    re.IGNORECASE,
)
_AFTER_VERB_SKIP: Final = re.compile(r"^\s*(?:by|of|to\s+(?:be|have|rise|reach|number|stand|total))\b", re.I)
_TRAILING_AUXILIARIES: Final = re.compile(
    r"(?:\s+(?:has|have|had|was|is|were|also|previously|later|then|again|now|earlier|reportedly))+$", re.I
)
_PROPER: Final = re.compile(r"((?:[A-Z][\w.'’-]*\s+){0,4}[A-Z][\w.'’-]*)\s*$")
_ORGANISATION: Final = re.compile(
    r"((?:[A-Z][\w'’-]*\s+){1,5}(?:Command|Directorate|Ministry|Committee|Committees|Council|"
    r"Office|Agency|Department|Authority|Service|Hospital|Police|Network|Centre|Center|"
    r"Coalition|Front|Brigade|Movement|Union|Organisation|Organization|Institute|Society|Bank|"
    r"Court|Commission|Administration|Executive|Bureau|Foundation|Observatory|Monitor)"
    r"(?:\s+(?:for|of|on|to)\s+(?:the\s+)?(?:[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*)*)?)(?![\w])"
)
_FIRST_PROPER: Final = re.compile(r"(?<![\w])((?:[A-Z][\w.'’-]*\s+){1,4}[A-Z][\w.'’-]*)")
_PREPOSITIONS: Final = frozenset(
    {
        "in",
        "on",
        "at",
        "of",
        "for",
        "from",
        "with",
        "by",
        "to",
        "near",
        "across",
        "where",
        "which",
        "who",
        "when",
        "while",
    }
)
_POSSESSIVE: Final = re.compile(r"(?:['’]s|\bits|\btheir)\s+\w", re.IGNORECASE)
_LEADING_JOINS: Final = frozenset({"and", "but", "though", "although", "while", "as", "so", "or", "yet"})
_NOT_A_SPEAKER: Final = frozenset(
    {"were", "was", "had", "have", "has", "been", "is", "are", "be", "it", "there"}
)
_HOSPITAL_SOURCE: Final = re.compile(
    r"hospital\s+(?:source|sources|official|officials)\s+in\s+"
    r"((?:[A-Z][\w'’-]+\s+){0,2}[A-Z][\w'’-]+)(?!\s+[A-Z])"
)
_PRONOUNS: Final = frozenset({"he", "she", "it", "they", "we", "i"})
_LOOKBACK_SENTENCES: Final = 6
_DETERMINERS: Final = frozenset({"the", "a", "an", "its", "their", "country's", "country’s", "another"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """A place in a sentence where someone is said to say something."""

    marker_start: int
    marker_end: int
    speaker: str
    speaker_start: int
    kind: str  # "according", "quoted", "verb", "inverted"


def _clip_after(text: str, start: int, stop: int, max_words: int = 12) -> str:
    match = _SPAN_END.search(text, start, stop)
    end = match.start() if match else stop
    words = text[start:end].split()
    return " ".join(words[:max_words])


def find_attributions(text: str, low: str, start: int, end: int, lexicon: Lexicon) -> list[Attribution]:
    """Every attribution marker in the sentence ``text[start:end]``, with its speaker words.

    ``low`` is the text lower-cased with :func:`counterclaim.lexicon.lower_text`.
    """
    found: list[Attribution] = []
    for match in _ACCORDING.finditer(text, start, end):
        speaker = _clip_after(text, match.end(), end)
        if speaker:
            found.append(Attribution(match.start(), match.end(), speaker, match.end(), "according"))
    for match in _QUOTED_AS.finditer(text, start, end):
        found.append(Attribution(match.start(), match.end(), match.group("x"), match.start("x"), "quoted"))
    for match in lexicon.reporting_verbs.finditer(low, start, end):
        verb = normalise_phrase(match.group(0))
        if verb == "quoted":
            continue
        before = text[max(start, match.start() - 24) : match.start()]
        after = text[match.end() : min(end, match.end() + 24)]
        if _PASSIVE_BEFORE.search(before) or _AFTER_VERB_SKIP.match(after):
            continue
        if verb in _NOUN_VERBS and _NOUN_BEFORE.search(before):
            continue
        if verb in {"claimed", "claiming"} and re.match(r"\s*the\s+lives?\b", after, re.I):
            continue
        boundaries = [start] + [b.end() for b in _BOUNDARY_BEFORE.finditer(text, start, match.start())]
        boundary_at = boundaries[-1]
        subject_text = _TRAILING_AUXILIARIES.sub("", text[boundary_at : match.start()].strip())
        if not subject_text and len(boundaries) >= 2 and text[boundary_at - 1] == ",":
            # "The UN human rights office, OHCHR, said": the apposition before the comma speaks
            subject_text = text[boundaries[-2] : boundary_at - 1].strip()
        if subject_text.strip("\"“”‘’' ") and not subject_text.endswith(("”", '"', "’’", "''")):
            words = subject_text.split()
            kept = " ".join(words[-10:])
            found.append(Attribution(match.start(), match.end(), kept, match.start() - len(kept), "verb"))
            continue
        speaker = _clip_after(text, match.end(), end, max_words=14)
        speaker = re.split(r",\s*(?:briefing|speaking|adding|saying|told|in\s+a)\b", speaker)[0]
        if speaker:
            found.append(Attribution(match.start(), match.end(), speaker, match.end(), "inverted"))
    return found


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved claimant: canonical name (None when unknown or anonymous) and text."""

    claimant: str | None
    text: str | None
    known: bool


class Attributor:
    """Resolves who makes each claim in one document; holds no state between documents."""

    def __init__(
        self,
        text: str,
        low: str,
        sentences: Sentences,
        *,
        lexicon: Lexicon,
        registry: RegistryView,
        context_for: Callable[[Span, int], str | None] | None = None,
    ) -> None:
        self.text = text
        self.low = low
        self.sentences = sentences
        self.lexicon = lexicon
        self.registry = registry
        self._cache: dict[Span, list[Attribution]] = {}
        self._resolved: dict[tuple[str, int], Speaker] = {}
        # The party a generic speaker ("a military spokesman") belongs to is read before the
        # speaker, not before the number.
        self._context_for = context_for

    def attributions(self, span: Span) -> list[Attribution]:
        """The attributions of the sentence ``span`` (cached)."""
        if span not in self._cache:
            self._cache[span] = find_attributions(self.text, self.low, span[0], span[1], self.lexicon)
        return self._cache[span]

    def claimant_for(self, span: Span, position: int, context_party: PartyHint) -> Speaker:
        """Who claims the number at ``position`` in the sentence ``span``."""
        candidates = self.attributions(span)
        according = [a for a in candidates if a.kind == "according"]
        quoted = [a for a in candidates if a.kind == "quoted" and a.marker_end <= position]
        chosen: Attribution | None = None
        if according:
            chosen = min(according, key=lambda a: abs(a.marker_start - position))
        elif quoted:
            chosen = quoted[-1]
        else:
            verbs = [a for a in candidates if a.kind in {"verb", "inverted"}]
            if verbs:
                chosen = min(verbs, key=lambda a: _distance(a, position))
        if chosen is None:
            if self._inside_quote(span, position):
                return self._previous(span, context_party) or Speaker(None, None, False)
            return Speaker(None, None, False)
        if chosen.kind == "quoted" and not any(ch.isupper() for ch in chosen.speaker):
            # "It quoted activists as saying": an unnamed source speaks through the quoter
            subject = self._subject_of_quote(span, chosen, context_party)
            if subject is not None:
                return subject
        speaker = self._resolve_cached(chosen.speaker, chosen.speaker_start, span, context_party)
        if chosen.kind == "quoted" and not speaker.known:
            subject = self._subject_of_quote(span, chosen, context_party)
            if subject is not None:
                return subject
        return speaker

    def _resolve_cached(self, words: str, at: int, span: Span, context_party: PartyHint) -> Speaker:
        key = (words, at)
        if key not in self._resolved:
            context: PartyHint = context_party
            if self._context_for is not None:
                context_for = self._context_for

                possessive = bool(_POSSESSIVE.search(words))

                def context() -> str | None:
                    # "the territory's health ministry": the party named last before the speaker;
                    # "Israel's military said ... A military spokesman said": the side that spoke last
                    if not possessive:
                        previous = self._previous(span, None, before=at, sentences=2)
                        if previous is not None and previous.known:
                            side = self.registry.side_of(previous.claimant)
                            if side is not None:
                                return side
                    return context_for(span, at)

            self._resolved[key] = self.resolve(words, at, span, context)
        return self._resolved[key]

    def _subject_of_quote(self, span: Span, chosen: Attribution, context_party: PartyHint) -> Speaker | None:
        head = self.text[span[0] : chosen.marker_start].split()
        if not head:
            return None
        resolved = self.resolve(" ".join(head[-4:]), chosen.marker_start, span, context_party)
        return resolved if resolved.known else None

    def _inside_quote(self, span: Span, position: int) -> bool:
        before = self.text[span[0] : position]
        opening = before.count("“") + before.count("‘‘")
        closing = before.count("”") + before.count("’’")
        straight = before.count('"')
        return opening > closing or straight % 2 == 1

    def resolve(self, words: str, at: int, span: Span, context_party: PartyHint) -> Speaker:
        """Turn a speaker's words into a claimant (registry, people named earlier, back-references)."""
        words = words.strip().strip(",.;:\"“”‘’'").strip()
        if not words:
            return Speaker(None, None, False)
        normalised = normalise_phrase(words)
        bare = re.sub(r"^(?:the|a)\s+", "", normalised)
        if normalised in self.lexicon.anonymous or bare in self.lexicon.anonymous:
            return Speaker(None, None, False)
        if " and " in words:
            # "the Syrian Observatory and medics said": the first named speaks for the claim
            first = self.resolve(words.rsplit(" and ", 1)[0], at, span, context_party)
            if first.known:
                return first
        tail = words.split()
        exact = self.registry.resolve(" ".join(tail[-6:]), context_party=context_party)
        hospital = _HOSPITAL_SOURCE.search(words)
        if hospital is not None:
            # "a hospital source in Hassakeh city": the hospitals of that place
            return Speaker(f"{hospital.group(1)} hospital", words, False)
        organisation = _ORGANISATION.search(words)
        if organisation is not None:
            name = re.sub(r"^(?:The|A|An)\s+", "", organisation.group(1))
            known = self.registry.get(name)
            if known is not None:
                return Speaker(known.name, words, True)
            # "a source at Aleppo Police Command": a named body the registry does not know,
            # unless it is a generic role ("The Health Ministry") the context resolves
            inner = self.registry.find_actor(name)
            role = self.registry.registry.find_role(name)
            generic = role is not None and role[2] >= len(name) - 1 and len(name.split()) <= 3
            if not generic and (
                inner is None or self.registry.is_party(inner[0]) or inner[2] - inner[1] < len(name) // 2
            ):
                return Speaker(name, words, False)
        proper = _PROPER.search(words)
        longer = self.registry.find_actor(words)
        if (
            proper is not None
            and longer is not None
            and longer[2] - longer[1] > len(proper.group(1))
            and longer[2] >= proper.start(1)
        ):
            # "The UN Human Rights Monitoring Mission in Ukraine": the longer name wins
            return Speaker(longer[0], words, True)
        if proper is not None:
            name = proper.group(1)
            if self.registry.get(name) is not None:
                canonical = self.registry.canonical(name)
                if exact is not None and exact != canonical and self.registry.side_of(exact) == canonical:
                    return Speaker(exact, words, True)  # "the Ministry of Defence of Ukraine"
                return Speaker(canonical, words, True)
            person = self._person(name, at)
            if person is not None:
                return Speaker(person, words, True)
        short = " ".join(tail[-4:])
        canonical = self.registry.resolve(short, context_party=context_party)
        if canonical is not None:
            return Speaker(canonical, self._shortest(tail, canonical, context_party), True)
        if self._is_back_reference(normalised, tail) and exact is None:
            previous = self._previous(span, context_party, before=at)
            if previous is not None:
                return Speaker(previous.claimant, words, previous.known)
            return Speaker(None, words, False)
        if exact is not None:
            return Speaker(exact, words, True)
        canonical = self.registry.resolve(words, context_party=context_party)
        if canonical is not None:
            return Speaker(canonical, words, True)
        named = _FIRST_PROPER.search(words)
        if named is not None:
            return Speaker(re.sub(r"^(?:The|A|An|Another)\s+", "", named.group(1)), words, False)
        return Speaker(self._plain_words(tail), words, False)

    def _plain_words(self, tail: list[str]) -> str | None:
        """An unknown speaker named by common words: the last few, after any count or measure."""
        kept: list[str] = []
        for word in reversed(tail[-5:]):
            low = word.lower().strip(",.;:")
            if (
                any(ch.isdigit() for ch in low)
                or self.lexicon.measures.fullmatch(low)
                or low in _PREPOSITIONS
            ):
                break
            kept.insert(0, word)
        if (
            not kept
            or any(w.lower() in _NOT_A_SPEAKER for w in kept)
            or kept[-1].lower().endswith(("ed", "ly"))
        ):
            return None
        while kept and kept[0].lower() in _LEADING_JOINS:
            kept = kept[1:]
        while kept and kept[-1].lower().strip(",") in _LEADING_JOINS:
            kept = kept[:-1]
        text = " ".join(kept[-3:])
        text = re.sub(r"^(?:the|a|an|another|two|three|some|several)\s+", "", text, flags=re.I)
        return text or None

    def _shortest(self, tail: list[str], canonical: str, context_party: PartyHint) -> str:
        """The fewest trailing words that still name the claimant, with their article."""
        for size in range(1, min(len(tail), 4) + 1):
            words = tail[-size:]
            if self.registry.resolve(" ".join(words), context_party=context_party) == canonical:
                lead = len(tail) - size
                while lead > 0 and tail[lead - 1].lower() in _DETERMINERS:
                    lead -= 1
                return " ".join(tail[lead:])
        return " ".join(tail[-4:])

    def _is_back_reference(self, normalised: str, tail: list[str]) -> bool:
        last = tail[-1].lower() if tail else ""
        if last in _PRONOUNS or normalised in self.lexicon.back_references:
            return True
        return any(" ".join(tail[:size]).lower() in self.lexicon.back_references for size in (4, 3, 2, 1))

    def _person(self, name: str, before: int) -> str | None:
        """The organisation of a person named earlier ("UN spokesman Stéphane Dujarric")."""
        surname = name.split()[-1]
        if len(surname) < 3 or not surname[0].isupper():
            return None
        pattern = re.compile(rf"(?<![\w]){re.escape(surname)}(?![\w])")
        for match in pattern.finditer(self.text, 0, before):
            window_start = max(0, match.start() - 70)
            window_end = min(len(self.text), match.end() + 70)
            best: tuple[int, str] | None = None
            for start, end, key in self.registry.aliases_in(self.text, window_start, window_end):
                actor = self.registry.get(key)
                if actor is None or actor.is_party or actor.kind == "media" or start <= match.start() < end:
                    continue
                distance = match.start() - end if end <= match.start() else start - match.end()
                if best is None or distance < best[0]:
                    best = (distance, actor.name)
            if best is not None:
                return best[1]
        return None

    def _previous(
        self,
        span: Span,
        context_party: PartyHint,
        before: int | None = None,
        sentences: int = _LOOKBACK_SENTENCES,
    ) -> Speaker | None:
        """The last known claimant named before ``before`` in ``span``, or in the sentences before."""
        current: Span | None = span
        limit = before if before is not None else span[0]
        for _ in range(sentences):
            if current is None:
                return None
            attributions = [
                a for a in self.attributions(current) if a.marker_end <= limit and a.speaker_start < limit
            ]
            for attribution in reversed(attributions):
                words = attribution.speaker.strip()
                tail = words.split()
                if not tail or self._is_back_reference(normalise_phrase(words), tail):
                    continue
                resolved = self._resolve_cached(words, attribution.speaker_start, current, context_party)
                if resolved.known:
                    return resolved
            current = self.sentences.before(current)
            limit = current[1] if current else 0
        return None


def _distance(attribution: Attribution, position: int) -> int:
    if attribution.marker_end <= position:
        return position - attribution.marker_end
    return attribution.marker_start - position
