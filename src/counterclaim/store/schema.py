"""The ledger's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData()
#: The largest id a row can have: the id columns are INTEGER, 32 bits on PostgreSQL (a larger one
#: in a query is an error there, not a row that is missing).
MAX_ID = 2**31 - 1

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),  # of the text: a document is stored once
    Column("name", Text, nullable=False),  # the file name or id it came with
    Column("title", Text),
    Column("url", Text),
    Column("outlet", Text),
    Column("published", Date),
    Column("source", Text, nullable=False),  # where it was read from
    Column("text", Text, nullable=False),
    Column("encoding", String(40)),  # what the bytes were decoded from (utf-8, cp1252, ...)
    Column("kind", String(20), nullable=False, server_default="article"),  # article | table
    Column("language", String(12), nullable=False, server_default="en"),  # ISO 639-1: en, ru, uk, ar
    Column("extractor", String(80), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),  # claimant|measure|party|role|low|high|value; see claim_key
    Column("measure", String(40), nullable=False),
    Column("qualifier", String(20), nullable=False),
    Column("value", BigInteger),
    Column("low", BigInteger),
    Column("high", BigInteger),
    Column("unit", String(20), nullable=False),
    Column("subject", Text, nullable=False),
    Column("subject_party", Text),
    Column("subject_role", String(20), nullable=False),
    Column("claimant", Text),
    Column("claimant_text", Text),
    Column("scope", String(20), nullable=False),
    Column("as_of", Date),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),  # first seen in
    Column("evidence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("extractor", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("claims_key", claims.c.key, claims.c.as_of)
# the listings' filters and orders (migration 5; lower(): parties and claimants match in any case)
Index("claims_measure", claims.c.measure, claims.c.id)
Index("claims_as_of", claims.c.as_of, claims.c.id)
Index("claims_party", func.lower(claims.c.subject_party), claims.c.subject_role)
Index("claims_claimant", func.lower(claims.c.claimant), claims.c.as_of)
Index("claims_document", claims.c.document_id)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    UniqueConstraint("claim_id", "document_id", "start", name="reports_once"),
)
Index("reports_document", reports.c.document_id)

actors = Table(
    "actors",
    metadata,
    Column("name", Text, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("side", Text),
    Column("is_party", Integer, nullable=False),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False),
    Column("field", String(40), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("note", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("documents_read", Integer, nullable=False, default=0),
    Column("documents_new", Integer, nullable=False, default=0),
    Column("claims_new", Integer, nullable=False, default=0),
    Column("reports_new", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    # running | ok | partial | failed | interrupted | abandoned (its process died)
    Column("status", String(20), nullable=False, default="running"),
    Column("host", Text),  # the machine and process running it: a dead one's run is abandoned
    Column("pid", Integer),
    Column("message", Text),  # why it failed or was interrupted
)

input_errors = Table(
    "input_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("code", String(10), nullable=False),
    Column("reason", Text, nullable=False),
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def max_length(table: Table, name: str) -> int:
    """The most characters a VARCHAR column holds: PostgreSQL refuses a longer value (SQLite keeps it)."""
    kind = table.c[name].type
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{table.name}.{name} is not a VARCHAR column")
    return kind.length
