"""The serve command: the dashboard and its JSON API over a ledger, on uvicorn."""

from __future__ import annotations

import os

import click

from counterclaim.cli.common import db_option, error_line
from counterclaim.settings import Settings
from counterclaim.store.engine import database_url, shown

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@click.command()
@db_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address to listen on (loopback by default)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Add the write endpoints (upload an article, correct a claim); they need the bearer token.",
)
@click.option(
    "--token",
    envvar="COUNTERCLAIM_TOKEN",
    show_envvar=True,
    help="The bearer token the write endpoints need (safer in COUNTERCLAIM_TOKEN than on the command line).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes; each keeps its own cache (2 on a 2-core machine halves the tail latency).",
)
@click.option(
    "--recheck",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="How often the ledger is looked at for changes made by other processes (an ingest running "
    "meanwhile); answers are kept until it changes.",
)
@click.pass_obj
def serve(
    settings: Settings | None,
    db: str,
    host: str,
    port: int,
    allow_writes: bool,
    token: str | None,
    workers: int,
    recheck: float,
) -> None:
    """Serve the dashboard and its JSON API (read-only unless --allow-writes); see docs/dashboard.md.

    Example:
        counterclaim serve --db counterclaim-demo.db
    """
    import uvicorn

    from counterclaim.web.app import create_app_from_settings

    if allow_writes and not token:
        raise click.UsageError("--allow-writes needs a token: set COUNTERCLAIM_TOKEN (or pass --token)")
    settings = (settings or Settings()).with_flags(
        db=db, allow_writes=allow_writes, token=token, recheck=recheck
    )
    # opens the ledger: errors show here
    app = create_app_from_settings(settings)
    if host not in LOOPBACK:
        error_line(
            f"warning: listening on {host}, not loopback: anyone who can reach this address reads the ledger"
            + (" and, with the token, writes to it" if allow_writes else "")
        )
    address = f"[{host}]" if ":" in host else host
    ledger = shown(database_url(db)) if "://" in db else db  # a URL's password is never printed
    click.echo(f"counterclaim: serving {ledger} on http://{address}:{port}/ (Ctrl-C stops)", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    _serve_workers(settings, host, port, workers)


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several server processes: each builds its own app from the settings passed down in the environment."""
    import uvicorn

    os.environ.update(settings.to_environment())
    uvicorn.run(
        "counterclaim.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
