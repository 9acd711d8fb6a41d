"""A sentence as a flat list of tokens: counts, measure words, other words and punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from counterclaim.lexicon import Lexicon, normalise_phrase
from counterclaim.numbers import NumberReader, Quantity

_TOKEN: Final = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*|[^\w\s]", re.UNICODE)

NUM: Final = "NUM"  # a count-like number (a Quantity)
XNUM: Final = "XNUM"  # a number that is not a count (date, money, unit)
MEAS: Final = "MEAS"  # a measure phrase ("killed", "forced to flee")
QUAL: Final = "QUAL"  # a qualifier word before a count ("at least")
WORD: Final = "WORD"
_REACH: Final = 240  # characters around the sentence's measure words where counts are read
_WINDOW_BEFORE: Final = 120  # characters kept before the first count (a verb, "the toll of")
_WINDOW_AFTER: Final = 150  # characters kept after the last count (its group, its verb)
PUNCT: Final = "PUNCT"


@dataclass(slots=True)
class Token:
    """One token of a sentence; ``norm`` is its lower-cased text."""

    kind: str
    start: int
    end: int
    norm: str
    quantity: Quantity | None = None
    measure: str = ""
    form: str = ""


def tokenize(
    low: str,
    start: int,
    end: int,
    lexicon: Lexicon,
    reader: NumberReader,
    measure_hits: list[re.Match[str]] | None = None,
) -> list[Token]:
    """Tokens of ``low[start:end]`` (lower-cased text), counts and measure phrases each one token.

    ``measure_hits`` are the measure matches already found in the document; without them
    the sentence is searched again.
    """
    if measure_hits:
        # A count links to a measure word within a clause: far from every one, nothing links.
        start = max(start, measure_hits[0].start() - _REACH)
        end = min(end, measure_hits[-1].end() + _REACH)
    specials: list[Token] = []
    dropped: list[tuple[int, int]] = []
    for quantity in reader.quantities(low, start, end, dropped=dropped):
        if quantity.qualifier_start < quantity.start:
            specials.append(
                Token(
                    QUAL,
                    quantity.qualifier_start,
                    quantity.start,
                    normalise_phrase(low[quantity.qualifier_start : quantity.start]),
                )
            )
        specials.append(Token(NUM, quantity.start, quantity.end, quantity.text, quantity))
    for number_start, number_end in dropped:
        specials.append(Token(XNUM, number_start, number_end, low[number_start:number_end]))
    numbers = [(t.start, t.end) for t in specials]
    hits = measure_hits if measure_hits is not None else list(lexicon.measures.finditer(low, start, end))
    for match in hits:
        if match.start() < start or match.end() > end or _overlaps(match.start(), match.end(), numbers):
            continue
        phrase = normalise_phrase(match.group(0))
        measure, form = lexicon.measure_of.get(phrase, ("", ""))
        specials.append(Token(MEAS, match.start(), match.end(), phrase, measure=measure, form=form))
    specials.sort(key=lambda token: token.start)
    counts = [t for t in specials if t.kind == NUM]
    if not counts:
        return []
    # Words far from every count cannot link a count to its measure or group: leave them out.
    window_start = max(start, counts[0].start - _WINDOW_BEFORE)
    while window_start > start and low[window_start - 1].isalnum():
        window_start -= 1  # never cut a word in two ("[nu]mber of people …")
    window_end = min(end, counts[-1].end + _WINDOW_AFTER)
    tokens: list[Token] = []
    cursor = window_start
    for special in specials:
        if special.start < cursor or special.end > window_end:
            continue
        _words(low, cursor, special.start, tokens)
        tokens.append(special)
        cursor = special.end
    _words(low, cursor, window_end, tokens)
    return tokens


def _words(low: str, start: int, end: int, tokens: list[Token]) -> None:
    for match in _TOKEN.finditer(low, start, end):
        word = match.group(0)
        tokens.append(Token(WORD if word[0].isalnum() else PUNCT, match.start(), match.end(), word))


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in taken)
