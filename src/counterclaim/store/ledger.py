"""The ledger: documents stored once, their claims deduplicated across outlets, every run recorded.

A :class:`Ledger` is the reading half (:class:`~counterclaim.store.queries.LedgerQueries`) and
its one :class:`~counterclaim.store.writer.Writer`; see docs/ledger.md and docs/architecture.md.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from counterclaim.actor_files import load_registry
from counterclaim.actors import ActorRegistry
from counterclaim.errors import CounterclaimError, LedgerError
from counterclaim.store.corrections import checked
from counterclaim.store.engine import check_exists, database_url, make_engines, shown
from counterclaim.store.estimates import EstimateQueries
from counterclaim.store.queries import LedgerQueries
from counterclaim.store.writer import Writer

log = logging.getLogger(__name__)


class Ledger(LedgerQueries, EstimateQueries):
    """A provenance-tracked store of claims in SQLite or PostgreSQL.

    Example:
        >>> ledger = Ledger.open("sqlite:///:memory:")
        >>> ledger.counts()["claims"]
        0
    """

    def __init__(
        self, engine: Engine, *, registry: ActorRegistry | None = None, write_engine: Engine | None = None
    ) -> None:
        super().__init__(engine, registry or load_registry())
        self.writer = Writer(write_engine or engine, self.registry)

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
        if not create:
            check_exists(url)
        try:
            reader, writer = make_engines(url, connections=connections)
            ledger = cls(reader, registry=registry, write_engine=writer)
            ledger.writer.prepare()
        except CounterclaimError:
            raise
        except Exception as error:
            # the driver's message alone: SQLAlchemy appends the statement and its parameters
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise LedgerError(f"cannot open the ledger at {shown(url)}: {reason}") from error
        log.debug("ledger open at %s", shown(url))
        return ledger

    def correct(self, claim_id: int, changes: dict[str, Any], *, note: str, by: str) -> int:
        """Record an analyst's correction of a claim; the extraction itself is never overwritten.

        ``changes`` maps a field (``claimant``, ``measure``, ``value``, ``as_of``, ``rejected``, or
        any contract field) to its new value, checked before anything is stored. Returns how many
        fields changed.

        Raises:
            CorrectionError: a field is unknown, a value does not fit its field, or no note is given.
            NotFoundError: the claim does not exist.
        """
        from counterclaim.errors import CorrectionError

        if not note or not note.strip():
            raise CorrectionError("a correction needs a note saying why (--note)")
        current = self.claim(claim_id, include_rejected=True)
        stored = checked(changes, current)
        return self.writer.correct(
            claim_id,
            stored,
            note=note,
            by=by,
            current=lambda: self.claim(claim_id, include_rejected=True),
        )
