"""What the dashboard shows, as plain JSON-ready data: the pages and the API read the same functions.

Reconciling every series takes about a second on the demo ledger (more on a large one), so the
fitted series are kept in a :class:`Snapshot` until the ledger changes (``Ledger.state()``, a
few index lookups, read again at most once per ``recheck`` seconds and at once after a write
through the dashboard). Everything else is read from the ledger a page at a time.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from counterclaim.api import fit_series, summarize_series
from counterclaim.errors import NotFoundError
from counterclaim.reconcile import Method, Priors, ReconcileError, Series, build_series, load_conflicts
from counterclaim.store import Ledger

#: Points of the estimate band drawn on a series page, and of an overview sparkline.
BAND_POINTS = 120
SPARK_POINTS = 24
#: Seconds a reading of the ledger's state stays current: what another process writes shows this late.
RECHECK_SECONDS = 1.0


def to_json(data: Any) -> bytes:
    """UTF-8 JSON with dates as ISO strings (the API's one encoder)."""
    return json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":")).encode("utf-8")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


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


class Dashboard:
    """The ledger as the web layer reads it: one per app, no module state."""

    def __init__(self, ledger: Ledger, priors: Priors, *, recheck: float = RECHECK_SECONDS) -> None:
        self.ledger = ledger
        self.priors = priors
        self.recheck = recheck
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._state: tuple[Any, ...] | None = None
        self._state_read = float("-inf")
        self._writes = 0  # changed() calls so far
        self._writes_lock = threading.Lock()

    # -- the ledger's state ---------------------------------------------------------------------
    def state(self) -> tuple[Any, ...]:
        """The ledger's state token (:meth:`Ledger.state`), read again once ``recheck`` seconds have passed.

        Under load, reading it for every request would cost more than answering from a cache.
        """
        if self.stale():
            read_at, writes = time.monotonic(), self._writes
            state = self._state = self.ledger.state()
            with self._writes_lock:
                if writes == self._writes:  # else a write may have landed after the read began
                    self._state_read = read_at
            return state
        assert self._state is not None
        return self._state

    def stale(self) -> bool:
        """Whether :meth:`state` would read the ledger (so that an event loop can do it on a thread)."""
        return self._state is None or time.monotonic() - self._state_read >= self.recheck

    def changed(self) -> None:
        """Something may have been written: the next :meth:`state` reads the ledger again."""
        with self._writes_lock:
            self._writes += 1
            self._state_read = float("-inf")

    # -- series -------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The fitted series of the ledger as it is now (refitted once after any change)."""
        state = self.state()
        current = self._snapshot
        if current is not None and current.state == state:
            return current
        with self._lock:  # one request fits; the others wait for its result
            current = self._snapshot
            if current is not None and current.state == state:
                return current
            conflicts = load_conflicts()
            series = build_series(self.ledger.claims(), registry=self.ledger.registry, conflicts=conflicts)
            fitted = {
                item.id: fit_series(item, self.priors, conflicts=conflicts)
                for item in series
                if item.observations
            }
            rows = summarize_series(series, self.priors, fitted, conflicts=conflicts)
            for row, item in zip(rows, series, strict=True):
                model = fitted.get(item.id)
                row["spark"] = (
                    [round(model.estimate(day).best) for day in _grid(item, SPARK_POINTS)] if model else []
                )
                row["links"] = {"html": f"/series/{item.id}", "json": f"/api/series/{item.id}"}
            self._snapshot = Snapshot(state, series, fitted, rows, self.ledger.claim_sources())
            # the snapshot is hundreds of thousands of long-lived objects: left to the cyclic
            # collector, each full collection walks them all and stalls every request meanwhile
            gc.collect()
            gc.freeze()
            return self._snapshot

    def series_list(self) -> bytes:
        snap = self.snapshot()
        return snap.cached("series", lambda: {"series": snap.rows})

    def series_rows(self) -> list[dict[str, Any]]:
        return self.snapshot().rows

    def series_detail(self, series_id: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.series_body(series_id))
        return result

    def series_body(self, series_id: str) -> bytes:
        snap = self.snapshot()
        item = snap.find(series_id)
        return snap.cached("series:" + item.id, lambda: self._detail(snap, series_id))

    def _detail(self, snap: Snapshot, series_id: str) -> dict[str, Any]:
        item = snap.find(series_id)
        model = snap.fitted.get(item.id)
        row = next(row for row in snap.rows if row["id"] == item.id)
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
            outlet, doc, _ = snap.sources.get(int(obs.key), (None, "", None)) if obs.key else (None, "", None)
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

    def series_claim_ids(self, series_id: str) -> list[int]:
        """The ids of a series' claims: its observations and the incidents kept out of it."""
        item = self.snapshot().find(series_id)
        ids = [int(o.key) for o in item.observations if o.key]
        return ids + [int(claim["id"]) for claim in item.excluded if claim.get("id") is not None]

    # -- claims, documents, actors, conflicts ------------------------------------------------
    def claims(self, *, series: str | None = None, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        snap = self.snapshot()  # also the ledger's state, which names the count of matches
        key = (
            snap.state,
            series,
            *sorted((k, str(v)) for k, v in filters.items() if k not in ("limit", "offset")),
        )
        if series:
            filters["ids"] = self.series_claim_ids(series)
        return self.ledger.claims_page(**filters, count_key=key)

    def all_claims(
        self, *, series: str | None = None, chunk: int = 2000, **filters: Any
    ) -> Iterator[dict[str, Any]]:
        """Every claim the filters select, read ``chunk`` at a time (for the CSV and JSONL downloads)."""
        if series:
            filters["ids"] = self.series_claim_ids(series)
        offset = 0
        while True:
            rows, _ = self.ledger.claims_page(**filters, limit=chunk, offset=offset)
            yield from rows
            if len(rows) < chunk:
                return
            offset += chunk

    def claim(self, claim_id: int) -> dict[str, Any]:
        claim = self.ledger.claim(claim_id, include_rejected=True)
        reports = self.ledger.reports_of(claim_id)
        for report in reports:
            report["links"] = {"html": f"/documents/{report['document_id']}#claim-{claim_id}"}
        series = [
            item.id
            for item in self.snapshot().series
            if any(o.key == str(claim_id) for o in item.observations)
        ]
        return {
            "claim": claim,
            "reports": reports,
            "corrections": self.ledger.history(claim_id),
            "series": series,
        }

    def document(self, document_id: int) -> dict[str, Any]:
        return self.ledger.document(document_id)

    def documents(self, *, q: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        if q and q.strip():
            return self.ledger.search_documents(q, limit=limit, offset=offset)
        rows = self.ledger.documents()
        return rows[offset : offset + limit], len(rows)

    def actors(self) -> list[dict[str, Any]]:
        return self.ledger.actors()

    @staticmethod
    def conflicts() -> list[dict[str, Any]]:
        return [
            {
                "slug": p.slug,
                "name": p.name,
                "start": p.start,
                "end": p.end,
                "parties": list(p.parties),
                "camps": dict(p.camps),
                "region": list(p.region),
            }
            for p in load_conflicts().profiles
        ]


def segments(text: str, spans: Sequence[Mapping[str, int]]) -> list[tuple[str, int | None]]:
    """A text cut into (piece, claim id or None) around the claims' spans; overlapping spans are dropped.

    Pages render each piece escaped, the claimed ones inside a link: the text itself never
    becomes markup.
    """
    pieces: list[tuple[str, int | None]] = []
    at = 0
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        start, end = span["start"], span["end"]
        if start < at or end <= start or end > len(text):
            continue  # overlaps the previous claim, or is not a span of this text
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], span["claim_id"]))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def marked(text: str | None) -> list[tuple[str, bool]]:
    """A search snippet cut at its U+0002 / U+0003 marks into (piece, matched)."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate((text or "").split("\x02")):
        if i == 0:
            pieces.append((part, False))
            continue
        hit, _, rest = part.partition("\x03")
        pieces.extend([(hit, True), (rest, False)])
    return [(piece, hit) for piece, hit in pieces if piece]


def in_sentence(evidence: str, offset: int | None, number: str | None) -> list[tuple[str, bool]]:
    """The evidence sentence cut around its number: (piece, is the number)."""
    if offset is None or not number or evidence[offset : offset + len(number)] != number:
        return [(evidence, False)]
    end = offset + len(number)
    return [
        (piece, hit)
        for piece, hit in ((evidence[:offset], False), (number, True), (evidence[end:], False))
        if piece
    ]


__all__ = ["Dashboard", "ReconcileError", "in_sentence", "marked", "segments", "to_json"]
