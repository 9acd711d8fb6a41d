"""Series: claims grouped by conflict x measure x subject party x subject role, with stable ids."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from counterclaim.actors import ActorRegistry
from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import Observation
from counterclaim.reconcile.conflicts import UNASSIGNED, Conflicts, load_conflicts
from counterclaim.reconcile.measures import definition_note
from counterclaim.reconcile.relations import classify

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower case, runs of other characters as one dash: "Syrian rebels" -> "syrian-rebels"."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "unknown"


def series_id(conflict: str, measure: str, party: str, role: str) -> str:
    """The stable, readable id of a series, e.g. ``russia-ukraine/killed/russia/military``."""
    return "/".join((conflict, slug(measure), slug(party), slug(role)))


@dataclass(frozen=True)
class Series:
    """One cumulative series: its observations (cumulative claims) and the claims kept out of it."""

    id: str
    conflict: str
    conflict_name: str
    start: date | None
    measure: str
    party: str
    role: str
    observations: tuple[Observation, ...] = ()
    excluded: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)

    @property
    def note(self) -> str | None:
        """What the measure counts, when it is not plain "killed" (never merged into it)."""
        return definition_note(self.measure)


def _as_of(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def first_published(as_of: date | None, article: date | None, in_table: bool) -> date | None:
    """The day a claim became public: the earliest article reporting it, or a table row's own
    date (its ``as_of``) when a table reports it, whichever is earlier; else its ``as_of``.

    Example:
        >>> first_published(date(2024, 1, 1), date(2024, 1, 9), False)
        datetime.date(2024, 1, 9)
        >>> first_published(date(2024, 1, 1), date(2024, 1, 9), True)
        datetime.date(2024, 1, 1)
    """
    candidates = [day for day in (article, as_of if in_table else None) if day is not None]
    return min(candidates) if candidates else as_of


def build_series(
    claims: Iterable[Mapping[str, Any]],
    *,
    registry: ActorRegistry,
    conflicts: Conflicts | None = None,
    publications: Mapping[int, tuple[date | None, bool]] | None = None,
) -> list[Series]:
    """Group ledger claims (``Ledger.claims()`` dicts) into series, sorted by id.

    Only ``cumulative`` claims become observations; incident and unknown-scope claims are kept
    in ``excluded`` of their series so they can still be listed. Rejected claims are left out.
    ``publications`` (``Ledger.publications()``: by claim id, the earliest article date and
    whether a table reports it) gives each observation its ``published`` day
    (:func:`first_published`); a claim it does not list is taken as published on its ``as_of``.

    Example:
        >>> from counterclaim.actor_files import load_registry
        >>> rows = [{"id": 1, "measure": "killed", "qualifier": "exact", "value": 19000, "low": 19000,
        ...          "high": 19000, "subject_party": "Russia", "subject_role": "military",
        ...          "claimant": "Ukraine", "scope": "cumulative", "as_of": "2022-04-07"}]
        >>> build_series(rows, registry=load_registry())[0].id
        'russia-ukraine/killed/russia/military'
    """
    profiles = conflicts or load_conflicts()
    groups: dict[str, dict[str, Any]] = {}
    for claim in claims:
        if claim.get("rejected"):
            continue
        party = claim.get("subject_party") or "unknown"
        claimant = claim.get("claimant")
        day = _as_of(claim.get("as_of"))
        profile = profiles.conflict_of(
            party, claimant_side=registry.side_of(claimant), day=day, text=str(claim.get("evidence") or "")
        )
        measure, role = (
            str(claim.get("measure") or "unknown"),
            str(claim.get("subject_role") or "unspecified"),
        )
        key = series_id(profile.slug if profile else UNASSIGNED, measure, party, role)
        group = groups.setdefault(
            key, {"profile": profile, "measure": measure, "party": party, "role": role, "obs": [], "out": []}
        )
        if claim.get("scope") != "cumulative":
            group["out"].append(claim)
            continue
        group["obs"].append(
            Observation(
                claimant=claimant,
                relation=classify(registry, claimant, party, conflicts=profiles, conflict=profile),
                qualifier=str(claim.get("qualifier") or "exact"),
                value=claim.get("value"),
                low=claim.get("low"),
                high=claim.get("high"),
                as_of=day,
                measure=measure,
                role=role,
                key=str(claim.get("id", "")),
                published=first_published(
                    day, *(publications or {}).get(int(claim.get("id") or 0), (None, True))
                ),
            )
        )
    return [
        Series(
            id=key,
            conflict=group["profile"].slug if group["profile"] else UNASSIGNED,
            conflict_name=group["profile"].name if group["profile"] else "no conflict profile",
            start=group["profile"].start if group["profile"] else None,
            measure=group["measure"],
            party=group["party"],
            role=group["role"],
            observations=tuple(group["obs"]),
            excluded=tuple(group["out"]),
        )
        for key, group in sorted(groups.items())
    ]


def find_series(series: Sequence[Series], ref: str) -> Series:
    """A series by its id (any case) or by its number in the ``counterclaim series`` listing."""
    wanted = ref.strip().strip("/").lower()
    for item in series:
        if item.id == wanted:
            return item
    if wanted.isdigit() and 1 <= int(wanted) <= len(series):
        return series[int(wanted) - 1]
    close = [s.id for s in series if wanted in s.id][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `counterclaim series` lists them"
    raise ReconcileError(f"no series {ref!r}{hint}")
