"""The ledger on a real SQLite file: stored once, deduplicated across outlets, every run recorded."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from counterclaim.errors import EmptyInputError
from counterclaim.ingest import pipeline
from counterclaim.models import Document
from counterclaim.store import Ledger
from counterclaim.store.migrations import MIGRATIONS

SEED_LIKE = "Ukraine says 19,000 Russian soldiers have been killed."


@pytest.fixture
def ledger(database_url: str):
    opened = Ledger.open(database_url)
    yield opened
    opened.engine.dispose()


def doc(name: str, text: str, published: str = "2022-04-07", outlet: str = "Outlet") -> Document:
    return Document(id=name, text=text, published=date.fromisoformat(published), outlet=outlet)


def test_ledger_syndicated_claim_is_one_claim_with_three_reports(ledger: Ledger):
    articles = [
        doc("a.txt", f"Headline A\n\n{SEED_LIKE} Other news followed.", outlet="Al Jazeera"),
        doc("b.txt", f"Headline B\n\nIn Kyiv, {SEED_LIKE}", outlet="Reuters"),
        doc("c.txt", f"{SEED_LIKE} The Kremlin did not comment.", outlet="BBC"),
    ]
    summary = pipeline.ingest(ledger, articles)
    assert (summary.documents_new, summary.claims_new, summary.reports_new) == (3, 1, 3)
    [claim] = ledger.claims()
    assert (claim["value"], claim["claimant"], claim["reports"]) == (19000, "Ukraine", 3)


@pytest.mark.parametrize(
    ("second", "published", "same"),
    [
        ("Ukraine says 19,000 Russian soldiers have been killed.", "2022-04-08", True),  # a day apart
        ("Ukraine says 19,000 Russian soldiers have been killed.", "2022-04-10", False),  # three days apart
        ("Russia says 19,000 Russian soldiers have been killed.", "2022-04-07", False),  # another claimant
        ("Ukraine says 19,000 Russian soldiers have been wounded.", "2022-04-07", False),  # another measure
        ("Ukraine says 19,000 Ukrainian soldiers have been killed.", "2022-04-07", False),  # another party
        ("Ukraine says 19,500 Russian soldiers have been killed.", "2022-04-07", False),  # another number
        ("Kyiv says 19,000 Russian soldiers have been killed.", "2022-04-07", True),  # an alias of Ukraine
    ],
)
def test_ledger_dedup_near_misses(ledger: Ledger, second: str, published: str, same: bool):
    pipeline.ingest(ledger, [doc("a.txt", SEED_LIKE), doc("b.txt", second + " ", published=published)])
    assert len(ledger.claims()) == (1 if same else 2)


def test_ledger_ingesting_twice_changes_nothing(ledger: Ledger, database_url: str):
    articles = [
        doc(f"{i}.txt", f"Report {i}: at least {10 + i} civilians were killed in Kharkiv.") for i in range(5)
    ]
    pipeline.ingest(ledger, articles)
    before = ledger.counts()
    again = pipeline.ingest(ledger, articles)
    after = ledger.counts()
    assert again.documents_new == 0 and again.claims_new == 0
    assert {k: v for k, v in after.items() if k != "runs"} == {k: v for k, v in before.items() if k != "runs"}
    assert after["runs"] == before["runs"] + 1
    reopened = Ledger.open(database_url)  # migrations are not applied twice
    assert reopened.counts()["schema_version"] == len(MIGRATIONS)
    reopened.engine.dispose()


def test_ledger_input_errors_are_recorded_with_the_run(ledger: Ledger):
    summary = pipeline.ingest(
        ledger, [EmptyInputError("empty.txt", "the file is empty"), doc("a.txt", SEED_LIKE)]
    )
    assert summary.status == "partial"
    assert ledger.counts()["input_errors"] == 1
    assert ledger.counts()["documents"] == 1


def test_ledger_sqlite_runs_in_wal_mode(tmp_path: Path):
    ledger = Ledger.open(str(tmp_path / "wal.db"))
    with ledger.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counterclaim", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.slow
def test_ledger_cli_ingest_claims_documents(tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(SEED_LIKE)
    (tmp_path / "in" / "b.txt").write_text("Kyiv says 19,000 Russian soldiers have been killed. More later.")
    (tmp_path / "in" / "empty.txt").write_text("")
    result = _cli("ingest", "in", "--published", "2022-04-07", "--db", "ledger.db", cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # partial: one empty file
    assert "empty.txt" in result.stderr and "Traceback" not in result.stderr
    rows = [
        json.loads(line)
        for line in _cli("claims", "--db", "ledger.db", "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
    ]
    assert [(r["value"], r["reports"]) for r in rows] == [(19000, 2)]
    assert {"id", "reports", "measure", "claimant", "as_of", "evidence"} <= set(rows[0])
    listing = _cli("documents", "--db", "ledger.db", "--format", "jsonl", cwd=tmp_path)
    assert len(listing.stdout.splitlines()) == 2
    again = _cli("ingest", "in", "--published", "2022-04-07", "--db", "ledger.db", "--quiet", cwd=tmp_path)
    assert again.returncode == 3
    rows = [
        json.loads(line)
        for line in _cli("claims", "--db", "ledger.db", "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
    ]
    assert [(r["value"], r["reports"]) for r in rows] == [(19000, 2)]


@pytest.mark.slow
def test_ledger_bad_database_url_is_one_line(tmp_path: Path):
    result = _cli("claims", "--db", "nosuchdb://x", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("counterclaim: error: [E401]") and "Traceback" not in result.stderr


def test_ledger_corrections_are_an_audited_overlay(ledger: Ledger):
    pipeline.ingest(ledger, [doc("a.txt", SEED_LIKE)])
    [claim] = ledger.claims()
    assert (
        ledger.correct(claim["id"], {"claimant": "Ukraine General Staff"}, note="the GS said it", by="ana")
        == 1
    )
    assert ledger.claims()[0]["claimant"] == "Ukraine General Staff"
    assert ledger.claims(claimant="Ukraine General Staff")[0]["corrected"] is True
    assert ledger.claims(claimant="Ukraine") == []  # every view uses the corrected claim
    ledger.correct(claim["id"], {"rejected": "true"}, note="not a claim", by="ben")
    assert ledger.claims() == []
    assert ledger.claim(claim["id"], include_rejected=True)["rejected"] is True
    trail = ledger.history(claim["id"])
    assert [(t["field"], t["before"], t["after"], t["by"]) for t in trail] == [
        ("claimant", "Ukraine", "Ukraine General Staff", "ana"),
        ("rejected", "False", "true", "ben"),
    ]
    with ledger.engine.connect() as connection:  # the extraction itself is untouched
        assert connection.exec_driver_sql("SELECT claimant FROM claims").scalar() == "Ukraine"


@pytest.mark.parametrize(
    ("changes", "note", "message"),
    [
        ({"claimant": "X"}, " ", "needs a note"),
        ({"colour": "red"}, "why", "cannot correct colour"),
    ],
)
def test_ledger_bad_corrections_are_refused(ledger: Ledger, changes, note, message):
    from counterclaim.errors import LedgerError

    pipeline.ingest(ledger, [doc("a.txt", SEED_LIKE)])
    with pytest.raises(LedgerError, match=message):
        ledger.correct(ledger.claims()[0]["id"], changes, note=note, by="ana")
    with pytest.raises(LedgerError, match="there is no claim 999"):
        ledger.history(999)


@pytest.mark.slow
def test_ledger_cli_correct_history_show(tmp_path: Path):
    (tmp_path / "a.txt").write_text(SEED_LIKE)
    assert (
        _cli("ingest", "a.txt", "--published", "2022-04-07", "--db", "l.db", "-q", cwd=tmp_path).returncode
        == 0
    )
    corrected = _cli(
        "correct",
        "1",
        "--value",
        "19500",
        "--note",
        "typo in the source",
        "--by",
        "ana",
        "--db",
        "l.db",
        cwd=tmp_path,
    )
    assert corrected.returncode == 0, corrected.stderr
    shown = _cli("show", "1", "--db", "l.db", cwd=tmp_path)
    assert shown.returncode == 0 and "19,500" in shown.stdout and "Ukraine says" in shown.stdout
    assert "(corrected)" in shown.stdout
    trail = _cli("history", "1", "--db", "l.db", cwd=tmp_path)
    assert "typo in the source" in trail.stdout and "19000" in trail.stdout
    missing = _cli("show", "7", "--db", "l.db", cwd=tmp_path)
    assert (
        missing.returncode == 1
        and "there is no claim 7" in missing.stderr
        and "Traceback" not in missing.stderr
    )


def test_ledger_filters_by_date_and_document(ledger: Ledger):
    pipeline.ingest(
        ledger,
        [
            doc("a.txt", SEED_LIKE, published="2022-04-07"),
            doc("b.txt", "Ukraine says 25,000 Russian soldiers have been killed.", published="2022-06-01"),
        ],
    )
    assert [c["value"] for c in ledger.claims(since=date(2022, 5, 1))] == [25000]
    assert [c["value"] for c in ledger.claims(until=date(2022, 5, 1))] == [19000]
    assert [c["value"] for c in ledger.claims(doc="a.txt")] == [19000]
    actors = {a["name"]: a for a in ledger.actors()}
    assert actors["Ukraine"]["claims"] == 2 and actors["Ukraine"]["is_party"] == 1


@pytest.mark.slow
def test_ledger_cli_actors_and_export(tmp_path: Path):
    (tmp_path / "a.txt").write_text(SEED_LIKE)
    assert (
        _cli("ingest", "a.txt", "--published", "2022-04-07", "--db", "l.db", "-q", cwd=tmp_path).returncode
        == 0
    )
    exported = _cli("export", "out.jsonl", "--format", "jsonl", "--db", "l.db", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    [row] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (row["value"], row["reports"], row["claimant"]) == (19000, 1, "Ukraine")
    assert _cli("export", "out.csv", "--db", "l.db", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out.csv").read_text().splitlines()[0].startswith("id,doc,")
    listed = _cli("actors", "--format", "jsonl", "--db", "l.db", cwd=tmp_path)
    names = {json.loads(line)["name"] for line in listed.stdout.splitlines()}
    assert {"Ukraine", "Russia Ministry of Defence", "UNHCR"} <= names
    blocked = _cli("export", "no/such/dir/out.csv", "--db", "l.db", cwd=tmp_path)
    assert blocked.returncode == 1 and "cannot write" in blocked.stderr and "Traceback" not in blocked.stderr
