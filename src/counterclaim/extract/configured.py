"""The extractor as a user configures it: the built-in data extended by their actor and lexicon files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from counterclaim.actor_files import load_registry
from counterclaim.extract.claims import Extractor, default_extractor
from counterclaim.lexicon import load_lexicon


def build_extractor(*, actors: Iterable[Path | str] = (), lexicon: Path | str | None = None) -> Extractor:
    """The extractor with the built-in data, extended by the user's actor and lexicon files."""
    extra = tuple(str(path) for path in actors)
    if not extra and lexicon is None:
        return default_extractor()
    return Extractor(lexicon=load_lexicon(str(lexicon) if lexicon else None), registry=load_registry(*extra))
