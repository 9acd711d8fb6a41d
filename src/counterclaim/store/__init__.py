"""The ledger's storage: SQLAlchemy Core tables, migrations, and the Ledger that writes them."""

from counterclaim.store.ledger import Ledger, RunSummary, claim_key, default_database_url

__all__ = ["Ledger", "RunSummary", "claim_key", "default_database_url"]
