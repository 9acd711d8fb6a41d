"""The ledger's storage: engines, tables, migrations, the one writer, and the queries that read it."""

from counterclaim.store.engine import default_database_url
from counterclaim.store.ledger import Ledger
from counterclaim.store.queries import ClaimFilter
from counterclaim.store.writer import Extracted, RunSummary, Writer, WriterThread, claim_key

__all__ = [
    "ClaimFilter",
    "Extracted",
    "Ledger",
    "RunSummary",
    "Writer",
    "WriterThread",
    "claim_key",
    "default_database_url",
]
