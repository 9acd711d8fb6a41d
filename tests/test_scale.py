"""Extraction on a real Dask cluster (two worker processes) gives the very ledger a serial run gives,
on SQLite and on PostgreSQL, even when a worker is killed mid-run or a document poisons the extractor."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

import counterclaim
from conftest import ARTICLE_HTML
from counterclaim.errors import InputError
from counterclaim.ingest import cluster as scale
from counterclaim.ingest import pipeline
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.inputs import iter_paths
from counterclaim.ingest.language import screen
from counterclaim.models import Document
from counterclaim.store import Ledger, RunSummary, schema
from counterclaim.testing import POISON, PoisonedExtractor, builds, poisoned_extractor
from test_ingest_inputs import ITALIAN
from test_ledger_resume import snapshot, write_corpus
from test_sources import _warc

distributed = pytest.importorskip("distributed")

DOCUMENTS = 400
BATCH = 20
PUBLISHED = "2024-03-14"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles (some syndicated), two poisoned ones, one in Italian, an empty file, a binary file,
    an HTML page, a broken one and a WARC crawl (pages the cluster's workers parse)."""
    folder = tmp_path_factory.mktemp("scale") / "corpus"
    write_corpus(folder, DOCUMENTS)
    for number in (37, 251):
        path = folder / f"{number:05d}.txt"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{POISON}\n", encoding="utf-8")
    (folder / "00100-empty.txt").write_text("", encoding="utf-8")
    (folder / "00150-italian.txt").write_text(ITALIAN, encoding="utf-8")
    (folder / "00200-binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (folder / "00300-page.html").write_text(ARTICLE_HTML.replace("Kharkiv", "Kherson"), encoding="utf-8")
    (folder / "00310-broken.html").write_text("<!DOCTYPE html><html><body><nav>Home</nav>", encoding="utf-8")
    _warc(folder / "00320-crawl.warc.gz")
    return folder


def items(corpus: Path, *, screened: bool = False) -> Iterator[Document | InputError]:
    """The corpus as the serial ingest reads it; ``screened``: with the language screen, on the driver."""
    read = iter_paths([corpus], published=date.fromisoformat(PUBLISHED))
    return screen(read) if screened else read


def raw_items(corpus: Path) -> Iterator[Document | RawPage | InputError]:
    """The corpus as a cluster ingest reads it: HTML pages unparsed, for the workers."""
    return iter_paths([corpus], published=date.fromisoformat(PUBLISHED), parse_html=False)


def errors(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    e = schema.input_errors.c
    with engine.connect() as connection:
        rows = sorted(
            (row.source, row.code, row.reason)
            for row in connection.execute(select(e.source, e.code, e.reason))
        )
    engine.dispose()
    return rows


def ledger_content(url: str) -> dict[str, object]:
    return {**snapshot(url), "errors": errors(url)}


def counts(summary: RunSummary) -> tuple[int, int, int, int, int]:
    return (
        summary.documents_read,
        summary.documents_new,
        summary.claims_new,
        summary.reports_new,
        len(summary.errors),
    )


@pytest.fixture(scope="module")
def serial(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, object], tuple[int, ...]]:
    """The ledger the ordinary, in-process ingest gives (SQLite; the content compares across backends)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('serial') / 'serial.db'}"
    ledger = Ledger.open(url)
    summary = pipeline.ingest(
        ledger, items(corpus, screened=True), extractor=PoisonedExtractor(), batch_size=BATCH
    )
    ledger.engine.dispose()
    return ledger_content(url), counts(summary)


def local_cluster() -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        # the scheduler's HTTP endpoints on a free port: two clusters at once must not both want 8787
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    with local_cluster() as cluster, distributed.Client(cluster) as connected:
        yield connected


@pytest.mark.slow
def test_scale_workers_run_this_checkout_of_counterclaim(client: distributed.Client):
    # the workers are other processes: they must import the code under test, not another install
    files = client.run(lambda: __import__("counterclaim").__file__)
    assert set(files.values()) == {counterclaim.__file__}


@pytest.mark.slow
def test_scale_poisoned_documents_are_input_errors_and_the_rest_goes_on(serial):
    content, _ = serial
    coded = [(source, code) for source, code, _ in content["errors"]]
    assert ("00037.txt", "E112") in coded and ("00251.txt", "E112") in coded
    assert {code for _, code in coded} == {"E101", "E102", "E108", "E110", "E112"}
    reason = next(reason for source, _, reason in content["errors"] if source == "00037.txt")
    assert "RuntimeError" in reason and "poisoned test document" in reason
    assert len(content["documents"]) == DOCUMENTS - 2 + 3  # one page, two crawled


@pytest.mark.slow
def test_scale_cluster_ledger_equals_the_serial_ledger(
    client: distributed.Client, corpus: Path, serial, database_url: str
):
    reference, reference_counts = serial
    ledger = Ledger.open(database_url)
    summary = pipeline.ingest(
        ledger,
        raw_items(corpus),
        factory=poisoned_extractor,
        client=client,
        batch_size=BATCH,
        english_only=True,
    )
    ledger.engine.dispose()
    assert ledger_content(database_url) == reference
    assert counts(summary) == reference_counts
    # the extractor is built once per worker process, not once per partition or document
    built = client.run(builds)
    assert all(count <= 1 for _, count in built.values()) and sum(count for _, count in built.values()) >= 1


@pytest.mark.slow
def test_scale_in_process_without_a_client_equals_the_serial_ledger(corpus: Path, serial, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'in-process.db'}"
    ledger = Ledger.open(url)
    pipeline.ingest(
        ledger, raw_items(corpus), factory=poisoned_extractor, batch_size=BATCH, english_only=True
    )
    ledger.engine.dispose()
    assert ledger_content(url) == serial[0]


@pytest.mark.slow
def test_scale_a_worker_killed_mid_run_loses_and_duplicates_nothing(corpus: Path, serial, database_url: str):
    with local_cluster() as cluster, distributed.Client(cluster) as connected:
        before = connected.run(os.getpid)
        victim = sorted(before.values())[0]
        killed: list[int] = []

        def kill_once(summary: RunSummary) -> None:
            # a quarter in: partitions are done, written, in flight and queued
            if not killed and summary.documents_read + len(summary.errors) >= DOCUMENTS // 4:
                os.kill(victim, signal.SIGKILL)
                killed.append(summary.documents_read)

        ledger = Ledger.open(database_url)
        summary = pipeline.ingest(
            ledger,
            raw_items(corpus),
            factory=poisoned_extractor,
            client=connected,
            batch_size=BATCH,
            window=4,
            english_only=True,
            on_item=kill_once,
        )
        ledger.engine.dispose()
        assert killed, "the run ended before a worker could be killed"
        connected.wait_for_workers(2, timeout=60)
        after = connected.run(os.getpid)
    assert victim not in after.values() and len(after) == 2  # the nanny started a new worker
    assert ledger_content(database_url) == serial[0]
    assert counts(summary) == serial[1]


def run_cli(*args: str, block_dask: bool = False) -> subprocess.CompletedProcess[str]:
    # sys.modules[name] = None makes `import distributed` fail as it does where Dask is not installed
    prelude = "import sys; sys.modules['distributed'] = None; " if block_dask else ""
    code = prelude + "from counterclaim.cli import main; main()"
    # Dask's own setting for how long to wait for a scheduler (30 s by default)
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.mark.slow
def test_scale_cli_ingest_on_a_scheduler_equals_the_plain_ingest(
    client: distributed.Client, corpus: Path, tmp_path: Path
):
    plain, clustered = tmp_path / "plain.db", tmp_path / "clustered.db"
    common = ["ingest", str(corpus), "--published", PUBLISHED, "--quiet", "--batch-size", str(BATCH)]
    first = run_cli(*common, "--db", str(plain))
    second = run_cli(*common, "--db", str(clustered), "--scheduler", client.scheduler.address)
    assert first.returncode == second.returncode == 3, (first.stderr, second.stderr)  # partial: bad inputs
    assert ledger_content(f"sqlite:///{clustered}") == ledger_content(f"sqlite:///{plain}")


@pytest.mark.slow
def test_scale_cli_without_dask_says_to_install_the_extra_in_one_line(corpus: Path, tmp_path: Path):
    for flag in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        result = run_cli("ingest", str(corpus), "--db", str(tmp_path / "x.db"), *flag, block_dask=True)
        assert result.returncode == 1
        assert result.stderr.strip().count("\n") == 0
        assert "[E601]" in result.stderr and "counterclaim[dask]" in result.stderr
    assert not (tmp_path / "x.db").exists()  # refused before the ledger was made


@pytest.mark.slow
def test_scale_cli_refuses_both_a_scheduler_and_local_workers(corpus: Path, tmp_path: Path):
    result = run_cli(
        "ingest", str(corpus), "--db", str(tmp_path / "x.db"), "--workers", "2", "--scheduler", "tcp://h:1"
    )
    assert result.returncode == 1 and "not both" in result.stderr


@pytest.mark.slow
def test_scale_cli_without_a_reachable_scheduler_is_one_line(corpus: Path, tmp_path: Path):
    result = run_cli(
        "ingest", str(corpus), "--db", str(tmp_path / "x.db"), "--scheduler", "tcp://127.0.0.1:9", "--quiet"
    )
    assert result.returncode == 1 and "cannot reach the Dask scheduler" in result.stderr


def _worker_settings() -> tuple[object, object]:
    import dask

    return dask.config.get("distributed.worker.profile.enabled"), dask.config.get(
        "distributed.admin.tick.interval"
    )


@pytest.mark.slow
def test_scale_a_local_cluster_runs_without_the_dashboards_sampling_unless_the_user_wants_it(
    monkeypatch: pytest.MonkeyPatch,
):
    with scale.connect(None, 1) as client:
        assert client is not None
        assert list(client.run(_worker_settings).values()) == [(False, "1s")]
        assert client.direct_to_workers is True
    import dask

    assert dask.config.get("distributed.admin.tick.interval") == "20ms"  # the settings end with the cluster
    # a setting given in Dask's own configuration wins over the ingest's, even Dask's default value
    monkeypatch.setenv("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", "True")
    with scale.connect(None, 1) as client:
        assert client is not None
        assert list(client.run(_worker_settings).values()) == [(True, "1s")]
    with dask.config.set({"distributed.admin.tick.interval": "40ms"}), scale.connect(None, 1) as client:
        assert client is not None
        assert list(client.run(_worker_settings).values()) == [(True, "40ms")]
