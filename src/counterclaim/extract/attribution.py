"""Who makes a claim: the sentence's own attribution, its quotation's speaker, or the report it continues.

A claim's claimant is found in this order (docs/claims.md, "Attribution across sentences"):

1. the quotation the number stands in, when the quotation has a speaker (just after its closing
   mark, just before its opening one, or a line introducing it: "Here's OCHA's spokesperson:");
2. the reporting construction of its own sentence that governs the number: the nearest one
   before it whose statement holds the number ("X said 12 were killed"), or after it
   ("12 were killed, X said");
3. the speaker of the report the sentence continues: a share of a figure just attributed
   ("17 children were among those killed"), or the next sentence of the same paragraph of a
   report, unless the sentence opens a new event, place or topic ("Meanwhile", "Elsewhere",
   "In a separate attack") or the paragraph structure of the text is unknown;
4. else nobody: the outlet's own voice.

A speaker's words resolve to a claimant through the actor registry (names, aliases, roles in
the context of a party), people named earlier with their organisation ("Turk's office"),
pronouns ("he said", "it added") and descriptions ("the think tank", "a monitor") that refer
to a speaker or a body named in the document, and otherwise stay as the text names them
("local rescue worker", "military sources"). A date, a place or a time word is never a speaker.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from counterclaim.actors import PartyHint, RegistryView
from counterclaim.extract.cues import Cue, find_cues
from counterclaim.extract.sentences import Sentences
from counterclaim.extract.speaker_phrases import DETERMINERS, PRONOUNS
from counterclaim.lexicon import Lexicon, normalise_phrase

Span = tuple[int, int]

_ORGANISATION: Final = re.compile(
    r"((?:[A-Z][\w'’-]*\s+(?:(?:of|for|on|and|to)\s+(?:the\s+)?)?){1,6}(?:Command|Directorate|Ministry|"
    r"Committee|Committees|Council|Office|Agency|Department|Authority|Service|Hospital|Police|Network|"
    r"Centre|Center|Coalition|Front|Brigade|Movement|Union|Organisation|Organization|Institute|"
    r"Society|Bank|Court|Commission|Administration|Executive|Bureau|Foundation|Observatory|Monitor|"
    r"Academy|Mission|Group|Association|Project|Watch|Syndicate|Federation|Board|Team|Unit)"
    r"(?:\s+(?:for|of|on|to|in)\s+(?:the\s+)?(?:[A-Z][\w'’-]*)(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*)?)(?![\w])"
)
_PROPER_NAME: Final = re.compile(r"(?<![\w])((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s*$")
_HOSPITAL_SOURCE: Final = re.compile(
    r"hospital\s+(?:source|sources|official|officials)\s+in\s+"
    r"((?:[A-Z][\w'’-]+\s+){0,2}[A-Z][\w'’-]+)(?!\s+[A-Z])"
)
_POSSESSIVE_END: Final = re.compile(r"['’]s?$")
_PERSON_NAME: Final = re.compile(
    r"[A-Z][\w'’]+(?:\s+(?:(?:al|el|bin|ibn|de|da|van|von|abu)[-\s])?[A-Z][\w'’-]+)+"
)
# Words that open a speaker's phrase but do not name it: "Other media sources", "two officials".
_QUANTIFIERS: Final = frozenset(
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
_DOCUMENT_NOUNS: Final = frozenset(
    {
        "report", "study", "statement", "survey", "research", "estimate", "update", "bulletin",
        "tally", "figures", "data", "analysis", "assessment", "investigation", "findings", "count",
        "claim", "announcement", "video", "post", "message", "communique", "release",
    }
)  # fmt: skip
# A sentence that opens with one of these starts a new event, place or topic: no carry-over.
_NEW_TOPIC: Final = re.compile(
    r"^\W*(?:meanwhile|elsewhere|separately|in\s+(?:a|another)\s+(?:separate|different|other)?\s*\w+|"
    r"in\s+other\s+news|on\s+the\s+other\s+hand|also\s+on|"
    r"in\s+(?:the\s+)?(?-i:[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)\s*,|"
    r"on\s+(?:\w+\s+)?(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"in\s+(?:the\s+)?(?-i:(?:[A-Z][\w-]+\s+)*)(?:region|province|city|state|district|oblast|governorate)\b)",
    re.IGNORECASE,
)
# The outlet's own hedge: "were reportedly killed" takes no one's attribution.
_HEDGED: Final = re.compile(
    r"(?<![\w])(?:reportedly|allegedly|purportedly|were\s+reported|was\s+reported)(?![\w])", re.I
)
# "17 children were among those killed", "Of the dead, 12 were children": a share of a count
# already given takes its source.
_SHARE_OF_EARLIER: Final = re.compile(
    r"(?<![\w])(?:among\s+(?:those|the)\s+(?:killed|dead|injured|wounded|victims|casualties)|"
    r"among\s+(?:them|those|the\s+victims)|of\s+(?:the|those)\s+(?:dead|killed|victims|injured|wounded)|"
    r"of\s+them|of\s+whom|the\s+rest)(?![\w])",
    re.IGNORECASE,
)
# "fell by about 254,000 people": a figure about people even without a measure word
_COUNT_OF_PEOPLE: Final = re.compile(
    r"(?<![$£€¥\w.,])\d[\d,.]*\s*(?:million|thousand|m\b)?\s+(?:more\s+)?(?:people|persons|civilians|"
    r"children|residents|soldiers|troops|men|women|families|households)(?![\w])",
    re.IGNORECASE,
)
_COUNTED_BEFORE: Final = re.compile(
    r"(?<![$£€¥])\b\d[\d,.]*\s*(?:million|thousand|billion|m|k)?\s+(?:more\s+|other\s+)?$", re.IGNORECASE
)
_COUNTED_PEOPLE: Final = re.compile(
    r"(?:people|persons|civilians|children|residents|refugees|migrants|[A-Z][a-z]+(?:ians|ans|ese|is))"
)
# "According to data confirmed by the BBC from June 4." standing alone: a source for what follows
_BARE_SOURCE: Final = re.compile(r"\W*according\s+to\s+(?:\S+\s+){0,12}\S+\W*$", re.IGNORECASE)
_DOCUMENT_SUBJECT: Final = re.compile(
    r"\W*(?P<x>(?:[Tt]he|[Tt]his|[Ii]ts|[Tt]heir)\s+(?:[\w.-]+\s+){0,3}?(?:report|study|survey|analysis|"
    r"assessment|investigation|review|update|bulletin))\s+(?!said|says|notes|noted|added)[a-z]+"
)
_SPOKESPERSON: Final = re.compile(r"^(?:[Aa]n?\s+|[Tt]he\s+)?[Ss]pokes(?:person|man|woman)\s+[A-Z]")
_MODIFIER_START: Final = re.compile(r"\s(?:of|on|in|over|from|covering|into|about|for|by|into)\s")
_TRAILING_MODIFIER: Final = re.compile(r"\s+(?:citing|quoting|relying\s+on|drawing\s+on|using)\s.*$")
_INTRODUCER: Final = re.compile(
    r"(?<![\w])(?:here['’]s|here\s+is|listen\s+to|this\s+is|we\s+spoke\s+to|speaking\s+to)\s+(?P<x>[^:]{3,140}):\s*$",
    re.IGNORECASE,
)
_QUOTE_MARKS: Final = re.compile(r"‘‘|’’|[“”\"]")
# "an international charity and an aid worker": two speakers, the first speaks for the claim
_FIRST_CONJUNCT: Final = re.compile(
    r"^(.+?)\s+and\s+(?:[Tt]he|[Aa]n?|[Oo]ther|[Ii]ts|[Hh]is|[Hh]er|[a-z][\w-]*)\s"
)
_TRAILING_PREPOSITIONS: Final = frozenset(
    {"in", "near", "at", "from", "with", "on", "of", "inside", "operating"}
)
_PRONOUN_LOOKBACK: Final = 8
_CARRY_LOOKBACK: Final = 3
_SHARE_LOOKBACK: Final = 4
_DESCRIPTION_AHEAD: Final = 3


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


@dataclass(frozen=True, slots=True)
class _Quote:
    start: int
    end: int
    group: int  # quotations continued across paragraphs share a group


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
        topic: Callable[[], str | None] | None = None,
    ) -> None:
        self.text = text
        self.low = low
        self.sentences = sentences
        self.lexicon = lexicon
        self.registry = registry
        self._context_for = context_for
        self._topic = topic
        self._cues: dict[Span, list[Cue]] = {}
        self._resolved: dict[tuple[str, int], Speaker] = {}
        self._quotes: list[_Quote] | None = None
        self._quote_starts: list[int] = []
        self._group_speaker: dict[int, Speaker | None] = {}
        self._actors: list[tuple[int, int, str]] | None = None
        self._people: dict[str, Speaker] = {}
        self._sentence_speaker: dict[Span, Speaker | None] = {}
        self._paragraphs = "\n" in text.strip()
        self._claimed: list[tuple[int, Speaker]] = []  # (position, speaker) of claims so far

    # -- cues ---------------------------------------------------------------------------------
    def cues(self, span: Span) -> list[Cue]:
        """The reporting constructions of the sentence ``span`` (cached)."""
        found = self._cues.get(span)
        if found is None:
            found = find_cues(self.text, self.low, span[0], span[1], self.lexicon, is_place=self._is_place)
            self._cues[span] = found
        return found

    # -- the claim's claimant -----------------------------------------------------------------
    def claimant_for(self, span: Span, position: int, context_party: PartyHint) -> Speaker:
        """Who claims the number at ``position`` in the sentence ``span``."""
        speaker = self._claimant(span, position, context_party)
        self._claimed.append((position, speaker))
        return speaker

    def _claimant(self, span: Span, position: int, context_party: PartyHint) -> Speaker:
        opening = self.text.rfind("[", span[0], position)
        if opening >= 0 and "]" not in self.text[opening:position]:
            return NOBODY  # "[thousands of Ukrainians were killed there - ed.]": the editor's aside
        quote = self._quote_at(position)
        if quote is not None:
            speaker = self._quote_speaker(quote, context_party)
            if speaker is not None and speaker.claimant is not None:
                return speaker
        cue = self._governing_cue(span, position, quote)
        if cue is not None:
            return self._speaker_of(cue, span, context_party)
        if quote is not None:
            # a quotation no speaker is named for: the one who was just speaking
            previous = self._previous_speaker(span, quote.start, sentences=3)
            return previous or NOBODY
        return self._carried(span, position, context_party) or NOBODY

    def _governing_cue(self, span: Span, position: int, quote: _Quote | None) -> Cue | None:
        """The reporting construction of the sentence whose statement holds the number: the
        nearest one before it that takes a statement after it, or the nearest one after it
        that closes the clause ("12 were killed, X said")."""
        cues = [
            c
            for c in self.cues(span)
            if (c.kind != "quoted" or c.end <= position) and not self._counted_subject(c)
        ]
        if not cues:
            return None
        if quote is not None:
            # a cue inside the same quotation speaks for part of it; one outside for all of it
            cues = [c for c in cues if not (quote.start < c.start < quote.end)] or cues
        before = [c for c in cues if c.end <= position and c.governs in {"after", "both"}]
        after = [
            c
            for c in cues
            if c.start >= position and c.governs in {"before", "both"} and c.speaker_start != position
        ]
        chosen = before[-1] if before else None
        if chosen is not None and chosen.kind == "passive":
            # "In the report of X, it was reported that …": the impersonal verb restates the
            # source the sentence opened with
            named = [c for c in before[:-1] if c.speaker]
            if named:
                chosen = named[-1]
        elif chosen is not None and len(before) > 1:
            # "The WHO says Syrian health officials have reported that 84 were killed": the outer
            # speaker passes the figure on, and is the one the outlet quotes
            outer = before[-2]
            between = self.text[outer.end : chosen.speaker_start]
            if outer.kind == "verb" and outer.governs == "after" and len(between) < 4 and not between.strip():
                chosen = outer
        if after:
            first_after = after[0]
            if chosen is None or (
                not self._clause_break(position, first_after.start)
                and (
                    position - chosen.end > first_after.start - position
                    or self._clause_break(chosen.end, position)
                )
            ):
                chosen = first_after
        return chosen

    def _counted_subject(self, cue: Cue) -> bool:
        """Whether a verb's subject is the people counted ("5.9 million Ukrainians had
        registered as refugees"), not a speaker."""
        if cue.kind != "verb" or cue.speaker_start < 0:
            return False
        return bool(
            _COUNTED_BEFORE.search(self.text, max(0, cue.speaker_start - 30), cue.speaker_start)
            and _COUNTED_PEOPLE.fullmatch(cue.speaker)
        )

    def _clause_break(self, start: int, end: int) -> bool:
        """Whether a new clause begins between two offsets (";", ", while", ", but")."""
        stretch = self.text[start:end]
        return bool(re.search(r";|,\s+(?:while|but|whereas|and\s+(?:the|a)\s)|\.\s", stretch))

    def _speaker_of(self, cue: Cue, span: Span, context_party: PartyHint) -> Speaker:
        if not cue.speaker:
            return NOBODY
        if cue.kind == "quoted" and not any(ch.isupper() for ch in cue.speaker):
            # "It quoted activists as saying": unnamed sources speak through the one quoting them
            quoter = re.search(
                r"(\S+(?:\s+\S+){0,3})\s+quot", self.text[max(span[0], cue.start - 60) : cue.start + 6]
            )
            if quoter is not None:
                through = self._resolve_cached(quoter.group(1), cue.start - 1, span, context_party)
                if through.known:
                    return through
        return self._resolve_cached(cue.speaker, cue.speaker_start, span, context_party)

    # -- quotations ---------------------------------------------------------------------------
    def _quotations(self) -> list[_Quote]:
        if self._quotes is not None:
            return self._quotes
        quotes: list[_Quote] = []
        group = 0
        offset = 0
        open_at: int | None = None
        continued = False
        for paragraph in self.text.split("\n"):
            end = offset + len(paragraph)
            stripped = paragraph.lstrip()
            opens_with_quote = stripped[:1] in {"“", '"'}
            if not opens_with_quote:
                continued = False
            for match in _QUOTE_MARKS.finditer(paragraph):
                mark = match.group(0)
                at = offset + match.start()
                if mark in {"“", "‘‘"} or (mark == '"' and open_at is None):
                    if open_at is None:
                        open_at = at
                elif open_at is not None:
                    quotes.append(_Quote(open_at, at + len(mark), group if continued else group + 1))
                    group = quotes[-1].group
                    open_at = None
                    continued = False
            if open_at is not None:
                # a quotation left open at the end of a paragraph goes on in the next one
                # when that one opens with a quotation mark
                quotes.append(_Quote(open_at, end, group if continued else group + 1))
                group = quotes[-1].group
                open_at = None
                continued = True
            offset = end + 1
        self._quotes = quotes
        self._quote_starts = [q.start for q in quotes]
        return quotes

    def _quote_at(self, position: int) -> _Quote | None:
        quotes = self._quotations()
        index = bisect_right(self._quote_starts, position) - 1
        if index >= 0 and quotes[index].start < position < quotes[index].end:
            return quotes[index]
        return None

    def _inside_sentence_quote(self, span: Span, quote: _Quote) -> bool:
        return span[0] <= quote.start and quote.end <= span[1]

    def _quote_speaker(self, quote: _Quote, context_party: PartyHint) -> Speaker | None:
        if quote.group in self._group_speaker:
            return self._group_speaker[quote.group]
        self._group_speaker[quote.group] = None  # guards against cycles through pronouns
        speaker: Speaker | None = None
        members = [q for q in self._quotations() if q.group == quote.group]
        for member in members:
            speaker = self._attached_speaker(member, context_party)
            if speaker is not None and speaker.claimant is not None:
                break
        self._group_speaker[quote.group] = speaker
        return speaker

    def _attached_speaker(self, quote: _Quote, context_party: PartyHint) -> Speaker | None:
        """The speaker named right after the quotation's closing mark, or right before its
        opening one ("X said: “…"), or on the line that introduces it."""
        after_span = self.sentences.around(max(quote.start, quote.end - 1))
        if after_span[1] < quote.end:
            after_span = self.sentences.around(quote.end)
        for cue in self.cues(after_span):
            if quote.end <= cue.start and not self.text[quote.end : cue.start].strip(" ,.-–—\"”’'\n"):
                return self._speaker_of(cue, after_span, context_party)
            if quote.end <= cue.speaker_start < cue.start and not self.text[
                quote.end : cue.speaker_start
            ].strip(" ,.-–—\"”’'\n"):
                return self._speaker_of(cue, after_span, context_party)
        opening_span = self.sentences.around(quote.start)
        for cue in reversed(self.cues(opening_span)):
            if cue.end <= quote.start and not re.sub(
                r"(?:that|in\s+a\s+statement|on\s+\w+|to\s+\w+|reporters)",
                "",
                self.text[cue.end : quote.start],
            ).strip(" ,:-–—\n"):
                return self._speaker_of(cue, opening_span, context_party)
        previous = self.sentences.before(opening_span) if opening_span[0] >= quote.start - 1 else None
        if previous is not None and "\n" not in self.text[previous[1] : quote.start]:
            # “…,” Turk said. “But drone strikes …”: the same speaker goes on
            earlier = self._quote_at(previous[1] - 2) or self._quote_at(max(previous[0], previous[1] - 40))
            if earlier is not None and earlier.group != quote.group:
                speaker = self._quote_speaker(earlier, context_party)
                if speaker is not None and speaker.claimant is not None:
                    return speaker
        if previous is not None and self.text[previous[0] : previous[1]].rstrip().endswith(":"):
            introducer = _INTRODUCER.search(self.text, previous[0], previous[1])
            if introducer is not None:
                return self._resolve_cached(
                    introducer.group("x"), introducer.start("x"), previous, context_party
                )
            cues = self.cues(previous)
            if cues:
                return self._speaker_of(cues[-1], previous, context_party)
        return None

    # -- carry-over ---------------------------------------------------------------------------
    def _carried(self, span: Span, position: int, context_party: PartyHint) -> Speaker | None:
        sentence = self.text[span[0] : span[1]]
        if _NEW_TOPIC.match(sentence) or _HEDGED.search(sentence):
            return None  # a new event, or the outlet's own hedge ("were reportedly killed")
        if _SHARE_OF_EARLIER.search(sentence):
            earlier = self._earlier_claim_speaker(span)
            if earlier is not None:
                return earlier
        if not self._paragraphs or not _ends_as_sentence(sentence):
            return None
        current = span
        for _ in range(_CARRY_LOOKBACK):
            previous = self.sentences.before(current)
            if previous is None or "\n" in self.text[previous[1] : current[0]]:
                return None
            words = self.text[previous[0] : previous[1]]
            if not _ends_as_sentence(words):
                return None
            speaker = self._speaker_of_sentence(previous, context_party)
            reports_figures = bool(
                self.lexicon.measures.search(self.low, previous[0], previous[1])
                or _COUNT_OF_PEOPLE.search(words)
            )
            if speaker is not None:
                if speaker.claimant is None:
                    return None
                # the same report goes on only from a statement about the dead and wounded or
                # one that opens a list ("X said:"), not from one about aid or money
                opens = words.rstrip().endswith(":") or _BARE_SOURCE.match(words) is not None
                if not (reports_figures or opens):
                    return None
                return speaker if speaker.source is not None else replace(speaker, source=previous)
            if _NEW_TOPIC.match(words) or not reports_figures:
                return None  # a report goes on through its figures, not through narrative
            current = previous
        return None

    def _earlier_claim_speaker(self, span: Span) -> Speaker | None:
        """The claimant of the last claim in the few sentences before ``span``."""
        first: Span | None = span
        for _ in range(_SHARE_LOOKBACK):
            earlier = self.sentences.before(first) if first is not None else None
            if earlier is None or "\n\n" in self.text[earlier[1] : first[0] if first else earlier[1]]:
                break
            first = earlier
        floor = first[0] if first is not None else 0
        for position, speaker in reversed(self._claimed):
            if position < floor:
                break
            if position < span[0] and speaker.claimant is not None:
                return replace(speaker, source=self.sentences.around(position))
        return None

    def _speaker_of_sentence(self, span: Span, context_party: PartyHint) -> Speaker | None:
        """The speaker a sentence reports (its last reporting construction), if any."""
        if span in self._sentence_speaker:
            return self._sentence_speaker[span]
        self._sentence_speaker[span] = None
        speaker: Speaker | None = None
        cues = [c for c in self.cues(span) if c.speaker]
        if cues:
            speaker = self._speaker_of(cues[-1], span, context_party)
        elif self.lexicon.measures.search(self.low, span[0], span[1]):
            # a sentence of figures with no attribution of its own goes on with the report
            speaker = self._carried(span, span[0], context_party)
        self._sentence_speaker[span] = speaker
        return speaker

    # -- resolving words to a claimant ---------------------------------------------------------
    def _resolve_cached(self, words: str, at: int, span: Span, context_party: PartyHint) -> Speaker:
        key = (words, at)
        found = self._resolved.get(key)
        if found is None:
            context: PartyHint = context_party
            if self._context_for is not None:
                context_for = self._context_for
                possessive = bool(re.search(r"(?:['’]s|\bits|\btheir)\s+\w", words, re.I))

                def context() -> str | None:
                    # "the territory's health ministry": the party named last before the speaker;
                    # "Israel's military said ... A military spokesman said": the side that spoke last
                    if not possessive:
                        previous = self._previous_speaker(span, at, sentences=2, known_only=True)
                        if previous is not None:
                            side = self.registry.side_of(previous.claimant)
                            if side is not None:
                                return side
                    # "the president said" before any party is named
                    # with no party named before: the country the document is about, else the
                    # one named next
                    return (
                        context_for(span, at)
                        or (self._topic() if self._topic is not None else None)
                        or self._party_ahead(span)
                    )

            self._resolved[key] = Speaker(None, words, False)  # guards against cycles
            found = self.resolve(words, at, span, context)
            self._resolved[key] = found
            self._remember_person(words, found)
        return found

    def resolve(self, words: str, at: int, span: Span, context_party: PartyHint) -> Speaker:
        """Turn a speaker's words into a claimant: registry, people, pronouns, descriptions."""
        words = self._restore_possessive(_clean(words))
        if not words:
            return NOBODY
        tail = words.split()
        normalised = normalise_phrase(words)
        bare = _bare(normalised)
        kind = _kind_of(tail)
        if normalised in self.lexicon.anonymous or bare in self.lexicon.anonymous:
            return NOBODY
        if bare in PRONOUNS:
            return self._pronoun(bare, at, span) or Speaker(None, words, False, kind)
        conjunct = _FIRST_CONJUNCT.match(words)
        if conjunct is not None and self.registry.get(words) is None:
            # "an international charity and an aid worker said": the first named speaks, unless
            # a later one is a body the registry knows ("witnesses and a member of the NUG")
            first = self.resolve(conjunct.group(1), at, span, context_party)
            if not first.known:
                rest = self.resolve(words[conjunct.end(1) :].strip()[4:], at, span, context_party)
                if rest.known:
                    return rest
            return first
        hospital = _HOSPITAL_SOURCE.search(words)
        if hospital is not None:
            return Speaker(f"{hospital.group(1)} hospital", words, False, "organisation")
        found = self.registry.find_actor(words)
        if found is not None and not self.registry.is_party(found[0]):
            return Speaker(found[0], words, True, kind or "organisation")
        organisation = _ORGANISATION.search(words)
        if organisation is not None:
            named = self._organisation(organisation.group(1), words)
            if named is not None:
                return named
        exact = self.registry.resolve(" ".join(tail[-6:]), context_party=context_party)
        proper = _PROPER_NAME.search(words)
        if proper is not None and found is None and _SPOKESPERSON.search(words):
            # "spokesperson James Elder said" after "UNICEF said": the body that was speaking
            speaking = self._previous_speaker(span, at, sentences=3, known_only=True)
            if speaking is not None and not self.registry.is_party(speaking.claimant):
                return Speaker(speaking.claimant, words, True, "person")
        if proper is not None and found is None:
            person = self._person(proper.group(1), at + len(words))
            if person is not None:
                return Speaker(person.claimant, words, person.known, "person")
        if exact is not None:
            return Speaker(exact, words, True, kind)
        if found is not None:
            return Speaker(found[0], words, True, kind or "organisation")
        back_reference = bare in self.lexicon.back_references or normalised in self.lexicon.back_references
        if back_reference:
            referred = self._back_reference(bare, at, span)
            if referred is not None:
                return referred
        described = self._described(
            bare,
            at,
            span,
            indefinite=normalised.split()[0] in {"a", "an", "one"},
            headline=normalised.split()[0] not in DETERMINERS and at == span[0],
        )
        if described is not None:
            return described
        if back_reference:
            return Speaker(None, words, False, kind)  # "the group said", with nobody named before
        misspelt = self.registry.misspelt(re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", "", words))
        if misspelt is not None:
            return Speaker(misspelt, words, True, kind or "organisation")
        if proper is not None and len(proper.group(1).split()) >= 2:
            name = re.sub(r"^(?:The|A|An|Another)\s+", "", proper.group(1))
            if not self._is_place(name):
                return Speaker(name, words, False, "person" if kind != "organisation" else kind)
        plain = self._plain_words(words)
        return Speaker(plain, words, False, kind) if plain else NOBODY

    def _party_ahead(self, span: Span) -> str | None:
        """The first party named in the sentence ``span`` or the two after it."""
        current: Span | None = span
        for _ in range(3):
            if current is None:
                return None
            for mention in self.registry.party_mentions(self.text, current[0], current[1]):
                if self.registry.is_state(mention.party):
                    return mention.party
            current = self.sentences.after(current)
        return None

    def _restore_possessive(self, words: str) -> str:
        """ "Syrias opposition" (a text that lost its apostrophes) -> "Syria's opposition"."""
        first = words.split(" ", 1)[0]
        if len(first) > 3 and first.endswith("s") and first[0].isupper() and " " in words:
            stem = first[:-1]
            if self.registry.get(stem) is not None and self.registry.get(first) is None:
                return f"{stem}'s{words[len(first) :]}"
        return words

    def _organisation(self, name: str, words: str) -> Speaker | None:
        """A named body ("Syria Live Network (SLN)", "Aleppo Police Command"): a known actor,
        else its name as the text gives it, trimmed to what an acronym after it spells."""
        name = re.sub(r"^(?:The|A|An)\s+", "", name)
        known = self.registry.get(name)
        if known is not None:
            return Speaker(known.name, words, True, "organisation")
        inner = self.registry.find_actor(name)
        if (
            inner is not None
            and not self.registry.is_party(inner[0])
            and inner[2] - inner[1] >= len(name) // 2
        ):
            return Speaker(inner[0], words, True, "organisation")
        role = self.registry.registry.find_role(name)
        if role is not None and role[2] >= len(name) - 1 and len(name.split()) <= 3:
            return None  # a generic role ("The Health Ministry"): resolved in context
        if role is not None and self.registry.resolve(name) is not None:
            return None  # "the Health Ministry in Hamas-run Gaza": a role of a party it names
        acronym = re.search(r"\(([A-Z]{2,8})\)", words)
        if acronym is not None:
            name = _trim_to_acronym(name, acronym.group(1))
        return Speaker(name, words, False, "organisation")

    def _plain_words(self, phrase: str) -> str | None:
        """An unknown speaker named by common words: its noun phrase, without determiners,
        quantifiers, or places and times before or after it."""
        words = phrase.split()
        while words and (words[0].lower() in _QUANTIFIERS or words[0].lower() in DETERMINERS):
            words = words[1:]
        if not words or any(ch.isdigit() for ch in "".join(words)):
            return None
        cut = next(
            (i for i, w in enumerate(words) if i > 0 and w.lower() in _TRAILING_PREPOSITIONS), len(words)
        )
        words = words[:cut]  # "a local rescue worker near the site" -> "local rescue worker"
        if not words or words[-1].lower().strip(",.") not in self.lexicon.speaker_nouns:
            return None
        if len(words) > 5:
            words = words[-5:]
        text = " ".join(words)
        return text or None

    def _is_place(self, name: str) -> bool:
        """A place that is no speaker: "Homs" (but "Kyiv" and "Moscow" speak for their states)."""
        mentions = self.registry.party_mentions(name)
        if not mentions or mentions[0].start > 0 or mentions[-1].end < len(name) - 1:
            return False
        return all(m.how == "place" for m in mentions) and self.registry.get(name) is None

    def _kind_text(self, words: str) -> str:
        return _kind_of(words.split())

    # -- people -------------------------------------------------------------------------------
    def _remember_person(self, words: str, speaker: Speaker) -> None:
        """Keep the organisation of a person named with it ("UNRWA's Sam Rose") for later
        mentions by surname ("Rose said", "Rose's office")."""
        if speaker.claimant is None or not speaker.known:
            return
        for match in _PERSON_NAME.finditer(words):
            name = match.group(0)
            surname = _surname(name)
            if len(surname) >= 3 and surname not in self._people and self.registry.get(name) is None:
                self._people[surname] = speaker

    def _person(self, name: str, before: int) -> Speaker | None:
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
                speaking = self._previous_speaker(around, match.start(), sentences=3, known_only=True)
                if speaking is not None and not self.registry.is_party(speaking.claimant):
                    return Speaker(speaking.claimant, name, True, "person")
            if best is None and parties and titled:
                best = min(parties)
            if best is not None:
                return Speaker(best[1], name, True, "person")
        return None

    # -- pronouns and descriptions ------------------------------------------------------------
    def _pronoun(self, pronoun: str, at: int, span: Span) -> Speaker | None:
        """The speaker a pronoun refers to: the last one named before it that agrees."""
        if pronoun in {"we", "i", "you"}:
            quote = self._quote_at(at)
            if quote is None:
                return None
            return self._quote_speaker(quote, None)
        wanted = {"he": "person", "she": "person", "it": "organisation", "they": "plural"}[pronoun]
        if pronoun == "it":
            # "The report covers a 15-month period. It also documents 75 cases": the document
            # the sentence before was about speaks for its author
            previous = self.sentences.before(span)
            if previous is not None and self.text[previous[1] : span[0]].count("\n") < 2:
                subject = _DOCUMENT_SUBJECT.match(self.text, previous[0], previous[1])
                if subject is not None:
                    author = self._resolve_cached(subject.group("x"), subject.start("x"), previous, None)
                    if author.claimant is not None:
                        return author
        if wanted == "person":
            # "The Observatory said … He said": the speaker just before, even a body (its
            # spokesman); else the last person named
            recent = self._previous_speaker(span, at, sentences=2, agree="speaking")
            if recent is not None:
                return recent
        return self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree=wanted) or (
            self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="speaking")
            if wanted == "person"
            else None
        )

    def _previous_speaker(
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
            cues = [c for c in self.cues(current) if c.speaker and c.end <= limit and c.speaker_start < limit]
            for cue in reversed(cues):
                bare = _bare(normalise_phrase(cue.speaker))
                if bare in PRONOUNS and (not agree or _agrees(bare, agree)):
                    resolved = self._resolve_cached(cue.speaker, cue.speaker_start, current, None)
                    if resolved.claimant is not None and (resolved.known or not known_only):
                        return resolved
                    continue
                resolved = self._resolve_cached(cue.speaker, cue.speaker_start, current, None)
                if resolved.claimant is None or (known_only and not resolved.known):
                    continue
                if agree and not _agrees_kind(resolved.kind, agree):
                    continue
                return resolved
            current = self.sentences.before(current)
            limit = current[1] if current else 0
        return None

    def _back_reference(self, bare: str, at: int, span: Span) -> Speaker | None:
        """ "the source added", "the sources said", "the ministry said": the last speaker named
        by the same head noun, else the last one of the same kind."""
        head = bare.split()[-1] if bare else ""
        stem = head.rstrip("s")
        current: Span | None = span
        limit = at
        fallback: Speaker | None = None
        same_head: Speaker | None = None
        for _ in range(_PRONOUN_LOOKBACK):
            if current is None:
                break
            cues = [c for c in self.cues(current) if c.speaker and c.end <= limit and c.speaker_start < limit]
            for cue in reversed(cues):
                words = normalise_phrase(cue.speaker)
                if _bare(words) == bare:
                    continue  # the same back-reference earlier
                resolved = self._resolve_cached(cue.speaker, cue.speaker_start, current, None)
                if resolved.claimant is None:
                    continue
                if stem and any(w.rstrip("s") == stem for w in words.split()):
                    if resolved.known:
                        return resolved
                    same_head = same_head or resolved
                if fallback is None and _agrees_kind(resolved.kind, _kind_of(bare.split())):
                    fallback = resolved
            current = self.sentences.before(current)
            limit = current[1] if current else 0
        if same_head is not None:
            return same_head
        if head in {"source", "sources", "reporter", "correspondent", "official", "spokesman", "spokeswoman"}:
            return fallback
        if head in _DOCUMENT_NOUNS:
            return self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK)
        return None

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

    def _described(
        self, bare: str, at: int, span: Span, *, indefinite: bool = False, headline: bool = False
    ) -> Speaker | None:
        """A description of a body ("a monitor", "the think tank", "the agency", "the two
        organizations", "the report") resolved to the body it describes in this document: for
        "a"/"an", the one named in the next few sentences ("a monitor said … The Syrian
        Observatory said"), else the last one named."""
        words = [w for w in bare.split() if w not in _QUANTIFIERS]
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
                author_before = self._previous_speaker(
                    span, at, sentences=_PRONOUN_LOOKBACK, agree="organisation"
                ) or self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK)
            if author_before is not None:
                return author_before
            ahead_limit = self._sentences_ahead(at, _DESCRIPTION_AHEAD)
            author = next(
                (name for start, _, name in self._document_actors() if at < start <= ahead_limit), None
            )
            if author is not None:
                return Speaker(author, bare, True, "organisation")
            if indefinite:
                return self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="organisation")
            return None
        if head in {"organizations", "organisations", "groups", "agencies", "bodies"}:
            return self._previous_speaker(span, at, sentences=_PRONOUN_LOOKBACK, agree="plural")
        matches = self.registry.describes(head_two) or self.registry.describes(head)
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
        return Speaker(chosen[2], bare, True, "organisation")

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


def _clean(words: str) -> str:
    """Speaker words without surrounding punctuation; the stop of "U.N." stays."""
    words = words.strip().strip(",;:\"“”‘’'").strip()
    # "an opposition monitoring group citing figures compiled from clinics": the group speaks
    words = _TRAILING_MODIFIER.sub("", words)
    if words.count("(") != words.count(")"):
        words = words.strip("()").strip()
    if words.endswith(".") and not re.search(r"(?:^|[\s.])[A-Z]\.$", words):
        words = words[:-1].rstrip()
    return words


def _distance(cue: Cue, position: int) -> int:
    if cue.end <= position:
        return position - cue.end
    return max(0, cue.start - position)


def _bare(normalised: str) -> str:
    words = normalised.split()
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _kind_of(words: list[str]) -> str:
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
        and not _ORGANISATION.search(" ".join(words))
    ):
        return "person"
    return "organisation"


def _agrees(pronoun: str, wanted: str) -> bool:
    return {"he": "person", "she": "person", "it": "organisation", "they": "plural"}.get(pronoun) == wanted


def _agrees_kind(kind: str, wanted: str) -> bool:
    if not kind:
        return True
    if wanted == "speaking":
        return kind in {"person", "organisation"}
    if wanted == "plural":
        return kind in {"plural", "organisation"}
    if wanted == "organisation":
        return kind in {"organisation"}
    return kind == wanted or kind == ""


def _ends_as_sentence(text: str) -> bool:
    """A sentence of running text ends with a stop (a headline or a caption does not)."""
    return text.rstrip().endswith((".", "!", "?", "”", '"', ".’", "'", ":"))


def _all_places(name: str) -> bool:
    return False


def _trim_to_acronym(name: str, acronym: str) -> str:
    """The words of ``name`` whose initials spell ``acronym``, kept from the end."""
    words = name.split()
    significant = [w for w in words if w[:1].isupper()]
    for size in range(len(significant), 0, -1):
        tail = significant[-size:]
        if "".join(w[0] for w in tail).upper() == acronym.upper():
            first = words.index(tail[0], len(words) - len(" ".join(words).split()))
            return " ".join(words[words.index(tail[0], first) :])
    return name
