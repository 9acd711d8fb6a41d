"""Shared fixtures: the shared corpora beside the project, the extractor, databases, a local web server."""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counterclaim.extract import Extractor, default_extractor

ROOT = Path(__file__).resolve().parents[1]
#: Set by .ci/run: there every part is present, so a skipped test is a failure, not a footnote.
REQUIRE_ALL_ENV = "COUNTERCLAIM_REQUIRE_ALL_TESTS"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return default_extractor()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpora beside the project; tests that need them skip with a reason if absent."""
    if not (SHARED / "seed" / "gold.jsonl").exists():
        pytest.skip(f"{SHARED} is not beside the project (CI always has it)")
    return SHARED


POSTGRES_ENV = "COUNTERCLAIM_TEST_POSTGRES"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty database of each backend: a SQLite file, and a PostgreSQL database on the
    server `.ci/run` starts (its URL in COUNTERCLAIM_TEST_POSTGRES)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with postgres_database() as url:
        yield url


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the test server, dropped afterwards (skips if there is none)."""
    import uuid

    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: .ci/run starts a PostgreSQL server and sets it")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


#: A news page as sites serve it: menus and footers around the article, metadata in the head.
ARTICLE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Strike kills 12 in Kharkiv | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-14T10:00:00Z">
</head><body><nav>Home | World | 99 stories</nav><article><h1>Strike kills 12 in Kharkiv</h1>
<p>At least 12 people were killed in Kharkiv on Thursday, the regional governor said. Another 30 were
wounded, officials said, as rescue work went on through the night in the city.</p>
<p>The Ukrainian military said Russia had launched 40 missiles overnight at targets across the country,
the largest attack in weeks, and that most of them had been shot down.</p></article>
<footer>Copyright 2024. 500 readers online.</footer></body></html>
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/article": ("200 OK", "text/html; charset=utf-8", ARTICLE_HTML.encode()),
            "/plain": ("200 OK", "text/plain", b"At least 7 people were killed in Sumy, officials said."),
            "/moved": ("301 Moved", "text/html", b""),
            "/image": ("200 OK", "image/png", b"\x89PNG\r\n\x1a\n"),
            "/big": ("200 OK", "text/html", b"<html><body><p>" + b"x" * 300_000 + b"</p></body></html>"),
        }
        if self.path == "/slow":
            time.sleep(3)
        status, content_type, body = routes.get(self.path, ("404 Not Found", "text/html", b"no"))
        self.send_response(int(status.split()[0]), status.split(" ", 1)[1])
        if self.path == "/moved":
            self.send_header("Location", "/article")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may give up, as it should on a slow or oversized page
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A web server on 127.0.0.1 (a free port) with an article, plain text, a redirect, an image,
    an oversized page, a slow page and 404s."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


#: An article whose every field tries to run script in the dashboard: the pages must show it as text.
HOSTILE_TEXT = (
    'Officials said <script>window.__xss = "script"</script> at least 44 people were killed in '
    "Kharkiv <img src=x onerror=\"window.__xss = 'img'\"> on Monday, the regional governor said. "
    "<svg onload=\"window.__xss = 'svg'\"></svg> <a href=\"javascript:window.__xss='link'\">click</a> "
    "Another 12 were wounded, officials said.\n"
)


@contextlib.contextmanager
def running(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields its base URL."""
    import asyncio
    import socket

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def web_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite ledger for the dashboard's tests: the sample articles, the General Staff's table
    (a series of hundreds of claims) and one hostile article."""
    from counterclaim import api
    from counterclaim.ingest.inputs import read_manifest
    from counterclaim.ingest.tables import import_table, load_mapping
    from counterclaim.models import Document

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'ledger.db'}"
    ledger = api.open_ledger(url)
    folder, file, mapping = api.SAMPLE_TABLE_FILES[0]
    import_table(ledger, api.SAMPLE_TABLES / folder / file, load_mapping(mapping))
    api.ingest(ledger, list(read_manifest(api.SAMPLE_MANIFEST)))
    hostile = Document(
        id="hostile<script>.txt",
        text=HOSTILE_TEXT,
        title='<script>window.__xss = "title"</script>Hostile',
        url="javascript:window.__xss='url'",
        outlet="<img src=x onerror=\"window.__xss='outlet'\">",
    )
    api.ingest(ledger, [hostile])
    ledger.engine.dispose()
    return url


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where every part must be present (CI), a skipped test fails the run, with its reason."""
    if not os.environ.get(REQUIRE_ALL_ENV):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            reporter.write_line(f"{REQUIRE_ALL_ENV}: {report.nodeid} was skipped: {reason}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
