"""Ordered, named schema migrations; the database records which ones it has."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select, text

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


#: Append only: a released migration is never edited, a change gets a new number.
MIGRATIONS: list[Migration] = [
    (1, "initial tables: documents, claims, reports, actors, corrections, runs, input_errors", _initial),
    (2, "documents.encoding: what a document's bytes were decoded from", _document_encoding),
    (3, "documents.kind (article or imported table); claims.measure up to 40 characters", _document_kind),
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
