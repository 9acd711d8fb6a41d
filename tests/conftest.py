"""Shared fixtures: the repository root, the shared corpora beside it, the built-in extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterclaim.extract import Extractor, default_extractor

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return default_extractor()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpora beside the project; tests that need them skip with a reason if absent."""
    if not (SHARED / "seed" / "gold.jsonl").exists():
        pytest.skip(f"{SHARED} is not beside the project (CI always has it)")
    return SHARED


POSTGRES_ENV = "COUNTERCLAIM_TEST_POSTGRES"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty database of each backend: a SQLite file, and a PostgreSQL database on the
    server `.ci/run` starts (its URL in COUNTERCLAIM_TEST_POSTGRES)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    import os
    import uuid

    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: .ci/run starts a PostgreSQL server and sets it")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
