"""English number words: "twenty-one", "a dozen", "half a million", "a quarter of a million"."""

from __future__ import annotations

import re
from typing import Final

_WORD_SPLIT: Final = re.compile(r"[\s-]+")

SMALL: Final = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}


def small_number(word: str) -> int | None:
    """The value of a number word from "zero" to "nineteen" ("seven" -> 7), else None."""
    return SMALL.get(word)


TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALE_WORDS: Final = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9}
_FRACTION: Final = re.compile(r"(a|one|two|three)\s+(quarter|third)s?\s+of\s+a\s+(million|billion)")


def parse_words(words: str) -> int | None:
    """The value of a run of number words, or None when a word is not one."""
    fraction = _FRACTION.fullmatch(" ".join(words.lower().split()))
    if fraction is not None:
        # "a quarter of a million", "three quarters of a million", "two thirds of a million"
        count = {"a": 1, "one": 1, "two": 2, "three": 3}[fraction.group(1)]
        parts = 4 if fraction.group(2) == "quarter" else 3
        return count * SCALE_WORDS[fraction.group(3)] // parts
    tokens = _WORD_SPLIT.split(words.lower())
    total = 0
    current = 0
    seen = False
    for index, token in enumerate(tokens):
        if token == "and":
            continue
        if token == "a":
            current += 1
            continue
        if token == "half" and index + 2 < len(tokens):
            current += 0  # "half a million": the "a" adds 1, scaled, then halved below
            continue
        if token in SMALL:
            current += SMALL[token]
            seen = True
        elif token in TENS:
            current += TENS[token]
            seen = True
        elif token == "dozen":
            current = max(current, 1) * 12
            seen = True
        elif token == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif token in SCALE_WORDS:
            total += max(current, 1) * SCALE_WORDS[token]
            current = 0
            seen = True
        else:
            return None
    if not seen:
        return None
    result = total + current
    if tokens[0] == "half":
        result //= 2
    return result
