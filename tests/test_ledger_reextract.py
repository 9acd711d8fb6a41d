"""`reextract`: a newer extractor over the stored texts, every correction kept; and Parquet output."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from counterclaim.ingest import pipeline
from counterclaim.models import Document
from counterclaim.store import Ledger, schema

ARTICLES = [
    Document("a.txt", "Ukraine says 19,000 Russian soldiers have been killed.", date(2022, 4, 7), "Outlet A"),
    Document(
        "b.txt", "At least 12 civilians were killed in Kharkiv on Monday, officials said.", date(2022, 4, 7)
    ),
    Document(
        "c.txt", "The UN said 1,417 civilians had been killed in Ukraine since February 24.", date(2022, 4, 7)
    ),
]


@pytest.fixture
def ledger(database_url: str):
    opened = Ledger.open(database_url)
    yield opened
    opened.engine.dispose()


def _plant_old_false_alarm(ledger: Ledger, document_name: str, value: int) -> int:
    """A claim an older extractor made of a document and the current one does not."""
    c, d = schema.claims.c, schema.documents.c
    with ledger.engine.begin() as connection:
        document_id = connection.execute(select(d.id).where(d.name == document_name)).scalar_one()
        claim_id = connection.execute(
            insert(schema.claims).returning(c.id),
            [
                {
                    "key": f"old|{value}",
                    "measure": "killed",
                    "qualifier": "exact",
                    "value": value,
                    "low": value,
                    "high": value,
                    "unit": "people",
                    "subject": "people",
                    "subject_role": "unspecified",
                    "scope": "unknown",
                    "document_id": document_id,
                    "evidence": "(an old extractor's reading)",
                    "start": 0,
                    "end": 2,
                    "extractor": "counterclaim.rules.v0",
                    "created_at": datetime.now(UTC),
                }
            ],
        ).scalar_one()
        connection.execute(
            insert(schema.reports).values(
                claim_id=claim_id, document_id=document_id, evidence="x", start=0, end=2
            )
        )
    return int(claim_id)


def test_reextract_keeps_corrections_and_replaces_what_the_old_extractor_found(ledger: Ledger):
    pipeline.ingest(ledger, ARTICLES)
    fresh_counts = ledger.counts()
    by_value = {claim["value"]: claim for claim in ledger.claims()}
    ledger.correct(
        by_value[19000]["id"], {"claimant": "Ukraine General Staff"}, note="it was the staff", by="ana"
    )
    ledger.correct(by_value[12]["id"], {"rejected": "true"}, note="a duplicate", by="ana")
    stray = _plant_old_false_alarm(ledger, "a.txt", 4)
    vouched = _plant_old_false_alarm(ledger, "b.txt", 7)
    ledger.correct(vouched, {"measure": "wounded"}, note="it was the wounded", by="ana")
    with ledger.engine.begin() as connection:  # every document was read by an older extractor
        connection.execute(update(schema.documents).values(extractor="counterclaim.rules.v0"))

    summary = pipeline.reextract(ledger, batch_size=2)

    assert summary.documents_read == 3 and summary.claims_new == 0
    assert summary.claims_removed == 1 and summary.claims_kept == 1
    claims = {claim["id"]: claim for claim in ledger.claims(include_rejected=True)}
    assert stray not in claims  # the old false alarm nobody vouched for is gone
    assert claims[vouched]["measure"] == "wounded" and claims[vouched]["reports"] == 0  # kept: corrected
    assert claims[by_value[19000]["id"]]["claimant"] == "Ukraine General Staff"  # same id, correction on it
    assert claims[by_value[12]["id"]]["rejected"] is True
    after = ledger.counts()
    assert after["claims"] == fresh_counts["claims"] + 1 and after["reports"] == fresh_counts["reports"]
    assert after["corrections"] == 3

    nothing_left = pipeline.reextract(ledger)  # every document is current now
    assert nothing_left.documents_read == 0
    forced = pipeline.reextract(ledger, everything=True)
    assert forced.documents_read == 3 and forced.claims_new == 0 and forced.claims_removed == 0
    assert ledger.counts() == {**after, "runs": after["runs"] + 2}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "counterclaim", *args], capture_output=True, cwd=cwd, timeout=120
    )


@pytest.mark.slow
def test_claims_and_export_write_parquet_with_typed_columns(tmp_path: Path):
    pq = pytest.importorskip("pyarrow.parquet")
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    pipeline.ingest(ledger, ARTICLES)
    expected = ledger.claims()
    ledger.engine.dispose()
    exported = _cli("export", "claims.parquet", "--format", "parquet", "--db", "ledger.db", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    piped = _cli("claims", "--format", "parquet", "--db", "ledger.db", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    (tmp_path / "piped.parquet").write_bytes(piped.stdout)
    for name in ("claims.parquet", "piped.parquet"):
        table = pq.read_table(tmp_path / name)
        assert str(table.schema.field("value").type) == "int64"
        assert str(table.schema.field("as_of").type) == "date32[day]"
        rows = table.to_pylist()
        assert [(r["id"], r["value"], r["claimant"], r["reports"]) for r in rows] == [
            (e["id"], e["value"], e["claimant"], e["reports"]) for e in expected
        ]
        assert rows[0]["as_of"] == date.fromisoformat(expected[0]["as_of"])


@pytest.mark.slow
def test_reading_commands_refuse_a_missing_ledger(tmp_path: Path):
    result = _cli("claims", "--db", "nowhere.db", cwd=tmp_path)
    assert result.returncode == 1
    assert b"there is no ledger at nowhere.db" in result.stderr and b"Traceback" not in result.stderr
    assert not (tmp_path / "nowhere.db").exists()
