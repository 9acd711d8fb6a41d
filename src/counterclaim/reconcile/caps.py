"""Physical caps: no count of a party's people exceeds its population (data/caps.toml)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import ReconcileError

DEFAULT_CAPS = Path(__file__).resolve().parent.parent / "data" / "caps.toml"


@dataclass(frozen=True)
class Caps:
    """Population caps by party or place name, and the measures they apply to.

    Example:
        >>> load_caps().cap_for("Ukraine", "refugees") is not None
        True
        >>> load_caps().cap_for("Ukraine", "homes destroyed") is None
        True
    """

    population: Mapping[str, float]
    measures: frozenset[str]

    def cap_for(self, party: str | None, measure: str) -> float | None:
        """The most people a count of ``measure`` among ``party``'s people can reach, or None."""
        if not party or _norm(measure) not in self.measures:
            return None
        return self.population.get(party.strip().lower())


def _norm(measure: str) -> str:
    return measure.strip().lower().replace(" ", "_").replace("-", "_")


def caps_from_tables(tables: list[Mapping[str, Any]], *, sources: list[str] | None = None) -> Caps:
    """Caps from parsed TOML tables of the shape of data/caps.toml; later tables win."""
    population: dict[str, float] = {}
    measures: set[str] = set()
    for number, table in enumerate(tables):
        source = (sources or [])[number] if number < len(sources or []) else f"caps table {number}"
        try:
            measures.update(_norm(str(m)) for m in table.get("measures", []))
            for name, value in dict(table.get("population", {})).items():
                people = float(value)
                if people <= 0:
                    raise ValueError(f"{name}: a population must be above 0")
                population[str(name).strip().lower()] = people
        except (TypeError, ValueError) as error:
            raise ReconcileError(f"{source}: the caps table is malformed ({error})") from error
    return Caps(population, frozenset(measures))


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    with DEFAULT_CAPS.open("rb") as handle:
        return tomllib.load(handle)


def load_caps(*extra: Mapping[str, Any]) -> Caps:
    """The packaged caps, with the user's parsed tables (same shape) on top."""
    return caps_from_tables([_packaged(), *extra], sources=["data/caps.toml"])


__all__ = ["Caps", "caps_from_tables", "load_caps"]
