"""The ledger: documents stored once, their claims deduplicated across outlets, every run recorded.

Two extracted claims are the same claim (one ledger row, one report per document that carries
it) when their claimant (canonical, through the actor registry), measure, subject party,
subject role and numbers (low, high and value) agree, and their as-of dates are at most one day
apart (or both unknown). See docs/ledger.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    and_,
    any_,
    bindparam,
    column,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    true,
    update,
)
from sqlalchemy.engine import URL, make_url

from counterclaim.actor_files import load_registry
from counterclaim.actors import ActorRegistry
from counterclaim.documents import Document
from counterclaim.errors import CounterclaimError, InputError
from counterclaim.extract import Extractor, default_extractor, extract_items
from counterclaim.models import CLAIM_FIELDS, Claim
from counterclaim.store import schema
from counterclaim.store.bulk import insert_rows, one_of
from counterclaim.store.migrations import migrate

DEFAULT_DATABASE = "counterclaim.db"
DEFAULT_BATCH = 100
#: The words of a search query (letters and digits of any script).
_WORD = re.compile(r"\w+", re.UNICODE)


class LedgerError(CounterclaimError):
    """The database cannot be opened or written."""

    code = "E401"


def default_database_url() -> str:
    """``COUNTERCLAIM_DB`` if set, else a SQLite file ``counterclaim.db`` in the working folder."""
    return os.environ.get("COUNTERCLAIM_DB") or f"sqlite:///{DEFAULT_DATABASE}"


def database_url(target: str | None) -> URL:
    """A database URL from a URL or a bare file path (which means a SQLite file)."""
    text = target or default_database_url()
    if "://" not in text:
        text = f"sqlite:///{text}"
    try:
        return make_url(text)
    except Exception as error:  # SQLAlchemy raises ArgumentError for malformed URLs
        raise LedgerError(f"{text!r} is not a database URL or a file path") from error


#: How much of a SQLite ledger is read through a memory map.
SQLITE_MMAP_BYTES = 1024 * 1024 * 1024


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the single writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # pages read through the OS's cache, shared by every connection, instead of each
    # connection's own small cache filled again by every new connection of a pool
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def claim_key(claim: Claim, registry: ActorRegistry) -> str:
    """The fields two reports of the same claim share (the as-of date is compared apart)."""
    claimant = (registry.canonical(claim.claimant) or "").lower()
    numbers = (claim.low, claim.high, claim.value)
    party = (claim.subject_party or "").lower()
    return "|".join(
        [claimant, claim.measure, party, claim.subject_role, *("" if n is None else str(n) for n in numbers)]
    )


@dataclass
class RunSummary:
    """What one ingest run did."""

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
        days = sorted({as_of + timedelta(days=shift) for _, as_of in wanted if as_of for shift in (-1, 0, 1)})
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
                for day in {as_of - timedelta(days=distance), as_of + timedelta(days=distance)}
                for candidate in self._candidates.get((key, day), ())
            ]
            if nearest:
                return min(nearest, key=lambda candidate: candidate[0])[1]
        return None

    def add(self, key: str, as_of: date | None, target: _Pending) -> None:
        # pending claims sort after every stored one, in the order they were made
        self._candidates.setdefault((key, as_of), []).append((1 << 62 | target.index, target))


class Ledger:
    """A provenance-tracked store of claims in SQLite or PostgreSQL.

    Example:
        >>> ledger = Ledger.open("sqlite:///:memory:")
        >>> ledger.counts()["claims"]
        0
    """

    def __init__(self, engine: Engine, *, registry: ActorRegistry | None = None) -> None:
        self.engine = engine
        self.registry = registry or load_registry()
        self._counts: dict[Any, int] = {}  # claims_page's counts, by count_key

    @classmethod
    def open(
        cls,
        target: str | None = None,
        *,
        registry: ActorRegistry | None = None,
        create: bool = True,
        connections: int | None = None,
    ) -> Ledger:
        """Open (and create or migrate) the ledger at a URL or SQLite path.

        With ``create=False`` a SQLite file that does not exist is an error rather than a new,
        empty ledger: reading commands use it, so a mistyped path is not silently empty.
        ``connections`` keeps that many connections open for concurrent readers (a server's
        threads); by default SQLAlchemy's pool of 5 is used.
        """
        url = database_url(target)
        if not create and url.get_backend_name() == "sqlite":
            path = url.database
            if path and path != ":memory:" and not Path(path).exists():
                raise LedgerError(
                    f"there is no ledger at {path}; make one with `counterclaim ingest`, or give --db"
                )
        try:
            in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
            pool = (
                {"pool_size": connections, "max_overflow": connections}
                if connections and not in_memory
                else {}
            )
            engine = create_engine(url, **pool)
            if url.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            ledger = cls(engine, registry=registry)
            with engine.begin() as connection:
                migrate(connection)
                ledger._sync_actors(connection)
        except CounterclaimError:
            raise
        except Exception as error:
            raise LedgerError(
                f"cannot open the ledger at {url.render_as_string(hide_password=True)}: {error}"
            ) from error
        return ledger

    def _sync_actors(self, connection: Connection) -> None:
        known = {row.name for row in connection.execute(select(schema.actors.c.name))}
        rows = [
            {"name": a.name, "kind": a.kind, "side": a.side, "is_party": int(a.is_party)}
            for a in self.registry.actors
            if a.name not in known
        ]
        if rows:
            connection.execute(insert(schema.actors), rows)

    # -- writing --------------------------------------------------------------------------
    def ingest(
        self,
        items: Iterable[Document | InputError],
        *,
        extractor: Extractor | None = None,
        command: str = "ingest",
        batch_size: int = DEFAULT_BATCH,
        on_item: Callable[[RunSummary], None] | None = None,
    ) -> RunSummary:
        """Store documents and their claims; a document already stored (same text) is skipped.

        Writes go in transactions of ``batch_size`` documents, so an interrupted run leaves
        whole batches and the same command run again completes it without duplicates.
        """
        engine = extractor or default_extractor()
        run_id = self.start_run(command)
        summary = RunSummary(run_id=run_id)
        for batch in _batches(items, batch_size):
            extracted = [
                result if isinstance(result, InputError) else Extracted(*result)
                for result in extract_items(engine, batch)
            ]
            self.write_batch(extracted, summary, on_item=on_item)
        self.finish_run(summary)
        return summary

    def start_run(self, command: str) -> int:
        """Record the start of a run; returns its id."""
        with self.engine.begin() as connection:
            inserted = connection.execute(
                insert(schema.runs).values(command=command, started_at=datetime.now(UTC), status="running")
            ).inserted_primary_key
        return _key_of(inserted)

    def finish_run(self, summary: RunSummary) -> None:
        """Record a run's counts and outcome."""
        with self.engine.begin() as connection:
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
                    status=summary.status,
                )
            )

    def write_batch(
        self,
        batch: Sequence[Extracted | InputError],
        summary: RunSummary,
        *,
        on_item: Callable[[RunSummary], None] | None = None,
    ) -> None:
        """Write one batch of extracted documents and input errors in one transaction.

        The batch is written with a handful of set-wise statements (whatever its size): one
        lookup of the documents already stored, one of the claims the new ones may repeat,
        and one multi-row insert per table.
        """
        with self.engine.begin() as connection:
            errors = [item for item in batch if isinstance(item, InputError)]
            insert_rows(
                connection,
                schema.input_errors,
                [
                    {"run_id": summary.run_id, "source": e.source, "code": e.code, "reason": e.reason}
                    for e in errors
                ],
            )
            fresh = self._new_documents(connection, [item for item in batch if isinstance(item, Extracted)])
            if fresh:
                document_ids = self._insert_documents(connection, fresh, summary.run_id)
                self._store_claims(connection, fresh, document_ids, summary)
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
                "extractor": EXTRACTOR_NAME,
                "ingested_at": now,
                "run_id": run_id,
            }
            for item in fresh
        ]
        return insert_rows(connection, schema.documents, rows, ids=True)

    def _store_claims(
        self, connection: Connection, fresh: list[Extracted], document_ids: list[int], summary: RunSummary
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
                new_claims.append(self._claim_row(claim, key, as_of, document_id, now))
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

    def reextract(
        self,
        *,
        extractor: Extractor | None = None,
        everything: bool = False,
        batch_size: int = DEFAULT_BATCH,
        on_item: Callable[[RunSummary], None] | None = None,
    ) -> RunSummary:
        """Run the current extractor again over stored texts; corrections are kept.

        Only documents extracted by another extractor version are read again, unless
        ``everything``. A document's reports are replaced by the new extraction's; a claim the
        new extraction still finds keeps its id, its other reports and its corrections; a claim
        no document carries any more is deleted, unless an analyst corrected it: then it is kept
        with no reports (``reports`` 0), so no analyst's work is lost. Each batch is one
        transaction, so an interrupted run is completed by running it again.
        """
        from counterclaim.extract import EXTRACTOR_NAME

        engine = extractor or default_extractor()
        summary = RunSummary(run_id=self.start_run("reextract"))
        d = schema.documents.c
        query = select(d.id).where(d.kind == "article").order_by(d.id)  # tables are not re-read
        if not everything:
            query = query.where(d.extractor != EXTRACTOR_NAME)
        with self.engine.connect() as connection:
            document_ids = [int(row.id) for row in connection.execute(query)]
        for start in range(0, len(document_ids), batch_size):
            chunk = document_ids[start : start + batch_size]
            with self.engine.begin() as connection:
                rows = connection.execute(
                    select(d.id, d.name, d.text, d.published).where(d.id.in_(chunk)).order_by(d.id)
                ).all()
                connection.execute(delete(schema.reports).where(schema.reports.c.document_id.in_(chunk)))
                fresh = [
                    Extracted(
                        Document(id=row.name, text=row.text, published=row.published),
                        engine.extract(row.text, published=row.published, doc=row.name),
                    )
                    for row in rows
                ]
                self._store_claims(connection, fresh, [int(row.id) for row in rows], summary)
                connection.execute(
                    update(schema.documents).where(d.id.in_(chunk)).values(extractor=EXTRACTOR_NAME)
                )
            summary.documents_read += len(chunk)
            if on_item is not None:
                on_item(summary)
        with self.engine.begin() as connection:
            summary.claims_removed, summary.claims_kept = self._drop_orphans(connection)
        self.finish_run(summary)
        return summary

    @staticmethod
    def _drop_orphans(connection: Connection) -> tuple[int, int]:
        """Delete claims no document reports and no analyst corrected; count the corrected ones kept."""
        c, r, k = schema.claims.c, schema.reports.c, schema.corrections.c
        unreported = ~exists().where(r.claim_id == c.id)
        corrected = exists().where(k.claim_id == c.id)
        removed = connection.execute(delete(schema.claims).where(unreported, ~corrected)).rowcount
        kept = connection.execute(
            select(func.count()).select_from(schema.claims).where(unreported)
        ).scalar_one()
        return int(removed or 0), int(kept)

    @staticmethod
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

    # -- reading --------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self.engine.connect() as connection:
            return {
                table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for table in schema.metadata.sorted_tables
            }

    # -- corrections ------------------------------------------------------------------------
    def correct(self, claim_id: int, changes: dict[str, str | None], *, note: str, by: str) -> int:
        """Record an analyst's correction of a claim; the extraction itself is never overwritten.

        ``changes`` maps a field (``claimant``, ``measure``, ``value``, ``as_of``, ``rejected``, or
        any contract field) to its new value. Returns how many fields changed.

        Raises:
            LedgerError: the claim does not exist, a field is unknown, or no note is given.
        """
        if not note.strip():
            raise LedgerError("a correction needs a note saying why (--note)")
        unknown = sorted(set(changes) - CORRECTABLE)
        if unknown:
            raise LedgerError(
                f"cannot correct {', '.join(unknown)}; correctable: {', '.join(sorted(CORRECTABLE))}"
            )
        current = self.claim(claim_id, include_rejected=True)
        changed = 0
        with self.engine.begin() as connection:
            for field_name, after in changes.items():
                before = current.get(field_name)
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

    def history(self, claim_id: int) -> list[dict[str, Any]]:
        """The corrections of a claim, oldest first."""
        self.claim(claim_id, include_rejected=True)  # raises if there is no such claim
        k = schema.corrections.c
        query = select(k.id, k.field, k.before, k.after, k.note, k.by, k.at).where(k.claim_id == claim_id)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query.order_by(k.id)).mappings()]

    def _overlay(
        self,
        records: list[dict[str, Any]],
        corrections: dict[int, list[tuple[str, str | None]]] | None = None,
    ) -> list[dict[str, Any]]:
        if not records:
            return records
        by_claim = self._corrections() if corrections is None else corrections
        for record in records:
            record["rejected"] = False
            record["corrected"] = record["id"] in by_claim
            for field_name, after in by_claim.get(record["id"], []):
                record[field_name] = _typed(field_name, after)
        return records

    def _corrections(self, connection: Connection | None = None) -> dict[int, list[tuple[str, str | None]]]:
        """Every correction, oldest first, by claim: (field, value after)."""
        k = schema.corrections.c
        query = select(k.claim_id, k.field, k.after).order_by(k.id)
        if connection is None:
            with self.engine.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = connection.execute(query).all()
        by_claim: dict[int, list[tuple[str, str | None]]] = {}
        for claim_id, field_name, after in rows:
            by_claim.setdefault(int(claim_id), []).append((field_name, after))
        return by_claim

    def claim(self, claim_id: int, *, include_rejected: bool = False) -> dict[str, Any]:
        """One claim, corrections applied.

        Raises:
            LedgerError: no claim has this id (or it was rejected and ``include_rejected`` is False).
        """
        found = self.claims(include_rejected=True, ids=[claim_id])
        if not found or (found[0]["rejected"] and not include_rejected):
            raise LedgerError(f"there is no claim {claim_id}; `counterclaim claims` lists them")
        return found[0]

    def reports_of(self, claim_id: int) -> list[dict[str, Any]]:
        """Every document that carries a claim, with its outlet, date and evidence."""
        r, d = schema.reports.c, schema.documents.c
        query = (
            select(
                d.id.label("document_id"),
                d.name,
                d.outlet,
                d.published,
                d.url,
                d.text,
                r.evidence,
                r.start,
                r.end,
            )
            .join(schema.documents, d.id == r.document_id)
            .where(r.claim_id == claim_id)
            .order_by(d.published, d.id)
        )
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
        for row in rows:
            number = row.pop("text")[row["start"] : row["end"]]
            found = row["evidence"].find(number) if number else -1
            row["number"] = number
            row["number_offset"] = found if found >= 0 else None
        return rows

    def claims(
        self,
        *,
        measure: str | None = None,
        party: str | None = None,
        role: str | None = None,
        claimant: str | None = None,
        since: date | None = None,
        until: date | None = None,
        doc: str | None = None,
        include_rejected: bool = False,
        ids: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Claims with every contract field, their id and their number of reports, as corrected."""
        c, r, d = schema.claims.c, schema.reports.c, schema.documents.c
        reports = (
            select(r.claim_id, func.count(func.distinct(r.document_id)).label("reports"))
            .group_by(r.claim_id)
            .subquery()
        )
        query = (
            select(schema.claims, func.coalesce(reports.c.reports, 0).label("reports"), d.name.label("doc"))
            .outerjoin(reports, reports.c.claim_id == c.id)
            .join(schema.documents, d.id == c.document_id)
            .order_by(c.id)
        )
        if ids is not None:
            query = query.where(c.id.in_(ids))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        result = []
        for row in rows:
            record = {key: row[key] for key in ("id", *CLAIM_FIELDS) if key in row}
            record["as_of"] = row["as_of"].isoformat() if row["as_of"] else None
            record["reports"] = int(row["reports"])
            record.pop("extras", None)
            result.append(record)
        # filters apply to the corrected claims: every view sees the analyst's version
        wanted_claimant = (self.registry.canonical(claimant) or claimant).lower() if claimant else None
        return [
            record
            for record in self._overlay(result)
            if (include_rejected or not record["rejected"])
            and (not measure or record["measure"] == measure)
            and (not party or (record["subject_party"] or "").lower() == party.lower())
            and (not role or record["subject_role"] == role)
            and (not wanted_claimant or (record["claimant"] or "").lower() == wanted_claimant)
            and (since is None or (record["as_of"] is not None and record["as_of"] >= since.isoformat()))
            and (until is None or (record["as_of"] is not None and record["as_of"] <= until.isoformat()))
            and (doc is None or doc in self._documents_of(record["id"]))
        ]

    def _documents_of(self, claim_id: int) -> set[str]:
        r, d = schema.reports.c, schema.documents.c
        query = select(d.name).join(schema.reports, r.document_id == d.id).where(r.claim_id == claim_id)
        with self.engine.connect() as connection:
            return {row.name for row in connection.execute(query)}

    def actors(self) -> list[dict[str, Any]]:
        """The actors the ledger knows (the registry it was opened with), with their claims."""
        a, c = schema.actors.c, schema.claims.c
        query = (
            select(a.name, a.kind, a.side, a.is_party, func.count(c.id).label("claims"))
            .outerjoin(schema.claims, c.claimant == a.name)
            .group_by(a.name, a.kind, a.side, a.is_party)
            .order_by(a.name)
        )
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def documents(self) -> list[dict[str, Any]]:
        """Every stored document with its claim reports."""
        d, r = schema.documents.c, schema.reports.c
        query = (
            select(
                d.id, d.name, d.kind, d.title, d.outlet, d.published, d.url, func.count(r.id).label("reports")
            )
            .outerjoin(schema.reports, r.document_id == d.id)
            .group_by(d.id)
            .order_by(d.id)
        )
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # -- reading a page at a time (the dashboard and its JSON API) ----------------------------
    def state(self) -> tuple[Any, ...]:
        """A token that changes whenever the claims, their reports or their corrections change.

        Cheap (a handful of index lookups), so a reader can check it on every request and keep
        whatever it derived from the claims (fitted series) until it changes. Every write is part
        of a run, new reports get new ids (re-extraction too), and corrections are only added.
        """
        c, r, k, runs = schema.claims.c, schema.reports.c, schema.corrections.c, schema.runs.c
        latest_run = select(runs.id, runs.finished_at).order_by(runs.id.desc()).limit(1).subquery()
        query = select(
            select(func.max(c.id)).scalar_subquery(),
            select(func.max(r.id)).scalar_subquery(),
            select(func.max(k.id)).scalar_subquery(),
            select(latest_run.c.id).scalar_subquery(),
            select(latest_run.c.finished_at).scalar_subquery(),
        )
        with self.engine.connect() as connection:
            return tuple(connection.execute(query).one())

    def claims_page(
        self,
        *,
        measure: str | None = None,
        party: str | None = None,
        role: str | None = None,
        claimant: str | None = None,
        since: date | None = None,
        until: date | None = None,
        doc: str | None = None,
        ids: Sequence[int] | None = None,
        include_rejected: bool = False,
        order: str = "id",
        limit: int = 50,
        offset: int = 0,
        count_key: Any = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the claims :meth:`claims` lists (the same filters), and how many match.

        The filtering, counting and paging happen in the database, so a page of a large ledger
        costs a few index lookups rather than reading every claim. Corrections are an overlay:
        the few corrected claims are read whole, corrected in Python and tested against the
        filters; every other claim is filtered on its stored columns. ``order`` is ``id`` or
        ``as_of`` (oldest first, undated last; ``-id`` and ``-as_of`` reverse; by the stored
        date, a corrected date does not move a claim). Each row also has
        ``number`` (the number as the document writes it) and ``number_offset`` (where it sits
        in ``evidence``, or None).

        ``count_key``, if given, names this query in a state (``(self.state(), filters)``): the
        count of matches, the one part that reads every matching row, is then kept for it.
        """
        c, d, k = schema.claims.c, schema.documents.c, schema.corrections.c
        if ids is not None and not ids:
            return [], 0
        wanted_claimant = (self.registry.canonical(claimant) or claimant).lower() if claimant else None
        stored: list[
            ColumnElement[bool]
        ] = []  # conditions on the stored columns, for the claims no analyst corrected
        if measure:
            stored.append(c.measure == measure)
        if party:
            stored.append(func.lower(c.subject_party) == party.lower())
        if role:
            stored.append(c.subject_role == role)
        if wanted_claimant:
            stored.append(func.lower(c.claimant) == wanted_claimant)
        if since is not None:
            stored.append(c.as_of >= since)
        if until is not None:
            stored.append(c.as_of <= until)
        if ids is not None:
            stored.append(self._one_of_ids(c.id, ids))
        if doc is not None:
            r = schema.reports.c
            stored.append(
                c.id.in_(
                    select(r.claim_id).join(schema.documents, d.id == r.document_id).where(d.name == doc)
                )
            )
        with self.engine.connect() as connection:
            corrections = self._corrections(connection)
        corrected = sorted(corrections)
        keep: list[int] = []
        if corrected:
            for record in self.claims(include_rejected=True, ids=corrected):
                if (
                    (include_rejected or not record["rejected"])
                    and (not measure or record["measure"] == measure)
                    and (not party or (record["subject_party"] or "").lower() == party.lower())
                    and (not role or record["subject_role"] == role)
                    and (not wanted_claimant or (record["claimant"] or "").lower() == wanted_claimant)
                    and (
                        since is None
                        or (record["as_of"] is not None and record["as_of"] >= since.isoformat())
                    )
                    and (
                        until is None
                        or (record["as_of"] is not None and record["as_of"] <= until.isoformat())
                    )
                    and (ids is None or record["id"] in ids)
                    and (doc is None or doc in self._documents_of(record["id"]))
                ):
                    keep.append(record["id"])
        uncorrected = and_(*stored, c.id.not_in(select(k.claim_id))) if corrected else and_(true(), *stored)
        where = or_(uncorrected, c.id.in_(keep)) if keep else uncorrected
        sorts: dict[str, list[Any]] = {
            "id": [c.id],
            "-id": [c.id.desc()],
            "as_of": [c.as_of.is_(None), c.as_of, c.id],
            "-as_of": [c.as_of.is_(None), c.as_of.desc(), c.id.desc()],
        }
        sort = sorts.get(order)
        if sort is None:
            raise LedgerError(f"cannot order claims by {order!r}; use id, -id, as_of or -as_of")
        # the page's ids first, from the claims table and its indexes alone; then only those rows
        # are joined to their documents and counted in reports (an offset deep into a large
        # ledger skips ids, not joins), in one statement
        page = (
            select(c.id.label("page_id"))
            .where(where)
            .order_by(*sort)
            .limit(max(0, limit))
            .offset(max(0, offset))
        ).subquery()
        r = schema.reports.c
        reporting = (
            select(func.count(func.distinct(r.document_id))).where(r.claim_id == c.id).scalar_subquery()
        )
        cut = func.substr(d.text, c.start + 1, c.end - c.start)  # 1-based, on both backends
        query = (
            select(
                *[c[name] for name in _PAGE_COLUMNS],
                d.name.label("doc"),
                d.outlet,
                d.published,
                cut.label("number"),
                reporting.label("n_reports"),
            )
            .select_from(page)
            .join(schema.claims, c.id == page.c.page_id)
            .join(schema.documents, d.id == c.document_id)
            .order_by(*sort)
        )
        with self.engine.connect() as connection:
            total = self._count(connection, where, count_key)
            rows = connection.execute(query).all()
        result = []
        for row in rows:
            values = dict(zip(_PAGE_COLUMNS, row, strict=False))
            (values["doc"], outlet, published, number, reports) = row[len(_PAGE_COLUMNS) :]
            record = {key: values[key] for key in ("id", *CLAIM_FIELDS)}
            record["as_of"] = record["as_of"].isoformat() if record["as_of"] else None
            record["reports"] = int(reports or 0)
            record["outlet"] = outlet
            record["published"] = published.isoformat() if published else None
            # a table's row has no number in a text: its value is found in the row's JSON instead
            number = number or ("" if record["value"] is None else str(record["value"]))
            found = record["evidence"].find(number) if number else -1
            record["number"] = number
            record["number_offset"] = found if found >= 0 else None
            result.append(record)
        return self._overlay(result, corrections), total

    def _one_of_ids(self, column: Any, ids: Sequence[int]) -> Any:
        """``column IN ids`` as one bound parameter however many ids (a series may have thousands)."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            return column == any_(bindparam(None, [int(i) for i in ids], type_=ARRAY(Integer)))
        values = func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")
        return column.in_(select(values.c.value))

    def _count(self, connection: Connection, where: Any, key: Any) -> int:
        if key is not None and key in self._counts:
            return self._counts[key]
        total = int(
            connection.execute(select(func.count()).select_from(schema.claims).where(where)).scalar_one()
        )
        if key is not None:
            if len(self._counts) > 4096:  # bounded: the oldest states' counts go first
                self._counts.pop(next(iter(self._counts)))
            self._counts[key] = total
        return total

    @staticmethod
    def _report_counts(connection: Connection, claim_ids: list[int]) -> dict[int, int]:
        if not claim_ids:
            return {}
        r = schema.reports.c
        query = (
            select(r.claim_id, func.count(func.distinct(r.document_id)))
            .where(r.claim_id.in_(claim_ids))
            .group_by(r.claim_id)
        )
        return {int(claim_id): int(count) for claim_id, count in connection.execute(query)}

    def claim_sources(self) -> dict[int, tuple[str | None, str, date | None]]:
        """Every claim's first document: (outlet, name, published), by claim id; for charts."""
        c, d = schema.claims.c, schema.documents.c
        query = select(c.id, d.outlet, d.name, d.published).join(schema.documents, d.id == c.document_id)
        with self.engine.connect() as connection:
            return {int(row.id): (row.outlet, row.name, row.published) for row in connection.execute(query)}

    def document(self, document_id: int) -> dict[str, Any]:
        """One document with its text and every claim report in it (``claim_id``, ``start``, ``end``).

        Raises:
            LedgerError: no document has this id.
        """
        d, r = schema.documents.c, schema.reports.c
        query = select(
            d.id, d.name, d.kind, d.title, d.outlet, d.published, d.url, d.source, d.text, d.ingested_at
        ).where(d.id == document_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
            if row is None:
                raise LedgerError(f"there is no document {document_id}; `counterclaim documents` lists them")
            spans = connection.execute(
                select(r.claim_id, r.start, r.end)
                .where(r.document_id == document_id)
                .order_by(r.start, r.end)
            ).all()
        record = dict(row)
        record["reports"] = [
            {"claim_id": int(s.claim_id), "start": int(s.start), "end": int(s.end)} for s in spans
        ]
        return record

    def document_id(self, sha256: str) -> int | None:
        """The id of the document whose text has this sha256, if it is stored."""
        d = schema.documents.c
        with self.engine.connect() as connection:
            found = connection.execute(select(d.id).where(d.sha256 == sha256)).scalar_one_or_none()
        return None if found is None else int(found)

    def search_documents(
        self, query: str, *, limit: int = 20, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        """Documents whose title or text has every word of ``query``, best first, and how many.

        SQLite searches its FTS5 table, PostgreSQL its full-text index (migration 4). Each hit
        has ``snippet``: a few words around the match with the matched words between U+0002
        and U+0003 (control characters no text has, so a page can escape the snippet and then
        mark them). The query is always a bound parameter, never SQL.
        """
        words = _WORD.findall(query)
        if not words:
            return [], 0
        d = schema.documents.c
        columns = [d.id, d.name, d.kind, d.title, d.outlet, d.published, d.url]
        if self.engine.dialect.name == "postgresql":
            from counterclaim.store.migrations import pg_fts_document

            vector: ColumnElement[Any] = literal_column(pg_fts_document("documents.title", "documents.text"))
            tsquery = func.plainto_tsquery(literal_column("'simple'"), " ".join(words))
            matched = vector.op("@@")(tsquery)
            rank = func.ts_rank(vector, tsquery)
            snippet = func.ts_headline(
                literal_column("'simple'"),
                func.left(d.text, 200_000),
                tsquery,
                "StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12",
            )
            base = select(*columns, snippet.label("snippet")).where(matched).order_by(rank.desc(), d.id)
            count = select(func.count()).select_from(schema.documents).where(matched)
        else:
            fts = table("documents_fts", column("rowid"), column("rank"))
            # each word quoted: FTS5's query syntax (AND, NEAR, quotes, columns) never reaches it
            expression = " ".join('"' + word.replace('"', '""') + '"' for word in words)
            matched = literal_column("documents_fts").op("MATCH")(expression)
            snippet = func.snippet(literal_column("documents_fts"), 1, "\x02", "\x03", "…", 24)
            base = (
                select(*columns, snippet.label("snippet"))
                .select_from(fts.join(schema.documents, d.id == fts.c.rowid))
                .where(matched)
                .order_by(fts.c.rank, d.id)
            )
            count = select(func.count()).select_from(fts).where(matched)
        with self.engine.connect() as connection:
            total = int(connection.execute(count).scalar_one())
            rows = connection.execute(base.limit(limit).offset(offset)).mappings().all()
        return [dict(row) for row in rows], total


#: The columns of a claim listing (``Ledger.claims()``), in order.
LISTING_COLUMNS = ("id", *CLAIM_FIELDS, "reports", "rejected", "corrected")
#: The claims columns a listing page reads (the rest of a listing row is joined or derived).
_PAGE_COLUMNS = tuple(name for name in ("id", *CLAIM_FIELDS) if name != "doc")

#: The claims columns filled straight from a Claim's fields.
_CLAIM_COLUMNS = tuple(
    name
    for name in schema.claims.c.keys()  # noqa: SIM118
    if name in Claim.__dataclass_fields__ and name not in {"as_of", "doc", "extras"}
)

#: Fields an analyst may correct.
CORRECTABLE = frozenset(
    {"claimant", "measure", "qualifier", "value", "low", "high", "unit", "subject", "subject_party",
     "subject_role", "scope", "as_of", "rejected"}
)  # fmt: skip
_INTEGER_FIELDS = frozenset({"value", "low", "high"})


def _typed(field_name: str, text: str | None) -> Any:
    """A correction's stored text back as the field's type."""
    if text is None or text == "":
        return None
    if field_name in _INTEGER_FIELDS:
        return int(text)
    if field_name == "rejected":
        return text.lower() in {"1", "true", "yes"}
    return text


def _key_of(primary_key: Any) -> int:
    """The integer id of an inserted row."""
    if primary_key is None:
        raise LedgerError("the database returned no id for an inserted row")
    return int(primary_key[0])


def _batches(items: Iterable[Document | InputError], size: int) -> Iterator[list[Document | InputError]]:
    batch: list[Document | InputError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
