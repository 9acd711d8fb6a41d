"""From a document's text to its claims: the extractor that ties the steps together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Final

from counterclaim.about import __version__
from counterclaim.actor_files import load_registry
from counterclaim.actors import ActorRegistry, Mention, RegistryView
from counterclaim.dates import parse_published
from counterclaim.extract.attribution import Attributor
from counterclaim.extract.count_links import link_counts
from counterclaim.extract.events import Calendar
from counterclaim.extract.groups import Group, describe_group, usable_mentions
from counterclaim.extract.measures import MeasureLink
from counterclaim.extract.sentences import Sentences
from counterclaim.extract.tokens import Token, tokenize
from counterclaim.lexicon import Lexicon, load_lexicon, lower_text
from counterclaim.models import Claim
from counterclaim.numbers import NumberReader

#: Group words that mean "more of the group just counted".
_OTHERS = frozenset({"others", "other", "more", "another"})
_PART_OF_BEFORE: Final = re.compile(r"(?<![\w])(?:including|among\s+them|of\s+them|of\s+whom)\s*$")
EXTRACTOR_NAME: Final = f"counterclaim.rules.v1@{__version__}"
# "Russian missile strike", "Israeli air strikes", "Russian forces": the side that attacks
_ATTACKER_AFTER: Final = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:missiles?|rockets?|drones?|air\s*strikes?|strikes?|attacks?|shelling|"
    r"bombardment|bombing|forces|troops|soldiers|warplanes|jets|artillery|offensive|invasion)(?![\w])"
)
# A pattern that opens with a literal word is searched for that word in C; one that opens
# with a look-behind is tried at every position. So "since(?<![\w]since)": the word first,
# then the test that no letter comes before it (the same matches as "(?<![\w])since").
_CUMULATIVE_VERB: Final = re.compile(
    r"ha(?<![\w]ha)(?:ve|s)\s+(?:now\s+|so\s+far\s+|reportedly\s+|already\s+)?"
    r"(?:been\s+)?(?:killed|died|lost|wounded|injured|recorded|documented|confirmed)"
)
# "1,351 of its soldiers": a party's tally of its own losses is a running total.
_OWN_TALLY: Final = re.compile(
    r"of(?<![\w]of)\s+(?:its|their|our)\s+(?:own\s+)?(?:soldiers|troops|servicemen|fighters|"
    r"personnel|forces|men|members|service\s+members)(?![\w])"
)
# After a measure word, a rate or a return makes the figure something else than a toll:
# "dozens of people being killed each day", "1.4 million refugees have returned".
_RATE_AFTER_CUE: Final = re.compile(
    r"^[^.;:,]{0,40}?(?<![\w])(?:each|every|per|a)\s+(?:day|night|week|month)(?![\w])|^\s*daily\b"
)
_RETURN_AFTER_CUE: Final = re.compile(
    r"^\s*(?:[\w'’-]+\s+){0,3}?(?:have|has|had)?\s*(?:returned|headed\s+back|gone\s+back|went\s+back|"
    r"come\s+back|came\s+back|returning|been\s+able\s+to\s+return)(?![\w])"
)
# "the average daily number of Russian losses … is 899": an average, not a count
_IN_A_DAY: Final = re.compile(r"^[^.;:,]{0,40}?\bin\s+a\s+day")
_AVERAGE_BEFORE: Final = re.compile(r"(?<![\w])(?:average|averaging|on\s+average|mean)(?![\w])[^.;:]*$")


_MODAL_OR_TO: Final = frozenset(
    {"to", "will", "would", "could", "can", "may", "might", "must", "should", "shall", "cannot"}
)


def _hosts_displaced(
    before: str, tokens: list[Token], position: int, link: MeasureLink, lexicon: Lexicon
) -> bool:
    """ "Uganda is hosting 1.5 million refugees": a hosting verb before a count named as
    displaced people or refugees by the words right after it is no plan but a standing count."""
    words = before.split()
    if not words or words[-1] not in lexicon.hosting or (len(words) > 1 and words[-2] in _MODAL_OR_TO):
        return False
    if link.how == "hosted":
        return True  # "relief camps housing 4,000 people": the people are there
    if link.how != "after" or link.measure not in {"displaced", "refugees", "evacuated"}:
        return False
    return any(t is link.cue for t in tokens[position + 1 : position + 3])


def _not_a_toll(low: str, span: Span, start: int, link: MeasureLink) -> bool:
    """Whether the clause makes the figure a rate, an average or a return, not a toll."""
    after = low[link.cue.end : span[1]]
    if link.cue.start >= start and _RATE_AFTER_CUE.match(after) and not _IN_A_DAY.match(after):
        return True
    if link.measure in {"refugees", "displaced"} and _RETURN_AFTER_CUE.match(after):
        return True
    return _AVERAGE_BEFORE.search(low, span[0], start) is not None


# "half of the region's 150,000 people": a share of a population, not a count of people harmed
_FRACTION_BEFORE: Final = re.compile(
    r"(?<![\w])(?:half|third|thirds|quarter|quarters|fifth|tenth|per\s*cent|percent|%)\s+of\s+"
    r"(?:the\s+|its\s+|their\s+)?(?:[\w-]+['’]s)?\s*$"
)
# "since October 7", "since the offensive began": a running total from a start
_SINCE: Final = re.compile(
    r"since(?<![\w]since)\s+(?:the\s+|its\s+|their\s+)?(?:war|conflict|fighting|invasion|start|beginning|"
    r"outbreak|offensive|siege|escalation|ceasefire|truce|uprising|revolution|coup|crisis|[0-9]|"
    r"erupting|early|late|it\s+began|fighting\s+began|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|last\s+week|mid-)"
)
# "in continued terrorist attacks", "in ongoing Russian strikes": a run of attacks
_CONTINUED_ATTACKS: Final = re.compile(
    r"(?<![\w])(?:continued|continuing|ongoing|repeated|relentless)\s+(?:[a-z-]+\s+){0,3}"
    r"(?:attacks|strikes|airstrikes|shelling|bombardment|bombing)(?![\w])"
)
_FLED_TO: Final = re.compile(r"\s+(?:to\s+|into\s+|from\s+|across\s+the\s+border\s+(?:in)?to\s+)?")
_PARTY_KINDS: Final = frozenset({"government", "military", "armed_group"})
_CONTEXT_SENTENCES: Final = 30
_NEAR_SENTENCES: Final = 2


class Extractor:
    """Extracts claims with one lexicon and one actor registry; reuse it across documents.

    Example:
        >>> extractor = Extractor()
        >>> [c.value for c in extractor.extract("Ukraine says 19,000 Russian soldiers have been killed.")]
        [19000]
    """

    def __init__(self, *, lexicon: Lexicon | None = None, registry: ActorRegistry | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.registry = registry or load_registry()
        self.reader = NumberReader(self.lexicon)

    def extract(
        self, text: str, *, published: date | str | None = None, doc: str | None = None, language: str = "en"
    ) -> list[Claim]:
        """The claims of one document (see :func:`counterclaim.extract_claims`)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        when = parse_published(published)
        if language != "en":
            from counterclaim.extract.packs import pack_extractor  # only documents in a pack's language

            return pack_extractor(language, self.registry).extract(text, published=when, doc=doc)
        low = lower_text(text)
        # The one pass over the whole text: a claim needs a measure word, so sentences
        # without one are never tokenised.
        hits = list(self.lexicon.measures.finditer(low))
        if not hits:
            return []
        return _Document(self, text, low, when, doc).claims(hits)


Span = tuple[int, int]


class _Document:
    """The work on one document: its candidate sentences, and context built lazily."""

    def __init__(
        self, extractor: Extractor, text: str, low: str, published: date | None, doc: str | None
    ) -> None:
        self.x = extractor
        self.text = text
        self.low = low
        self.published = published
        self.doc = doc
        self.sentences = Sentences(text)
        self.registry = RegistryView(extractor.registry, text, low, seen=self._parties_seen)
        self.attributor = Attributor(
            text,
            low,
            self.sentences,
            lexicon=extractor.lexicon,
            registry=self.registry,
            context_for=lambda span, position: self.context_party(span, position, role="speaker"),
            topic=self._topic_country,
        )
        self.calendar = Calendar(
            text, low, self.sentences, published, self.attributor.cues, extractor.lexicon.measures
        )
        self._mentions: dict[Span, list[Mention]] = {}
        self._scope_cues: dict[Span, str] = {}
        self._last_link: MeasureLink | None = None
        self._topic: str | None = None
        self._counts_wounded: bool | None = None

    # -- lazily computed context ------------------------------------------------------------
    def _parties_seen(self) -> list[str]:
        return [m.party for mentions in self._mentions.values() for m in mentions]

    def mentions(self, span: Span) -> list[Mention]:
        if span not in self._mentions:
            self._mentions[span] = self.registry.party_mentions(self.text, span[0], span[1], low=self.low)
        return self._mentions[span]

    def context_party(
        self, span: Span, position: int, role: str = "any", *, besides: str | None = None
    ) -> str | None:
        """The party named last before ``position``, looking back sentence by sentence.

        For civilian or unspecified groups, only mentions that can name where people are; for
        soldiers, no places; for a speaker (``role="speaker"``), no attacker's side; else
        (``role="any"``) every mention.
        """
        current: Span | None = span
        for distance in range(_CONTEXT_SENTENCES):
            if current is None:
                break
            if role == "civilian" and distance == _NEAR_SENTENCES and self._topic_country():
                # beyond the last few sentences, the country the document is about
                return self._topic_country()
            named = [m for m in self.mentions(current) if m.start < position]
            if role == "military":
                # soldiers belong to the state they fight for: where they fell names no side
                named = [m for m in named if m.how != "place"]
            elif role == "speaker":
                # "Saturday's Russian missile strike …, regional officials said": the attacker's
                # side is not the speaker's
                named = [m for m in named if not _ATTACKER_AFTER.match(self.low, m.end)]
            elif role != "any":
                named = usable_mentions(self.text, named, self.registry, role)
            named = [m for m in named if besides is None or m.party != besides]
            if named:
                return named[-1].party
            current = self.sentences.before(current)
        return self._topic_country() if role == "civilian" else None

    def _wounded_counted(self) -> bool:
        """Whether the document says its tallies count the wounded with the dead."""
        if self._counts_wounded is None:
            self._counts_wounded = self.x.lexicon.wounded_signals.search(self.low) is not None
        return self._counts_wounded

    def _fled_a_country(self, after: int, span: Span) -> bool:
        """ "have fled Ukraine", "fled to Poland": people who left their country are refugees."""
        reach = _FLED_TO.match(self.low, after)
        if reach is None:
            return False
        return any(
            m.start == reach.end() and m.how == "name" and self.registry.is_state(m.party)
            for m in self.registry.party_mentions(self.text, reach.end(), min(span[1], reach.end() + 40))
        )

    def _topic_country(self) -> str | None:
        """The state a document is about when one dominates its mentions (at least three, and
        half as many again as the next): where people named with no place of their own are."""
        if self._topic is None:
            mentions = usable_mentions(
                self.text, self.registry.party_mentions(self.text, low=self.low), self.registry, "civilian"
            )
            counts: dict[str, int] = {}
            for mention in mentions:
                if self.registry.is_state(mention.party):
                    counts[mention.party] = counts.get(mention.party, 0) + 1
            ranked = [*sorted(counts.values(), reverse=True), 0]
            best = max(counts, key=lambda party: counts[party], default="")
            self._topic = best if best and ranked[0] >= 3 and ranked[0] >= 1.5 * ranked[1] else ""
        return self._topic or None

    # -- the pass over candidate sentences --------------------------------------------------
    def claims(self, hits: list[re.Match[str]]) -> list[Claim]:
        found: list[Claim] = []
        index = 0
        while index < len(hits):
            span = self.sentences.around(hits[index].start())
            in_sentence = []
            while index < len(hits) and hits[index].start() < span[1]:
                in_sentence.append(hits[index])
                index += 1
            if not self.x.reader.has_number(self.low, span[0], span[1]):
                continue
            tokens = tokenize(self.low, span[0], span[1], self.x.lexicon, self.x.reader, in_sentence)
            previous: Claim | None = None
            in_sentence_claims: list[Claim] = []
            links = link_counts(self.text, self.low, span, tokens, self.x.lexicon, last_link=self._last_link)
            for position, link in links:
                claim = self._claim(span, tokens, position, link, previous)
                if claim is not None:
                    in_sentence_claims.append(claim)
                    previous = claim
                    self._last_link = link
            found.extend(_share_coordinated_groups(self.text, in_sentence_claims))
        return found

    def _claim(
        self, span: Span, tokens: list[Token], position: int, link: MeasureLink, previous: Claim | None
    ) -> Claim | None:
        lexicon = self.x.lexicon
        quantity = tokens[position].quantity
        if quantity is None:
            return None
        before = self.low[max(0, quantity.qualifier_start - 48) : quantity.qualifier_start].rstrip(" \"“‘'(")
        if lexicon.forecast_before.ending(before) or _FRACTION_BEFORE.search(before):
            return None
        if (
            link.how not in {"toll", "number-of"}
            and lexicon.prospective_before.ending(before)
            and not _hosts_displaced(before, tokens, position, link, lexicon)
        ):
            return None
        if _not_a_toll(self.low, span, quantity.qualifier_start, link):
            return None
        start = quantity.start
        context = _Once(lambda: self.context_party(span, start))
        military_context = _Once(lambda: self.context_party(span, start, role="military"))
        speaker = self.attributor.claimant_for(span, quantity.start, context)
        speaker_actor = self.registry.get(speaker.claimant) if speaker.known else None
        group = describe_group(
            self.text,
            tokens,
            position,
            link,
            lexicon=lexicon,
            registry=self.registry,
            sentence=span,
            mentions=self.mentions(span),
            context_party=military_context,
            place_context=lambda: self.context_party(span, start, role="civilian"),
            speaker_side=self.registry.side_of(speaker.claimant) if speaker.known else None,
            other_side=lambda side: self.context_party(span, start, role="military", besides=side),
        )
        if (
            not group.subject
            and link.cue.form == "verb"
            and previous is not None
            and previous.subject
            and (previous.measure != link.measure or link.how in {"list", "share"})
        ):
            # "1,351 of its soldiers have been killed, while 3,825 were wounded": same group
            group = Group(previous.subject, previous.subject_role, previous.subject_party, previous.unit)
        elif (
            previous is not None
            and previous.subject_party
            and group.subject.lower() in _OTHERS
            and group.party != previous.subject_party
        ):
            # "242 soldiers have been killed in Gaza, and 1,400 others have been wounded": the
            # others are more of the same people, whatever place the sentence names
            group = Group(group.subject, group.role, previous.subject_party, group.unit)
        elif (
            previous is not None
            and previous.subject_party
            and group.party != previous.subject_party
            and _PART_OF_BEFORE.search(
                self.low, max(span[0], quantity.qualifier_start - 24), quantity.qualifier_start
            )
            and group.subject.islower()
        ):
            # "31 Palestinians in Gaza, including six children": a part with no name of its
            # own is of the party of the whole
            group = Group(group.subject, group.role, previous.subject_party, group.unit)
        if group.role == "military" and link.cue.norm in lexicon.redeployment:
            return None  # "relocated 2,000 troops to the front": soldiers moved, not evacuated
        # a party's (or its army's) tally of its soldiers lost is a running total (not its
        # count of the other side's fighters it killed in a battle)
        tally = (
            group.role == "military"
            and speaker_actor is not None
            and speaker_actor.kind in _PARTY_KINDS
            and (group.party is None or group.party == self.registry.side_of(speaker.claimant))
        )
        scope = self._scope(span, link, tally=tally)
        measure = link.measure
        if measure == "displaced" and link.cue.form == "flee" and self._fled_a_country(link.cue.end, span):
            measure = "refugees"
        elif link.cue.norm in self.x.lexicon.wounded_included and self._wounded_counted():
            measure = "casualties"
        return Claim(
            doc=self.doc,
            measure=measure,
            qualifier=quantity.qualifier,
            value=quantity.value,
            low=quantity.low,
            high=quantity.high,
            unit=group.unit,
            subject=group.subject,
            subject_party=group.party,
            subject_role=group.role,
            claimant=speaker.claimant,
            claimant_text=speaker.text,
            scope=scope,
            as_of=_iso(self.calendar.as_of(span, quantity.start, scope, source=speaker.source)),
            evidence=self.text[span[0] : span[1]],
            start=quantity.start,
            end=quantity.end,
            extras={"measure_text": self.text[link.cue.start : link.cue.end], "extractor": EXTRACTOR_NAME},
        )

    def _scope(self, span: Span, link: MeasureLink, *, tally: bool = False) -> str:
        cue = self._scope_cues.get(span)
        if cue is None:
            lexicon = self.x.lexicon
            start, end = span
            if (
                lexicon.cumulative.search(self.low, start, end)
                or _OWN_TALLY.search(self.low, start, end)
                or _SINCE.search(self.low, start, end)
                or _CONTINUED_ATTACKS.search(self.low, start, end)
            ):
                cue = "cumulative"
            elif lexicon.incident.search(self.low, start, end):
                cue = "incident"
            elif _CUMULATIVE_VERB.search(self.low, start, end):
                cue = "perfect"
            else:
                cue = ""
            self._scope_cues[span] = cue
        if cue in {"cumulative", "incident"}:
            return cue
        if (
            link.measure in {"displaced", "refugees", "captured", "missing", "casualties"}
            or cue == "perfect"
            or tally
        ):
            return "cumulative"
        return "incident"


class _Once:
    """A value worked out on first use, then kept (context most claims never need)."""

    def __init__(self, compute: Callable[[], str | None]) -> None:
        self._compute = compute
        self._done = False
        self._value: str | None = None

    def __call__(self) -> str | None:
        if not self._done:
            self._value = self._compute()
            self._done = True
        return self._value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# "killed 12 and injured 16 civilian mine workers": the first count is of the same people
_VERB_COORDINATION: Final = re.compile(
    r"\s+and\s+(?:[a-z]+ed|injuring|wounding|killing|leaving)\s+(?:at\s+least\s+)?"
)
# "90 civilian deaths and 142 injuries": the second count shares the first's describing word
_NOUN_COORDINATION: Final = re.compile(r"\s+[a-z-]+\s+[a-z-]+\s+and\s+(?:at\s+least\s+|more\s+than\s+)?")


def _share_coordinated_groups(text: str, claims: list[Claim]) -> list[Claim]:
    """Counts joined in one phrase that name their people once share that group's role."""
    shared = list(claims)
    for index, (first, second) in enumerate(pairwise(claims)):
        between = text[first.end : second.start]
        if (
            first.subject_role == "unspecified"
            and not first.subject
            and second.subject_role != "unspecified"
            and _VERB_COORDINATION.fullmatch(between)
        ):
            shared[index] = replace(
                first,
                subject_role=second.subject_role,
                subject_party=first.subject_party or second.subject_party,
            )
        elif (
            second.subject_role == "unspecified"
            and first.subject_role != "unspecified"
            and second.subject.lower()
            == text[second.end : second.end + len(second.subject) + 1].strip().lower()
            and _NOUN_COORDINATION.fullmatch(between)
        ):
            shared[index + 1] = replace(second, subject_role=first.subject_role)
    return shared


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    """The extractor with the built-in lexicon and actor registry, built once."""
    return Extractor()


def extract_claims(
    text: str,
    *,
    published: date | str | None = None,
    doc: str | None = None,
    extractor: Extractor | None = None,
    language: str = "en",
) -> list[Claim]:
    """Extract every casualty or displacement claim from one document's text.

    Pure and deterministic: no I/O, the same text and date always give the same claims.

    Example:
        >>> claims = extract_claims("At least 1,500 civilians have been killed so far, "
        ...                         "according to the United Nations.", published="2022-04-07")
        >>> c = claims[0]
        >>> (c.measure, c.qualifier, c.low, c.subject_role, c.claimant, c.scope, c.as_of)
        ('killed', 'at_least', 1500, 'civilian', 'United Nations', 'cumulative', '2022-04-07')

    Args:
        text: The document's text.
        published: The publication date (a ``date`` or "YYYY-MM-DD"), against which
            weekdays and relative dates resolve.
        doc: The document's id, copied into each claim.
        extractor: An :class:`Extractor` with a user lexicon or actor registry; the
            built-in one by default.
        language: The document's language: "en", or a language with a pack ("ru", "uk",
            "ar", "es", "fr"; docs/languages.md). :func:`counterclaim.ingest.language.screen` tells it.

    Returns:
        The claims in text order.

    Raises:
        InvalidDateError: ``published`` is a string that is not an ISO date.
        TypeError: ``text`` is not a string.
    """
    return (extractor or default_extractor()).extract(text, published=published, doc=doc, language=language)
