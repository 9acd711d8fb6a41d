"""Test support that Dask workers can import (the tests folder is not on their path)."""

from __future__ import annotations

import os
from datetime import date

from counterclaim.extract import Extractor
from counterclaim.models import Claim

#: A document whose text holds this makes the poisoned extractor raise.
POISON = "<<counterclaim test poison>>"

_builds = 0


class PoisonedExtractor(Extractor):
    """The real extractor, except that it raises on a text holding :data:`POISON`."""

    def extract(
        self, text: str, *, published: date | str | None = None, doc: str | None = None, language: str = "en"
    ) -> list[Claim]:
        if POISON in text:
            raise RuntimeError("poisoned test document")
        return super().extract(text, published=published, doc=doc, language=language)


def poisoned_extractor() -> Extractor:
    """An extractor factory for :mod:`counterclaim.ingest.cluster` (a module-level function: it pickles)."""
    global _builds
    _builds += 1
    return PoisonedExtractor()


def builds() -> tuple[int, int]:
    """This process's id and how many extractors :func:`poisoned_extractor` has built in it."""
    return os.getpid(), _builds
