"""Numbers in Russian, Ukrainian, Arabic, Spanish and French news: digits in every local format,
numerals in their cases, collective numerals, vague quantifiers and Arabic duals.

Pure: a text (already through :data:`counterclaim.packs.pack.DIGITS`) and its words in,
:class:`Number` out. Formats read: "89 315" and "89 тис. 315" (spaces and scale words),
"18,9 тис." and "19.3 مليون" (the pack's decimal mark), "1.332" (a dot before three digits),
"семерых", "п'ятьох", "двое", "خمسة وعشرين", "treinta y cinco", "десятки тысяч", "عشرات",
"سيدتان" (two women), "un centenar" (about 100).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

from counterclaim.packs.pack import Pack, Word

_GROUP_SEPARATORS: Final = " \u00a0\u202f\u2009"
# a date "10.09.2016", "01/12/2019" is not a number
_DATE: Final = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")
_DUAL_ENDINGS: Final = ("ان", "ين", "تان", "تين")


@dataclass(frozen=True, slots=True)
class Number:
    """A number in a text: its span, the words it covers and what it says."""

    start: int
    end: int
    first: int  # index of its first word
    last: int  # index of its last word
    value: int | None
    low: int | None
    high: int | None
    vague: bool = False
    dual: bool = False  # an Arabic dual: the number and the counted noun are one word
    rounded: bool = False  # a round numeral: "півсотні", "дюжина" (about 50, about 12)


def _digits_value(text: str, decimal: str, scaled: bool) -> Decimal | None:
    """The value of a run of digits and separators, read with the pack's decimal mark."""
    parts = re.split(r"([.,\s\u00a0\u202f\u2009])", text)
    numbers, seps = parts[0::2], parts[1::2]
    whole = numbers[0]
    fraction = ""
    for sep, group in zip(seps, numbers[1:], strict=True):
        thousands = sep in _GROUP_SEPARATORS or (
            len(group) == 3 and not (scaled and sep == decimal) and not fraction
        )
        if thousands and not fraction:
            whole += group
        elif not fraction:
            fraction = group
        else:
            return None
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        return None


def _number_forms(word: Word) -> tuple[str, ...]:
    # an Arabic numeral never carries the article: "الاثنين" is Monday, "الخميس" Thursday
    return tuple(f for f in word.forms if "ال" + f not in word.forms and "لل" + f not in word.forms)


def _word_value(pack: Pack, word: Word) -> int | None:
    if word.digits:
        return None
    phrase = pack.find(pack.numbers, [_bare(word)], 0)
    return None if phrase is None else int(phrase.value)


def _bare(word: Word) -> Word:
    """The word with only the forms a numeral may take (no article)."""
    forms = _number_forms(word)
    return word if forms == word.forms else Word(word.start, word.end, word.text, forms, word.conj)


def _scale(pack: Pack, words: list[Word], at: int, *, article: bool = False) -> int | None:
    if at >= len(words):
        return None
    word = words[at] if article else _bare(words[at])
    phrase = pack.find(pack.scales, [word], 0)
    return None if phrase is None else int(phrase.value)


def _gap(text: str, words: list[Word], left: int, right: int, allowed: str = " .\u00a0\u202f") -> bool:
    """Whether only spaces (and ``allowed``) stand between two words."""
    return all(ch in allowed or ch.isspace() for ch in text[words[left].end : words[right].start])


def read_numbers(text: str, words: list[Word], pack: Pack) -> list[Number]:
    """Every number of the words, left to right."""
    found: list[Number] = []
    at = 0
    while at < len(words):
        number = (
            _digits_at(text, words, at, pack)
            or _words_at(text, words, at, pack)
            or _vague_at(text, words, at, pack)
        )
        if number is None and pack.duals:
            number = _dual_at(words, at, pack)
        if number is None:
            at += 1
            continue
        found.append(number)
        at = number.last + 1
    return found


def _digits_at(text: str, words: list[Word], at: int, pack: Pack) -> Number | None:
    if not words[at].digits:
        return None
    last = at
    # join "89 315", "1.332", "18,9": digit words separated by one separator
    while (
        last + 1 < len(words)
        and words[last + 1].digits
        and words[last + 1].start - words[last].end == 1
        and text[words[last].end] in ".," + _GROUP_SEPARATORS
        and (text[words[last].end] in ".," or len(words[last + 1].text) == 3)
    ):
        last += 1
    start, end = words[at].start, words[last].end
    raw = text[start:end]
    if _DATE.fullmatch(raw) or (
        end < len(text) and text[end : end + 1] in "-–" and text[end + 1 : end + 2].isalpha()
    ):
        # a date, or "47-летний", "80-ї": an age or an ordinal
        return Number(start, end, at, last, None, None, None)
    scale = (
        _scale(pack, words, last + 1) if last + 1 < len(words) and _gap(text, words, last, last + 1) else None
    )
    value = _digits_value(raw, pack.decimal, scale is not None)
    if value is None:
        return Number(start, end, at, last, None, None, None)
    if scale is not None:
        value *= scale
        last += 1
        end = words[last].end
        # "89 тис. 315": the rest after the scale word
        if last + 1 < len(words) and words[last + 1].digits and _gap(text, words, last, last + 1):
            rest = _digits_value(words[last + 1].text, pack.decimal, False)
            if rest is not None and rest < scale:
                value += rest
                last += 1
                end = words[last].end
    if value != value.to_integral_value():
        return Number(start, end, at, last, None, None, None)
    whole = int(value)
    return Number(start, end, at, last, whole, whole, whole)


def _words_at(text: str, words: list[Word], at: int, pack: Pack) -> Number | None:
    rounded = pack.find(pack.rounded, words, at)
    if rounded is not None:
        whole, last = int(rounded.value), at + len(rounded.stems) - 1  # "un centenar"
        return Number(words[at].start, words[last].end, at, last, whole, whole, whole, rounded=True)
    value = _word_value(pack, words[at])
    if value is None:
        return None
    total, current, last = 0, value, at
    while last + 1 < len(words) and _gap(text, words, last, last + 1, " -"):
        following = words[last + 1]
        scale = _scale(pack, words, last + 1)
        if scale is not None:
            total += current * scale
            current = 0
            last += 1
            continue
        more = _word_value(pack, following)
        if more is None and following.forms[0] in pack.joiners and current % 100 >= 20 and current % 10 == 0:
            # "treinta y cinco": tens, a joining word, units
            units = _word_value(pack, words[last + 2]) if last + 2 < len(words) else None
            if units is not None and units < 10 and _gap(text, words, last + 1, last + 2, " "):
                current += units
                last += 2
                continue
        if more is None:
            break
        current += more  # "двадцать семь", "خمسة وعشرين", "ثلاثة عشر"
        last += 1
    total += current
    return Number(words[at].start, words[last].end, at, last, total, total, total)


def _vague_at(text: str, words: list[Word], at: int, pack: Pack) -> Number | None:
    if at > 0 and (words[at - 1].digits or _word_value(pack, words[at - 1]) is not None):
        return None  # "5 тысяч": a scale word, read with its number
    phrase = pack.find(pack.vague, words, at)
    if phrase is None:
        return None
    low, high = phrase.value
    last = at + len(phrase.stems) - 1
    # "десятки тысяч", "عشرات الالاف": the interval times the scale
    if last + 1 < len(words):
        scale = _scale(pack, words, last + 1, article=True)
        if scale is not None:
            low, high = low * scale, (high + 1) * scale - 1  # tens of thousands: 20,000-99,999
            last += 1
    return Number(words[at].start, words[last].end, at, last, None, low, high, vague=True)


def _dual_at(words: list[Word], at: int, pack: Pack) -> Number | None:
    word = words[at]
    if any(form in _duals(pack.duals) for form in word.forms):
        return Number(word.start, word.end, at, at, 2, 2, 2, dual=True)
    return None


@lru_cache(maxsize=8)
def _duals(nouns: tuple[str, ...]) -> frozenset[str]:
    """Every dual form of the nouns ("طفل" -> طفلان, طفلين; "سيده" -> سيدتان, سيدتين)."""
    forms: set[str] = set()
    for noun in nouns:
        base = noun[:-1] if noun.endswith("ه") else noun
        forms.update(base + ending for ending in _DUAL_ENDINGS)
    return frozenset(forms - set(nouns))
