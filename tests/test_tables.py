"""Importing claim tables: the bundled public tables, bad rows, idempotent re-imports, every format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from counterclaim.api import SAMPLE_TABLE_FILES, SAMPLE_TABLES
from counterclaim.errors import DataFileError
from counterclaim.ingest import pipeline
from counterclaim.ingest.tables import (
    import_table,
    load_mapping,
    parse_number,
    read_rows,
    rows_to_claims,
    strptime_format,
)
from counterclaim.store import Ledger, schema

TABLES = {mapping: SAMPLE_TABLES / folder / file for folder, file, mapping in SAMPLE_TABLE_FILES}


@pytest.fixture
def ledger(database_url: str):
    opened = Ledger.open(database_url)
    yield opened
    opened.engine.dispose()


def claims_of(mapping: str):
    path = TABLES[mapping]
    found = load_mapping(mapping)
    return rows_to_claims(read_rows(path, path.read_bytes(), found.format), found, source=path.name)


def test_gaza_killed_on_2024_06_30_is_the_ministrys_37877():
    outcome = claims_of("gaza-moh-daily")
    killed = {c.as_of: c for c in outcome.claims if c.measure == "killed"}
    assert killed["2024-06-30"].value == 37_877
    assert killed["2024-06-30"].claimant == "Gaza Health Ministry"
    assert killed["2024-06-30"].scope == "cumulative" and killed["2024-06-30"].subject_party == "Gaza"
    # as reported, never the gap-filled ext_* fields: the days with no report are rejected, with why
    assert len(outcome.rejected) == 28 and all("no report that day" in e.reason for e in outcome.rejected)
    assert all('"ext_' not in c.evidence for c in outcome.claims)


def test_general_staff_personnel_losses_are_their_own_measure_dated_the_day_before():
    outcome = claims_of("ua-gs-russian-losses")
    losses = {c.as_of: c for c in outcome.claims if c.measure == "personnel_losses"}
    assert losses["2023-05-26"].value == 206_200  # the report of 2023-05-27
    assert (
        losses["2023-05-26"].qualifier == "about" and losses["2023-05-26"].claimant == "Ukraine General Staff"
    )
    assert "2023-05-27" in losses["2023-05-26"].evidence
    assert not any(c.measure == "killed" for c in outcome.claims)
    prisoners = [c for c in outcome.claims if c.measure == "captured"]
    assert prisoners and max(c.as_of or "" for c in prisoners) <= "2022-04-27"
    assert outcome.rejected == []


def test_economist_table_ranges_bounds_numbers_and_its_traps():
    outcome = claims_of("economist-ukraine")
    assert outcome.rows == 124
    probate = [c for c in outcome.claims if c.claimant == "Mediazona" and c.low == 40_000]
    assert len(probate) == 1 and probate[0].qualifier == "range" and probate[0].high == 55_000
    big = [c for c in outcome.claims if c.value == 1_200_000 or c.high == 1_200_000 or c.low == 1_200_000]
    assert big, 'a "1,200,000" cell is read as 1200000'
    derived = [e for e in outcome.rejected if "monthly sum" in e.reason]
    assert len(derived) == 34  # The Economist's own sums of one UK MoD graphic are not claims
    assert {c.measure for c in outcome.claims} == {"killed", "casualties"}
    assert {c.qualifier for c in outcome.claims} >= {"about", "range", "at_least"}
    assert all(c.subject_role == "military" for c in outcome.claims)


@pytest.mark.parametrize("mapping", sorted(TABLES))
@pytest.mark.slow
def test_each_bundled_table_imports_once_and_again_changes_nothing(ledger: Ledger, mapping: str):
    first = import_table(ledger, TABLES[mapping], load_mapping(mapping))
    assert first.new_claims > 0 and first.new_claims + first.merged == first.claims
    before = ledger.counts()
    again = import_table(ledger, TABLES[mapping], load_mapping(mapping))
    after = ledger.counts()
    assert again.already_imported and again.new_claims == 0
    unchanged = ("documents", "claims", "reports", "corrections", "actors")
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    with ledger.engine.connect() as connection:
        kinds = {row.kind for row in connection.execute(select(schema.documents.c.kind))}
    assert kinds == {"table"}


def test_imported_claims_are_corrected_like_extracted_ones_and_never_reextracted(ledger: Ledger):
    import_table(ledger, TABLES["economist-ukraine"], load_mapping("economist-ukraine"))
    uk = [c for c in ledger.claims() if c["claimant_text"] == "UK MoD"]
    assert uk and {c["claimant"] for c in uk} == {"UK Ministry of Defence"}  # named as the registry does
    claim = next(c for c in ledger.claims() if c["claimant"] == "Mediazona")
    ledger.correct(claim["id"], {"claimant": "Meduza"}, note="the probate estimate is Meduza's", by="ana")
    assert ledger.claim(claim["id"])["claimant"] == "Meduza"
    assert pipeline.reextract(ledger, everything=True).documents_read == 0


BAD_TABLE = """when,dead,who
1/3/2022,100,Officials
2/3/2022,"1,250",Officials
31/2/2022,300,Officials
4/3/2022,many,Officials
5/3/2022,-5,Officials
1/1/2022,50,Officials
6/3/2022,900,Officials
7/3/2022,1300,Officials
"""
BAD_MAPPING = """
name = "test-table"
format = "csv"
date_column = "when"
date_format = "d/m/yyyy"
conflict_start = "2022-02-24"
[[claim]]
measure = "killed"
party = "Ukraine"
role = "civilian"
value = "dead"
claimant_column = "who"
"""


def test_bad_rows_are_rejected_with_row_and_reason_and_the_rest_import(tmp_path: Path, ledger: Ledger):
    (tmp_path / "t.csv").write_text(BAD_TABLE, encoding="utf-8")
    (tmp_path / "m.toml").write_text(BAD_MAPPING, encoding="utf-8")
    summary = import_table(ledger, tmp_path / "t.csv", load_mapping(tmp_path / "m.toml"))
    reasons = {int(e.source.rsplit(" ", 1)[1]): e.reason for e in summary.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "fits none of the formats" in reasons[3]
    assert "not a number" in reasons[4]
    assert "negative" in reasons[5]
    assert "before the conflict began" in reasons[6]
    assert "falls from 1,250" in reasons[7]
    assert sorted(c["value"] for c in ledger.claims()) == [100, 1250, 1300]
    with ledger.engine.connect() as connection:
        recorded = connection.execute(select(schema.input_errors.c.source, schema.input_errors.c.code)).all()
    assert len(recorded) == 5 and {code for _, code in recorded} == {"E113"}


def test_yaml_mapping_and_parquet_and_jsonl_tables(tmp_path: Path, ledger: Ledger):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    (tmp_path / "m.yaml").write_text(
        "name: yaml-table\ndate_column: day\ndate_format: ['yyyy-mm-dd', 'd/m/yyyy']\nclaimant: OHCHR\n"
        "claim:\n  - measure: killed\n    party: Ukraine\n    role: civilian\n    value: n\n"
        "    qualifier_column: q\nqualifier_words: {over: more_than}\n",
        encoding="utf-8",
    )
    table = pa.table({"day": ["2022-05-01", "02/06/2022"], "n": [3_000, 4_000], "q": ["over", ""]})
    pq.write_table(table, tmp_path / "t.parquet")
    (tmp_path / "t.jsonl").write_text('{"day": "2022-07-01", "n": 5000, "q": ""}\n', encoding="utf-8")
    mapping = load_mapping(tmp_path / "m.yaml")
    import_table(ledger, tmp_path / "t.parquet", mapping)
    import_table(ledger, tmp_path / "t.jsonl", mapping)
    claims = sorted(ledger.claims(), key=lambda c: c["as_of"])
    assert [(c["as_of"], c["qualifier"], c["low"], c["high"]) for c in claims] == [
        ("2022-05-01", "more_than", 3_000, None),
        ("2022-06-02", "exact", 4_000, 4_000),
        ("2022-07-01", "exact", 5_000, 5_000),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'date_column = "d"\n[[claim]]\nmeasure = "killed"\nvalue = "v"\ncolour = "red"\n',
            "unknown key 'colour'",
        ),
        ('date_column = "d"\n[[claim]]\nmeasure = "killed"\n', "needs value, low or high"),
        ('[[claim]]\nmeasure = "killed"\nvalue = "v"\n', "needs 'date_column'"),
        (
            'date_column = "d"\n[[claim]]\nmeasure = "killed"\nvalue = "v"\nrole = "soldiers"\n',
            "role 'soldiers'",
        ),
    ],
)
def test_bad_mappings_say_what_is_wrong(tmp_path: Path, text: str, message: str):
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_mapping(tmp_path / "m.toml")


def test_number_and_date_readers():
    assert parse_number('"1,200,000"'.strip('"')) == 1_200_000
    assert parse_number(" 12 ") == 12 and parse_number(7.0) == 7 and parse_number("") is None
    with pytest.raises(ValueError):
        parse_number("12.5")
    assert strptime_format("d/m/yyyy") == "%d/%m/%Y" and strptime_format("%Y") == "%Y"


@pytest.mark.slow
def test_cli_import_counts_rows_and_exits_partial_for_rejected_rows(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "counterclaim", "import", str(TABLES["economist-ukraine"]), "--map",
         "economist-ukraine", "--db", "ledger.db"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "rows rejected" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("counterclaim: error: [E113]") == 35
    unknown = subprocess.run(
        [sys.executable, "-m", "counterclaim", "import", str(TABLES["economist-ukraine"]), "--map", "nope",
         "--db", "ledger.db"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert unknown.returncode == 1 and "the bundled mappings are: economist-ukraine" in unknown.stderr
