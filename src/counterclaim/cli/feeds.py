"""The live ledger's commands: feeds add / list / remove, poll (one pass, for cron) and watch (a loop)."""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from counterclaim import api
from counterclaim.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    data_options,
    db_option,
    error_line,
    format_option,
    stderr,
    stdout,
)
from counterclaim.cli.history import alert_setup, alerts_option, print_refresh
from counterclaim.cli.output import counts_table, ingest_progress, simple_table
from counterclaim.errors import CounterclaimError
from counterclaim.ingest.feeds import UrlRules
from counterclaim.ingest.polling import POLL_BATCH, PollOptions, PollReport
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.store import Ledger
from counterclaim.store import feeds as feed_store

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
#: The shortest period a feed may be polled at: a feed is not a chat.
MIN_EVERY = 60


def parse_every(_: click.Context | None, __: click.Parameter | None, value: str) -> int:
    """A period such as ``15m``, ``2h``, ``1d`` or ``90`` (seconds), in seconds."""
    found = _DURATION.match(value or "")
    if not found:
        raise click.BadParameter(f"{value!r} is not a period; use e.g. 15m, 2h, 1d or 900 (seconds)")
    seconds = int(float(found.group(1)) * _UNITS[(found.group(2) or "s").lower()])
    if seconds < MIN_EVERY:
        raise click.BadParameter(
            f"{value!r} is shorter than a minute; a feed is polled at most once a minute"
        )
    return seconds


def _period(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@click.group()
def feeds() -> None:
    """The RSS, Atom and sitemap feeds `poll` and `watch` follow (see docs/live.md)."""


@feeds.command(name="add")
@click.argument("url")
@click.option("--name", help="A short name for the feed  [default: its host and path]")
@click.option(
    "--every",
    default="15m",
    show_default=True,
    callback=parse_every,
    help="How often to poll it: 15m, 2h, 1d.",
)
@db_option
def add(url: str, name: str | None, every: int, db: str) -> None:
    """Follow a feed: RSS, Atom, an XML sitemap, a sitemap index or a Google news sitemap.

    Adding a URL already followed changes its name and period.

    Example:
        counterclaim feeds add https://www.example.org/world/rss.xml --name example-world --every 30m
    """
    feed, new = api.add_feed(api.open_ledger(db), url, name=name, every=every)
    verb = "following" if new else "updated"
    stderr.print(f"{verb} {feed.name} ({feed.url}), every {_period(feed.every)}", markup=False)


@feeds.command(name="list")
@format_option("table", "json")
@db_option
def list_command(output_format: str, db: str) -> None:
    """List the feeds: period, when next due, entries listed and stored, the last error.

    Example:
        counterclaim feeds list --db ledger.db
    """
    rows = feed_store.list_feeds(api.open_ledger(db, create=False))
    if output_format == "json":
        click.echo(json.dumps([feed.to_dict() for feed in rows], ensure_ascii=False, indent=2))
        return
    cells = [
        (
            feed.name, feed.url, _period(feed.every), feed.kind or "", feed.next_due.isoformat()[:19],
            str(feed.entries), str(feed.stored), str(feed.failures),
            f"{feed.last_error_code} {feed.last_error}" if feed.last_error_code else "",
        )
        for feed in rows
    ]  # fmt: skip
    header = ("name", "url", "every", "kind", "next due (UTC)", "entries", "stored", "failures", "last error")
    stdout().print(simple_table(cells, header))


@feeds.command(name="remove")
@click.argument("feed")
@db_option
def remove(feed: str, db: str) -> None:
    """Stop following a feed (by name or URL); what it brought stays in the ledger.

    Example:
        counterclaim feeds remove example-world
    """
    gone = feed_store.remove_feed(api.open_ledger(db, create=False), feed)
    stderr.print(f"no longer following {gone.name} ({gone.url})", markup=False)


@feeds.command(name="entries")
@click.argument("feed", required=False)
@click.option(
    "--outcome",
    type=click.Choice(["pending", "stored", "known", "duplicate", "skipped", "failed"]),
    help="Only the entries with this outcome (failed: retried later, or given up after 5 tries).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, show_default=True, help="The latest this many."
)
@format_option("table", "jsonl")
@db_option
def entries_command(feed: str | None, outcome: str | None, limit: int, output_format: str, db: str) -> None:
    """What became of the feeds' entries (of one FEED, by name or URL): stored, failed and why.

    Example:
        counterclaim feeds entries example-world --outcome failed
    """
    rows = feed_store.entries(api.open_ledger(db, create=False), feed=feed, outcome=outcome, limit=limit)
    if output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    cells = [
        (
            str(row["id"]), row["feed"] or "", row["url"], row["outcome"], str(row["attempts"]),
            f"{row['error_code']} {row['error']}" if row["error_code"] else "",
            str(row["next_try"] or "")[:19], str(row["document_id"] or ""),
        )
        for row in rows
    ]  # fmt: skip
    header = ("entry", "feed", "url", "outcome", "tries", "error", "next try (UTC)", "document")
    stdout().print(simple_table(cells, header))


def _poll_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
                help="Hosts fetched from at once (one request at a time per host, always).",
            ),
            click.option(
                "--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
                help="Seconds between two requests to one host (a longer robots.txt Crawl-delay wins).",
            ),
            click.option(
                "--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
                help="Seconds to wait for a server to answer or send.",
            ),
            click.option(
                "--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
                help="Refuse a larger page or feed (read as a stream, never whole).",
            ),
            click.option(
                "--batch-size", type=click.IntRange(min=1), default=POLL_BATCH, show_default=True,
                help="Pages per transaction (and per task on a cluster).",
            ),
            click.option("--any-language", is_flag=True, help="Keep pages not in English."),
            click.option("--scheduler", metavar="tcp://HOST:PORT", help="Extract on this Dask cluster."),
            click.option("--workers", type=click.IntRange(min=1), help="Extract on a local Dask cluster."),
            click.option(
                "--url-rules", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="A TOML file extending data/urls.toml (tracking and AMP parameters); repeatable.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No summary."),
            alerts_option,
            db_option,
            data_options,
        ]
    ):  # fmt: skip
        function = option(function)
    return function


def _run(settings: dict[str, Any], work: Callable[..., Any]) -> Any:
    """Open the ledger and the cluster, and run ``work(ledger, options, **extraction)``."""
    from counterclaim.ingest import cluster as scale

    clustered = scale.check_options(settings["scheduler"], settings["workers"])
    ledger = api.open_ledger(settings["db"], actors=settings["actors"])
    options = PollOptions(
        concurrency=settings["concurrency"], delay=settings["delay"], timeout=settings["timeout"],
        max_bytes=settings["max_bytes"], batch_size=settings["batch_size"],
        english_only=not settings["any_language"], all_feeds=settings.pop("all_feeds", False),
    )  # fmt: skip
    rules = UrlRules.load(*settings["url_rules"]) if settings["url_rules"] else None
    with scale.connect(settings["scheduler"], settings["workers"]) as client:
        if clustered:
            extraction: dict[str, Any] = {
                "client": client,
                "factory": scale.ExtractorSettings.of(settings["actors"], settings["lexicon"]),
            }
        else:
            extraction = {
                "extractor": api.build_extractor(actors=settings["actors"], lexicon=settings["lexicon"])
            }
        return work(ledger, options, rules=rules, **extraction)


@click.command()
@click.option("--all", "all_feeds", is_flag=True, help="Poll every feed now, not only those that are due.")
@_poll_options
def poll(**settings: Any) -> None:
    """Poll every feed that is due, once, and store its new pages' claims (for cron or a timer).

    Exit status 0 when everything went well, 3 when a feed or a page failed (recorded, retried
    later), 1 on an error that stopped the poll.

    Example:
        counterclaim poll --db ledger.db
    """
    with ingest_progress(None, settings["quiet"], verb="polling") as (progress, task):

        def moved(report: PollReport) -> None:
            progress.update(
                task, completed=report.pages_fetched, claims=report.claims_new, errors=len(report.errors)
            )

        ledger, report = _run(
            settings,
            lambda ledger, options, **more: (ledger, api.poll(ledger, options, on_page=moved, **more)),
        )
    _after_poll(ledger, report, settings, table=True)
    sys.exit(EXIT_OK if report.status == "ok" else EXIT_PARTIAL)


@click.command()
@_poll_options
def watch(**settings: Any) -> None:
    """Poll the feeds whenever one is due, until SIGTERM or Ctrl-C (for systemd; see docs/live.md).

    A signal ends it cleanly: the partition being written is finished first, nothing is lost.
    A second signal stops it at once (what was written stays; the rest is fetched next time).

    Example:
        counterclaim watch --db ledger.db --concurrency 16
    """
    stop = threading.Event()

    def stop_now(number: int, _: Any) -> None:
        if stop.is_set():  # a second signal: stop now (the run is recorded interrupted)
            raise KeyboardInterrupt
        if not settings["quiet"]:
            error_line(f"{signal.Signals(number).name}: stopping after the current write")
        stop.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, stop_now)

    try:
        _run(
            settings,
            lambda ledger, options, **more: api.watch(
                ledger,
                options,
                stop=stop,
                after_poll=lambda report: _after_poll(ledger, report, settings, table=False),
                **more,
            ),
        )
    except Exception as error:
        if isinstance(error, CounterclaimError):
            raise
        error_line(f"watch stopped: {type(error).__name__}: {error}")
        sys.exit(EXIT_ERROR)


def _after_poll(ledger: Ledger, report: PollReport, settings: dict[str, Any], *, table: bool) -> None:
    """After each poll (of `poll`, of `watch`): what it did, on stderr; then the estimates of the
    series its new claims touched are kept and the alert rules (``--alerts``) checked and sent."""
    if not settings["quiet"]:
        if table:
            for error in report.errors:
                error_line(str(error))
            stderr.print(report_table(report))
        elif report.feeds_due or report.run_id is not None:
            stderr.print(_one_line(report), markup=False, highlight=False)
    if not report.new_claim_ids:
        return
    rules, channels = alert_setup(settings["alerts_file"])
    try:
        refreshed = api.refresh_estimates(
            ledger, new_claim_ids=report.new_claim_ids, rules=rules, channels=channels
        )
    except CounterclaimError as error:
        # the claims are stored; a refresh that fails is done again by the next poll or `refresh`
        error_line(f"estimates not refreshed: {error}")
        return
    if not settings["quiet"]:
        print_refresh(refreshed)


def _one_line(report: PollReport) -> str:
    failed = "".join(f"; {name} failed {code}" for name, code, _ in report.feeds_failed)
    return (
        f"counterclaim: poll: {report.feeds_due} feeds due, {report.feeds_not_modified} unchanged, "
        f"{report.entries_new} new entries, {report.pages_fetched} pages, {report.documents_new} new "
        f"documents, {report.claims_new} new claims, {len(report.errors)} errors{failed}"
    )


def report_table(report: PollReport) -> Table:
    """A poll's counts: feeds due, unchanged, failed; entries, pages, documents, claims, errors."""
    return counts_table(
        f"poll{f' (run {report.run_id})' if report.run_id is not None else ''}: {report.status}",
        [
            ("feeds due", report.feeds_due),
            ("feeds unchanged (304)", report.feeds_not_modified),
            ("feeds failed", len(report.feeds_failed)),
            ("new entries", report.entries_new),
            ("pages fetched", report.pages_fetched),
            ("same page under another URL", report.duplicates),
            ("new documents", report.documents_new),
            ("new claims", report.claims_new),
            ("errors", len(report.errors)),
            ("requests", report.requests),
        ],
    )
