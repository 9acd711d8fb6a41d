"""Extraction from an article in a language with a pack (Russian, Ukrainian, Arabic, Spanish, French).

The steps of the English extractor, each reading the pack's words: sentences, numbers
(:mod:`counterclaim.packs.numbers`), measure words and the number each belongs to, the counted
group with its role and party, who said it (:mod:`.pack_claimants`), the scope and the date.
A number is a count of people only next to a group word or a measure word; it takes the
measure of the nearest measure word in its sentence, a word across a conjunction or another
number counting as further away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from counterclaim.actors import ActorRegistry
from counterclaim.extract.pack_claimants import Attribution, Attributor, document_party
from counterclaim.models import Claim, interval
from counterclaim.packs.dates import find_date
from counterclaim.packs.numbers import Number, read_numbers
from counterclaim.packs.pack import DIGITS, Pack, Phrase, Word, load_pack, words_of

#: How far (in words) a measure word may stand from its number.
_REACH: Final = 12
#: Words between a number and the group it counts: "العشرات من عناصر", "двое из погибших",
#: "miles de personas", "des milliers de personnes", "cinq d'entre eux".
_OF: Final = frozenset(
    {"من", "из", "з", "із", "зі", "بين", "его", "ее", "её", "их", "його", "її", "їх", "наших", "своих"}
    | {"de", "del", "los", "las", "sus", "a"}
    | {"des", "du", "leurs", "entre", "d'entre"}
)
#: "двое из них", "один із них", "ثلاثة منهم", "dos de ellos": a number of the people just named.
_OF_THEM: Final = frozenset({"них", "їх", "منهم", "بينهم", "ellos", "ellas", "eux", "elles"})
#: How far (in words) a rate word ("в среднем", "سنويا") makes a figure no count.
_RATE_REACH: Final = 6
_CONJUNCTIONS: Final = frozenset(
    {"и", "а", "і", "й", "та", "و", "ثم", "فيما", "y", "e", "mientras", "et", "tandis"}
)
_SENTENCE_END: Final = re.compile(r"[.!?؟…]+[\"'»”)]*\s+|\n+")
_CIVILIAN, _MILITARY = "civilian", "military"


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int
    paragraph: int


def sentences(text: str) -> list[_Sentence]:
    """Sentences with their paragraph (a run of lines without a blank line... or a line)."""
    found = []
    paragraph = 0
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        nxt = match.end()
        if "\n" not in match.group() and not _breaks(text, match.start(), nxt):
            continue
        if match.group() == "\n" and _wrapped(text, match.start()):
            continue
        if text[start:end].strip():
            found.append(_Sentence(start, end, paragraph))
        if "\n" in match.group():
            paragraph += 1
        start = nxt
    if text[start:].strip():
        found.append(_Sentence(start, len(text.rstrip()), paragraph))
    return found


def _wrapped(text: str, at: int) -> bool:
    """Whether the line break at ``at`` only wraps a sentence (text taken from a PDF report):
    a lower-case letter or a comma before it, a lower-case letter after it."""
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    return (before.islower() or before == ",") and after.islower()


def _breaks(text: str, dot: int, nxt: int) -> bool:
    """Whether a full stop at ``dot`` ends a sentence: not after an abbreviation ("тис. 315",
    "г. Киев", "ул.") when what follows is a digit or a lower-case word."""
    if nxt >= len(text):
        return True
    following = text[nxt]
    if following.islower() or following in ",;:":
        return False
    if following.isdigit():
        before = re.search(r"(\w+)$", text[:dot])
        return not (before and len(before.group(1)) <= 4 and before.group(1).isalpha())
    return True


class PackExtractor:
    """Extracts claims from documents in one language; reuse it across documents."""

    def __init__(self, pack: Pack, registry: ActorRegistry) -> None:
        self.pack = pack
        self.registry = registry

    def extract(self, text: str, *, published: date | None = None, doc: str | None = None) -> list[Claim]:
        """The claims of one document."""
        pack = self.pack
        plain = text.translate(DIGITS)
        found = sentences(plain)
        if not found:
            return []
        title = words_of(plain, pack.code, found[0].start, found[0].end)
        party = document_party(pack, words_of(plain, pack.code), title)
        speaker = Attributor(pack, self.registry, party)
        lead = [s for s in found if s.paragraph <= 1][:3]
        topic = {
            str(measure)
            for s in lead
            for _, _, measure in pack.scan(pack.measures, words_of(plain, pack.code, s.start, s.end))
        }
        read = [(s, words_of(plain, pack.code, s.start, s.end)) for s in found]
        dates = [_date_of(words, pack, published) for _, words in read]
        # with no publication date, the story's first date stands for it ("5 ноября 2017 года")
        stamp = published or next((when for when in dates if when is not None), None)
        event: date | None = None
        paragraph = 0
        claims: list[Claim] = []
        for (sentence, words), when in zip(read, dates, strict=True):
            if sentence.paragraph != paragraph:  # a date carries through its paragraph
                paragraph, event = sentence.paragraph, None
            said = speaker.attribute(plain, words, sentence.paragraph)
            cues = self._cues(words, topic)
            if cues:
                context = _Context(text, sentence, words, said, party, when, event or stamp, stamp)
                claims.extend(self._claims(context, cues, doc))
            if when is not None:
                event = when
        return claims

    def _cues(self, words: list[Word], topic: set[str]) -> list[tuple[int, int, str]]:
        pack = self.pack
        cues = []
        found = pack.scan(pack.measures, words)
        if topic and pack.topic_measures:
            found += [hit for hit in pack.scan(pack.topic_measures, words) if hit[2] in topic]
        for first, after, measure in found:
            excluded = pack.excluded.get(str(measure), ())
            if excluded and pack.scan(excluded, words):
                continue
            cues.append((first, after, str(measure)))
        # "harmed" is wounded beside a death toll, else killed and wounded together
        killed = any(measure == "killed" for _, _, measure in cues)
        return [(f, a, ("wounded" if killed else "casualties") if m == "harmed" else m) for f, a, m in cues]

    def _claims(self, context: _Context, cues: list[tuple[int, int, str]], doc: str | None) -> list[Claim]:
        pack, words = self.pack, context.words
        plain = context.text.translate(DIGITS)
        numbers = [n for n in read_numbers(plain, words, pack) if n.low is not None or n.high is not None]
        cumulative = bool(pack.scan(pack.cumulative, words))
        claims = []
        for number in numbers:
            homes = self._dwellings(number, words)
            if homes is None and not self._counts_people(number, words, cues, plain):
                continue
            cue = _nearest(pack, number, cues, numbers, words, plain)
            if cue is None or (homes is not None and not _evacuates(cue, number, homes)):
                continue  # homes destroyed are no people; homes evacuated are households
            subject = (homes, homes + 1) if homes is not None else self._subject(number, words)
            claims.append(self._claim(context, number, cue, subject, cumulative, doc))
        return claims

    def _dwellings(self, number: Number, words: list[Word]) -> int | None:
        """The index of the word for homes the number counts ("un centenar de casas"), if any."""
        pack, at = self.pack, number.last + 1
        if at < len(words) and words[at].forms[0] in _OF:
            at += 1  # "un centenar de casas"
        return at if pack.dwellings and pack.find(pack.dwellings, words, at) else None

    def _group_at(self, words: list[Word], at: int) -> int | None:
        """The index of the group word the number before ``at`` counts, if any: right after
        it, or after "of" or a nationality word ("1 український військовослужбовець")."""
        pack = self.pack
        for index in (at, at + 1, at + 2):
            if index >= len(words):
                return None
            if pack.find(pack.groups, words, index) or pack.find(pack.measures, words, index):
                return index
            word = words[index]
            if (
                word.forms[-1] not in _OF
                and word.forms[0] not in _OF
                and not pack.find(pack.parties, words, index)
            ):
                return None
        return None

    def _counts_people(
        self, number: Number, words: list[Word], cues: list[tuple[int, int, str]], text: str
    ) -> bool:
        pack = self.pack
        if number.dual:
            return True
        after = number.last + 1
        if number.first > 0 and _ends_phrase(pack.not_before, words, number.first):
            return False
        if text[number.end : number.end + 1] in '»”"' or _rate_near(pack, words, number):
            return False  # a name ("«السلام 98»") or a rate ("в среднем", "سنويا")
        if (
            after + 1 < len(words)
            and words[after].forms[-1] in _OF
            and words[after + 1].forms[-1] in _OF_THEM
        ):
            return True
        if after < len(words) and words[after].forms[-1] in _OF_THEM:
            return True
        if (
            number.first >= 2
            and words[number.first - 2].forms[-1] in _OF
            and words[number.first - 1].forms[-1] in _OF_THEM
        ):
            return True  # "з них 11", "из них 5": a part of the people just counted
        group = self._group_at(words, after)
        if group is None and after < len(words) and pack.find(pack.not_after, words, after):
            return False
        if pack.affected and _affected(pack, words, number, group):
            return False  # "afectaron a 18.000 personas", "2.000 familias afectadas"
        if (
            number.value is not None
            and 1900 <= number.value <= 2100
            and text[number.start : number.end].isdigit()
            and not (group is not None and pack.find(pack.groups, words, group))
        ):
            return False  # a year ("2 000 blessés", written with a thousands space, is none)
        if group is not None:
            return True
        if number.value == 1 and not words[number.first].digits:
            return False  # "в одному з": "one" counts people only beside a group word
        if pack.levels and any(
            _ends_phrase(pack.levels, words, at) for at in range(max(0, number.first - 2), number.first + 1)
        ):
            # "el número de damnificados se elevó a 25.000": the level of a measure named before
            return any(last <= number.first - 2 for _, last, _ in cues)
        # "погибли 19", "مقتل 25", "ранены 15": a measure word right before; "30 получили
        # ранения", "15 تم اجلاؤهم": one right after, past at most one verb
        return any(
            number.first - 2 <= last <= number.first or number.last < first <= number.last + 2
            for first, last, _ in cues
        )

    def _subject(self, number: Number, words: list[Word]) -> tuple[int, int] | None:
        pack = self.pack
        if number.dual:
            return number.first, number.first + 1
        at = self._group_at(words, number.last + 1)
        if at is None:
            return None
        end = at + 1
        while (
            end < len(words)
            and end - at < 4
            and (pack.find(pack.groups, words, end) or pack.find(pack.parties, words, end))
        ):
            end += 1
        return at, end

    def _claim(
        self,
        context: _Context,
        number: Number,
        cue: tuple[int, int, str],
        subject: tuple[int, int] | None,
        cumulative: bool,
        doc: str | None,
    ) -> Claim:
        pack, words, text = self.pack, context.words, context.text
        measure = cue[2]
        measure_text = text[words[cue[0]].start : words[cue[1] - 1].end]
        qualifier = (
            "vague" if number.vague else "about" if number.rounded else _qualifier(pack, words, number)
        )
        low, high = (number.low, number.high) if number.vague else interval(qualifier, number.value)
        role, party, subject_text, unit = "unspecified", context.party, "", "people"
        if subject is not None:
            if pack.find(pack.households, words, subject[0]) or pack.find(pack.dwellings, words, subject[0]):
                unit = "households"
            subject_words = words[subject[0] : subject[1]]
            subject_text = text[subject_words[0].start : subject_words[-1].end]
            kinds = {str(p.value) for w in range(*subject) if (p := pack.find(pack.groups, words, w))}
            role = _MILITARY if _MILITARY in kinds else _CIVILIAN if _CIVILIAN in kinds else "unspecified"
            for at in range(*subject):
                named = pack.find(pack.parties, words, at)
                if named is not None:
                    party = str(named.value)
                    break
        scope = "cumulative" if cumulative or measure in {"displaced", "refugees"} else "incident"
        said = context.said
        return Claim(
            doc=doc,
            measure=measure,
            qualifier=qualifier,
            value=None if number.vague else number.value,
            low=low,
            high=high,
            evidence=text[context.sentence.start : context.sentence.end],
            start=number.start,
            end=number.end,
            unit=unit,
            subject=subject_text,
            subject_party=party,
            subject_role=role,
            claimant=said.claimant if said else None,
            claimant_text=said.text if said else None,
            scope=scope,
            as_of=_as_of(context, scope),
            extras={"measure_text": measure_text, "language": pack.code},
        )


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    sentence: _Sentence
    words: list[Word]
    said: Attribution | None
    party: str | None
    when: date | None  # the sentence's own date
    event: date | None  # the story's last date before it
    published: date | None  # or the story's first date, if it has none


def _date_of(words: list[Word], pack: Pack, published: date | None) -> date | None:
    dated = find_date(words, pack, published)
    return dated[0] if dated and (published is None or dated[0] <= published) else None


def _as_of(context: _Context, scope: str) -> str | None:
    """docs/claims.md: an incident's day wherever the story gives it; a running total's stated
    day, else the publication date."""
    when = context.when or (context.event if scope == "incident" else None) or context.published
    return when.isoformat() if when else None


def _ends_phrase(phrases: tuple[Phrase, ...], words: list[Word], at: int) -> bool:
    """Whether one of ``phrases`` ends right before word ``at``."""
    return any(
        at - len(phrase.stems) >= 0 and phrase.matches(words, at - len(phrase.stems)) for phrase in phrases
    )


def _qualifier(pack: Pack, words: list[Word], number: Number) -> str:
    for phrase in pack.qualifiers:
        size = len(phrase.stems)
        if number.first - size >= 0 and phrase.matches(words, number.first - size):
            return str(phrase.value)
    for at in (number.last + 1, number.last + 2):
        after = pack.find(pack.qualifiers_after, words, at)
        if after is not None:
            return str(after.value)
    return "exact"


def _nearest(
    pack: Pack,
    number: Number,
    cues: list[tuple[int, int, str]],
    numbers: list[Number],
    words: list[Word],
    text: str,
) -> tuple[int, int, str] | None:
    """The measure word nearest the number, across the fewest boundaries."""
    best: tuple[int, int, int, int, str] | None = None
    for first, after, measure in cues:
        if number.first <= first <= number.last:
            continue
        if after <= number.first:
            lo, hi, before = after, number.first, True
        else:
            lo, hi, before = number.last + 1, first, False
        cost = hi - lo
        if cost > _REACH:
            continue
        if not before and cost <= 1:
            gap = text[words[number.last].end : words[lo].start] if lo < len(words) else ""
            # "1 – отримав поранення": a dash stands for the verb; "27 погибших", "1213 حالة
            # وفاة", "19 человек погибли": the number's own word
            if any(ch in "–—-" for ch in gap) or all(
                pack.find(pack.groups, words, at) for at in range(lo, hi)
            ):
                cost = -1  # "27 погибших", "1213 حالة وفاة", "19 человек погибли": the number's own word
        between = words[lo:hi]
        cost += sum(2 for w in between if w.forms[0] in _CONJUNCTIONS)
        cost += sum(3 for n in numbers if n is not number and lo <= n.first < hi)
        if before and (words[number.first].conj or _conj_before(text, words[number.first].start)):
            cost += 1  # "و756 جريحا": the number opens a new coordinate
        if not before and words[first].conj:
            cost += 1  # "مقتل 64 واصابة 74": the measure word opens a new coordinate
        cost += sum(1 for w in between if ";" in text[w.start - 2 : w.start])
        rank = (cost, 0 if before else 1, first, after, measure)
        if best is None or rank < best:
            best = rank
    return (best[2], best[3], best[4]) if best else None


def _affected(pack: Pack, words: list[Word], number: Number, group: int | None) -> bool:
    """Whether the number counts people touched or assisted: an "affected" word right before
    it ("afectaron a 18.000") or after it or its group, past at most one verb ("18.000 personas
    afectadas", "2.345 familias resultaron afectadas")."""
    before = [at for at in (number.first - 1, number.first - 2) if at >= 0]
    if before and words[before[0]].forms[0] in _OF and len(before) > 1:
        before = before[1:]  # "afectaron a 18.000": a personal "a"
    # right after, or past one verb ("2.345 familias resultaron afectadas")
    last = group if group is not None else number.last
    after = range(number.last + 1, last + 3)
    return any(pack.find(pack.affected, words, at) for at in [*before[:1], *after])


def _evacuates(cue: tuple[int, int, str], number: Number, homes: int) -> bool:
    """Whether homes are counted as evacuated: an evacuation word right before the number
    ("evacuar un centenar de casas") or right after the homes ("10 viviendas evacuadas")."""
    first, after, measure = cue
    return measure == "evacuated" and (
        number.first - 3 <= after - 1 < number.first or homes < first <= homes + 2
    )


def _rate_near(pack: Pack, words: list[Word], number: Number) -> bool:
    window = words[max(0, number.first - _RATE_REACH) : number.last + 1 + _RATE_REACH]
    return bool(pack.rates) and bool(pack.scan(pack.rates, window))


def _conj_before(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in "وف" and (start < 2 or not text[start - 2].isalpha())


_BUILT: dict[tuple[str, int], tuple[ActorRegistry, PackExtractor]] = {}


def pack_extractor(code: str, registry: ActorRegistry) -> PackExtractor:
    """The extractor of a language with a pack, built once per language and registry."""
    key = (code, id(registry))
    built = _BUILT.get(key)
    if built is None or built[0] is not registry:
        built = (registry, PackExtractor(load_pack(code), registry))
        _BUILT[key] = built
    return built[1]
