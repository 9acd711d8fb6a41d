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
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from counterclaim.alerting import atom_feed
from counterclaim.api import claim_detail, series_revisions
from counterclaim.reconcile import Caps, Priors, ReconcileError, load_conflicts
from counterclaim.store import Ledger
from counterclaim.web.responses import to_json
from counterclaim.web.snapshot import Snapshot, fit

#: Seconds a reading of the ledger's state stays current: what another process writes shows this late.
RECHECK_SECONDS = 1.0


def query_string(filters: Mapping[str, Any], **more: Any) -> str:
    """The query string of a listing: its filters (those set) and paging."""
    values = {**filters, **more}
    return urlencode(
        {k: v for k, v in values.items() if v not in (None, False, "") and (k != "order" or v != "id")}
    )


class Dashboard:
    """The ledger as the web layer reads it: one per app, no module state."""

    def __init__(
        self, ledger: Ledger, priors: Priors, *, recheck: float = RECHECK_SECONDS, caps: Caps | None = None
    ) -> None:
        self.ledger = ledger
        self.priors = priors
        self.caps = caps
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
            self._snapshot = fit(self.ledger, self.priors, state, caps=self.caps)
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
        return snap.cached("series:" + item.id, lambda: snap.detail(series_id))

    def series_claim_ids(self, series_id: str) -> list[int]:
        """The ids of a series' claims: its observations and the incidents kept out of it."""
        item = self.snapshot().find(series_id)
        ids = [int(o.key) for o in item.observations if o.key]
        return ids + [int(claim["id"]) for claim in item.excluded if claim.get("id") is not None]

    # -- estimate history and alerts --------------------------------------------------------
    def revisions(self, series_id: str) -> dict[str, Any]:
        """A series' stored estimates, oldest first, with the claims that arrived between them."""
        wanted = series_id.strip().strip("/").lower()
        rows = series_revisions(self.ledger, wanted)
        if not rows:
            wanted = self.snapshot().find(series_id).id  # an unknown series is a 404
            rows = series_revisions(self.ledger, wanted)
        return {"series": wanted, "revisions": rows, "links": {"html": f"/series/{wanted}#revisions"}}

    def alerts(self, *, limit: int = 50) -> list[dict[str, Any]]:
        """The latest alerts that go to the Atom feed, newest first."""
        return [a for a in self.ledger.stored_alerts(limit=limit) if "atom" in a.get("channels", ["atom"])]

    def alerts_feed(self, base_url: str, *, limit: int = 50) -> bytes:
        """The Atom feed of the latest alerts (``/alerts.atom``)."""
        rows = self.alerts(limit=limit)
        updated = max(
            (datetime.fromisoformat(a["created_at"]) for a in rows), default=datetime(2000, 1, 1, tzinfo=UTC)
        )
        return atom_feed(rows, base_url=base_url, updated=updated)

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

    def claims_listing(self, filters: Mapping[str, Any], *, limit: int, offset: int) -> dict[str, Any]:
        """One page of the claims ``filters`` select, with the link to the next page (``/api/claims``)."""
        rows, total = self.claims(**filters, limit=limit, offset=offset)
        more = offset + len(rows) < total
        return {
            "claims": rows,
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": f"/api/claims?{query_string(filters, limit=limit, offset=offset + limit)}"
            if more
            else None,
        }

    def all_claims(
        self, *, series: str | None = None, chunk: int = 2000, **filters: Any
    ) -> Iterator[dict[str, Any]]:
        """Every claim the filters select, read ``chunk`` at a time (for the CSV and JSONL downloads).

        The series is looked up now, not when the first row is asked for: an unknown one raises
        :class:`NotFoundError` while the answer can still be a 404, not in the middle of a stream.
        """
        if series:
            filters["ids"] = self.series_claim_ids(series)
        return self._pages(chunk, filters)

    def _pages(self, chunk: int, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            rows, _ = self.ledger.claims_page(**filters, limit=chunk, offset=offset)
            yield from rows
            if len(rows) < chunk:
                return
            offset += chunk

    def claim(self, claim_id: int) -> dict[str, Any]:
        """:func:`counterclaim.api.claim_detail`, with links to the documents and the series it is in."""
        detail = claim_detail(self.ledger, claim_id)
        for report in detail["reports"]:
            report["links"] = {"html": f"/documents/{report['document_id']}#claim-{claim_id}"}
        detail["series"] = [
            item.id
            for item in self.snapshot().series
            if any(o.key == str(claim_id) for o in item.observations)
        ]
        return detail

    def document(self, document_id: int) -> dict[str, Any]:
        return self.ledger.document(document_id)

    def documents(self, *, q: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        if q and q.strip():
            return self.ledger.search_documents(q, limit=limit, offset=offset)
        rows = self.ledger.documents()
        return rows[offset : offset + limit], len(rows)

    def documents_listing(self, *, q: str | None, limit: int, offset: int) -> dict[str, Any]:
        """One page of the documents, or of those matching ``q`` best first (``/api/documents``)."""
        rows, total = self.documents(q=q, limit=limit, offset=offset)
        return {"documents": rows, "total": total, "limit": limit, "offset": offset}

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


__all__ = ["RECHECK_SECONDS", "Dashboard", "ReconcileError", "query_string", "to_json"]
