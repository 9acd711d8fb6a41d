"""The feeds a ledger follows and every entry they listed: added, listed, removed, polled, backed off.

Each write is one transaction under the ledger's write lock. An entry is known by its
canonical URL (unique): listed by two feeds, or twice, it is fetched once. An entry is
``pending`` from the moment its feed lists it until its page is stored (``stored``, or
``known`` when the same text was stored before), found to repeat another entry's page
(``duplicate``), skipped for good (``skipped``: no article, not English) or ``failed``
(retried with back-off until :data:`MAX_ATTEMPTS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, delete, func, insert, or_, select, update

from counterclaim.errors import FeedError
from counterclaim.store import schema
from counterclaim.store.bulk import one_of
from counterclaim.store.ledger import Ledger

#: A failing feed waits ``every`` × 2^failures, at most this long.
MAX_FEED_BACKOFF = timedelta(days=1)
#: A failed page is tried again after this × 2^(attempts-1), at most :data:`MAX_ATTEMPTS` times.
ENTRY_RETRY = timedelta(minutes=15)
MAX_ATTEMPTS = 5
#: A host's robots.txt is read again after this long (Google's cache keeps it a day).
ROBOTS_FRESH = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed the ledger follows, and how its last polls went."""

    id: int
    url: str
    name: str
    every: int
    kind: str | None
    etag: str | None
    last_modified: str | None
    next_due: datetime
    failures: int
    last_error_code: str | None
    last_error: str | None
    last_polled: datetime | None
    entries: int = 0
    stored: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in ((name, getattr(self, name)) for name in self.__slots__)
        }


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """An entry whose page is still to fetch: new, or failed before and due again."""

    id: int
    url: str
    link: str
    feed_id: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an entry: its outcome, the digest of the text stored, or the error."""

    entry_id: int
    outcome: str  # stored | known | duplicate | skipped | failed
    digest: str | None = None
    page_url: str | None = None
    error_code: str | None = None
    error: str | None = None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes (stored in UTC)
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _feed(row: Any, entries: int = 0, stored: int = 0) -> Feed:
    return Feed(
        int(row.id), row.url, row.name, int(row.every), row.kind, row.etag, row.last_modified,
        _aware(row.next_due) or datetime.now(UTC), int(row.failures or 0), row.last_error_code,
        row.last_error, _aware(row.last_polled), entries, stored,
    )  # fmt: skip


def add_feed(ledger: Ledger, url: str, name: str, every: int) -> tuple[Feed, bool]:
    """Follow a feed (due at once); a URL followed already gets the new name and period.

    Returns the feed and whether it is new.

    Raises:
        FeedError: another feed has that name.
    """
    f = schema.feeds.c
    now = datetime.now(UTC)
    with ledger.writer.lock.transaction() as connection:
        taken = connection.execute(select(f.url).where(f.name == name, f.url != url)).first()
        if taken is not None:
            raise FeedError(f"the name {name!r} is taken by {taken.url}; choose another with --name")
        existing = connection.execute(select(f.id).where(f.url == url)).first()
        if existing is None:
            connection.execute(
                insert(schema.feeds).values(
                    url=url, name=name, every=every, next_due=now, failures=0, added_at=now
                )
            )
        else:
            connection.execute(update(schema.feeds).where(f.id == existing.id).values(name=name, every=every))
        row = connection.execute(select(schema.feeds).where(f.url == url)).one()
    return _feed(row), existing is None


def list_feeds(ledger: Ledger) -> list[Feed]:
    """Every feed, by name, with how many entries it listed and how many were stored."""
    f, e = schema.feeds.c, schema.feed_entries.c
    with ledger.engine.connect() as connection:
        counts = {
            row.feed_id: (int(row.entries), int(row.stored or 0))
            for row in connection.execute(
                select(
                    e.feed_id,
                    func.count().label("entries"),
                    func.sum((e.outcome == "stored").cast(Integer)).label("stored"),
                ).group_by(e.feed_id)
            )
        }
        rows = connection.execute(select(schema.feeds).order_by(f.name)).all()
    return [_feed(row, *counts.get(row.id, (0, 0))) for row in rows]


def remove_feed(ledger: Ledger, key: str) -> Feed:
    """Stop following a feed (by name or URL); its documents and entries stay in the ledger.

    Raises:
        FeedError: no feed has that name or URL.
    """
    f = schema.feeds.c
    with ledger.writer.lock.transaction() as connection:
        row = connection.execute(select(schema.feeds).where(or_(f.name == key, f.url == key))).first()
        if row is None:
            raise FeedError(f"no feed is named or at {key!r}; see `counterclaim feeds list`")
        connection.execute(
            update(schema.feed_entries).where(schema.feed_entries.c.feed_id == row.id).values(feed_id=None)
        )
        connection.execute(delete(schema.feeds).where(f.id == row.id))
    return _feed(row)


def due_feeds(ledger: Ledger, now: datetime) -> list[Feed]:
    """The feeds whose next poll is due, the longest overdue first."""
    f = schema.feeds.c
    with ledger.engine.connect() as connection:
        rows = connection.execute(select(schema.feeds).where(f.next_due <= now).order_by(f.next_due, f.id))
        return [_feed(row) for row in rows]


def next_due(ledger: Ledger) -> datetime | None:
    """When the next feed is due (None: no feed)."""
    with ledger.engine.connect() as connection:
        return _aware(connection.execute(select(func.min(schema.feeds.c.next_due))).scalar())


def record_answer(
    ledger: Ledger,
    feed: Feed,
    now: datetime,
    *,
    kind: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    entries: Iterable[tuple[str, str, str | None]] = (),
) -> int:
    """A feed answered (304, or its entries as (canonical url, link, guid)): the entries not known
    are recorded ``pending``, and the feed's validators and next poll, in one transaction.

    Returns how many entries are new.
    """
    e = schema.feed_entries.c
    wanted: dict[str, tuple[str, str | None]] = {}
    for url, link, guid in entries:
        wanted.setdefault(url, (link, guid))
    with ledger.writer.lock.transaction() as connection:
        known: set[str] = set()
        urls = sorted(wanted)
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            for row in connection.execute(
                select(e.url, e.page_url).where(
                    or_(one_of(connection, e.url, chunk), one_of(connection, e.page_url, chunk))
                )
            ):
                known.update(value for value in (row.url, row.page_url) if value)
        rows = [
            {"feed_id": feed.id, "url": url, "link": link, "guid": guid, "first_seen": now,
             "attempts": 0, "next_try": now, "outcome": "pending"}
            for url, (link, guid) in wanted.items() if url not in known
        ]  # fmt: skip
        if rows:
            connection.execute(insert(schema.feed_entries), rows)
        values: dict[str, Any] = {
            "next_due": now + timedelta(seconds=feed.every), "failures": 0, "last_error_code": None,
            "last_error": None, "last_polled": now,
        }  # fmt: skip
        if kind is not None:  # a 304 keeps the validators and kind it had
            values.update(kind=kind, etag=etag, last_modified=last_modified)
        connection.execute(update(schema.feeds).where(schema.feeds.c.id == feed.id).values(**values))
    return len(rows)


def feed_backoff(every: int, failures: int) -> timedelta:
    """How long a feed that failed ``failures`` times in a row waits: ``every`` × 2^failures, capped."""
    wait: timedelta = timedelta(seconds=every) * (2 ** min(failures, 20))
    return min(wait, MAX_FEED_BACKOFF)


def record_failure(ledger: Ledger, feed: Feed, now: datetime, code: str, reason: str) -> datetime:
    """A feed failed: its error kept, its next poll put off (exponential back-off). Returns when."""
    failures = feed.failures + 1
    due = now + feed_backoff(feed.every, failures)
    with ledger.writer.lock.transaction() as connection:
        connection.execute(
            update(schema.feeds)
            .where(schema.feeds.c.id == feed.id)
            .values(
                failures=failures,
                next_due=due,
                last_error_code=code,
                last_error=reason[:2000],
                last_polled=now,
            )
        )
    return due


def pending_entries(ledger: Ledger, now: datetime) -> list[PendingEntry]:
    """The entries whose page is to fetch now: pending, or failed and due again; oldest first."""
    e = schema.feed_entries.c
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            select(e.id, e.url, e.link, e.feed_id, e.attempts)
            .where(e.outcome.in_(("pending", "failed")), e.next_try.is_not(None), e.next_try <= now)
            .order_by(e.id)
        )
        return [PendingEntry(int(r.id), r.url, r.link, r.feed_id, int(r.attempts)) for r in rows]


def stored_pages(ledger: Ledger, urls: Sequence[str]) -> set[str]:
    """Those of ``urls`` that are an entry (or the canonical page of one) already stored."""
    e = schema.feed_entries.c
    found: set[str] = set()
    with ledger.engine.connect() as connection:
        for start in range(0, len(urls), 500):
            chunk = list(urls[start : start + 500])
            rows = connection.execute(
                select(e.url, e.page_url).where(
                    e.outcome.in_(("stored", "known")),
                    or_(one_of(connection, e.url, chunk), one_of(connection, e.page_url, chunk)),
                )
            )
            found.update(value for row in rows for value in (row.url, row.page_url) if value in chunk)
    return found


def record_outcomes(
    connection: Connection, outcomes: Sequence[Outcome], attempts: dict[int, int], run_id: int, now: datetime
) -> None:
    """Record what became of entries, inside the transaction that wrote their documents."""
    d = schema.documents.c
    digests = sorted({o.digest for o in outcomes if o.digest})
    ids = {
        row.sha256: int(row.id)
        for row in connection.execute(select(d.id, d.sha256).where(one_of(connection, d.sha256, digests)))
    } if digests else {}  # fmt: skip
    rows = []
    for outcome in outcomes:
        tried = attempts.get(outcome.entry_id, 0) + 1
        retry = outcome.outcome == "failed" and tried < MAX_ATTEMPTS
        rows.append(
            {
                "entry": outcome.entry_id,
                "new_outcome": outcome.outcome,
                "new_attempts": tried,
                "new_next_try": now + ENTRY_RETRY * 2 ** (tried - 1) if retry else None,
                "new_page_url": outcome.page_url,
                "new_error_code": outcome.error_code,
                "new_error": outcome.error[:2000] if outcome.error else None,
                "new_document_id": ids.get(outcome.digest) if outcome.digest else None,
            }
        )
    if not rows:
        return
    e = schema.feed_entries.c
    # one statement, many parameter sets (executemany): a partition's entries at once
    connection.execute(
        update(schema.feed_entries)
        .where(e.id == bindparam("entry"))
        .values(
            outcome=bindparam("new_outcome"),
            attempts=bindparam("new_attempts"),
            next_try=bindparam("new_next_try"),
            page_url=bindparam("new_page_url"),
            error_code=bindparam("new_error_code"),
            error=bindparam("new_error"),
            document_id=bindparam("new_document_id"),
            run_id=run_id,
        ),
        rows,
    )


def known_robots(ledger: Ledger, now: datetime) -> dict[str, str]:
    """The robots.txt read less than :data:`ROBOTS_FRESH` ago, by host."""
    r = schema.robots.c
    with ledger.engine.connect() as connection:
        rows = connection.execute(select(r.host, r.text).where(r.fetched_at > now - ROBOTS_FRESH))
        return {row.host: row.text for row in rows}


def save_robots(ledger: Ledger, texts: dict[str, str], now: datetime) -> None:
    """Keep the robots.txt just read, for the polls of the next day."""
    if not texts:
        return
    r = schema.robots.c
    with ledger.writer.lock.transaction() as connection:
        connection.execute(delete(schema.robots).where(r.host.in_(sorted(texts))))
        connection.execute(
            insert(schema.robots),
            [{"host": host, "text": text, "fetched_at": now} for host, text in sorted(texts.items())],
        )


def new_claim_ids(ledger: Ledger, run_id: int) -> list[int]:
    """The claims a run added (first seen in one of the documents it stored)."""
    c, d = schema.claims.c, schema.documents.c
    with ledger.engine.connect() as connection:
        rows = connection.execute(
            select(c.id)
            .join(schema.documents, d.id == c.document_id)
            .where(d.run_id == run_id)
            .order_by(c.id)
        )
        return [int(row.id) for row in rows]


def entries(
    ledger: Ledger, *, feed: str | None = None, outcome: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest entries (of a feed, by name or URL; with an outcome), newest first.

    Raises:
        FeedError: no feed has that name or URL.
    """
    f, e = schema.feeds.c, schema.feed_entries.c
    query = (
        select(e.id, e.url, e.outcome, e.error_code, e.error, e.attempts, e.first_seen, e.next_try,
               e.document_id, f.name.label("feed"))
        .select_from(schema.feed_entries.outerjoin(schema.feeds, f.id == e.feed_id))
        .order_by(e.id.desc())
        .limit(limit)
    )  # fmt: skip
    with ledger.engine.connect() as connection:
        if feed is not None:
            found = connection.execute(select(f.id).where(or_(f.name == feed, f.url == feed))).first()
            if found is None:
                raise FeedError(f"no feed is named or at {feed!r}; see `counterclaim feeds list`")
            query = query.where(e.feed_id == found.id)
        if outcome is not None:
            query = query.where(e.outcome == outcome)
        return [
            {
                key: _aware(value) if isinstance(value, datetime) else value
                for key, value in row._mapping.items()
            }
            for row in connection.execute(query)
        ]
