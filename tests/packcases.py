"""What a language pack reads from a sentence, for the tests of each pack."""

from __future__ import annotations

from counterclaim.extract import extract_claims
from counterclaim.packs import load_pack, words_of
from counterclaim.packs.numbers import read_numbers


def pack_numbers(text: str, language: str) -> list[tuple[int | None, int | None, int | None, str]]:
    """(value, low, high, as written) of every number the pack of ``language`` reads in ``text``."""
    found = read_numbers(text, words_of(text, language), load_pack(language))
    return [(n.value, n.low, n.high, text[n.start : n.end]) for n in found if n.low or n.high]


def pack_claims(text: str, language: str, published: str) -> list[tuple[object, ...]]:
    """(measure, qualifier, value, low, high, unit, as written) of every claim in ``text``."""
    return [
        (c.measure, c.qualifier, c.value, c.low, c.high, c.unit, text[c.start : c.end])
        for c in extract_claims(text, published=published, language=language)
    ]
