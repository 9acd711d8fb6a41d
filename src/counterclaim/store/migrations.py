"""Ordered, named schema migrations; the database records which ones it has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.schema import CreateIndex

from counterclaim.store import schema

Migration = tuple[int, str, Callable[[Connection], None]]


def _initial(connection: Connection) -> None:
    schema.metadata.create_all(connection, checkfirst=True)


def _document_encoding(connection: Connection) -> None:
    # a database made by this version already has the column (the initial tables are today's)
    if "encoding" not in {column["name"] for column in inspect(connection).get_columns("documents")}:
        connection.execute(text("ALTER TABLE documents ADD COLUMN encoding VARCHAR(40)"))


def _document_kind(connection: Connection) -> None:
    if "kind" not in {column["name"] for column in inspect(connection).get_columns("documents")}:
        connection.execute(
            text("ALTER TABLE documents ADD COLUMN kind VARCHAR(20) NOT NULL DEFAULT 'article'")
        )
    if connection.dialect.name == "postgresql":  # SQLite does not enforce VARCHAR lengths
        connection.execute(text("ALTER TABLE claims ALTER COLUMN measure TYPE VARCHAR(40)"))


#: PostgreSQL indexes the first this many characters of a document: a tsvector is at most 1 MB,
#: and an article is at most 10 MB (SQLite's FTS5 has no such limit and indexes all of it).
PG_FTS_CHARACTERS = 200_000


def pg_fts_document(title: str, body: str) -> str:
    """The SQL expression PostgreSQL indexes and searches, the same in the index and the query."""
    return f"to_tsvector('simple', coalesce({title}, '') || ' ' || left({body}, {PG_FTS_CHARACTERS}))"


def _documents_fts(connection: Connection) -> None:
    # Full-text search of documents (the dashboard's search page and /api/documents?q=).
    # SQLite: an FTS5 table over documents' title and text, kept in step by triggers (documents
    # are written once and never updated, but a delete is followed too); PostgreSQL: a GIN
    # expression index, which the database keeps in step itself.
    if connection.dialect.name == "postgresql":
        indexed = pg_fts_document("title", "text")
        connection.execute(
            text(f"CREATE INDEX IF NOT EXISTS documents_fts ON documents USING gin ({indexed})")
        )
        return
    for statement in (
        "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
        "title, text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN "
        "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
        "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN "
        "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN "
        "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
        "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",  # the documents stored before
    ):
        connection.execute(text(statement))


def _listing_indexes(connection: Connection) -> None:
    # the indexes of the claim listings' filters and orders (schema.py declares them for new ledgers)
    for index in schema.claims.indexes:
        if index.name != "claims_key":  # (reflecting expression indexes to check for them warns)
            connection.execute(CreateIndex(index, if_not_exists=True))


def _run_process(connection: Connection) -> None:
    have = {column["name"] for column in inspect(connection).get_columns("runs")}
    for name, kind in (("host", "TEXT"), ("pid", "INTEGER"), ("message", "TEXT")):
        if name not in have:
            connection.execute(text(f"ALTER TABLE runs ADD COLUMN {name} {kind}"))


def _feeds(connection: Connection) -> None:
    # a ledger made by this version already has them (the initial tables are today's)
    for table in (schema.feeds, schema.feed_entries, schema.robots):
        table.create(connection, checkfirst=True)
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))


def _estimates_and_alerts(connection: Connection) -> None:
    # (a database made by this version has them already: the initial tables are today's)
    for table in (schema.estimates, schema.alerts, schema.deliveries, schema.alert_marks):
        table.create(connection, checkfirst=True)
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))


def _document_language(connection: Connection) -> None:
    if "language" not in {column["name"] for column in inspect(connection).get_columns("documents")}:
        # every document stored before was English: the language screen skipped the rest
        connection.execute(
            text("ALTER TABLE documents ADD COLUMN language VARCHAR(12) NOT NULL DEFAULT 'en'")
        )


#: Append only: a released migration is never edited, a change gets a new number.
MIGRATIONS: list[Migration] = [
    (1, "initial tables: documents, claims, reports, actors, corrections, runs, input_errors", _initial),
    (2, "documents.encoding: what a document's bytes were decoded from", _document_encoding),
    (3, "documents.kind (article or imported table); claims.measure up to 40 characters", _document_kind),
    (4, "full-text search of documents: FTS5 table on SQLite, GIN index on PostgreSQL", _documents_fts),
    (
        5,
        "indexes for the claim listings: measure, as-of day, party and claimant (any case), document",
        _listing_indexes,
    ),
    (6, "runs.host, runs.pid and runs.message: a run whose process died is marked abandoned", _run_process),
    (
        7,
        "feeds, feed_entries, robots: the feeds polled, their back-off, each entry once, robots.txt read",
        _feeds,
    ),
    (
        8,
        "estimate history and alerts: estimates (append only), alerts, deliveries, alert_marks",
        _estimates_and_alerts,
    ),
    (
        9,
        "documents.language: the ISO 639-1 code of a document's language ('en' for those stored before)",
        _document_language,
    ),
]


def applied(connection: Connection) -> set[int]:
    """The migrations this database has."""
    if not inspect(connection).has_table("schema_version"):
        return set()
    return {row.version for row in connection.execute(select(schema.schema_version.c.version))}


def migrate(connection: Connection) -> list[int]:
    """Apply every migration the database lacks, in order; returns the ones applied."""
    schema.schema_version.create(connection, checkfirst=True)
    done = applied(connection)
    newly = []
    for version, name, apply in MIGRATIONS:
        if version in done:
            continue
        apply(connection)
        connection.execute(
            schema.schema_version.insert().values(version=version, name=name, applied_at=datetime.now(UTC))
        )
        newly.append(version)
    return newly
