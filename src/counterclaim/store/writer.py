"""The ledger's one writer: documents, claims, reports, corrections and runs are written only here.

Every write is one transaction under the ledger's write lock (:class:`WriteLock`), so threads of
a server and separate processes (two ``counterclaim ingest`` at once, on SQLite or PostgreSQL)
take turns instead of colliding: ids are assigned, documents looked up by their digest and new
claims matched to stored ones while the lock is held, and each document and claim is stored once.

Two extracted claims are the same claim (one ledger row, one report per document that carries
it) when their claimant (canonical, through the actor registry), measure, subject party,
subject role and numbers (low, high and value) agree, and their as-of dates are at most one day
apart (or both unknown). See docs/ledger.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, exists, func, insert, or_, select, update

from counterclaim.actors import ActorRegistry
from counterclaim.errors import InputError, LedgerError
from counterclaim.models import Claim, Document
from counterclaim.store import schema
from counterclaim.store.bulk import insert_rows, one_of
from counterclaim.store.engine import WriteLock
from counterclaim.store.estimates import EstimateWrites
from counterclaim.store.migrations import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")


def claim_key(claim: Claim, registry: ActorRegistry | None = None) -> str:
    """The fields two reports of the same claim share (the as-of date is compared apart); the
    claimant as ``registry`` names it (as the claim names it without one)."""
    claimant = ((registry.canonical(claim.claimant) if registry else claim.claimant) or "").lower()
    numbers = (claim.low, claim.high, claim.value)
    party = (claim.subject_party or "").lower()
    return "|".join(
        [claimant, claim.measure, party, claim.subject_role, *("" if n is None else str(n) for n in numbers)]
    )


@dataclass
class RunSummary:
    """What one run (ingest, import, re-extraction) did."""

    run_id: int
    documents_read: int = 0
    documents_new: int = 0
    claims_new: int = 0
    reports_new: int = 0
    errors: list[InputError] = field(default_factory=list)
    #: new documents decoded from an encoding other than UTF-8, per encoding
    decoded: dict[str, int] = field(default_factory=dict)
    #: reextract only: claims no document carries any more, deleted; and those kept for their corrections
    claims_removed: int = 0
    claims_kept: int = 0

    @property
    def documents_known(self) -> int:
        return self.documents_read - self.documents_new

    @property
    def status(self) -> str:
        if self.errors and not self.documents_read:
            return "failed"
        return "partial" if self.errors else "ok"


@dataclass(frozen=True, slots=True)
class Extracted:
    """A document with the claims extracted from it, ready to be written."""

    document: Document
    claims: list[Claim]

    @property
    def digest(self) -> str:
        """The sha256 of the text: a document is stored once."""
        return hashlib.sha256(self.document.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Pending:
    """A claim of the current batch that has no id yet (its place in the batch's new claims)."""

    index: int


class _ClaimMatcher:
    """Finds the claim a new report repeats: stored claims and the batch's own new ones.

    The nearest as-of date wins, then the oldest claim (stored claims before the batch's new
    ones, which get larger ids), so the result is the same on every backend and the same as
    writing the claims one by one. Only stored claims that can match are loaded: the batch's
    keys, with no date or a date within a day of one of the batch's dates.
    """

    def __init__(self, connection: Connection, wanted: set[tuple[str, date | None]]) -> None:
        self._candidates: dict[tuple[str, date | None], list[tuple[int, int | _Pending]]] = {}
        c = schema.claims.c
        keys = sorted({key for key, _ in wanted})
        days = sorted({day for _, as_of in wanted if as_of for day in _within(as_of, 1)})
        near = c.as_of.is_(None) if not days else or_(c.as_of.is_(None), one_of(connection, c.as_of, days))
        for start in range(0, len(keys), 1000):  # bounded IN lists
            rows = connection.execute(
                select(c.id, c.key, c.as_of).where(
                    one_of(connection, c.key, keys[start : start + 1000]), near
                )
            )
            for row in rows:
                self._candidates.setdefault((row.key, row.as_of), []).append((int(row.id), int(row.id)))

    def match(self, key: str, as_of: date | None) -> int | _Pending | None:
        if as_of is None:
            found = self._candidates.get((key, None))
            return min(found)[1] if found else None
        for distance in (0, 1):
            nearest = [
                candidate
                for day in _within(as_of, distance) - _within(as_of, distance - 1)
                for candidate in self._candidates.get((key, day), ())
            ]
            if nearest:
                return min(nearest, key=lambda candidate: candidate[0])[1]
        return None

    def add(self, key: str, as_of: date | None, target: _Pending) -> None:
        # pending claims sort after every stored one, in the order they were made
        self._candidates.setdefault((key, as_of), []).append((1 << 62 | target.index, target))


def _within(day: date, days: int) -> set[date]:
    """The days at most ``days`` from ``day`` that the calendar has (none before 1 or after 9999)."""
    found = set()
    for shift in range(-days, days + 1):
        try:
            found.add(day + timedelta(days=shift))
        except OverflowError:
            continue
    return found


def _this_process() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class Writer(EstimateWrites):
    """Every write to one ledger, each in a transaction under the ledger's write lock."""

    def __init__(self, engine: Engine, registry: ActorRegistry) -> None:
        self.engine = engine
        self.registry = registry
        self.lock = WriteLock(engine)

    def prepare(self) -> None:
        """Create or migrate the schema and record the registry's actors (two processes: in turn)."""
        with self.lock.transaction() as connection:
            applied = migrate(connection)
            known = {row.name for row in connection.execute(select(schema.actors.c.name))}
            rows = [
                {"name": a.name, "kind": a.kind, "side": a.side, "is_party": int(a.is_party)}
                for a in self.registry.actors
                if a.name not in known
            ]
            if rows:
                connection.execute(insert(schema.actors), rows)
        if applied:
            log.info("migrations applied: %s", ", ".join(map(str, applied)))

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        """Record the start of a run; returns its id. Runs of this machine whose process died
        are marked ``abandoned`` first."""
        host, pid = _this_process()
        runs = schema.runs.c
        with self.lock.transaction() as connection:
            stale = [
                int(row.id)
                for row in connection.execute(
                    select(runs.id, runs.pid).where(runs.status == "running", runs.host == host)
                )
                if row.pid is not None and row.pid != pid and not _alive(int(row.pid))
            ]
            if stale:
                connection.execute(
                    update(schema.runs)
                    .where(runs.id.in_(stale))
                    .values(status="abandoned", message="its process ended without finishing the run")
                )
                log.warning("runs %s were left running by a process that died: marked abandoned", stale)
            inserted = connection.execute(
                insert(schema.runs).values(
                    command=command, started_at=datetime.now(UTC), status="running", host=host, pid=pid
                )
            ).inserted_primary_key
        if inserted is None:
            raise LedgerError("the database returned no id for the new run")
        log.info("run %s (%s) started", inserted[0], command)
        return int(inserted[0])

    def finish_run(
        self, summary: RunSummary, *, status: str | None = None, message: str | None = None
    ) -> None:
        """Record a run's counts and outcome (its summary's status unless one is given)."""
        with self.lock.transaction() as connection:
            connection.execute(
                update(schema.runs)
                .where(schema.runs.c.id == summary.run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    documents_read=summary.documents_read,
                    documents_new=summary.documents_new,
                    claims_new=summary.claims_new,
                    reports_new=summary.reports_new,
                    errors=len(summary.errors),
                    status=status or summary.status,
                    message=message,
                )
            )
        log.info("run %s finished: %s", summary.run_id, status or summary.status)

    @contextmanager
    def run(self, command: str) -> Iterator[RunSummary]:
        """A run: started, then finished with its outcome; an exception marks it failed (or
        interrupted, for Ctrl-C) with the reason, and goes on up."""
        summary = RunSummary(run_id=self.start_run(command))
        try:
            yield summary
        except BaseException as error:
            interrupted = isinstance(error, KeyboardInterrupt | SystemExit)
            with _quietly():
                self.finish_run(
                    summary,
                    status="interrupted" if interrupted else "failed",
                    message=str(error)[:2000] or type(error).__name__,
                )
            raise
        self.finish_run(summary)

    # -- documents and claims -----------------------------------------------------------------
    def write_batch(
        self,
        batch: Sequence[Extracted | InputError],
        summary: RunSummary,
        *,
        on_item: Callable[[RunSummary], None] | None = None,
        also: Callable[[Connection], None] | None = None,
    ) -> None:
        """Write one batch of extracted documents and input errors in one transaction.

        The batch is written with a handful of set-wise statements (whatever its size): one
        lookup of the documents already stored, one of the claims the new ones may repeat,
        and one multi-row insert per table. ``also`` runs last in the same transaction (a
        feed poll records its entries' outcomes there, so a crash keeps both or neither).
        """
        fresh: list[Extracted] = []
        with self.lock.transaction() as connection:
            insert_rows(
                connection,
                schema.input_errors,
                [
                    {"run_id": summary.run_id, "source": e.source, "code": e.code, "reason": e.reason}
                    for e in batch
                    if isinstance(e, InputError)
                ],
            )
            fresh = self._new_documents(connection, [item for item in batch if isinstance(item, Extracted)])
            if fresh:
                document_ids = self._insert_documents(connection, fresh, summary.run_id)
                self._store_claims(connection, fresh, document_ids, summary)
            if also is not None:
                also(connection)
        summary.documents_new += len(fresh)
        for encoding in (stored.document.encoding for stored in fresh):
            if encoding not in ("utf-8", "utf-8-sig"):
                summary.decoded[encoding] = summary.decoded.get(encoding, 0) + 1
        for item in batch:
            if isinstance(item, InputError):
                summary.errors.append(item)
            else:
                summary.documents_read += 1
            if on_item is not None:
                on_item(summary)

    def replace_reports(
        self,
        document_ids: Sequence[int],
        extract: Callable[[Sequence[Any]], list[Extracted]],
        summary: RunSummary,
        extractor_name: str,
    ) -> None:
        """Re-extraction of stored documents: their reports replaced by ``extract``'s, in one transaction.

        ``extract`` gets the documents' rows (id, name, text, published) and returns one
        :class:`Extracted` per row, in order.
        """
        d = schema.documents.c
        with self.lock.transaction() as connection:
            rows = connection.execute(
                select(d.id, d.name, d.text, d.published).where(d.id.in_(document_ids)).order_by(d.id)
            ).all()
            connection.execute(delete(schema.reports).where(schema.reports.c.document_id.in_(document_ids)))
            self._store_claims(connection, extract(rows), [int(row.id) for row in rows], summary)
            connection.execute(
                update(schema.documents).where(d.id.in_(document_ids)).values(extractor=extractor_name)
            )
        summary.documents_read += len(document_ids)

    def drop_orphans(self) -> tuple[int, int]:
        """Delete claims no document reports and no analyst corrected; count the corrected ones kept."""
        c, r, k = schema.claims.c, schema.reports.c, schema.corrections.c
        with self.lock.transaction() as connection:
            unreported = ~exists().where(r.claim_id == c.id)
            corrected = exists().where(k.claim_id == c.id)
            removed = connection.execute(delete(schema.claims).where(unreported, ~corrected)).rowcount
            kept = connection.execute(
                select(func.count()).select_from(schema.claims).where(unreported)
            ).scalar_one()
        return int(removed or 0), int(kept)

    def _new_documents(self, connection: Connection, batch: list[Extracted]) -> list[Extracted]:
        """The documents of a batch not stored yet, each text once."""
        digests = sorted({item.digest for item in batch})
        known = {
            row.sha256
            for row in connection.execute(
                select(schema.documents.c.sha256).where(
                    one_of(connection, schema.documents.c.sha256, digests)
                )
            )
        }
        fresh = []
        for item in batch:
            if item.digest not in known:
                known.add(item.digest)
                fresh.append(item)
        return fresh

    def _insert_documents(self, connection: Connection, fresh: list[Extracted], run_id: int) -> list[int]:
        from counterclaim.extract import EXTRACTOR_NAME

        now = datetime.now(UTC)
        rows = [
            {
                "sha256": item.digest,
                "name": item.document.id,
                "title": item.document.title,
                "url": item.document.url,
                "outlet": item.document.outlet,
                "published": item.document.published,
                "source": str(item.document.path) if item.document.path else item.document.id,
                "text": item.document.text,
                "encoding": item.document.encoding,
                "kind": item.document.kind,
                "language": item.document.language,
                "extractor": EXTRACTOR_NAME,
                "ingested_at": now,
                "run_id": run_id,
            }
            for item in fresh
        ]
        return insert_rows(connection, schema.documents, rows, ids=True)

    def _store_claims(
        self, connection: Connection, fresh: Sequence[Extracted], document_ids: list[int], summary: RunSummary
    ) -> None:
        """Match each claim to a stored or earlier claim of the batch, insert the new ones, report all."""
        keyed = [
            (
                claim,
                claim_key(claim, self.registry),
                date.fromisoformat(claim.as_of) if claim.as_of else None,
                document_id,
            )
            for item, document_id in zip(fresh, document_ids, strict=True)
            for claim in item.claims
        ]
        matcher = _ClaimMatcher(connection, {(key, as_of) for _, key, as_of, _ in keyed})
        now = datetime.now(UTC)
        new_claims: list[dict[str, Any]] = []
        reports: list[tuple[int | _Pending, int, Claim]] = []
        for claim, key, as_of, document_id in keyed:
            target = matcher.match(key, as_of)
            if target is None:
                target = _Pending(len(new_claims))
                new_claims.append(_claim_row(claim, key, as_of, document_id, now))
                matcher.add(key, as_of, target)
            reports.append((target, document_id, claim))
        new_ids = insert_rows(connection, schema.claims, new_claims, ids=True)
        rows: dict[tuple[int, int, int], dict[str, Any]] = {}
        for target, document_id, claim in reports:
            claim_id = new_ids[target.index] if isinstance(target, _Pending) else target
            rows.setdefault(
                (claim_id, document_id, claim.start),
                {
                    "claim_id": claim_id,
                    "document_id": document_id,
                    "evidence": claim.evidence,
                    "start": claim.start,
                    "end": claim.end,
                },
            )
        insert_rows(connection, schema.reports, list(rows.values()))
        summary.claims_new += len(new_claims)
        summary.reports_new += len(rows)

    # -- corrections --------------------------------------------------------------------------
    def correct(
        self,
        claim_id: int,
        changes: dict[str, str | None],
        *,
        note: str,
        by: str,
        current: Callable[[], dict[str, Any]],
    ) -> int:
        """Record the fields of ``changes`` that differ from the claim as it is (``current()``,
        read under the lock); returns how many changed."""
        changed = 0
        with self.lock.transaction() as connection:
            before_all = current()
            for field_name, after in changes.items():
                before = before_all.get(field_name)
                before_text = None if before is None else str(before)
                if before_text == after:
                    continue
                connection.execute(
                    insert(schema.corrections).values(
                        claim_id=claim_id,
                        field=field_name,
                        before=before_text,
                        after=after,
                        note=note,
                        by=by,
                        at=datetime.now(UTC),
                    )
                )
                changed += 1
        return changed


#: The claims columns filled straight from a Claim's fields.
_CLAIM_COLUMNS = tuple(
    name
    for name in schema.claims.c.keys()  # noqa: SIM118
    if name in Claim.__dataclass_fields__ and name not in {"as_of", "doc", "extras"}
)


def _claim_row(
    claim: Claim, key: str, as_of: date | None, document_id: int, created_at: datetime
) -> dict[str, Any]:
    # attribute access, not Claim.to_dict: this runs for every new claim of a large ingest
    row = {name: getattr(claim, name) for name in _CLAIM_COLUMNS}
    row.update(
        key=key,
        as_of=as_of,
        document_id=document_id,
        extractor=str(claim.extras.get("extractor", "")),
        created_at=created_at,
    )
    return row


@contextmanager
def _quietly() -> Iterator[None]:
    """Recording a run's failure must not hide the failure itself."""
    try:
        yield
    except Exception:
        log.exception("could not record the run's outcome")


class WriterThread:
    """A server's writer: one thread that runs every write, one at a time, in arrival order.

    Request threads hand it a function and wait for its result (or its exception), as
    datasette's ``execute_write_fn`` does; reads never wait for it.
    """

    def __init__(self, name: str = "counterclaim-writer") -> None:
        self._queue: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def call(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the writer thread; returns its result or raises its exception."""
        if not self._thread.is_alive():
            raise LedgerError("the writer has stopped; restart the server")
        future: Future[T] = Future()
        self._queue.put((function, future))
        return future.result()

    def close(self) -> None:
        """Finish the writes queued so far, then stop."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            function, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function())
            except BaseException as error:
                future.set_exception(error)
