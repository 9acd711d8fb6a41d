"""The ledger's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
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
    Column("language", String(12), nullable=False, server_default="en"),  # ISO 639-1: en, ru, uk, ar, es, fr
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

# -- estimate history and alerts (migration 8; see docs/alerts.md) ------------------------------
estimates = Table(
    "estimates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_id", Text, nullable=False),
    Column("kind", String(10), nullable=False),  # latest (the latest claim's day) | day (a day asked for)
    Column("as_of", Date, nullable=False),
    Column("low", Float, nullable=False),
    Column("best", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("model", String(80), nullable=False),
    Column("model_version", String(40), nullable=False),
    Column("n_claims", Integer, nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 of the claims used: ids, claimants, numbers, days
    Column("claim_ids", Text, nullable=False),  # JSON list of the ids of the claims used
    Column("computed_at", DateTime(timezone=True), nullable=False),
)
Index("estimates_series", estimates.c.series_id, estimates.c.id)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("series_id", Text, nullable=False),
    Column("cause", String(500), nullable=False, unique=True),  # an alert fires once per cause
    Column("claim_id", Integer),  # no foreign key: the alert outlives a claim re-extraction deletes
    Column("before_id", Integer, ForeignKey("estimates.id")),
    Column("after_id", Integer, ForeignKey("estimates.id"), nullable=False),
    Column("payload", Text, nullable=False),  # the alert as delivered (JSON)
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("alerts_series", alerts.c.series_id, alerts.c.id)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("channel", String(20), nullable=False),  # webhook | email
    Column("status", String(20), nullable=False),  # pending | sending | sent | failed (gave up)
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("alert_id", "channel", name="deliveries_once"),
)
Index("deliveries_due", deliveries.c.status, deliveries.c.next_attempt)

alert_marks = Table(
    "alert_marks",
    metadata,
    Column("series_id", Text, primary_key=True),
    Column("estimate_id", Integer, ForeignKey("estimates.id"), nullable=False),  # the last one evaluated
    Column("correction_id", Integer, nullable=False),  # the last correction evaluated
)
feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("every", Integer, nullable=False),  # seconds between polls
    Column("kind", String(20)),  # rss | atom | sitemap, as last read
    Column("etag", Text),  # the validators of the last answer, sent back as a conditional GET
    Column("last_modified", Text),
    Column("next_due", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False, default=0),  # in a row: the back-off grows with them
    Column("last_error_code", String(10)),
    Column("last_error", Text),
    Column("last_polled", DateTime(timezone=True)),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),  # the feed that listed it first
    Column("url", Text, nullable=False, unique=True),  # canonical: no tracking parameters, no AMP
    Column("link", Text, nullable=False),  # as the feed gave it
    Column("guid", Text),
    Column("page_url", Text),  # the canonical URL the page itself declares, when another
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try", DateTime(timezone=True)),  # a pending or failed entry is fetched once this is past
    # pending | stored | known (its text was stored already) | duplicate | skipped | failed
    Column("outcome", String(20), nullable=False),
    Column("error_code", String(10)),
    Column("error", Text),
    Column("document_id", Integer, ForeignKey("documents.id")),
    Column("run_id", Integer, ForeignKey("runs.id")),
)
robots = Table(
    "robots",
    metadata,
    Column("host", String(300), primary_key=True),  # scheme://host[:port]
    Column("text", Text, nullable=False),  # the robots.txt ("" when it has none)
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)
Index("feed_entries_due", feed_entries.c.outcome, feed_entries.c.next_try)
Index("feed_entries_page", feed_entries.c.page_url)

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
