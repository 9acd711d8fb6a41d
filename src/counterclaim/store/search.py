"""Full-text search of the ledger's documents: SQLite's FTS5 table or PostgreSQL's text index."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Engine, column, func, literal_column, select, table

from counterclaim.store import schema
from counterclaim.store.migrations import pg_fts_document

#: The words of a search query (letters and digits of any script).
_WORD = re.compile(r"\w+", re.UNICODE)


def search_documents(
    engine: Engine, query: str, *, limit: int = 20, offset: int = 0
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
    if engine.dialect.name == "postgresql":
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
    with engine.connect() as connection:
        total = int(connection.execute(count).scalar_one())
        rows = connection.execute(base.limit(limit).offset(offset)).mappings().all()
    return [dict(row) for row in rows], total
