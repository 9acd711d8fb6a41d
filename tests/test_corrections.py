"""Corrections are checked before they are stored, and no stored correction can break a read."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from counterclaim import api
from counterclaim.cli import cli
from counterclaim.errors import CorrectionError
from counterclaim.models import Document
from counterclaim.store import Ledger, schema

ARTICLE = Document(
    id="a.txt", text="Ukraine says 19,000 Russian soldiers have been killed.", published=date(2022, 4, 7)
)


@pytest.fixture
def ledger(database_url: str):
    opened = Ledger.open(database_url)
    api.ingest(opened, [ARTICLE])
    yield opened
    opened.engine.dispose()


def _only_claim(ledger: Ledger) -> int:
    (claim,) = ledger.claims()
    return int(claim["id"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "12.5"}, "whole number"),
        ({"low": "abc"}, "whole number"),
        ({"value": str(2**63)}, "too large"),
        ({"subject_role": "astronaut"}, "must be one of"),
        ({"scope": "galactic"}, "must be one of"),
        ({"as_of": "2022-02-30"}, "must be a date"),
        ({"low": "20000", "high": "100"}, "above high"),
        ({"rejected": "maybe"}, "true or false"),
        ({"measure": None}, "cannot be empty"),
        ({"subject": "a\x00b"}, "NUL"),
        ({"galaxy": "far"}, "cannot correct galaxy"),
    ],
)
def test_corrections_an_impossible_value_is_refused_and_nothing_is_stored(
    ledger: Ledger, changes: dict[str, str | None], message: str
):
    claim_id = _only_claim(ledger)
    before = ledger.claim(claim_id)
    with pytest.raises(CorrectionError, match=message):
        api.correct_claim(ledger, claim_id, changes, note="check", by="ana")
    assert ledger.history(claim_id) == []
    assert ledger.claim(claim_id) == before


def test_corrections_counts_may_be_written_with_thousands_separators(ledger: Ledger):
    claim_id = _only_claim(ledger)
    api.correct_claim(ledger, claim_id, {"value": "1,200"}, note="typo", by="ana")
    claim = ledger.claim(claim_id)
    assert (claim["value"], claim["low"], claim["high"]) == (1200, 1200, 1200)


@pytest.mark.slow
def test_corrections_a_bad_stored_correction_is_reported_and_every_read_still_works(
    ledger: Ledger, caplog: pytest.LogCaptureFixture, tmp_path
):
    claim_id = _only_claim(ledger)
    # a row as an older version (or a hand edit in SQL) could have stored it
    with ledger.writer.lock.transaction() as connection:
        connection.execute(
            schema.corrections.insert().values(
                claim_id=claim_id, field="value", before="19000", after="1,2,x", note="old", by="x",
                at=datetime.now(UTC),
            )
        )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="counterclaim"):
        claim = ledger.claim(claim_id)
    assert claim["value"] is None and claim["corrected"]
    assert f"claim {claim_id}" in caplog.text and "not a whole number" in caplog.text
    rows, total = ledger.claims_page(measure="killed")
    assert total == 1 and rows[0]["value"] is None
    assert api.load_series(ledger, api.read_conflicts())  # the reconciler reads it too
    url = ledger.engine.url.render_as_string(hide_password=False)
    exported = subprocess.run(
        [sys.executable, "-m", "counterclaim", "export", str(tmp_path / "all.csv"), "--db", url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert "not a whole number" in exported.stderr  # the command says which claim to repair
    # and it is repaired the ordinary way
    api.correct_claim(ledger, claim_id, {"value": "19000"}, note="repair", by="ana")
    assert ledger.claim(claim_id)["value"] == 19000


def test_corrections_runs_lists_each_run_and_how_it_ended(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger.open(url)
    api.ingest(ledger, [ARTICLE])
    with pytest.raises(RuntimeError), ledger.writer.run("import") as summary:
        assert summary.run_id
        raise RuntimeError("the mapping went away")
    result = CliRunner().invoke(cli, ["runs", "--db", url, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert [('"status": "failed"' in lines[0]), ('"status": "ok"' in lines[1])] == [True, True]
    assert "the mapping went away" in lines[0]
    table = CliRunner().invoke(cli, ["runs", "--db", url])
    assert "failed" in table.output and "ingest" in table.output
