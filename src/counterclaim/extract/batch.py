"""Extraction of a run of documents, each failure kept to its document: the unit of work of an ingest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol, TypeVar

from counterclaim.errors import ExtractionError, InputError
from counterclaim.extract.claims import Extractor
from counterclaim.models import Claim


class Article(Protocol):
    """What extraction needs of a document (``counterclaim.documents.Document`` has it; the
    core does not import the readers)."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def published(self) -> date | None: ...


D = TypeVar("D", bound=Article)


def extract_item(extractor: Extractor, item: D | InputError) -> tuple[D, list[Claim]] | InputError:
    """A document's claims, or the error that stands for it; an input error passes through.

    An exception the extractor raises on a document becomes an :class:`ExtractionError` (E112)
    naming the document and the exception, so one bad document never ends a run (or a Dask
    partition) of thousands.
    """
    if isinstance(item, InputError):
        return item
    try:
        language = getattr(item, "language", "en")
        return item, extractor.extract(item.text, published=item.published, doc=item.id, language=language)
    except Exception as error:  # whatever it is, it is this document's alone
        return ExtractionError(item.id, f"the extractor failed on it with {type(error).__name__}: {error}")


def extract_items(
    extractor: Extractor, items: Iterable[D | InputError]
) -> list[tuple[D, list[Claim]] | InputError]:
    """:func:`extract_item` over a partition of documents, in order."""
    return [extract_item(extractor, item) for item in items]
