"""A bulletin's or a table's label before a count: "Number of displaced persons: 452"."""

from __future__ import annotations

from typing import Final

from counterclaim.extract.tokens import MEAS, NUM, PUNCT, WORD, Token
from counterclaim.lexicon import Lexicon

LABEL_MARKS: Final = frozenset({":", "–", "—", "-"})
_LABEL_FORMS: Final = frozenset({"noun", "verb", "flee", "place", "of"})
_LABEL_LENGTH: Final = 6


def label_start(tokens: list[Token], mark: int, lexicon: Lexicon) -> int | None:
    """Where the label before the colon or dash at ``mark`` begins, if the words from the line's
    start are a bulletin's label: a measure word and label words only ("People displaced: 4,520",
    "Number of displaced persons: 452", "IDPs – 12,000")."""
    position = mark - 1
    measured = False
    while position >= 0 and mark - position <= _LABEL_LENGTH:
        token = tokens[position]
        if token.kind == MEAS and token.form in _LABEL_FORMS:
            measured = True
        elif not (token.kind == WORD and token.norm in lexicon.label_words):
            break
        position -= 1
    if not measured or position == mark - 1:
        return None
    if position >= 0 and not (tokens[position].kind == NUM or tokens[position].kind == PUNCT):
        return None  # the words go on: a sentence, not a label
    return position + 1


def label_cue(tokens: list[Token], mark: int, lexicon: Lexicon) -> int | None:
    """The measure word of the label that ends at ``mark``, or None (see :func:`label_start`)."""
    start = label_start(tokens, mark, lexicon)
    if start is None:
        return None
    return next(i for i in range(mark - 1, start - 1, -1) if tokens[i].kind == MEAS)
