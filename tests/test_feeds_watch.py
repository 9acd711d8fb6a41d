"""`counterclaim watch` as a real process: killed with SIGKILL mid-run then run again, nothing lost
and nothing stored twice; stopped with SIGTERM, it ends cleanly after the current write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from counterclaim import api
from counterclaim.extract import Extractor
from counterclaim.store import schema
from newssite import NewsSite, article_html, article_text, rss, serve, stop

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = list(range(1, 13))


@pytest.fixture
def site() -> Iterator[NewsSite]:
    news = NewsSite(slow=0.25)  # each page takes a while: the process is caught mid-run
    server, _ = serve(news)
    for number in ARTICLES:
        news.put(f"/a/{number}", "text/html", article_html(number))
    news.put(
        "/rss.xml", "application/rss+xml", rss(news.base, [(f"/a/{n}", f"report {n}") for n in ARTICLES])
    )
    try:
        yield news
    finally:
        stop(server, news)


def _counterclaim(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "counterclaim", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored(db: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        e = schema.feed_entries.c
        with engine.connect() as connection:
            return {row.url for row in connection.execute(select(e.url).where(e.outcome == "stored"))}
    except Exception:  # the tables do not exist yet
        return set()
    finally:
        engine.dispose()


def _wait_for(db: Path, process: subprocess.Popen[str], at_least: int) -> set[str]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        stored = _stored(db)
        if len(stored) >= at_least:
            return stored
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("watch stored nothing in 90 s")


def _watch(db: Path) -> subprocess.Popen[str]:
    return _counterclaim(
        "watch", "--db", str(db), "--delay", "0", "--timeout", "5", "--batch-size", "2", "--concurrency", "2"
    )


@pytest.mark.slow
def test_feeds_watch_killed_then_run_again_loses_and_repeats_nothing(
    site: NewsSite, tmp_path: Path, extractor: Extractor
):
    db = tmp_path / "live.db"
    ledger = api.open_ledger(str(db))
    api.add_feed(ledger, f"{site.base}/rss.xml")
    ledger.engine.dispose()

    watch = _watch(db)
    _wait_for(db, watch, 2)
    watch.send_signal(signal.SIGKILL)
    watch.communicate(timeout=10)
    stored_at_kill = _stored(db)
    assert 2 <= len(stored_at_kill) < len(ARTICLES)  # caught mid-run
    killed_at = len(site.requests())

    again = _watch(db)
    _wait_for(db, again, len(ARTICLES))
    again.send_signal(signal.SIGTERM)
    _, err = again.communicate(timeout=30)
    assert again.returncode == 0, err

    after = [entry.path for entry in site.requests(killed_at)]
    # what was stored before the kill is never fetched again
    assert not {f"{site.base}{path}" for path in after} & stored_at_kill
    ledger = api.open_ledger(str(db))
    with ledger.engine.connect() as connection:
        d, c = schema.documents.c, schema.claims.c
        urls = [row.url for row in connection.execute(select(d.url))]
        claims = sorted(tuple(row) for row in connection.execute(select(c.claimant, c.measure, c.value)))
        statuses = [
            row.status for row in connection.execute(select(schema.runs.c.status).order_by(schema.runs.c.id))
        ]
        reports = connection.execute(select(func.count()).select_from(schema.reports)).scalar_one()
    assert sorted(urls) == sorted(f"{site.base}/a/{n}" for n in ARTICLES)  # each article once
    expected = sorted(
        (claim.claimant, claim.measure, claim.value)
        for n in ARTICLES
        for claim in extractor.extract(article_text(n))
    )
    assert claims == expected  # nothing lost, nothing twice
    assert reports == len(expected)
    assert statuses[0] == "abandoned"  # the killed process's run, found by the next one


@pytest.mark.slow
def test_feeds_watch_stops_cleanly_on_sigterm(site: NewsSite, tmp_path: Path):
    db = tmp_path / "live.db"
    ledger = api.open_ledger(str(db))
    api.add_feed(ledger, f"{site.base}/rss.xml")
    ledger.engine.dispose()

    watch = _watch(db)
    _wait_for(db, watch, 1)
    watch.send_signal(signal.SIGTERM)
    _, err = watch.communicate(timeout=30)
    assert watch.returncode == 0, err
    assert "SIGTERM" in err
    ledger = api.open_ledger(str(db))
    with ledger.engine.connect() as connection:
        runs = connection.execute(select(schema.runs.c.status)).scalars().all()
        e = schema.feed_entries.c
        left = connection.execute(select(func.count()).where(e.outcome == "pending")).scalar_one()
    assert runs and all(status in ("ok", "partial") for status in runs)  # finished, not interrupted
    # what it did not reach is still pending, and the next poll stores it
    report = api.poll(ledger)
    assert report.documents_new == left
    assert len(_stored(db)) == len(ARTICLES)


@pytest.mark.slow
def test_feeds_poll_extracts_on_a_dask_cluster_as_in_process(site: NewsSite, tmp_path: Path):
    from click.testing import CliRunner

    from counterclaim.cli import cli

    site.slow = 0.0
    contents = []
    for name, extra in (("here", []), ("cluster", ["--workers", "1"])):
        db = tmp_path / f"{name}.db"
        ledger = api.open_ledger(str(db))
        api.add_feed(ledger, f"{site.base}/rss.xml")
        ledger.engine.dispose()
        result = CliRunner().invoke(cli, ["poll", "--delay", "0", "--db", str(db), *extra])
        assert result.exit_code == 0, result.output
        engine = create_engine(f"sqlite:///{db}")
        with engine.connect() as connection:
            c, e = schema.claims.c, schema.feed_entries.c
            contents.append(
                (
                    sorted(tuple(row) for row in connection.execute(select(c.claimant, c.measure, c.value))),
                    sorted(tuple(row) for row in connection.execute(select(e.url, e.outcome))),
                )
            )
        engine.dispose()
    assert contents[0] == contents[1]
    assert len(contents[0][1]) == len(ARTICLES) and {o for _, o in contents[0][1]} == {"stored"}
