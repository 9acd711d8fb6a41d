"""Numbers in news text: digits, number words, scale words, vague quantifiers, qualifiers.

Pure functions: text in, :class:`Quantity` out. ``find_quantities`` also says which numbers
cannot be counts of people (dates, years, ages, money, units, rates, changes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from counterclaim.lexicon import Lexicon, load_lexicon, lower_text, normalise_phrase, trie_pattern
from counterclaim.models import interval
from counterclaim.number_words import SCALE_WORDS, SMALL, TENS, parse_words

MONTHS: Final = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
#: Longest digit run read as a number; longer runs are identifiers, not counts.
MAX_DIGITS: Final = 15

_UNIT_WORDS = [w for w in SMALL if w not in {"zero", "ten"} and SMALL[w] < 10]
_BASE_WORDS = [
    *SMALL,
    *TENS,
    *(f"{t}{joint}{u}" for t in TENS for u in _UNIT_WORDS for joint in ("-", " ")),
]
_BASE = f"(?:{trie_pattern(_BASE_WORDS)})"
_SCALE_ALT = "hundred|thousand|million|billion"
_TERM = (
    r"(?:(?:a|one|three)\s+quarters?\s+of\s+a\s+(?:million|billion)"
    r"|(?:a|one|two)\s+thirds?\s+of\s+a\s+(?:million|billion)"
    rf"|{_BASE}(?:\s+(?:{_SCALE_ALT}|dozen))*"
    rf"|a\s+(?:{_SCALE_ALT}|dozen)|half\s+a\s+(?:million|billion))"
)
_WORDS = rf"(?<![\w-]){_TERM}(?:(?:\s+and\s+|\s+){_BASE}(?:\s+(?:{_SCALE_ALT}))*)*(?![\w-])"
# A comma may be followed by one stray space in text taken from PDFs ("61, 000 people"), in the
# last group only and never inside a list: "3, 500, 2" stays three numbers.
_SEPARATOR = r"(?:,|\u00a0|\u202f|\u2009|\u2007| |, (?=[0-9]{3}(?![0-9]|\s*,)))"
_DIGITS_BODY = (
    # a decimal comma before a scale word ("1,2 million", as in much of Europe), then Indian
    # grouping ("1,25,000", "12,34,567"), before the international grouping
    r"(?:[0-9]{1,3},[0-9]{1,2}(?=\s*(?:million|billion)\b)|"
    rf"[0-9]{{1,2}}(?:,[0-9]{{2}})+,[0-9]{{3}}(?![0-9])|[0-9]{{1,3}}(?:{_SEPARATOR}[0-9]{{3}})+|[0-9]+)"
    r"(?:\.[0-9]+)?(?![0-9])"
    r"(?:\s+(?:million|billion|thousand|mln|lakhs?|crores?)|(?:million|billion|mln|mn|bn|m|k))?(?![\w])"
)
_DIGITS = rf"(?<![\w.,/:\-–]){_DIGITS_BODY}"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_NUMERIC = re.compile(r"[0-9]{1,4}[-./][0-9]{1,2}[-./][0-9]{2,4}")
_WORD_SPLIT = re.compile(r"[\s-]+")
_DIGIT = re.compile(r"[0-9]")
_DIGITS_AND_SCALE = re.compile(r"([0-9][0-9,.\u00a0\u202f\u2009\u2007 ]*?)\s*([a-z]*)", re.I)
_SEPARATORS = re.compile(r"[,\u00a0\u202f\u2009\u2007 ]")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_CLAUSE_END = re.compile(r"[.;:!?](?:\s|$)")
_LAST_WORD = re.compile(r"([a-z]+)\s*$", re.IGNORECASE)
_MONTH_BEFORE = re.compile(rf"(?<![\w])(?:{_MONTH_NAMES})\.?\s*$")
_MONTH_AFTER = re.compile(
    rf"^(?:st|nd|rd|th)?(?:\s+(?:and|to|-|–)\s+[0-9]{{1,2}}(?:st|nd|rd|th)?)?\s*(?:of\s+)?"
    rf"(?:{_MONTH_NAMES})(?![\w])"
)
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to|and)\s*")
_BETWEEN = re.compile(r"(?<![\w])(?:between|from)\s*$")
_AVERAGE = re.compile(r"(?<![\w])(?:average|averaging|average of|an average of|mean)\s*$")
_CHANGE_PERCENT = re.compile(r"%\s*,?\s*or\s*$|per\s*cent\s*,?\s*or\s*$")
_NEXT_WORDS = re.compile(r"[^\W\d_][\w'’.°]*|%|°[cf]")
_COUNT_NOUN = re.compile(
    r"^\s*(?:people|persons|civilians|children|soldiers|troops|refugees|residents|others|"
    r"killed|dead|died|deaths|wounded|injured|casualties|displaced|fighters|women|men)\b"
)
_CURRENCY = frozenset("$£€¥₴₽₹")
_ONE_OF_THE = re.compile(r"\s+of\s+the\s+(?:[a-z]+est|most|worst|largest|biggest|few)\b")
_POSITION_OF = re.compile(r"\s+of\s+[0-9]+\b")
_POSITION_BEFORE = re.compile(
    r"(?<![\w])(?:item|list|photo|image|slide|page|part|step|picture)\s+[0-9]+\s+of\s*$"
)
_NAMED_BY_NUMBER = re.compile(r"(?<![\w])(?:world\s+war|flight|resolution|article|chapter|phase)\s+$")
_POPULATION_BEFORE = re.compile(
    r"(?<![\w])(?:a|the|its|this)\s+(?:city|town|country|nation|region|state|island|province|capital|"
    r"enclave|territory)\s+of\s+(?:about|some|around|roughly|nearly|almost|over|more\s+than)?\s*$"
)
# "Syria's pre-war population of 22 million", "a population of about 4,000": how many live there;
# "a displaced population of 40,000" (the lexicon's cue) counts people harmed and stays a count
_POPULATION_OF = re.compile(
    r"(?<![\w])(?:(?P<kind>[\w-]+)\s+)?population\s+of\s+(?:about|some|around|roughly|nearly|almost|"
    r"over|more\s+than|just\s+over|just\s+under|under|fewer\s+than|less\s+than)?\s*$"
)
_HARMED_POPULATIONS = frozenset(
    {
        "displaced",
        "idp",
        "idps",
        "refugee",
        "refugees",
        "homeless",
        "evacuee",
        "evacuees",
        "affected",
        "detainee",
        "prison",
    }
)
_RATIO_AFTER = re.compile(
    r"\s+in\s+(?:[0-9]+|two|three|four|five|six|seven|eight|nine|ten|every|a\s+hundred)\b(?!\s*(?:days|weeks|months|years|hours))"
)
_RATIO_BEFORE = re.compile(r"(?<![\w])(?:[0-9]+|one|two|three|four|five|six|seven|eight|nine)\s+in\s+$")
_PRONOUN_ONE = re.compile(r"(?<![\w])(?:the\s+only|only|no|any|each|every|which)\s*$")
_APPOSITION_BEFORE = re.compile(r"(?<![\w])(?:mr|mrs|ms|dr)?\.?\s*[a-z][\w'’-]+,\s*$")
_APPOSITION_AFTER = re.compile(r"\s*,\s*(?:who|was|is|a|an|the|had|has|from|of|said|died|and)\b")
# Nouns for people in general: a number before one counts people, not things.
_PEOPLE = frozenset(
    {"people", "persons", "others", "individuals", "members", "men", "women", "children", "victims", "bodies"}
)
_CONNECTORS = frozenset(
    {
        "in", "on", "at", "and", "or", "were", "was", "have", "had", "are", "including", "who",
        "this", "that", "these", "those", "last", "the", "a", "an", "for", "with", "from", "to",
        "by", "of", "among", "across", "near", "since", "during", "over", "after", "before",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as the text states it, with its qualifier and the interval it implies.

    ``start``/``end`` span the number (both ends of a range, or the vague word);
    ``qualifier_start`` is where its qualifier phrase begins ("at least 40").
    """

    start: int
    end: int
    text: str
    qualifier: str
    value: int | None
    low: int | None
    high: int | None
    qualifier_start: int


# "the evacuation of 50 homes", "evacuated 200 houses": dwellings evacuated are households
_EVACUATION_BEFORE: Final = re.compile(r"(?<![\w])evacuat(?:ed|e|ing|ions?)\s+(?:of\s+)?(?:the\s+)?$")
# "about 50 homes were evacuated" (the dwelling's word, then its passive)
_EVACUATED_AFTER: Final = re.compile(
    r"\s*[\w-]+\s+(?:(?:were|was|have\s+been|had\s+been|been|being)\s+)?"
    r"(?:(?:ordered|pre-emptively|preventively|temporarily|also)\s+)?evacuated(?![\w])"
)
_DOT_THOUSANDS: Final = re.compile(r"[0-9]{1,3}\.[0-9]{3}")
_COMMA_DECIMAL: Final = re.compile(r"[0-9]{1,3},[0-9]{1,2}")


def parse_digits(text: str, scale: dict[str, int] | None = None) -> int | None:
    """Read "1,351", "1 351", "4.3 million", "1.2m", "2bn" as an integer.

    Example:
        >>> parse_digits("4.3 million")
        4300000
    """
    if text.isdigit():
        return int(text) if len(text) <= MAX_DIGITS else None
    scales = scale if scale is not None else dict(load_lexicon().scale)
    match = _DIGITS_AND_SCALE.fullmatch(text.strip())
    if match is None:
        return None
    digits, word = match.group(1), match.group(2).lower()
    if word and _COMMA_DECIMAL.fullmatch(digits.strip()):
        digits = digits.replace(",", ".")
    digits = _SEPARATORS.sub("", digits)
    if not word and _DOT_THOUSANDS.fullmatch(digits):
        digits = digits.replace(".", "")  # "10.000 people": a thousands separator, not a decimal
    if not digits or len(digits) > MAX_DIGITS + 4:
        return None
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    if word:
        if word not in scales:
            return None
        number *= scales[word]
    elif number != number.to_integral_value():
        return None  # "7.8" alone is a magnitude or a rate, not a count of people
    if number > 10**MAX_DIGITS:
        return None
    return int(number)


@dataclass(frozen=True, slots=True)
class _Number:
    start: int
    end: int
    kind: str
    value: int | None
    low: int | None = None
    high: int | None = None
    has_scale: bool = False


class NumberReader:
    """Finds numbers in text with one compiled regex built from a lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._scales = dict(lexicon.scale)
        vague = trie_pattern(lexicon.vague)
        # All patterns match LOWER-CASED text (lexicon.lower_text): several times faster.
        self.pattern = re.compile(
            rf"(?P<digits>{_DIGITS})|(?P<vague>(?<![\w-])(?:{vague})(?![\w-]))|(?P<words>{_WORDS})"
        )
        # the second number of a range may follow a dash directly ("7,000-15,000")
        self.partner = re.compile(rf"(?P<digits>{_DIGITS_BODY})|(?P<vague>(?!))|(?P<words>{_WORDS})")
        # Does a stretch of text hold any number at all? (a cheap test before tokenising it)
        words = [*SMALL, *TENS, "hundred", "thousand", "million", "dozen", *lexicon.vague]
        self.hint = re.compile(rf"[0-9]|(?<![\w])(?:{trie_pattern(words)})")
        self._number_words = re.compile(rf"(?<![\w])(?:{trie_pattern(words)})")

    def has_number(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` (lower-cased) holds a number at all, as ``hint`` tells:
        a digit first (its search skips ahead in C), then a number word."""
        return (
            _DIGIT.search(text, start, end) is not None
            or self._number_words.search(text, start, end) is not None
        )

    def _number_at(self, match: re.Match[str]) -> _Number | None:
        start, end = match.span()
        raw = match.group(0)
        group = match.lastgroup
        if group == "vague":
            low, high = self.lexicon.vague[normalise_phrase(raw)]
            return _Number(start, end, "vague", None, low, high)
        if group == "words":
            value = parse_words(raw)
            if value is None:
                return None
            kind = "dozen" if raw.startswith("a") and raw.endswith("dozen") else "words"
            return _Number(start, end, kind, value, has_scale=raw.rstrip()[-1:].isalpha())
        value = parse_digits(raw, self._scales)
        if value is None:
            return None
        return _Number(start, end, "digits", value, has_scale=raw[-1:].isalpha())

    def numbers(self, text: str, start: int = 0, end: int | None = None) -> list[_Number]:
        stop = len(text) if end is None else end
        found: list[_Number] = []
        position = start
        while (match := self.pattern.search(text, position, stop)) is not None:
            position = match.end()
            comma = match.group(0).find(", ")
            if comma > 0 and (
                text[max(0, match.start() - 2) : match.start()] in {", ", ","}
                or _MONTH_BEFORE.search(text, max(0, match.start() - 12), match.start())
            ):
                # "on June 3, 500 people fled": a day of the month, then a count; "12, 345, 678":
                # a list
                match = self.pattern.search(text, match.start(), match.start() + comma) or match
                position = match.end()
            number = self._number_at(match)
            if number is not None:
                found.append(number)
        return found

    def quantities(
        self,
        text: str,
        start: int = 0,
        end: int | None = None,
        *,
        dropped: list[tuple[int, int]] | None = None,
    ) -> list[Quantity]:
        """Every count-like number in ``text[start:end]``, ranges merged, non-counts dropped.

        ``text`` must be lower-cased with :func:`counterclaim.lexicon.lower_text`. The spans
        of numbers that are not counts are appended to ``dropped`` when it is given.

        Example:
            >>> reader = NumberReader(load_lexicon())
            >>> [(q.qualifier, q.low, q.high) for q in reader.quantities("at least 40 dead")]
            [('at_least', 40, None)]
        """
        stop = len(text) if end is None else end
        numbers = self.numbers(text, start, stop)
        result: list[Quantity] = []
        index = 0
        while index < len(numbers):
            first = numbers[index]
            index += 1
            second = self._range_partner(text, first, stop)
            if second is not None:
                while index < len(numbers) and numbers[index].start < second.end:
                    index += 1
            quantity = self._quantity(text, first, second)
            if quantity is not None and self.not_a_count(text, quantity) is None:
                result.append(quantity)
            elif dropped is not None:
                dropped.append((first.start, second.end if second is not None else first.end))
        return result

    def _range_partner(self, text: str, first: _Number, stop: int) -> _Number | None:
        if first.kind == "vague":
            return None
        join = _RANGE_JOIN.match(text, first.end, stop)
        if join is None:
            return None
        word = join.group(0).strip().lower()
        if word == "and" and not _BETWEEN.search(text, max(0, first.start - 12), first.start):
            return None
        if word in {"-", "–", "—"} and join.group(0) != word:
            return None  # "1,351 – its most recent update": a dash with spaces is punctuation
        match = self.partner.match(text, join.end(), stop)
        if match is None:
            return None
        second = self._number_at(match)
        if second is None or second.value is None or first.value is None:
            return None
        return second

    def _quantity(self, text: str, first: _Number, second: _Number | None) -> Quantity | None:
        window_start = max(0, first.start - 48)
        before = text[window_start : first.start]
        qualifier_match = self.lexicon.qualifier_before.ending(before)
        qualifier_start = first.start
        qualifier = "exact"
        if qualifier_match is not None:
            qualifier = self.lexicon.qualifier_of.get(qualifier_match[0], "exact")
            qualifier_start = window_start + qualifier_match[1]
        if second is not None and first.value is not None and second.value is not None:
            low, high = first.value, second.value
            if second.has_scale and not first.has_scale and low < 1000:
                low *= _scale_of(text[second.start : second.end], self.lexicon)
            if low >= high:
                return None
            between = _BETWEEN.search(text, max(0, first.start - 12), first.start)
            if between is not None:
                qualifier_start = between.start()
            return Quantity(
                first.start,
                second.end,
                text[first.start : second.end],
                "range",
                None,
                low,
                high,
                min(qualifier_start, first.start),
            )
        if first.kind == "vague":  # "more than hundreds" still only says hundreds
            return Quantity(
                first.start,
                first.end,
                text[first.start : first.end],
                "vague",
                None,
                first.low,
                first.high,
                qualifier_start,
            )
        value = first.value
        if value is None:
            return None
        if first.kind == "dozen" and qualifier == "exact":
            qualifier = "about"
        if first.end < len(text) and text[first.end] == "+":
            qualifier = "at_least"
        return Quantity(
            first.start,
            first.end,
            text[first.start : first.end],
            qualifier,
            value,
            *interval(qualifier, value),
            qualifier_start,
        )

    def not_a_count(self, text: str, quantity: Quantity) -> str | None:
        """Why the number cannot be a count of people, or None if it can be."""
        start, end = quantity.start, quantity.end
        raw = text[start:end]
        after = text[end : end + 40]
        before = text[max(0, quantity.qualifier_start - 40) : quantity.qualifier_start]
        if _DATE_NUMERIC.match(text, start):
            return "date"
        if after[:1] in {":", "/"} and after[1:2].isdigit():
            return "time or fraction"
        if after[:1] in {"-", "‑"} and after[1:2].isalpha():
            return "compound such as 12-year-old"
        if after[:1].isalpha() or after[:1] == "°":
            return "code or ordinal"
        if _MONTH_BEFORE.search(text, max(0, start - 12), start) or _MONTH_AFTER.match(after):
            return "date"
        if before.rstrip().endswith(("+", "(+")):
            return "change"  # "409 820 (+1 040)": the day's increase beside a total
        if _ONE_OF_THE.match(after) and raw in {"one", "1"}:
            return "one of the deadliest"
        if (
            quantity.value is not None
            and quantity.qualifier != "range"
            and _FOUR_DIGITS.fullmatch(raw)
            and 1800 <= quantity.value <= 2100
            and not _COUNT_NOUN.match(after)
        ):
            return "year"
        previous = before.rsplit(None, 1)[-1] if before.strip() else ""
        if previous and (
            previous[-1:] in _CURRENCY
            or previous.rstrip(".") in self.lexicon.prefixes
            or previous in self.lexicon.prefixes
        ):
            return "money or identifier"
        if before[-1:] in _CURRENCY:
            return "money"
        if _NAMED_BY_NUMBER.search(before):
            return "name"  # "World War Two", "Flight 171"
        if _POPULATION_BEFORE.search(before):
            return "population"  # "the city of 3 million"
        population = _POPULATION_OF.search(before)
        if population is not None and (population.group("kind") or "") not in _HARMED_POPULATIONS:
            return "population"
        if _POSITION_OF.match(after) or _POSITION_BEFORE.search(before):
            return "position in a list"  # "Item 1 of 5", "list 4 of 4"
        if _RATIO_AFTER.match(after) or _RATIO_BEFORE.search(before):
            return "ratio"  # "six in ten", "one in four"
        if raw in {"one", "1"} and _PRONOUN_ONE.search(before):
            return "pronoun one"  # "the only one who remains"
        if (
            quantity.value is not None
            and quantity.value <= 120
            and _APPOSITION_BEFORE.search(before)
            and _APPOSITION_AFTER.match(after)
        ):
            return "age"  # "Mr Zakrzewski, 55, who worked for Fox News"
        unit = self._unit_after(after)
        if unit is not None and not (
            unit in self.lexicon.dwellings
            and (_EVACUATION_BEFORE.search(before) or _EVACUATED_AFTER.match(after))
        ):
            return f"unit ({unit})"
        if _rate_soon(after, self.lexicon):
            return "rate"
        if self.lexicon.change_before.ending(before) or _CHANGE_PERCENT.search(before):
            return "change"
        if _AVERAGE.search(before):
            return "average"
        return None

    def _unit_after(self, after: str) -> str | None:
        """The unit a number counts, when it counts things and not people: the word after it,
        or after one or two words that describe it ("24,000 military vehicles", "13 Israeli
        airstrikes", "millions of homes")."""
        # within the number's own sentence: "four women. Footage shared …" counts women
        clause = _CLAUSE_END.split(after[:48], maxsplit=1)[0]
        words: list[str] = [str(w).rstrip(".") for w in _NEXT_WORDS.findall(clause)]
        if words[:2] in (["or", "more"], ["or", "so"], ["or", "fewer"], ["or", "less"]):
            words = words[2:]  # "for 10 or more years"
        units = self.lexicon.units
        if words and (words[0] in units or " ".join(words[:2]) in units):
            return words[0]
        if words and words[0] == "of":
            words = words[1:]  # "millions of homes"
        for index, word in enumerate(words[:3]):
            if word in units or " ".join(words[index : index + 2]) in units:
                return word
            if (
                word in _PEOPLE
                or word in _CONNECTORS
                or self.lexicon.measures.fullmatch(word)
                or ((word in self.lexicon.civilian or word in self.lexicon.military) and word.endswith("s"))
            ):
                return None  # "12 Russian soldiers", "40 people", "5 killed": people
        return None


def _rate_soon(after: str, lexicon: Lexicon) -> bool:
    """A rate phrase right after the number or within its next few words ("200,000 refugees
    per day"), before any clause break."""
    clause = after.split(",", 1)[0]
    if lexicon.rates_after.match(clause) is not None:
        return True
    words = clause.split()
    for cut in range(1, min(len(words), 4)):
        if words[cut - 1] in {"and", "while", "but", "or", "with"} or words[cut - 1][:1].isdigit():
            return False  # "494 with 90 percent killed by gas": the rate is another number's
        if words[cut - 1] in {"in", "within", "during", "over"}:
            return False  # "23 people in a day": a total for a bounded period (docs/claims.md)
        if lexicon.rates_after.match(" " + " ".join(words[cut:])) is not None:
            return True
    return False


def _scale_of(text: str, lexicon: Lexicon) -> int:
    match = _LAST_WORD.search(text)
    if match is None:
        return 1
    word = match.group(1).lower()
    return lexicon.scale.get(word, SCALE_WORDS.get(word, 1))


def parse_quantity(phrase: str, *, lexicon: Lexicon | None = None) -> Quantity | None:
    """Parse one number phrase with its qualifier.

    Example:
        >>> q = parse_quantity("at least 40")
        >>> (q.qualifier, q.value, q.low, q.high)
        ('at_least', 40, 40, None)
        >>> parse_quantity("tens of thousands").low
        20000

    Args:
        phrase: The phrase as written, e.g. "more than 1,200", "dozens", "between 7,000 and 15,000".
        lexicon: The word lists to use; the built-in lexicon by default.

    Returns:
        The first quantity in the phrase, or None if it holds no count.
    """
    reader = NumberReader(lexicon or load_lexicon())
    found = reader.quantities(lower_text(phrase))
    return found[0] if found else None
