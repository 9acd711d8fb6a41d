"""Table imports refuse what they cannot hold: rows the ledger cannot store, malformed mappings,
a table of another format than declared, an empty table, YAML alias bombs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from counterclaim.errors import DataFileError, TableRowError
from counterclaim.ingest.tables import import_table, load_mapping, parse_number
from counterclaim.store import Ledger, schema


@pytest.fixture
def ledger(database_url: str):
    opened = Ledger.open(database_url)
    yield opened
    opened.engine.dispose()


def _mapping(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path / name


def _run_cli(capsys: pytest.CaptureFixture[str], table: Path, mapping: Path, db: Path) -> tuple[int, str]:
    """``counterclaim import`` as the console script runs it: its exit status and its stderr."""
    from counterclaim.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["import", str(table), "--map", str(mapping), "--db", str(db)])
    return int(exited.value.code or 0), capsys.readouterr().err


def _rejected(summary) -> dict[int, str]:
    return {int(error.source.rsplit(" ", 1)[1]): error.reason for error in summary.rejected}


# -- 1. rows the ledger cannot hold are rejected, the others import -----------------------------------

COLUMNS_MAPPING = """
    name = "columns"
    format = "csv"
    date_column = "when"
    [[claim]]
    value = "n"
    measure_column = "what"
    unit_column = "unit"
    party_column = "party"
    claimant_column = "who"
"""


def test_rows_the_ledger_cannot_hold_are_rejected_with_why_and_the_rest_import(
    tmp_path: Path, ledger: Ledger
):
    rows = [
        ("2022-03-01", "100", "killed", "people", "Ukraine", "Officials"),
        ("2022-03-02", str(2**63), "killed", "people", "Ukraine", "Officials"),  # one over the 64-bit column
        ("2022-03-03", "9" * 400, "killed", "people", "Ukraine", "Officials"),  # no float holds it
        ("9999-12-31", "5", "killed", "people", "Ukraine", "Officials"),  # the last day there is
        ("2022-03-04", "6", "k" * 41, "people", "Ukraine", "Officials"),  # measure is VARCHAR(40)
        ("2022-03-05", "7", "killed", "u" * 21, "Ukraine", "Officials"),  # unit is VARCHAR(20)
        ("2022-03-06", "8", "killed", "people", "Ukraine", "O" * 300),  # the claim's key is VARCHAR(300)
        ("2022-03-07", "9", "killed", "people", "Ukr\x00aine", "Officials"),  # PostgreSQL text holds no NUL
        ("2022-03-08", "200", "killed", "people", "Ukraine", "Officials"),
    ]
    table = "when,n,what,unit,party,who\n" + "".join(",".join(row) + "\n" for row in rows)
    (tmp_path / "t.csv").write_text(table, encoding="utf-8")
    summary = import_table(ledger, tmp_path / "t.csv", load_mapping(_mapping(tmp_path, COLUMNS_MAPPING)))
    reasons = _rejected(summary)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert "too large" in reasons[2] and "9,223,372,036,854,775,807" in reasons[2]
    assert "too large" in reasons[3] and len(reasons[3]) < 200  # the cell is not quoted whole
    assert "9999-12-31" in reasons[4] and "out of range" in reasons[4]
    assert "measure" in reasons[5] and "41 characters" in reasons[5] and "at most 40" in reasons[5]
    assert "unit" in reasons[6] and "at most 20" in reasons[6]
    assert "claimant" in reasons[7] and "at most 300" in reasons[7]
    assert "party" in reasons[8] and "NUL" in reasons[8]
    assert sorted(c["value"] for c in ledger.claims()) == [100, 200]
    with ledger.engine.connect() as connection:
        codes = connection.execute(select(schema.input_errors.c.code)).scalars().all()
        status = connection.execute(select(schema.runs.c.status)).scalar_one()
    assert codes == ["E113"] * 7 and status == "partial"


def test_a_date_shift_out_of_the_calendar_rejects_the_row(tmp_path: Path, ledger: Ledger):
    mapping = load_mapping(
        _mapping(
            tmp_path,
            """
            format = "jsonl"
            date_column = "day"
            date_shift_days = -1
            claimant = "Officials"
            [[claim]]
            measure = "killed"
            value = "n"
            """,
        )
    )
    lines = [{"day": "0001-01-01", "n": 1}, {"day": "0001-01-02", "n": 2}, {"day": "2022-03-02", "n": 3}]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    summary = import_table(ledger, tmp_path / "t.jsonl", mapping)
    reasons = _rejected(summary)
    assert sorted(reasons) == [1, 2]
    assert "0001-01-01" in reasons[1] and "date_shift_days" in reasons[1]
    assert "out of range" in reasons[2]
    assert [(c["value"], c["as_of"]) for c in ledger.claims()] == [(3, "2022-03-01")]


def test_numbers_past_the_64_bit_columns_are_refused_exactly():
    assert parse_number(str(2**63 - 1)) == 2**63 - 1
    assert parse_number("9007199254740993") == 9_007_199_254_740_993  # no detour through a float
    for cell in (str(2**63), 2**63, 1e19, "9" * 5000):
        with pytest.raises(ValueError, match="too large"):
            parse_number(cell)


# -- 2. a malformed mapping is one clear error naming the key ------------------------------------------

CLAIM = '[[claim]]\nmeasure = "killed"\nvalue = "v"\n'


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('date_column = "d"\nskip = "x"\n' + CLAIM, ["skip", "expected a table"]),
        ('date_column = "d"\nclaim = ["killed"]\n', ["[[claim]] 1", "expected a table", "'killed'"]),
        ('date_column = "d"\ndate_format = 5\n' + CLAIM, ["date_format", "expected a string or a list"]),
        ('date_column = "d"\ndate_format = ["%Q"]\n' + CLAIM, ["date_format", "bad directive"]),
        ('date_column = "d"\ndate_shift_days = "x"\n' + CLAIM, ["date_shift_days", "a whole number"]),
        ('date_column = "d"\ndate_shift_days = 10000000000\n' + CLAIM, ["date_shift_days", "between"]),
        ('date_column = "d"\nconflict_start = "soon"\n' + CLAIM, ["conflict_start", "a date"]),
        ('date_column = "d"\nname = 5\n' + CLAIM, ["name", "expected a string"]),
        ('date_column = "d"\nname = "' + "n" * 75 + '"\n' + CLAIM, ["name", "at most 74"]),
        ('date_column = "d"\ndescription = "a\\u0000b"\n' + CLAIM, ["description", "NUL"]),
        ('date_column = "d"\nthousands = 5\n' + CLAIM, ["thousands", "expected a string"]),
        ('date_column = "d"\n[skip]\nsource = "x"\n' + CLAIM, ["skip.source", "expected a table"]),
        ('date_column = "d"\n[skip.source]\nx = 1\n' + CLAIM, ["skip.source.x", "expected a string"]),
        ('date_column = "d"\n[qualifier_words]\nabout = ["about"]\n' + CLAIM, ["qualifier_words.about"]),
        (
            'date_column = "d"\n' + CLAIM + 'party = ["Ukraine"]\n',
            ["[[claim]] 1", "party", "expected a string"],
        ),
        ('date_column = "d"\n' + CLAIM + "low = 3\n", ["[[claim]] 1: low", "the column"]),
        ('date_column = "d"\n' + CLAIM + 'unit = "' + "u" * 21 + '"\n', ["unit", "at most 20"]),
        ('date_column = "d"\n' + CLAIM + 'measure_column = "m"\n', ["measure", "measure_column", "not both"]),
        ('date_column = "d"\n' + CLAIM + "party_map = { ru = 'Russia' }\n", ["party_map", "party_column"]),
        ('date_column = "d"\n' + CLAIM + "role_column = 'r'\nrole_map = { s = 'soldier' }\n", ["role_map.s"]),
        ('date_column = "d"\n' + CLAIM + "claimant_map = { a = 1 }\n", ["claimant_map.a", "a string"]),
        (
            'date_column = "d"\nclaimant_colum = "who"\n' + CLAIM,
            ["unknown key 'claimant_colum'", "did you mean 'claimant_column'", "[[claim]]"],
        ),
        ('date_column = "d"\nclaimant_column = "who"\n' + CLAIM, ["'claimant_column'", "[[claim]]"]),
        ('date_column = "d"\nsource_ulr = "x"\n' + CLAIM, ["unknown key 'source_ulr'", "'source_url'"]),
    ],
)
def test_a_malformed_mapping_is_one_error_naming_the_key(tmp_path: Path, text: str, messages: list[str]):
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_mapping(tmp_path / "m.toml")
    assert str(caught.value).startswith(f"[E201] {tmp_path / 'm.toml'}: ")
    for message in messages:
        assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("date_column: d\nclaim: killed\n", ["claim", "expected a list"]),
        ("date_column: d\nclaim:\n  - killed\n", ["[[claim]] 1", "expected a table"]),
        (
            "date_column: d\nqualifier_words:\n  no: about\nclaim:\n  - {measure: killed, value: v}\n",
            ["quote"],
        ),
        ("date_column: [d]\nclaim:\n  - {measure: killed, value: v}\n", ["date_column", "a string"]),
    ],
)
def test_a_malformed_yaml_mapping_is_one_error_naming_the_key(tmp_path: Path, text: str, messages: list[str]):
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_mapping(tmp_path / "m.yaml")
    for message in messages:
        assert message in str(caught.value)


def test_the_cli_shows_a_malformed_mapping_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    _mapping(tmp_path, 'date_column = "d"\nskip = "x"\n' + CLAIM)
    (tmp_path / "t.csv").write_text("d,v\n2022-03-01,1\n", encoding="utf-8")
    code, err = _run_cli(capsys, tmp_path / "t.csv", tmp_path / "m.toml", tmp_path / "l.db")
    assert code == 1 and err.startswith("counterclaim: error: [E201]") and "skip" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# -- 3. a table of another format than declared, or with nothing in it ------------------------------------

JSON_ROWS = [{"d": "2022-03-01", "v": 1}, {"d": "2022-03-02", "v": 2}]


@pytest.mark.parametrize(
    ("declared", "file", "content", "messages"),
    [
        ("csv", "t.json", json.dumps(JSON_ROWS), ['format = "csv"', "looks like JSON"]),
        ("csv", "t.json", json.dumps(JSON_ROWS, indent=2), ['format = "csv"', "looks like JSON"]),
        ("csv", "t.jsonl", "".join(json.dumps(r) + "\n" for r in JSON_ROWS), ["looks like JSON"]),
        ("json", "t.csv", "d,v\n2022-03-01,1\n", ['format = "json"', "looks like CSV"]),
        ("jsonl", "t.json", json.dumps(JSON_ROWS), ['format = "jsonl"', 'format = "json"']),
        ("parquet", "t.csv", "d,v\n2022-03-01,1\n", ['format = "parquet"', "not a Parquet file"]),
        (None, "t.csv", json.dumps(JSON_ROWS), [".csv", "looks like JSON"]),
    ],
)
def test_a_table_of_another_format_than_declared_is_refused(
    tmp_path: Path, declared: str | None, file: str, content: str, messages: list[str]
):
    from counterclaim.ingest.tables import read_rows

    (tmp_path / file).write_text(content, encoding="utf-8")
    with pytest.raises(TableRowError) as caught:
        read_rows(tmp_path / file, (tmp_path / file).read_bytes(), declared)
    for message in messages:
        assert message in str(caught.value)


def test_csv_whose_first_cell_starts_with_a_bracket_is_still_csv(tmp_path: Path):
    from counterclaim.ingest.tables import read_rows

    (tmp_path / "t.csv").write_text("[d],v\n2022-03-01,1\n", encoding="utf-8")
    assert read_rows(tmp_path / "t.csv", (tmp_path / "t.csv").read_bytes(), "csv") == [
        {"[d]": "2022-03-01", "v": "1"}
    ]


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("t.json", json.dumps(JSON_ROWS), "looks like JSON"),  # format = "csv" below
        ("t.csv", "d,v\n", "no rows"),
        ("t.csv", "day,w\n2022-03-01,1\n", "'d', 'v'"),  # the columns the mapping names are not there
        ("t.csv", "d,v\n2022-03-01,\n2022-03-02,\n", "no row gives a figure"),
    ],
)
def test_nothing_to_import_is_an_error_and_leaves_the_ledger_alone(
    tmp_path: Path, ledger: Ledger, file: str, content: str, message: str
):
    mapping = load_mapping(_mapping(tmp_path, 'format = "csv"\ndate_column = "d"\nclaimant = "X"\n' + CLAIM))
    (tmp_path / file).write_text(content, encoding="utf-8")
    with pytest.raises(TableRowError, match=message):
        import_table(ledger, tmp_path / file, mapping)
    assert ledger.counts()["documents"] == 0 and ledger.counts()["claims"] == 0


def test_the_cli_exits_1_when_a_table_gives_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    _mapping(tmp_path, 'format = "csv"\ndate_column = "d"\nclaimant = "X"\n' + CLAIM)
    (tmp_path / "t.json").write_text(json.dumps(JSON_ROWS), encoding="utf-8")
    code, err = _run_cli(capsys, tmp_path / "t.json", tmp_path / "m.toml", tmp_path / "l.db")
    assert code == 1 and err.startswith("counterclaim: error: [E113]") and "looks like JSON" in err


# -- 4. YAML: aliases are bounded -------------------------------------------------------------------------

#: Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
BOMB = "\n".join(
    [
        "date_column: d",
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)),
        "description: *a8",
        "date_format: *a8",
        "claim:",
        "  - {measure: killed, value: v, subject: *a8}",
    ]
)

LOAD = """
import resource
import sys

# a regression fails the test instead of exhausting the machine
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from counterclaim.errors import DataFileError
from counterclaim.ingest.tables import load_mapping
try:
    load_mapping(sys.argv[1])
except DataFileError as error:
    print(error)
    sys.exit(0)
sys.exit(5)
"""


@pytest.mark.slow
def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path):
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    # in another process with a timeout and a memory limit: a regression fails instead of hanging
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(tmp_path / "bomb.yaml")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("[E201]") and "aliases" in result.stdout


def test_a_yaml_mapping_that_refers_to_itself_is_refused(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(
        "date_column: d\nloop: &loop [*loop]\nclaim:\n  - {measure: killed, value: v}\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="refers to itself"):
        load_mapping(tmp_path / "m.yaml")


def test_yaml_anchors_that_share_a_map_still_work(tmp_path: Path):
    (tmp_path / "m.yaml").write_text(
        textwrap.dedent(
            """
            date_column: d
            claim:
              - {measure: killed, value: k, claimant_column: src, claimant_map: &who {moh: Health Ministry}}
              - {measure: wounded, value: w, claimant_column: src, claimant_map: *who}
            """
        ),
        encoding="utf-8",
    )
    mapping = load_mapping(tmp_path / "m.yaml")
    assert [dict(spec.maps["claimant"]) for spec in mapping.claims] == [{"moh": "Health Ministry"}] * 2


def test_a_table_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path: Path):
    from counterclaim.ingest.table_files import read_rows

    table = tmp_path / "long.csv"
    long_note = "x" * 200_000
    table.write_text(f"date,killed,note\n2024-01-02,5,{long_note}\n", encoding="utf-8")
    (row,) = read_rows(table, table.read_bytes(), "csv")
    assert row["note"] == long_note
