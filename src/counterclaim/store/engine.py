"""Database engines for a ledger: where it is, how SQLite is tuned, and the write lock every writer takes."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from counterclaim.errors import LedgerError, NotALedgerError

DEFAULT_DATABASE = "counterclaim.db"
#: How much of a SQLite ledger is read through a memory map.
SQLITE_MMAP_BYTES = 1024 * 1024 * 1024
#: How long a writer waits for another process's write to finish before giving up, in seconds.
WRITE_WAIT_SECONDS = 300.0
#: The PostgreSQL advisory lock a ledger's writers share (any constant: one ledger per database).
PG_WRITE_LOCK = 0x6C6564676572  # "ledger"


def default_database_url() -> str:
    """``COUNTERCLAIM_DB`` if set, else a SQLite file ``counterclaim.db`` in the working folder."""
    return os.environ.get("COUNTERCLAIM_DB") or f"sqlite:///{DEFAULT_DATABASE}"


def database_url(target: str | None) -> URL:
    """A database URL from a URL or a bare file path (which means a SQLite file)."""
    text_url = target or default_database_url()
    if "://" not in text_url:
        text_url = f"sqlite:///{text_url}"
    try:
        return make_url(text_url)
    except Exception as error:  # SQLAlchemy raises ArgumentError for malformed URLs
        raise LedgerError(f"{text_url!r} is not a database URL or a file path") from error


def shown(url: URL) -> str:
    """A URL as it may be printed: the password hidden."""
    return url.render_as_string(hide_password=True)


def is_in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def check_exists(url: URL) -> None:
    """A SQLite file that is not there is an error for commands that only read."""
    if url.get_backend_name() == "sqlite" and not is_in_memory(url) and not Path(url.database or "").exists():
        raise LedgerError(
            f"there is no ledger at {url.database}; make one with `counterclaim ingest`, or give --db"
        )


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the single writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # pages read through the OS's cache, shared by every connection, instead of each
    # connection's own small cache filled again by every new connection of a pool
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_manual_transactions(dbapi_connection: Any, _: Any) -> None:
    # the driver's own implicit BEGIN (deferred) is turned off, so the writer's BEGIN IMMEDIATE
    # is the transaction: the write lock is taken before anything is read, not at the first write
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engines(url: URL, *, connections: int | None = None) -> tuple[Engine, Engine]:
    """The engine readers use and the one the writer uses (the same one on PostgreSQL).

    SQLite's writer engine opens every transaction with ``BEGIN IMMEDIATE``: two processes (or
    threads) writing to one file wait their turn for up to :data:`WRITE_WAIT_SECONDS` instead of
    failing, and whatever a write reads (the largest id, the claims a new one repeats) is read
    under the lock it writes with.
    """
    if url.get_backend_name() != "sqlite":
        pool = {"pool_size": connections, "max_overflow": connections} if connections else {}
        engine = create_engine(url, pool_pre_ping=True, **pool)
        return engine, engine
    if is_in_memory(url):
        # one connection for both: an in-memory database exists only inside its connection
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine, engine
    pool = {"pool_size": connections, "max_overflow": connections} if connections else {}
    reader = create_engine(url, **pool)
    event.listen(reader, "connect", _sqlite_pragmas)
    writer = create_engine(url, connect_args={"timeout": WRITE_WAIT_SECONDS}, pool_size=1, max_overflow=4)
    event.listen(writer, "connect", _sqlite_pragmas)
    event.listen(writer, "connect", _sqlite_manual_transactions)
    event.listen(writer, "begin", _sqlite_begin_immediate)
    return reader, writer


def remove_sqlite_ledger(path: Path) -> None:
    """Remove an earlier SQLite ledger at ``path`` (with its WAL files); refuse to touch any other file."""
    if not path.exists():
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            is_ledger = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
    except sqlite3.DatabaseError:
        is_ledger = None
    if not is_ledger:
        raise NotALedgerError(f"{path} exists and is not a counterclaim ledger; give another path")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class WriteLock:
    """The ledger's write lock: held by one transaction at a time, across threads and processes.

    Threads of one process queue on a plain lock first (cheaper than SQLite's busy polling);
    processes then queue on the database: ``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped
    advisory lock on PostgreSQL.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._threads = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction holding the lock: committed on success, rolled back on any error."""
        with self._threads, self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
            yield connection
