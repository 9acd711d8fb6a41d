"""A `kill -9` in the middle of a 10,000-document ingest, then the same command again, gives
exactly the ledger an uninterrupted run gives — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from counterclaim.store import schema

DOCUMENTS = int(os.environ.get("COUNTERCLAIM_RESUME_DOCUMENTS", "10000"))
PLACES = ["Kharkiv", "Kherson", "Aleppo", "Khan Younis", "El Fasher", "Sumy", "Idlib", "Rafah"]
CLAIMANTS = ["officials said", "the UN said", "the health ministry said", "Ukraine says", "rescuers said"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_corpus(folder: Path, count: int) -> None:
    """Small articles, reproducibly varied; some carry the same claim (syndication)."""
    rng = random.Random(7)
    folder.mkdir()
    for number in range(count):
        killed = rng.choice([3, 7, 12, 19, 25, 40, 1351, 19000])
        place = rng.choice(PLACES)
        lines = [
            f"Report {number}: strike on {place}",
            "",
            f"At least {killed} people were killed in {place} on {rng.choice(WEEKDAYS)}, "
            f"{rng.choice(CLAIMANTS)}.",
        ]
        if number % 3 == 0:
            lines.append(
                f"Another {rng.randint(2, 90)} were wounded, and {rng.randint(100, 9000):,} fled their homes."
            )
        (folder / f"{number:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def ingest_command(corpus: Path, url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "counterclaim",
        "ingest",
        str(corpus),
        "--published",
        "2024-03-14",
        "--db",
        url,
        "--quiet",
        "--batch-size",
        "100",
    ]


def snapshot(url: str) -> dict[str, object]:
    """The ledger's content, without ids, times or run numbers."""
    engine = create_engine(url)
    c, d, r = schema.claims.c, schema.documents.c, schema.reports.c
    with engine.connect() as connection:
        documents = sorted(row.sha256 for row in connection.execute(select(d.sha256)))
        claims = sorted(
            tuple(str(v) for v in row)
            for row in connection.execute(
                select(
                    c.key,
                    c.as_of,
                    c.measure,
                    c.qualifier,
                    c.value,
                    c.low,
                    c.high,
                    c.claimant,
                    c.subject_party,
                    c.subject_role,
                    c.scope,
                    func.count(r.id),
                )
                .join(schema.reports, r.claim_id == c.id)
                .group_by(c.id)
            )
        )
        reports = sorted(
            tuple(str(v) for v in row)
            for row in connection.execute(
                select(d.sha256, r.start, r.end, c.key)
                .join(schema.documents, d.id == r.document_id)
                .join(schema.claims, c.id == r.claim_id)
            )
        )
    engine.dispose()
    return {"documents": documents, "claims": claims, "reports": reports}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resume") / "corpus"
    write_corpus(folder, DOCUMENTS)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The ledger an uninterrupted run gives (on SQLite; the content compares across backends)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    result = subprocess.run(ingest_command(corpus, url), capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr
    return snapshot(url)


def _documents_stored(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(schema.documents)).scalar_one())
    except Exception:
        return 0  # the tables may not exist yet
    finally:
        engine.dispose()


@pytest.mark.slow
def test_ledger_resume_after_kill_9_equals_an_uninterrupted_run(
    corpus: Path, reference: dict[str, object], database_url: str
):
    with subprocess.Popen(
        ingest_command(corpus, database_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as process:
        deadline = time.monotonic() + 600
        while _documents_stored(database_url) < DOCUMENTS // 4 and time.monotonic() < deadline:
            assert process.poll() is None, "the ingest ended before it could be killed"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    interrupted = _documents_stored(database_url)
    assert 0 < interrupted < DOCUMENTS, "the kill did not land in the middle of the ingest"

    resumed = subprocess.run(
        ingest_command(corpus, database_url), capture_output=True, text=True, timeout=1200
    )
    assert resumed.returncode == 0, resumed.stderr
    assert snapshot(database_url) == reference
    again = subprocess.run(ingest_command(corpus, database_url), capture_output=True, text=True, timeout=1200)
    assert again.returncode == 0
    assert snapshot(database_url) == reference  # and a third run changes nothing
