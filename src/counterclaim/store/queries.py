"""Reading the ledger: claims as corrected, filtered once (ClaimFilter), paged, with their sources."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
    true,
)

from counterclaim.actors import ActorRegistry
from counterclaim.errors import LedgerError, NotFoundError
from counterclaim.models import CLAIM_FIELDS, number_offset
from counterclaim.store import schema
from counterclaim.store.corrections import overlay

#: The columns of a claim listing (``Ledger.claims()``), in order.
LISTING_COLUMNS = ("id", *CLAIM_FIELDS, "reports", "rejected", "corrected")
#: The claims columns a listing page reads (the rest of a listing row is joined or derived).
_PAGE_COLUMNS = tuple(name for name in ("id", *CLAIM_FIELDS) if name != "doc")
#: How a listing may be ordered: by id or by as-of day (undated last), either way.
ORDERS = ("id", "-id", "as_of", "-as_of")


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims a listing shows; the one definition of the filters every view offers.

    It gives both the SQL conditions on the stored columns (for the many claims nobody
    corrected) and the same test on a corrected claim in memory (for the few that were), so
    a filter means the same thing whichever way a claim is read. ``claimant`` is the
    canonical name, lower case (see :meth:`for_registry`).
    """

    measure: str | None = None
    party: str | None = None
    role: str | None = None
    claimant: str | None = None
    since: date | None = None
    until: date | None = None
    doc: str | None = None
    ids: tuple[int, ...] | None = None
    include_rejected: bool = False
    language: str | None = None  # claims reported by a document in this language (ISO 639-1)

    @classmethod
    def for_registry(
        cls, registry: ActorRegistry, *, claimant: str | None = None, **given: Any
    ) -> ClaimFilter:
        """A filter whose claimant (any alias) is resolved to its canonical name."""
        wanted = (registry.canonical(claimant) or claimant).lower() if claimant else None
        ids = given.pop("ids", None)
        return cls(claimant=wanted, ids=None if ids is None else tuple(int(i) for i in ids), **given)

    def conditions(self, connection: Connection) -> list[ColumnElement[bool]]:
        """The filter on the stored columns, as SQL."""
        c, d, r = schema.claims.c, schema.documents.c, schema.reports.c
        found: list[ColumnElement[bool]] = []
        if self.measure:
            found.append(c.measure == self.measure)
        if self.party:
            found.append(func.lower(c.subject_party) == self.party.lower())
        if self.role:
            found.append(c.subject_role == self.role)
        if self.claimant:
            found.append(func.lower(c.claimant) == self.claimant)
        if self.since is not None:
            found.append(c.as_of >= self.since)
        if self.until is not None:
            found.append(c.as_of <= self.until)
        if self.ids is not None:
            found.append(_one_of_ids(connection, c.id, self.ids))
        if self.doc is not None:
            found.append(
                c.id.in_(
                    select(r.claim_id).join(schema.documents, d.id == r.document_id).where(d.name == self.doc)
                )
            )
        if self.language is not None:
            found.append(
                c.id.in_(
                    select(r.claim_id)
                    .join(schema.documents, d.id == r.document_id)
                    .where(d.language == self.language.lower())
                )
            )
        return found

    def matches(
        self,
        record: dict[str, Any],
        documents_of: Callable[[int], set[str]],
        languages_of: Callable[[int], set[str]] | None = None,
    ) -> bool:
        """The same filter on a claim read whole and corrected."""
        as_of = record["as_of"]
        return (
            (self.include_rejected or not record["rejected"])
            and (not self.measure or record["measure"] == self.measure)
            and (not self.party or (record["subject_party"] or "").lower() == self.party.lower())
            and (not self.role or record["subject_role"] == self.role)
            and (not self.claimant or (record["claimant"] or "").lower() == self.claimant)
            and (self.since is None or (as_of is not None and as_of >= self.since.isoformat()))
            and (self.until is None or (as_of is not None and as_of <= self.until.isoformat()))
            and (self.ids is None or record["id"] in self.ids)
            and (self.doc is None or self.doc in documents_of(record["id"]))
            and (
                self.language is None
                or languages_of is None
                or self.language.lower() in languages_of(record["id"])
            )
        )


def _one_of_ids(connection: Connection, column: Any, ids: Sequence[int]) -> Any:
    """``column IN ids`` as one bound parameter however many ids (a series may have thousands)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, [int(i) for i in ids], type_=ARRAY(Integer)))
    values = func.json_each(json.dumps([int(i) for i in ids])).table_valued("value")
    return column.in_(select(values.c.value))


def located(record: dict[str, Any], number: str | None) -> dict[str, Any]:
    """A claim or report with ``number`` (as the source wrote it) and ``number_offset`` in its evidence.

    A table's row has no number in a text: its value is looked for in the row's text instead.
    """
    value = record.get("value")
    number = number or ("" if value is None else str(value))
    record["number"] = number
    record["number_offset"] = number_offset(record["evidence"], number)
    return record


class LedgerQueries:
    """The reading half of a ledger (the :class:`~counterclaim.store.writer.Writer` is the other)."""

    engine: Engine
    registry: ActorRegistry

    def __init__(self, engine: Engine, registry: ActorRegistry) -> None:
        self.engine = engine
        self.registry = registry
        self._counts: dict[Any, int] = {}  # claims_page's counts, by count_key

    def filter(self, **given: Any) -> ClaimFilter:
        """A :class:`ClaimFilter` from keyword filters, its claimant resolved through the registry."""
        return ClaimFilter.for_registry(self.registry, **given)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self.engine.connect() as connection:
            return {
                table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for table in schema.metadata.sorted_tables
            }

    def corrections(self, connection: Connection | None = None) -> dict[int, list[tuple[str, str | None]]]:
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

    def history(self, claim_id: int) -> list[dict[str, Any]]:
        """The corrections of a claim, oldest first."""
        self.claim(claim_id, include_rejected=True)  # raises if there is no such claim
        k = schema.corrections.c
        query = select(k.id, k.field, k.before, k.after, k.note, k.by, k.at).where(k.claim_id == claim_id)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query.order_by(k.id)).mappings()]

    def claim(self, claim_id: int, *, include_rejected: bool = False) -> dict[str, Any]:
        """One claim, corrections applied.

        Raises:
            NotFoundError: no claim has this id (or it was rejected and ``include_rejected`` is False).
        """
        found = self.claims(include_rejected=True, ids=[claim_id]) if 0 <= claim_id <= schema.MAX_ID else []
        if not found or (found[0]["rejected"] and not include_rejected):
            raise NotFoundError(f"there is no claim {claim_id}; `counterclaim claims` lists them")
        return found[0]

    def reports_of(self, claim_id: int) -> list[dict[str, Any]]:
        """Every document that carries a claim, with its outlet, date, evidence and the number in it."""
        r, d, c = schema.reports.c, schema.documents.c, schema.claims.c
        query = (
            select(
                d.id.label("document_id"),
                d.name,
                d.outlet,
                d.published,
                d.url,
                d.language,
                func.substr(d.text, r.start + 1, r.end - r.start).label("number"),
                c.value,
                r.evidence,
                r.start,
                r.end,
            )
            .join(schema.documents, d.id == r.document_id)
            .join(schema.claims, c.id == r.claim_id)
            .where(r.claim_id == claim_id)
            .order_by(d.published, d.id)
        )
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
        return [located(row, row.pop("number")) for row in rows]

    def _where(self, connection: Connection, wanted: ClaimFilter) -> tuple[Any, dict[int, list[Any]]]:
        """The SQL condition a filter gives, corrections taken into account, and the corrections read.

        Corrections are an overlay: the few corrected claims are read whole, corrected and tested
        in memory; every other claim is filtered on its stored columns.
        """
        c, k = schema.claims.c, schema.corrections.c
        corrections = self.corrections(connection)
        stored = wanted.conditions(connection)
        if not corrections:
            return and_(true(), *stored), corrections
        keep = [
            record["id"]
            for record in self._records(connection, c.id.in_(sorted(corrections)), corrections)
            if wanted.matches(record, self._documents_of, self._languages_of)
        ]
        uncorrected = and_(*stored, c.id.not_in(select(k.claim_id)))
        return (or_(uncorrected, c.id.in_(keep)) if keep else uncorrected), corrections

    def _records(
        self, connection: Connection, where: Any, corrections: dict[int, list[Any]]
    ) -> list[dict[str, Any]]:
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
            .where(where)
            .order_by(c.id)
        )
        result = []
        for row in connection.execute(query).mappings():
            record = {key: row[key] for key in ("id", *CLAIM_FIELDS) if key in row}
            record["as_of"] = row["as_of"].isoformat() if row["as_of"] else None
            record["reports"] = int(row["reports"])
            result.append(record)
        return overlay(result, corrections)

    def claims(self, **filters: Any) -> list[dict[str, Any]]:
        """Claims with every contract field, their id and their number of reports, as corrected.

        Keyword filters: see :class:`ClaimFilter` (``measure``, ``party``, ``role``,
        ``claimant``, ``since``, ``until``, ``doc``, ``ids``, ``include_rejected``, ``language``).
        """
        wanted = self.filter(**filters)
        if wanted.ids is not None and not wanted.ids:
            return []
        with self.engine.connect() as connection:
            where, corrections = self._where(connection, wanted)
            records = self._records(connection, where, corrections)
        # a corrected claim passed the filter as corrected; the rest pass it on their stored columns
        return [record for record in records if wanted.include_rejected or not record["rejected"]]

    def _documents_of(self, claim_id: int) -> set[str]:
        r, d = schema.reports.c, schema.documents.c
        query = select(d.name).join(schema.reports, r.document_id == d.id).where(r.claim_id == claim_id)
        with self.engine.connect() as connection:
            return {row.name for row in connection.execute(query)}

    def _languages_of(self, claim_id: int) -> set[str]:
        r, d = schema.reports.c, schema.documents.c
        query = select(d.language).join(schema.reports, r.document_id == d.id).where(r.claim_id == claim_id)
        with self.engine.connect() as connection:
            return {row.language for row in connection.execute(query)}

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

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first, with their counts and outcome."""
        runs = schema.runs.c
        with self.engine.connect() as connection:
            rows = connection.execute(select(schema.runs).order_by(runs.id.desc()).limit(limit)).mappings()
            return [dict(row) for row in rows]

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
        self, *, order: str = "id", limit: int = 50, offset: int = 0, count_key: Any = None, **filters: Any
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the claims :meth:`claims` lists (the same filters), and how many match.

        The filtering, counting and paging happen in the database, so a page of a large ledger
        costs a few index lookups rather than reading every claim. ``order`` is ``id`` or
        ``as_of`` (oldest first, undated last; ``-id`` and ``-as_of`` reverse; by the stored
        date, a corrected date does not move a claim). Each row also has ``number`` (the number
        as the document writes it) and ``number_offset`` (where it sits in ``evidence``, or None).

        ``count_key``, if given, names this query in a state (``(self.state(), filters)``): the
        count of matches, the one part that reads every matching row, is then kept for it.
        """
        c, d = schema.claims.c, schema.documents.c
        wanted = self.filter(**filters)
        if wanted.ids is not None and not wanted.ids:
            return [], 0
        sorts: dict[str, list[Any]] = {
            "id": [c.id],
            "-id": [c.id.desc()],
            "as_of": [c.as_of.is_(None), c.as_of, c.id],
            "-as_of": [c.as_of.is_(None), c.as_of.desc(), c.id.desc()],
        }
        sort = sorts.get(order)
        if sort is None:
            raise LedgerError(f"cannot order claims by {order!r}; use {', '.join(ORDERS)}")
        with self.engine.connect() as connection:
            where, corrections = self._where(connection, wanted)
            # the page's ids first, from the claims table and its indexes alone; then only those
            # rows are joined to their documents and counted in reports (an offset deep into a
            # large ledger skips ids, not joins), in one statement
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
            result.append(located(record, number))
        return overlay(result, corrections), total

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

    def claim_sources(self) -> dict[int, tuple[str | None, str, date | None]]:
        """Every claim's first document: (outlet, name, published), by claim id; for charts."""
        c, d = schema.claims.c, schema.documents.c
        query = select(c.id, d.outlet, d.name, d.published).join(schema.documents, d.id == c.document_id)
        with self.engine.connect() as connection:
            return {int(row.id): (row.outlet, row.name, row.published) for row in connection.execute(query)}

    def publications(self) -> dict[int, tuple[date | None, bool]]:
        """When each claim became public, by claim id: (the earliest ``published`` date of the
        articles that report it, whether a table reports it); a table row is public on its own date."""
        r, d = schema.reports.c, schema.documents.c
        query = (
            select(r.claim_id, d.kind, func.min(d.published).label("published"))
            .join(schema.documents, d.id == r.document_id)
            .group_by(r.claim_id, d.kind)
        )
        found: dict[int, tuple[date | None, bool]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                earliest, in_table = found.get(int(row.claim_id), (None, False))
                if row.kind == "table":
                    in_table = True
                elif row.published is not None:
                    earliest = row.published if earliest is None else min(earliest, row.published)
                found[int(row.claim_id)] = (earliest, in_table)
        return found

    def document(self, document_id: int) -> dict[str, Any]:
        """One document with its text and every claim report in it (``claim_id``, ``start``, ``end``).

        Raises:
            NotFoundError: no document has this id.
        """
        d, r = schema.documents.c, schema.reports.c
        query = select(
            d.id, d.name, d.kind, d.title, d.outlet, d.published, d.url, d.source, d.text, d.ingested_at
        ).where(d.id == document_id)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first() if 0 <= document_id <= schema.MAX_ID else None
            if row is None:
                raise NotFoundError(
                    f"there is no document {document_id}; `counterclaim documents` lists them"
                )
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
        """Documents whose title or text has every word of ``query``, best first, and how many
        (see :mod:`counterclaim.store.search`)."""
        from counterclaim.store.search import search_documents

        return search_documents(self.engine, query, limit=limit, offset=offset)
