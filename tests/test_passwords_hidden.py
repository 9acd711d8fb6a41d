"""Passwords in URLs are never printed nor put in an error: the database's, an article's."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from counterclaim.cli import cli
from counterclaim.errors import FetchError, LedgerError

SECRET = "hunter2-secret"


def _said(*args: str) -> str:
    """What a command prints, and the message of the error it stops with (`main` prints it as one line)."""
    result = CliRunner().invoke(cli, list(args))
    said = result.output + (str(result.exception) if result.exception is not None else "")
    assert SECRET not in said
    return said


def _serve(monkeypatch: pytest.MonkeyPatch, db: str) -> str:
    """What `counterclaim serve --db DB` says, the server itself not started."""
    import uvicorn

    # the app is built (the ledger opened) and let go at once: its pooled connections are closed
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: app.state.dashboard.ledger.engine.dispose())
    return _said("serve", "--db", db, "--port", "8765")


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_passwords_serve_prints_the_database_without_its_password(
    monkeypatch: pytest.MonkeyPatch, database_url: str
):
    # the test server trusts loopback, so the password is accepted and the ledger really opens
    with_password = make_url(database_url).set(password=SECRET).render_as_string(hide_password=False)
    output = _serve(monkeypatch, with_password)
    assert "serving postgresql+psycopg://postgres:***@" in output, output


def test_passwords_serve_that_cannot_connect_hides_the_password(monkeypatch: pytest.MonkeyPatch):
    output = _serve(monkeypatch, f"postgresql+psycopg://analyst:{SECRET}@127.0.0.1:1/ledger")
    assert "cannot open the ledger at postgresql+psycopg://analyst:***@127.0.0.1:1/ledger" in output


@pytest.mark.parametrize(
    "db",
    [
        f"postgresql+psycopg://analyst:{SECRET}@db.example:notaport/ledger",  # not a URL SQLAlchemy reads
        f"postgresql+psycopg://analyst:{SECRET}@127.0.0.1:1/ledger",
    ],
)
def test_passwords_ledger_errors_hide_the_password(db: str):
    assert "analyst:***@" in _said("claims", "--db", db)


def test_passwords_errors_hide_any_url_s_password():
    error = LedgerError(f"cannot reach mysql://root:{SECRET}@10.0.0.1/x nor https://u:{SECRET}@h.example/p")
    assert SECRET not in str(error)
    assert "mysql://root:***@10.0.0.1/x" in str(error) and "https://u:***@h.example/p" in str(error)
    fetched = FetchError(f"https://reader:{SECRET}@news.example/article", "HTTP 401 Unauthorized")
    assert SECRET not in str(fetched) and SECRET not in fetched.source
    assert "https://reader:***@news.example/article" in str(fetched)


def test_passwords_a_fetched_article_s_url_is_stored_without_its_password(server: str):
    from counterclaim.ingest.fetch import Fetcher

    url = server.replace("http://", f"http://reader:{SECRET}@") + "/plain"
    with Fetcher(max_bytes=100_000) as fetcher:
        document = fetcher.fetch(url)
    assert SECRET not in document.id and SECRET not in (document.url or "")
    with Fetcher(max_bytes=100_000) as fetcher, pytest.raises(FetchError) as failed:
        fetcher.fetch(url.replace("/plain", "/missing"))
    assert SECRET not in str(failed.value)
