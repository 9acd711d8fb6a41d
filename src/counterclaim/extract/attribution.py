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

Quotations are found by :mod:`counterclaim.extract.quotations`, carried attributions by
:mod:`counterclaim.extract.carry_over`, and speakers named by reference (pronouns, descriptions,
surnames) by :mod:`counterclaim.extract.references`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from counterclaim.actors import PartyHint, RegistryView
from counterclaim.extract.carry_over import CarryOver
from counterclaim.extract.cues import Cue, find_cues
from counterclaim.extract.quotations import Quotations, Quote
from counterclaim.extract.references import References
from counterclaim.extract.sentences import Sentences
from counterclaim.extract.speaker import NOBODY, ORGANISATION, QUANTIFIERS, Span, Speaker, bare, kind_of
from counterclaim.extract.speaker_phrases import DETERMINERS, PRONOUNS
from counterclaim.lexicon import Lexicon, normalise_phrase

_PROPER_NAME: Final = re.compile(r"(?<![\w])((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s*$")
_HOSPITAL_SOURCE: Final = re.compile(
    r"hospital\s+(?:source|sources|official|officials)\s+in\s+"
    r"((?:[A-Z][\w'’-]+\s+){0,2}[A-Z][\w'’-]+)(?!\s+[A-Z])"
)
_COUNTED_BEFORE: Final = re.compile(
    r"(?<![$£€¥])\b\d[\d,.]*\s*(?:million|thousand|billion|m|k)?\s+(?:more\s+|other\s+)?$", re.IGNORECASE
)
_COUNTED_PEOPLE: Final = re.compile(
    r"(?:people|persons|civilians|children|residents|refugees|migrants|[A-Z][a-z]+(?:ians|ans|ese|is))"
)
_SPOKESPERSON: Final = re.compile(r"^(?:[Aa]n?\s+|[Tt]he\s+)?[Ss]pokes(?:person|man|woman)\s+[A-Z]")
_TRAILING_MODIFIER: Final = re.compile(r"\s+(?:citing|quoting|relying\s+on|drawing\s+on|using)\s.*$")
_INTRODUCER: Final = re.compile(
    r"(?<![\w])(?:here['’]s|here\s+is|listen\s+to|this\s+is|we\s+spoke\s+to|speaking\s+to)\s+(?P<x>[^:]{3,140}):\s*$",
    re.IGNORECASE,
)
# "a senior Ukrainian official": a rank that does not change whom the speaker speaks for
_RANK: Final = re.compile(
    r"(?:(?:[Tt]he|[Aa]n?)\s+)?((?:(?:senior|top|high-ranking|high-level|unnamed|anonymous)\s+)+)"
)
# "Israeli tallies", "Ukrainian figures": a side's figures
_FIGURES_HEAD: Final = re.compile(
    r"(?:figures|data|tally|tallies|counts?|statistics|estimates?|numbers)\W*$", re.IGNORECASE
)
# "…, OCHA." / "…, UNHCR, said": an acronym standing in apposition after a speaker
_APPOSITIVE_ACRONYM: Final = re.compile(
    r",\s+([A-Z][A-Za-z]?[A-Z]{1,7})(?=\s*(?:[.;:)”\"]|,\s+(?:said|says)\b|$))"
)
_APPOSITIVE_ROLE: Final = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:spokes(?:man|woman|person)|head|director|chief|"
    r"representative|official)\s+(?:for|of|at|with)\s+(?P<body>[^,.;:]{2,80})"
)
# "In Syria, …", "Meanwhile in neighbouring Zimbabwe, …": a place that frames the sentence
_FRONTED_PLACE: Final = re.compile(
    r"\W*(?:(?:Meanwhile|Elsewhere|And|But),?\s+)?(?:[Ii]n|[Aa]cross|[Ii]nside)\s+(?P<place>[^,.;:]{2,60}?),\s"
)
# "an international charity and an aid worker": two speakers, the first speaks for the claim
_FIRST_CONJUNCT: Final = re.compile(
    r"^(.+?)\s+and\s+(?:[Tt]he|[Aa]n?|[Oo]ther|[Ii]ts|[Hh]is|[Hh]er|[a-z][\w-]*)\s"
)
_TRAILING_PREPOSITIONS: Final = frozenset(
    {"in", "near", "at", "from", "with", "on", "of", "inside", "operating"}
)


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
        self._quotations = Quotations(text)
        self._group_speaker: dict[int, Speaker | None] = {}
        # both resolve the speakers they look back at through this attributor, so that every
        # speaker's words are resolved once and cycles through pronouns stay guarded
        self._references = References(
            text,
            sentences,
            registry,
            cues=self.cues,
            resolve=self._resolve_cached,
            quotation_speaker=self._quotation_speaker_at,
        )
        self._carry_over = CarryOver(
            text, low, sentences, lexicon, cues=self.cues, speaker_of=self._speaker_of
        )

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
        self._carry_over.record(position, speaker)
        return speaker

    def _claimant(self, span: Span, position: int, context_party: PartyHint) -> Speaker:
        opening = self.text.rfind("[", span[0], position)
        if opening >= 0 and "]" not in self.text[opening:position]:
            return NOBODY  # "[thousands of Ukrainians were killed there - ed.]": the editor's aside
        quote = self._quotations.at(position)
        if quote is not None:
            speaker = self._quote_speaker(quote, context_party)
            if speaker is not None and speaker.claimant is not None:
                return speaker
        cue = self._governing_cue(span, position, quote)
        if cue is not None:
            return self._speaker_of(cue, span, context_party)
        if quote is not None:
            # a quotation no speaker is named for: the one who was just speaking
            previous = self._references.previous_speaker(span, quote.start, sentences=3)
            return previous or NOBODY
        return self._carry_over.carried(span, position, context_party) or NOBODY

    def _governing_cue(self, span: Span, position: int, quote: Quote | None) -> Cue | None:
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
        named = self._appositive_body(cue)
        if named is not None:
            return named
        return self._resolve_cached(cue.speaker, cue.speaker_start, span, context_party)

    def _appositive_body(self, cue: Cue) -> Speaker | None:
        """A body named by its acronym right after the speaker's description ("the UN's
        humanitarian office, OCHA", "the UN refugee agency, UNHCR, said"): that body."""
        after = _APPOSITIVE_ACRONYM.match(self.text, cue.speaker_end)
        if after is not None:
            actor = self.registry.get(after.group(1))
            if actor is None or actor.is_party or actor.kind == "media":
                return None
            return Speaker(actor.name, cue.speaker, True, "organisation")
        # "said Ahmed Ali, a spokesman for the Red Crescent": the body the person speaks for
        role = _APPOSITIVE_ROLE.match(self.text, cue.speaker_end)
        found = self.registry.find_actor(role.group("body")) if role is not None else None
        if found is None or self.registry.is_party(found[0]):
            return None
        return Speaker(found[0], cue.speaker, True, "person")

    # -- quotations ---------------------------------------------------------------------------
    def _quotation_speaker_at(self, position: int) -> Speaker | None:
        """The speaker of the quotation ``position`` stands inside ("we", "I"), if any."""
        quote = self._quotations.at(position)
        if quote is None:
            return None
        return self._quote_speaker(quote, None)

    def _quote_speaker(self, quote: Quote, context_party: PartyHint) -> Speaker | None:
        if quote.group in self._group_speaker:
            return self._group_speaker[quote.group]
        self._group_speaker[quote.group] = None  # guards against cycles through pronouns
        speaker: Speaker | None = None
        members = self._quotations.in_group(quote.group)
        for member in members:
            speaker = self._attached_speaker(member, context_party)
            if speaker is not None and speaker.claimant is not None:
                break
        self._group_speaker[quote.group] = speaker
        return speaker

    def _attached_speaker(self, quote: Quote, context_party: PartyHint) -> Speaker | None:
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
            earlier = self._quotations.at(previous[1] - 2) or self._quotations.at(
                max(previous[0], previous[1] - 40)
            )
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
                    # "In Syria, the health ministry said": the place the sentence opens with
                    fronted = self._fronted_party(span, at)
                    if fronted is not None:
                        return fronted
                    # "the territory's health ministry": the party named last before the speaker;
                    # "Israel's military said ... A military spokesman said": the side that spoke last
                    if not possessive:
                        previous = self._references.previous_speaker(span, at, sentences=2, known_only=True)
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
            self._references.remember_person(words, found)
        return found

    def resolve(self, words: str, at: int, span: Span, context_party: PartyHint) -> Speaker:
        """Turn a speaker's words into a claimant: registry, people, pronouns, descriptions."""
        words = self._restore_possessive(_clean(words))
        if not words:
            return NOBODY
        tail = words.split()
        normalised = normalise_phrase(words)
        bare_words = bare(normalised)
        kind = kind_of(tail)
        if normalised in self.lexicon.anonymous or bare_words in self.lexicon.anonymous:
            return NOBODY
        if bare_words in PRONOUNS:
            return self._references.pronoun(bare_words, at, span) or Speaker(None, words, False, kind)
        ranked = _RANK.match(words)
        if ranked is not None:
            # "a senior Ukrainian official" speaks for whom "a Ukrainian official" speaks for
            unranked = self.resolve(
                words[: ranked.start(1)] + words[ranked.end(1) :], at, span, context_party
            )
            if unranked.known:
                return Speaker(unranked.claimant, words, True, unranked.kind)
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
        organisation = ORGANISATION.search(words)
        if organisation is not None:
            named = self._organisation(organisation.group(1), words)
            if named is not None:
                return named
        exact = self.registry.resolve(" ".join(tail[-6:]), context_party=context_party)
        proper = _PROPER_NAME.search(words)
        if proper is not None and found is None and _SPOKESPERSON.search(words):
            # "spokesperson James Elder said" after "UNICEF said": the body that was speaking
            speaking = self._references.previous_speaker(span, at, sentences=3, known_only=True)
            if speaking is not None and not self.registry.is_party(speaking.claimant):
                return Speaker(speaking.claimant, words, True, "person")
        if proper is not None and found is None:
            person = self._references.person(proper.group(1), at + len(words))
            if person is not None:
                return Speaker(person.claimant, words, person.known, "person")
        if exact is not None:
            return Speaker(exact, words, True, kind)
        if found is not None:
            return Speaker(found[0], words, True, kind or "organisation")
        back_reference = (
            bare_words in self.lexicon.back_references or normalised in self.lexicon.back_references
        )
        if back_reference:
            referred = self._references.back_reference(bare_words, at, span)
            if referred is not None:
                return referred
        described = self._references.described(
            bare_words,
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
        tallied = self._party_figures(words)
        if tallied is not None:
            return tallied
        plain = self._plain_words(words)
        return Speaker(plain, words, False, kind) if plain else NOBODY

    def _party_figures(self, words: str) -> Speaker | None:
        """ "Israeli tallies", "Ukrainian figures", "official Russian data": the figures of the
        side the words name speak for that side."""
        if _FIGURES_HEAD.search(words) is None:
            return None
        mentions = [m for m in self.registry.party_mentions(words) if m.how != "place"]
        if not mentions:
            return None
        return Speaker(mentions[-1].party, words, True, "organisation")

    def _fronted_party(self, span: Span, at: int) -> str | None:
        """The party of the place a sentence opens with, before its speaker ("In Syria, the
        health ministry said", "In neighbouring Zimbabwe, … the government said")."""
        fronted = _FRONTED_PLACE.match(self.text, span[0], at)
        if fronted is None:
            return None
        mentions = self.registry.party_mentions(self.text, fronted.start("place"), fronted.end("place"))
        return mentions[-1].party if mentions else None

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
        while words and (words[0].lower() in QUANTIFIERS or words[0].lower() in DETERMINERS):
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
