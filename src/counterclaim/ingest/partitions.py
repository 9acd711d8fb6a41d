"""Inputs cut into partitions, and one partition extracted: the unit of work in process and on Dask."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from counterclaim.errors import InputError
from counterclaim.extract import Extractor, extract_items
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.language import screen
from counterclaim.ingest.text import check_characters
from counterclaim.models import Document
from counterclaim.store.writer import Extracted

#: What an ingest reads: a document, an HTML page still to parse, or the error an input gave.
Input = Document | RawPage | InputError


def partitions(items: Iterable[Input], size: int) -> Iterator[list[Input]]:
    """The inputs in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while part := list(islice(iterator, max(1, size))):
        yield part


def extract_partition(
    items: Sequence[Input], extractor: Extractor, *, english_only: bool = False
) -> list[Extracted | InputError]:
    """One partition's documents extracted, each failure kept to its document.

    HTML pages that come unparsed (:class:`RawPage`) have their article found first; a
    document with a character no ledger stores becomes an ``InvalidCharacterError`` (every
    reader's documents pass here on their way to the ledger); with ``english_only`` a document
    in another language becomes a ``NotEnglishError``.
    """
    parsed = (item.parse() if isinstance(item, RawPage) else item for item in items)
    opened = [check_characters(item) if isinstance(item, Document) else item for item in parsed]
    screened = list(screen(opened)) if english_only else opened
    return [
        result if isinstance(result, InputError) else Extracted(*result)
        for result in extract_items(extractor, screened)
    ]
