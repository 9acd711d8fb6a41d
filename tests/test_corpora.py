"""JSONL and CSV corpora: configurable columns, a bad row recorded and skipped, the rest read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from counterclaim.errors import CorpusRowError
from counterclaim.ingest.corpora import parse_fields, read_corpus
from counterclaim.models import Document

CLAIM = "Ukraine says 19,000 Russian soldiers have been killed."


def test_corpora_jsonl_with_configured_columns_and_bad_rows(tmp_path: Path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        json.dumps({"id": "a1", "body": CLAIM, "date": "2022-04-07", "site": "Al Jazeera"})
        + "\n"
        + "{broken\n"
        + json.dumps({"id": "a2", "body": ""})
        + "\n"
        + json.dumps({"body": CLAIM, "date": "07/04/2022"})
        + "\n"
        + json.dumps(["not", "an", "object"])
        + "\n"
        + json.dumps({"body": CLAIM})
        + "\n",
        encoding="utf-8",
    )
    items = list(read_corpus(path, fields=parse_fields("text=body,published=date,outlet=site")))
    documents = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, CorpusRowError)]
    assert [(d.id, d.outlet, str(d.published)) for d in documents] == [
        ("a1", "Al Jazeera", "2022-04-07"),
        ("news.jsonl#6", None, "None"),
    ]
    assert [e.source.rsplit(":", 1)[1] for e in errors] == ["2", "3", "4", "5"]
    assert "not valid JSON" in errors[0].reason and "no text" in errors[1].reason
    assert "not a date" in errors[2].reason and "JSON object" in errors[3].reason


def test_corpora_csv_rows_and_header_problems(tmp_path: Path):
    good = tmp_path / "news.csv"
    good.write_text(
        f'id,text,published\nx1,"{CLAIM}",2022-04-07\nx2,"{CLAIM}",2022-04-07,extra\n', encoding="utf-8"
    )
    items = list(read_corpus(good))
    assert [type(i).__name__ for i in items] == ["Document", "CorpusRowError"]
    assert "more cells" in items[1].reason
    headless = tmp_path / "other.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    [error] = list(read_corpus(headless))
    assert "no 'text' column" in error.reason


@pytest.mark.parametrize("spec", ["text", "colour=red", "text="])
def test_corpora_bad_field_specs_are_refused(spec: str):
    with pytest.raises(CorpusRowError, match="FIELD=COLUMN"):
        parse_fields(spec)


@pytest.mark.slow
def test_corpora_ingest_a_corpus_from_the_cli(tmp_path: Path):
    (tmp_path / "news.jsonl").write_text(
        json.dumps({"id": "a", "text": CLAIM, "published": "2022-04-07", "outlet": "X"})
        + "\n"
        + json.dumps(
            {
                "id": "b",
                "text": "Kyiv says 19,000 Russian soldiers have been killed. More to come.",
                "published": "2022-04-07",
                "outlet": "Y",
            }
        )
        + "\n"
        + "not json\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "counterclaim", "ingest", "news.jsonl", "--db", "l.db", "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 3, run.stderr  # partial: one malformed row
    assert "[E107]" in run.stderr and "news.jsonl:3" in run.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "counterclaim", "claims", "--db", "l.db", "--format", "jsonl"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert [
        (json.loads(line)["value"], json.loads(line)["reports"]) for line in listed.stdout.splitlines()
    ] == [(19000, 2)]
