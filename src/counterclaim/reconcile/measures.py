"""Measures as reconciliation sees them: quantity names, and definitions that are not "killed"."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_MEASURES = Path(__file__).resolve().parent.parent / "data" / "measures.toml"
_ROLE_PREFIXES = (("military_", "military"), ("civilians_", "civilian"), ("civilian_", "civilian"))


@lru_cache(maxsize=1)
def _table() -> Mapping[str, Any]:
    with DEFAULT_MEASURES.open("rb") as handle:
        return tomllib.load(handle)


def quantity_to_series(quantity: str) -> tuple[str, str]:
    """(measure, role) of a truths-file quantity.

    Example:
        >>> quantity_to_series("military_personnel_losses")
        ('personnel_losses', 'military')
        >>> quantity_to_series("civilians_wounded")
        ('wounded', 'civilian')
    """
    known = _table().get("quantities", {}).get(quantity)
    if known is not None:
        return str(known["measure"]), str(known.get("role", "unspecified"))
    for prefix, role in _ROLE_PREFIXES:
        if quantity.startswith(prefix):
            return quantity[len(prefix) :], role
    return quantity, "unspecified"


def definition_note(measure: str) -> str | None:
    """What a measure counts when it is not simply "killed" (None for the plain measures)."""
    note = _table().get("definitions", {}).get(measure)
    return None if note is None else str(note)
