"""The estimate history, the alerts and their deliveries: written under the ledger's write lock, read here.

``estimates`` is append only: a revision is never updated or deleted. A revision equal to the
latest one of its series, kind, model and day (same claims digest, same rounded numbers) is not
stored again; its id is returned instead. ``alerts.cause`` is unique, so an alert is stored once
per cause whoever evaluates it; each alert gets one ``deliveries`` row per channel, taken (its
attempt counted and its next attempt pushed back) in one transaction before it is sent, and
finished in another after (see docs/alerts.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, insert, select, update

from counterclaim.alerting import Revision
from counterclaim.store import schema

if TYPE_CHECKING:
    from counterclaim.store.engine import WriteLock


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes of what was stored as UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def revision_of(row: Any) -> Revision:
    """A :class:`Revision` from an ``estimates`` row."""
    as_of = row.as_of if isinstance(row.as_of, date) else date.fromisoformat(str(row.as_of))
    return Revision(
        id=int(row.id),
        series_id=row.series_id,
        as_of=as_of,
        low=float(row.low),
        best=float(row.best),
        high=float(row.high),
        model=row.model,
        model_version=row.model_version,
        n_claims=int(row.n_claims),
        digest=row.digest,
        claim_ids=tuple(int(i) for i in json.loads(row.claim_ids)),
        computed_at=_aware(row.computed_at),
        kind=row.kind,
    )


class EstimateWrites:
    """The :class:`~counterclaim.store.writer.Writer`'s writes of revisions, alerts and deliveries."""

    lock: WriteLock

    def record_estimates(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, bool]]:
        """Store revisions (``estimates`` columns, ``claim_ids`` a list) in one transaction.

        Returns, per row, the revision's id and whether it is new (False: the latest revision of
        its series, kind, model, version and day has the same digest and rounded numbers).
        """
        e = schema.estimates.c
        now = datetime.now(UTC)
        result: list[tuple[int, bool]] = []
        with self.lock.transaction() as connection:
            for row in rows:
                latest = connection.execute(
                    select(e.id, e.digest, e.low, e.best, e.high)
                    .where(
                        e.series_id == row["series_id"],
                        e.kind == row["kind"],
                        e.model == row["model"],
                        e.model_version == row["model_version"],
                        e.as_of == row["as_of"],
                    )
                    .order_by(e.id.desc())
                    .limit(1)
                ).first()
                numbers = [round(float(row[k])) for k in ("low", "best", "high")]
                if (
                    latest is not None
                    and latest.digest == row["digest"]
                    and numbers == [round(latest.low), round(latest.best), round(latest.high)]
                ):
                    result.append((int(latest.id), False))
                    continue
                values = {**row, "claim_ids": json.dumps(sorted(row["claim_ids"])), "computed_at": now}
                inserted = connection.execute(insert(schema.estimates).values(**values)).inserted_primary_key
                assert inserted is not None
                result.append((int(inserted[0]), True))
        return result

    def record_alerts(
        self,
        series_id: str,
        alerts: Sequence[Mapping[str, Any]],
        *,
        mark: tuple[int, int],
    ) -> list[int]:
        """Store the alerts whose cause is new, a pending delivery per channel each, and move the
        series' mark (the last estimate and correction evaluated) forward; one transaction.

        Each alert: ``rule``, ``kind``, ``cause``, ``claim_id``, ``before_id``, ``after_id``,
        ``payload`` (a dict) and ``channels`` (those needing a delivery). Returns the new alerts' ids.
        """
        a, m = schema.alerts.c, schema.alert_marks.c
        now = datetime.now(UTC)
        new_ids: list[int] = []
        with self.lock.transaction() as connection:
            causes = [alert["cause"] for alert in alerts]
            known = {
                row.cause for row in connection.execute(select(a.cause).where(a.cause.in_(causes)))
            } if causes else set()  # fmt: skip
            for alert in alerts:
                if alert["cause"] in known:
                    continue
                known.add(alert["cause"])
                body = {**alert["payload"], "created_at": now.isoformat()}
                values = {k: alert[k] for k in ("rule", "kind", "cause", "claim_id", "before_id", "after_id")}
                inserted = connection.execute(
                    insert(schema.alerts).values(**values, series_id=series_id, payload="{}", created_at=now)
                ).inserted_primary_key
                assert inserted is not None
                alert_id = int(inserted[0])
                body["id"] = alert_id
                connection.execute(
                    update(schema.alerts).where(a.id == alert_id).values(payload=json.dumps(body))
                )
                for channel in alert["channels"]:
                    connection.execute(
                        insert(schema.deliveries).values(
                            alert_id=alert_id, channel=channel, status="pending", attempts=0, next_attempt=now
                        )
                    )
                new_ids.append(alert_id)
            current = connection.execute(
                select(m.estimate_id, m.correction_id).where(m.series_id == series_id)
            )
            row = current.first()
            if row is None:
                connection.execute(
                    insert(schema.alert_marks).values(
                        series_id=series_id, estimate_id=mark[0], correction_id=mark[1]
                    )
                )
            else:  # never backwards: a slower process that evaluated an older estimate leaves it
                connection.execute(
                    update(schema.alert_marks)
                    .where(m.series_id == series_id)
                    .values(
                        estimate_id=max(mark[0], row.estimate_id),
                        correction_id=max(mark[1], row.correction_id),
                    )
                )
        return new_ids

    def take_deliveries(
        self, channels: Iterable[str], *, now: datetime, lease: Callable[[int], timedelta], limit: int = 100
    ) -> list[dict[str, Any]]:
        """The deliveries due on ``channels``, each marked ``sending`` with one more attempt and its
        next attempt ``lease(attempts)`` from ``now`` (a crash mid-send is retried then, not lost)."""
        d, a = schema.deliveries.c, schema.alerts.c
        wanted = list(channels)
        if not wanted:
            return []
        with self.lock.transaction() as connection:
            rows = connection.execute(
                select(d.id, d.alert_id, d.channel, d.attempts, a.payload)
                .join(schema.alerts, a.id == d.alert_id)
                .where(d.status.in_(("pending", "sending")), d.next_attempt <= now, d.channel.in_(wanted))
                .order_by(d.next_attempt, d.id)
                .limit(limit)
            ).all()
            taken = []
            for row in rows:
                attempts = int(row.attempts) + 1
                connection.execute(
                    update(schema.deliveries)
                    .where(d.id == row.id)
                    .values(status="sending", attempts=attempts, next_attempt=now + lease(attempts))
                )
                taken.append(
                    {"id": int(row.id), "alert_id": int(row.alert_id), "channel": row.channel,
                     "attempts": attempts, "payload": json.loads(row.payload)}
                )  # fmt: skip
        return taken

    def finish_delivery(self, delivery_id: int, *, error: str | None, give_up: bool = False) -> None:
        """A delivery sent (no ``error``), or failed: pending again at its next attempt, or ``failed``
        for good (``give_up``)."""
        d = schema.deliveries.c
        if error is None:
            values: dict[str, Any] = {"status": "sent", "sent_at": datetime.now(UTC), "last_error": None}
        else:
            values = {"status": "failed" if give_up else "pending", "last_error": error[:2000]}
        with self.lock.transaction() as connection:
            connection.execute(update(schema.deliveries).where(d.id == delivery_id).values(**values))


class EstimateQueries:
    """The ledger's reads of revisions, alerts, deliveries and what they need."""

    engine: Engine

    def revisions(self, series_id: str, *, model: str | None = None) -> list[Revision]:
        """Every stored estimate of a series, oldest first."""
        e = schema.estimates.c
        query = select(schema.estimates).where(e.series_id == series_id).order_by(e.id)
        if model:
            query = query.where(e.model == model)
        with self.engine.connect() as connection:
            return [revision_of(row) for row in connection.execute(query)]

    def revision(self, revision_id: int) -> Revision | None:
        """One stored estimate, by id."""
        e = schema.estimates.c
        with self.engine.connect() as connection:
            row = connection.execute(select(schema.estimates).where(e.id == revision_id)).first()
        return None if row is None else revision_of(row)

    def previous_revision(self, series_id: str, before_id: int, *, model: str) -> Revision | None:
        """The latest ``latest``-kind revision of a series and model stored before ``before_id``."""
        e = schema.estimates.c
        query = (
            select(schema.estimates)
            .where(e.series_id == series_id, e.kind == "latest", e.model == model, e.id < before_id)
            .order_by(e.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else revision_of(row)

    def latest_claim_ids(self, *, model: str) -> dict[str, set[int]]:
        """The claims of each series' latest ``latest``-kind revision of a model, by series id."""
        e = schema.estimates.c
        newest = (
            select(func.max(e.id)).where(e.kind == "latest", e.model == model).group_by(e.series_id)
        ).scalar_subquery()
        with self.engine.connect() as connection:
            rows = connection.execute(select(e.series_id, e.claim_ids).where(e.id.in_(newest))).all()
        return {row.series_id: {int(i) for i in json.loads(row.claim_ids)} for row in rows}

    def alert_mark(self, series_id: str) -> tuple[int, int] | None:
        """(estimate id, correction id) up to which a series' alerts were evaluated, if ever."""
        m = schema.alert_marks.c
        with self.engine.connect() as connection:
            row = connection.execute(
                select(m.estimate_id, m.correction_id).where(m.series_id == series_id)
            ).first()
        return None if row is None else (int(row.estimate_id), int(row.correction_id))

    def last_correction_id(self) -> int:
        """The id of the latest correction (0 when there is none)."""
        k = schema.corrections.c
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.coalesce(func.max(k.id), 0))).scalar_one())

    def corrections_since(
        self, claim_ids: Iterable[int], *, after_id: int | None = None, after_time: datetime | None = None
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """Corrections of these claims made after a correction id (or a time): per claim, the
        latest correction's id and the fields corrected."""
        k = schema.corrections.c
        ids = sorted(set(claim_ids))
        if not ids or (after_id is None and after_time is None):
            return []
        since = k.id > after_id if after_id is not None else k.at > after_time
        found: dict[int, tuple[int, list[str]]] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 500):
                rows = connection.execute(
                    select(k.id, k.claim_id, k.field)
                    .where(k.claim_id.in_(ids[start : start + 500]), since)
                    .order_by(k.id)
                )
                for row in rows:
                    latest, fields = found.get(int(row.claim_id), (0, []))
                    found[int(row.claim_id)] = (max(latest, int(row.id)), [*fields, row.field])
        return [
            (cid, latest, tuple(dict.fromkeys(fields))) for cid, (latest, fields) in sorted(found.items())
        ]

    def claim_links(self, claim_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Each claim's first report: its document's URL, outlet, title and name, by claim id."""
        r, d = schema.reports.c, schema.documents.c
        ids = sorted(set(claim_ids))
        found: dict[int, dict[str, Any]] = {}
        if not ids:
            return found
        query = (
            select(r.claim_id, d.url, d.outlet, d.title, d.name, d.published)
            .join(schema.documents, d.id == r.document_id)
            .where(r.claim_id.in_(ids))
            .order_by(r.claim_id, d.published, d.id)
        )
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                found.setdefault(
                    int(row.claim_id),
                    {"url": row.url, "outlet": row.outlet, "title": row.title, "doc": row.name,
                     "published": row.published.isoformat() if row.published else None},
                )  # fmt: skip
        return found

    def claims_of_run(self, run_id: int) -> list[int]:
        """The claims first stored by a run (their first document is one of the run's)."""
        c, d = schema.claims.c, schema.documents.c
        query = select(c.id).join(schema.documents, d.id == c.document_id).where(d.run_id == run_id)
        with self.engine.connect() as connection:
            return [int(row.id) for row in connection.execute(query)]

    def stored_alerts(
        self, *, limit: int = 50, series: str | None = None, ids: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """The latest alerts (of a series, or with these ids), newest first, as their payloads
        (with ``id`` and ``created_at``)."""
        a = schema.alerts.c
        query = select(a.payload).order_by(a.id.desc()).limit(limit)
        if series:
            query = query.where(a.series_id == series)
        if ids is not None:
            query = query.where(a.id.in_(list(ids)))
        with self.engine.connect() as connection:
            return [json.loads(row.payload) for row in connection.execute(query)]

    def deliveries(self, *, alert_id: int | None = None) -> list[dict[str, Any]]:
        """Delivery rows (channel, status, attempts, next attempt, last error), oldest first."""
        d = schema.deliveries.c
        query = select(schema.deliveries).order_by(d.id)
        if alert_id is not None:
            query = query.where(d.alert_id == alert_id)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]


__all__ = ["EstimateQueries", "EstimateWrites", "revision_of"]
