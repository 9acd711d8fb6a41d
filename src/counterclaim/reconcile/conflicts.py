"""Conflict profiles: the parties of each conflict, their camps and its start (data/conflicts.toml)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import ReconcileError

DEFAULT_CONFLICTS = Path(__file__).resolve().parent.parent / "data" / "conflicts.toml"
UNASSIGNED = "unassigned"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class ConflictProfile:
    """One conflict: slug, name, start, and each party's camp (parties by lower-cased name/alias)."""

    slug: str
    name: str
    start: date
    camps: Mapping[str, str]
    parties: tuple[str, ...]
    region: tuple[str, ...] = ()
    end: date | None = None

    def camp_of(self, party: str | None) -> str | None:
        """The camp of a party name or alias in this conflict, or None."""
        return self.camps.get(party.lower()) if party else None


@dataclass(frozen=True)
class Conflicts:
    """Every conflict profile, with the rule that picks a claim's conflict.

    Example:
        >>> load_conflicts().conflict_of("Azerbaijan").slug
        'nagorno-karabakh'
    """

    profiles: tuple[ConflictProfile, ...]

    def get(self, slug: str) -> ConflictProfile | None:
        """The profile with this slug, or None."""
        return next((p for p in self.profiles if p.slug == slug), None)

    def conflict_of(
        self,
        party: str | None,
        *,
        claimant_side: str | None = None,
        day: date | None = None,
        text: str = "",
    ) -> ConflictProfile | None:
        """The conflict of a subject party.

        Among the profiles listing the party, prefer one that had started by ``day``, then one
        whose region words occur in ``text`` (the claim's evidence), then the latest start (a
        party's current war), then one in which the claimant's side fights.
        """
        candidates = [p for p in self.profiles if p.camp_of(party) is not None]
        if not candidates:
            return None
        lowered = text.lower()

        def rank(profile: ConflictProfile) -> tuple[bool, bool, date, bool]:
            started = day is None or profile.start <= day
            in_region = any(word.lower() in lowered for word in profile.region) if lowered else False
            has_side = profile.camp_of(claimant_side) is not None
            return started, in_region, profile.start, has_side

        return max(candidates, key=rank)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _profile(entry: Mapping[str, Any], source: str) -> ConflictProfile:
    try:
        slug = str(entry["slug"])
        if not _SLUG.match(slug):
            raise ReconcileError(f"{source}: conflict slug {slug!r} must be lower case words joined by '-'")
        camps: dict[str, str] = {}
        parties = []
        for party in entry.get("party", []):
            name = str(party["name"])
            parties.append(name)
            for spelling in (name, *party.get("aliases", [])):
                camps[str(spelling).lower()] = str(party.get("camp", name))
        start = entry["start"]
        return ConflictProfile(
            slug=slug,
            name=str(entry.get("name", slug)),
            start=_date(start),
            camps=camps,
            parties=tuple(parties),
            region=tuple(str(w) for w in entry.get("region", [])),
            end=_date(entry["end"]) if "end" in entry else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ReconcileError):
            raise
        raise ReconcileError(f"{source}: a [[conflict]] entry is malformed ({error!r})") from error


def conflicts_from_tables(tables: Sequence[Mapping[str, Any]], *, sources: Iterable[str] = ()) -> Conflicts:
    """Profiles from parsed TOML tables; a later table's slug replaces an earlier one's."""
    names = list(sources)
    merged: dict[str, ConflictProfile] = {}
    for index, table in enumerate(tables):
        source = names[index] if index < len(names) else f"conflicts table {index}"
        for entry in table.get("conflict", []):
            profile = _profile(entry, source)
            merged[profile.slug] = profile
    return Conflicts(tuple(merged.values()))


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    with DEFAULT_CONFLICTS.open("rb") as handle:
        return tomllib.load(handle)


def load_conflicts(*extra: Mapping[str, Any]) -> Conflicts:
    """The packaged profiles, with the user's parsed tables (same shape) merged on top."""
    return conflicts_from_tables([_packaged(), *extra], sources=["data/conflicts.toml"])
