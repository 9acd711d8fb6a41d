"""The one writer: concurrent uploads, processes and threads lose nothing and store nothing twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from counterclaim import api
from counterclaim.ingest import pipeline
from counterclaim.ingest.tables import import_table, load_mapping
from counterclaim.models import Document
from counterclaim.store import Ledger, schema

SAMPLES = sorted(api.SAMPLES.glob("*.txt"))
TOKEN = "writer-test-token"


def corpus(folder: Path, count: int) -> list[Path]:
    """``count`` distinct articles (the bundled samples, each with its own closing line), as files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        sample = SAMPLES[number % len(SAMPLES)]
        path = folder / f"{number:03d}-{sample.name}"
        path.write_text(sample.read_text(encoding="utf-8") + f"\nEdition {number}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def content(url: str) -> tuple[list[str], list[tuple[str, str | None]], int, list[str]]:
    """What a ledger holds, independent of ids: documents' digests, claims' keys and dates,
    the number of reports, and the statuses of its runs."""
    ledger = Ledger.open(url, create=False)
    try:
        with ledger.engine.connect() as connection:
            digests = sorted(connection.execute(select(schema.documents.c.sha256)).scalars())
            claims = sorted(
                (row.key, row.as_of.isoformat() if row.as_of else None)
                for row in connection.execute(select(schema.claims.c.key, schema.claims.c.as_of))
            )
            reports = int(connection.execute(select(func.count()).select_from(schema.reports)).scalar_one())
            statuses = list(connection.execute(select(schema.runs.c.status)).scalars())
    finally:
        ledger.engine.dispose()
    return digests, claims, reports, statuses


def ingest_process(paths: list[Path], url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "counterclaim", "ingest", *map(str, paths), "--published", "2024-01-15",
         "--db", url, "--batch-size", "3", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_writer_two_ingest_processes_on_overlapping_inputs_store_each_document_and_claim_once(
    database_url: str, tmp_path: Path
):
    paths = corpus(tmp_path / "in", 30)
    first, second = paths[:20], paths[10:]  # a third of the inputs in both
    # both start on a ledger that does not exist yet: both create and migrate it
    runs = [ingest_process(first, database_url), ingest_process(second, database_url)]
    outcomes = [run.communicate(timeout=600) for run in runs]
    for run, (_, errors) in zip(runs, outcomes, strict=True):
        assert run.returncode == 0, errors
        assert "Traceback" not in errors
    serial_url = f"sqlite:///{tmp_path / 'serial.db'}"
    serial = ingest_process(paths, serial_url)
    assert serial.communicate(timeout=600) and serial.returncode == 0
    digests, claims, reports, statuses = content(database_url)
    expected = content(serial_url)
    assert len(digests) == len(set(digests)) == 30
    assert digests == expected[0]
    assert claims == expected[1]  # every claim once, as one process writing everything gives
    assert reports == expected[2]
    assert statuses == ["ok", "ok"]  # no run left "running"


def test_writer_threads_ingesting_through_one_ledger_all_land(database_url: str, tmp_path: Path):
    ledger = Ledger.open(database_url)
    documents = [
        Document(id=path.name, text=path.read_text(encoding="utf-8")) for path in corpus(tmp_path / "in", 24)
    ]
    with ThreadPoolExecutor(4) as pool:
        summaries = list(
            pool.map(
                lambda part: pipeline.ingest(ledger, part, batch_size=2), [documents[i::4] for i in range(4)]
            )
        )
    assert sum(summary.documents_new for summary in summaries) == 24
    assert ledger.counts()["documents"] == 24
    assert {summary.status for summary in summaries} == {"ok"}
    ledger.engine.dispose()


def test_writer_a_run_that_raises_is_recorded_failed_with_its_reason(tmp_path: Path):
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")

    def broken() -> Iterator[Document]:
        yield Document(id="a.txt", text=SAMPLES[0].read_text(encoding="utf-8"))
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="disk went away"):
        pipeline.ingest(ledger, broken(), batch_size=1)
    (run,) = ledger.runs()
    assert run["status"] == "failed"
    assert "disk went away" in run["message"]
    assert run["documents_new"] == 1  # the batch written before the failure is kept
    ledger.engine.dispose()


@pytest.mark.slow
def test_writer_a_killed_run_is_marked_abandoned_by_the_next_one(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    paths = corpus(tmp_path / "in", 400)
    victim = ingest_process(paths, url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until its run is recorded, then kill it mid-ingest
        if Path(url.removeprefix("sqlite:///")).exists() and "running" in _statuses(url):
            break
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert _statuses(url) == ["running"]  # a dead process cannot record its end
    again = ingest_process(paths[:5], url)
    _, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    assert _statuses(url) == ["abandoned", "ok"]


def _statuses(url: str) -> list[str]:
    try:
        return [run["status"] for run in reversed(Ledger.open(url, create=False).runs())]
    except Exception:  # the file is still being made
        return []


def test_writer_a_table_row_and_an_article_with_the_same_figure_are_one_claim(tmp_path: Path):
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    folder, file, mapping = api.SAMPLE_TABLE_FILES[1]  # the Gaza ministry's daily tolls
    import_table(ledger, api.SAMPLE_TABLES / folder / file, load_mapping(mapping))
    row = next(c for c in ledger.claims() if c["measure"] == "killed" and c["value"] > 20_000)
    article = Document(
        id="moh.txt",
        text=f"The Gaza Health Ministry said {row['value']:,} Palestinians had been killed since October 7.",
        published=date.fromisoformat(row["as_of"]),
    )
    summary = pipeline.ingest(ledger, [article])
    assert (summary.claims_new, summary.reports_new) == (0, 1)
    assert ledger.claim(row["id"])["reports"] == 2
    ledger.engine.dispose()


def test_writer_about_has_no_bounds_from_a_table_as_from_an_article(tmp_path: Path, extractor):
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    folder, file, mapping = api.SAMPLE_TABLE_FILES[0]  # the General Staff: "about 5,300"
    import_table(ledger, api.SAMPLE_TABLES / folder / file, load_mapping(mapping))
    about = [c for c in ledger.claims() if c["qualifier"] == "about"]
    (said,) = extractor.extract("Officials said about 5,300 soldiers were killed.")
    assert about and {(c["low"], c["high"]) for c in about} == {(said.low, said.high)} == {(None, None)}
    ledger.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def write_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    db = str(tmp_path / "ledger.db")
    api.open_ledger(db).engine.dispose()
    port = _free_port()
    workers = getattr(request, "param", 1)
    server = subprocess.Popen(
        [sys.executable, "-m", "counterclaim", "serve", "--db", db, "--port", str(port), "--allow-writes",
         "--workers", str(workers)],
        env={**os.environ, "COUNTERCLAIM_TOKEN": TOKEN}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/api/series", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(
                    f"the server did not start: {server.stderr.read() if server.stderr else ''}"
                )
            time.sleep(0.3)
        yield base, db
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
        assert "Traceback" not in errors, errors


@pytest.mark.slow
@pytest.mark.parametrize("write_server", [1, 2], indirect=True, ids=["one-process", "two-processes"])
def test_writer_forty_concurrent_uploads_are_forty_documents(write_server: tuple[str, str]):
    base, db = write_server
    texts = [path.read_text(encoding="utf-8") for path in corpus(Path(db).parent / "up", 40)]
    barrier = threading.Barrier(40)

    def upload(number: int) -> httpx.Response:
        barrier.wait()  # all at once
        return httpx.post(
            f"{base}/api/documents",
            json={"name": f"up-{number}.txt", "text": texts[number], "published": "2024-01-15"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(upload, range(40)))
    assert [answer.status_code for answer in answers] == [201] * 40, [
        a.text for a in answers if a.status_code != 201
    ]
    ids = [answer.json()["document_id"] for answer in answers]
    assert len(set(ids)) == 40
    digests, _, _, statuses = content(f"sqlite:///{db}")
    assert len(digests) == len(set(digests)) == 40
    assert set(statuses) == {"ok"}
    # the same article again is known, not stored twice
    again = httpx.post(
        f"{base}/api/documents",
        json={"name": "again.txt", "text": texts[0]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert again.status_code == 201 and again.json()["new"] is False
    assert again.json()["document_id"] == ids[0]
    assert json.loads(httpx.get(f"{base}/api/documents", timeout=30).text)["total"] == 40


def test_writer_claims_on_the_calendars_first_and_last_days_are_stored(tmp_path: Path):
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    for day in (date(9999, 12, 31), date(1, 1, 1)):
        text = f"Officials said 12 people were killed. Edition {day.year}."
        summary = pipeline.ingest(ledger, [Document(id=f"{day.year}.txt", text=text, published=day)])
        assert summary.status == "ok" and summary.claims_new == 1
    again = pipeline.ingest(ledger, [Document(id="x.txt", text="Officials said 12 people were killed. Again.",
                                              published=date(9999, 12, 31))])  # fmt: skip
    assert again.claims_new == 0 and again.reports_new == 1  # matched within the last day
    ledger.engine.dispose()
