"""The ledger's series fitted once per ledger state, and the series bodies derived from them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from counterclaim.api import fit_series, load_series, summarize_series
from counterclaim.errors import NotFoundError
from counterclaim.reconcile import Caps, Method, Priors, Series, load_conflicts
from counterclaim.store import Ledger
from counterclaim.web.responses import to_json

#: Points of the estimate band drawn on a series page, and of an overview sparkline.
BAND_POINTS = 120
SPARK_POINTS = 24


def _grid(series: Series, points: int) -> list[date]:
    days = sorted(o.as_of for o in series.observations if o.as_of is not None)
    if not days:
        return []
    first, last = days[0], days[-1]
    span = (last - first).days
    if span == 0:
        return [first]
    return sorted({first + timedelta(days=round(span * i / (points - 1))) for i in range(points)})


@dataclass
class Snapshot:
    """The series of one ledger state, fitted, with what was derived from them (filled lazily)."""

    state: tuple[Any, ...]
    series: list[Series]
    fitted: dict[str, Method]
    rows: list[dict[str, Any]]
    sources: dict[int, tuple[str | None, str, date | None]]
    _bodies: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def find(self, series_id: str) -> Series:
        wanted = series_id.strip().strip("/").lower()
        for item in self.series:
            if item.id == wanted:
                return item
        raise NotFoundError(f"there is no series {series_id!r}; /api/series lists them")

    def cached(self, key: str, make: Any) -> bytes:
        """The JSON body ``make()`` gives, made once per snapshot (the ledger has not changed)."""
        body = self._bodies.get(key)
        if body is None:
            body = to_json(make())
            with self._lock:
                self._bodies[key] = body
        return body

    def detail(self, series_id: str) -> dict[str, Any]:
        """One series: its estimate, the band over time, its claims as points, its incidents."""
        item = self.find(series_id)
        model = self.fitted.get(item.id)
        row = next(row for row in self.rows if row["id"] == item.id)
        band = []
        if model is not None:
            for day in _grid(item, BAND_POINTS):
                est = model.estimate(day)
                band.append(
                    {
                        "as_of": day.isoformat(),
                        "low": round(est.low),
                        "best": round(est.best),
                        "high": round(est.high),
                    }
                )
        points = []
        for obs in item.observations:
            outlet, doc, _ = self.sources.get(int(obs.key), (None, "", None)) if obs.key else (None, "", None)
            points.append(
                {
                    "id": int(obs.key) if obs.key else None,
                    "claimant": obs.claimant,
                    "relation": obs.relation,
                    "kind": obs.kind,
                    "qualifier": obs.qualifier,
                    "value": obs.central,
                    "low": obs.low,
                    "high": obs.high,
                    "as_of": obs.as_of.isoformat() if obs.as_of else None,
                    "outlet": outlet or doc,
                    "doc": doc,
                }
            )
        incidents = [
            {
                "id": claim.get("id"),
                "claimant": claim.get("claimant"),
                "scope": claim.get("scope"),
                "qualifier": claim.get("qualifier"),
                "value": claim.get("value"),
                "as_of": claim.get("as_of"),
                "evidence": claim.get("evidence"),
            }
            for claim in item.excluded
        ]
        return {
            "id": item.id,
            "conflict": item.conflict,
            "conflict_name": item.conflict_name,
            "measure": item.measure,
            "party": item.party,
            "role": item.role,
            "note": item.note,
            "estimate": {key: row.get(key) for key in ("low", "best", "high", "as_of", "method", "n_claims")}
            if model
            else None,
            "band": band,
            "points": points,
            "incidents": incidents,
            "links": {"html": f"/series/{item.id}", "claims": f"/api/claims?series={item.id}"},
        }


def fit(ledger: Ledger, priors: Priors, state: tuple[Any, ...], *, caps: Caps | None = None) -> Snapshot:
    """Every series of the ledger (as of ``state``) built and fitted, with the overview's rows.

    ``caps``: the population caps of the bands (the bundled ``data/caps.toml`` when None).
    """
    conflicts = load_conflicts()
    series = load_series(ledger, conflicts)
    fitted = {
        item.id: fit_series(item, priors, conflicts=conflicts, caps=caps)
        for item in series
        if item.observations
    }
    # each estimate is kept in the ledger's history (a revision; not stored twice)
    rows = summarize_series(series, priors, fitted, conflicts=conflicts, ledger=ledger, caps=caps)
    for row, item in zip(rows, series, strict=True):
        model = fitted.get(item.id)
        row["spark"] = [round(model.estimate(day).best) for day in _grid(item, SPARK_POINTS)] if model else []
        row["links"] = {"html": f"/series/{item.id}", "json": f"/api/series/{item.id}"}
    return Snapshot(state, series, fitted, rows, ledger.claim_sources())


__all__ = ["BAND_POINTS", "SPARK_POINTS", "Snapshot", "fit"]
