"""The command line, run for real in a subprocess: output formats, bad input, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEED_LIKE = (
    "Russia launched its offensive on February 24.\n\n"
    "At least 1,500 civilians have been killed so far, according to the United Nations.\n\n"
    "Ukraine says 19,000 Russian soldiers have been killed.\n"
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counterclaim", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(SEED_LIKE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_cli_extract_jsonl_carries_every_contract_field(article: Path):
    result = run("extract", str(article), "--published", "2022-04-07", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["measure"], r["value"], r["claimant"]) for r in rows] == [
        ("killed", 1500, "United Nations"),
        ("killed", 19000, "Ukraine"),
    ]
    assert all(r["doc"] == "article.txt" and r["as_of"] == "2022-04-07" for r in rows)
    assert list(rows[0])[:17] == [
        "doc",
        "measure",
        "qualifier",
        "value",
        "low",
        "high",
        "unit",
        "subject",
        "subject_party",
        "subject_role",
        "claimant",
        "claimant_text",
        "scope",
        "as_of",
        "evidence",
        "start",
        "end",
    ]


@pytest.mark.slow
def test_cli_extract_csv_and_table(article: Path):
    csv_out = run("extract", str(article), "--format", "csv")
    assert csv_out.returncode == 0
    assert csv_out.stdout.splitlines()[0].startswith("doc,measure,qualifier,value")
    assert len(csv_out.stdout.splitlines()) == 3
    table = run("extract", str(article))
    assert table.returncode == 0
    assert "19,000" in table.stdout and "United Nations" in table.stdout


@pytest.mark.slow
def test_cli_extract_manifest(tmp_path: Path, article: Path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": article.name, "published": "2022-04-07", "outlet": "X"}) + "\n")
    result = run("extract", "--manifest", str(manifest), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    bad = {
        "binary": tmp_path / "image.txt",
        "empty": tmp_path / "empty.txt",
        "huge": tmp_path / "huge.txt",
        "missing": tmp_path / "missing.txt",
    }
    bad["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    bad["empty"].write_bytes(b"")
    with bad["huge"].open("wb") as handle:  # a 50 MB single-line file
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
    return bad


@pytest.mark.slow
def test_cli_bad_inputs_each_get_one_line_and_the_rest_are_processed(tmp_path: Path, article: Path):
    bad = _bad_inputs(tmp_path)
    latin1 = tmp_path / "latin1.txt"  # not UTF-8: its encoding is detected and it is read
    latin1.write_bytes("Caf\u00e9 owner: 12 people were killed.".encode("latin-1"))
    result = run("extract", *(str(p) for p in bad.values()), str(latin1), str(article), "--format", "jsonl")
    assert result.returncode == 3, result.stderr  # partial: some inputs failed
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(bad)
    expected = {
        "binary": "PNG image, not text",
        "empty": "empty",
        "huge": "over the",
        "missing": "no such file",
    }
    for name, path in bad.items():
        line = next(line for line in lines if str(path) in line)
        assert line.startswith("counterclaim: error: [E1")
        assert expected[name] in line
    claims = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(claims) == 3  # the good files still gave their claims
    assert any(claim["evidence"] == "Caf\u00e9 owner: 12 people were killed." for claim in claims)


@pytest.mark.slow
def test_cli_nothing_readable_exits_1(tmp_path: Path):
    result = run("extract", str(tmp_path / "nope.txt"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"counterclaim: error: [E105] {tmp_path / 'nope.txt'}: no such file"
    ]


@pytest.mark.slow
def test_cli_bad_manifest_line_is_reported_and_skipped(tmp_path: Path, article: Path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        "{not json\n"
        + json.dumps({"published": "2022-04-07"})
        + "\n"
        + json.dumps({"file": article.name, "published": "2022-99-99"})
        + "\n"
        + json.dumps({"file": article.name, "published": "2022-04-07"})
        + "\n"
    )
    result = run("extract", "--manifest", str(manifest), "--format", "jsonl")
    assert result.returncode == 3
    errors = result.stderr.strip().splitlines()
    assert [e.split(": ", 2)[2].split(":")[1] for e in errors] == ["1", "2", "3"]
    assert "not valid JSON" in errors[0] and '"file"' in errors[1] and "not a date" in errors[2]
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.slow
def test_cli_invalid_date_is_a_usage_error(article: Path):
    result = run("extract", str(article), "--published", "07/04/2022")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not a date; use YYYY-MM-DD" in result.stderr


@pytest.mark.slow
def test_cli_bad_actor_file_is_one_line(tmp_path: Path, article: Path):
    actors = tmp_path / "actors.toml"
    actors.write_text("[[actor]\nname = broken")
    result = run("extract", str(article), "--actors", str(actors))
    assert result.returncode == 1
    assert result.stderr.startswith("counterclaim: error: [E201]") and "not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_cli_user_actor_file_extends_the_registry(tmp_path: Path):
    text = tmp_path / "a.txt"
    text.write_text("The Northern Relief Collective said 40 villagers were killed.")
    actors = tmp_path / "actors.toml"
    actors.write_text(
        '[[actor]]\nname = "NRC Monitor"\nkind = "ngo"\naliases = ["Northern Relief Collective"]\n'
    )
    result = run("extract", str(text), "--actors", str(actors), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["claimant"] == "NRC Monitor"


@pytest.mark.slow
def test_cli_evaluate_json_and_floors(tmp_path: Path, article: Path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": article.name, "published": "2022-04-07"}) + "\n")
    extracted = run("extract", "--manifest", str(manifest), "--format", "jsonl")
    gold = tmp_path / "gold.jsonl"
    rows = [json.loads(line) for line in extracted.stdout.splitlines()]
    rows[1]["claimant"] = "Russia"  # one attribute wrong
    rows.append({**rows[0], "value": 7, "low": 7, "high": 7, "start": 0})  # one claim missed
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run("evaluate", "--gold", str(gold), "--manifest", str(manifest), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert (scores["gold"], scores["predicted"], scores["matched"]) == (3, 2, 2)
    assert scores["precision"] == 1.0 and scores["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert scores["attributes"]["claimant"] == 0.5
    assert len(scores["misses"]) == 1 and len(scores["mismatches"]) == 1
    gated = run("evaluate", "--gold", str(gold), "--manifest", str(manifest), "--require", "f1=0.9")
    assert gated.returncode == 1
    assert "below the required floor: f1 0.800 < 0.9" in gated.stderr


@pytest.mark.slow
def test_cli_demo_ingests_the_bundled_samples_into_a_fresh_ledger(tmp_path: Path):
    database = tmp_path / "demo.db"
    result = run("demo", "--db", str(database), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) >= 20 and all(row["id"] and row["reports"] >= 1 for row in rows)
    assert {r["measure"] for r in rows} >= {"killed", "wounded", "displaced", "refugees"}
    again = run("demo", "--db", str(database))  # replaces its own ledger: the same, not doubled
    assert again.returncode == 0, again.stderr
    assert (
        "claims by measure and group" in again.stdout
        and f"the ledger holds {len(rows):,} claims" in again.stdout
    )
    assert (
        "series reconciled" in again.stdout
        and "russia-ukraine/personnel-losses/russia/military" in again.stdout
    )
    # the bundled tables were imported beside the articles
    assert {r["doc"] for r in rows} >= {"russia_losses_personnel.json", "casualties_daily.json"}
    assert (tmp_path / "demo-plots").is_dir() and any((tmp_path / "demo-plots").glob("*.png"))
    other = tmp_path / "notes.db"
    other.write_text("my notes")
    refused = run("demo", "--db", str(other))
    assert refused.returncode == 2 and "is not a counterclaim ledger" in refused.stderr
    assert other.read_text() == "my notes"


@pytest.mark.slow
def test_cli_help_has_an_example_for_every_command():
    for command in ("extract", "evaluate", "demo"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert "Example:" in result.stdout


@pytest.mark.slow
def test_cli_extract_reads_standard_input():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "counterclaim",
            "extract",
            "-",
            "--format",
            "jsonl",
            "--published",
            "2022-04-07",
        ],
        input=SEED_LIKE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc"] for r in rows] == ["stdin", "stdin"]
