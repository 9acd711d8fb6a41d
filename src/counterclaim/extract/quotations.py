"""The quotations of a document's text, grouped when one goes on into the next paragraph."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

# "‘‘", "’’" or one of “ ” ": written to open with a class of characters, which the regex
# engine skips ahead to in C (an alternation it would try at every position)
_QUOTE_MARKS: Final = re.compile(r"[‘’“”\"](?:(?<=‘)‘|(?<=’)’|(?<=[“”\"]))")


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: from its opening mark to the end of its closing one (or of its paragraph)."""

    start: int
    end: int
    group: int  # quotations continued across paragraphs share a group


class Quotations:
    """The quotations of one text, found when first asked for."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._quotes: list[Quote] | None = None
        self._starts: list[int] = []

    def _found(self) -> list[Quote]:
        if self._quotes is not None:
            return self._quotes
        quotes: list[Quote] = []
        group = 0
        offset = 0
        open_at: int | None = None
        continued = False
        for paragraph in self._text.split("\n"):
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
                    quotes.append(Quote(open_at, at + len(mark), group if continued else group + 1))
                    group = quotes[-1].group
                    open_at = None
                    continued = False
            if open_at is not None:
                # a quotation left open at the end of a paragraph goes on in the next one
                # when that one opens with a quotation mark
                quotes.append(Quote(open_at, end, group if continued else group + 1))
                group = quotes[-1].group
                open_at = None
                continued = True
            offset = end + 1
        self._quotes = quotes
        self._starts = [q.start for q in quotes]
        return quotes

    def at(self, position: int) -> Quote | None:
        """The quotation ``position`` stands inside, if any."""
        quotes = self._found()
        index = bisect_right(self._starts, position) - 1
        if index >= 0 and quotes[index].start < position < quotes[index].end:
            return quotes[index]
        return None

    def in_group(self, group: int) -> list[Quote]:
        """The quotations of one group (one quotation continued across paragraphs), in order."""
        return [q for q in self._found() if q.group == group]
