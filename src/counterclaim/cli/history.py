"""The estimate history and alert commands: revisions, refresh, alerts (see docs/alerts.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from counterclaim import api
from counterclaim.alerting import Rule
from counterclaim.cli.common import db_option, ledger_options, one_line_errors, stderr, stdout
from counterclaim.cli.output import number
from counterclaim.delivery import Channel
from counterclaim.errors import ReconcileError
from counterclaim.reconcile import find_series
from counterclaim.settings import Settings
from counterclaim.store import Ledger

F = TypeVar("F", bound=Callable[..., Any])


def alerts_option(function: F) -> F:
    """--alerts FILE: the alert rules (``alerts`` of the settings by default)."""
    return click.option(
        "--alerts",
        "alerts_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An alert rules file (docs/alerts.md); new estimates are checked against it and the "
        "alerts sent on the channels the settings configure.",
    )(function)


def alert_setup(alerts_file: Path | None) -> tuple[list[Rule], list[Channel]]:
    """The rules of ``alerts_file`` and the channels of the current settings (none without a file)."""
    if alerts_file is None:
        return [], []
    settings = click.get_current_context().find_object(Settings) or Settings()
    return api.read_rules(alerts_file), api.channels_from(settings)


def refresh_after(ledger: Ledger, alerts_file: Path | None, claim_ids: Sequence[int]) -> None:
    """After new or corrected claims: their series' estimates kept, alerts raised and sent (with rules)."""
    rules, channels = alert_setup(alerts_file)
    if not rules or not claim_ids:
        return
    report = api.refresh_estimates(ledger, new_claim_ids=claim_ids, rules=rules, channels=channels)
    print_refresh(report)


def print_refresh(report: api.RefreshReport) -> None:
    """One line on what a refresh did, then one per alert and per delivery error, on stderr."""
    sent = report.deliveries
    # one line each, never folded: cron mails and logs read them
    stderr.print(
        f"estimates: {len(report.revisions)} series, {report.new_revisions} new revisions; "
        f"{len(report.alerts)} new alerts; deliveries: {sent.sent} sent, {sent.retrying} to retry, "
        f"{sent.failed} given up",
        soft_wrap=True,
    )
    for alert in report.alerts:
        stderr.print(f"  alert {alert['id']}: {alert['summary']}", markup=False, soft_wrap=True)
    for error in sent.errors:
        stderr.print(f"  not delivered: {error}", markup=False, soft_wrap=True)


@click.command()
@click.argument("series_ref", metavar="SERIES")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@ledger_options
@one_line_errors
def revisions(
    series_ref: str,
    output_format: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
) -> None:
    """Every estimate of a series the ledger kept, oldest first, and the claims that arrived between them.

    JSON: a list, one object per stored estimate (with claims_added, claims_removed and arrived).

    Example:
        counterclaim revisions russia-ukraine/killed/russia/military --format json
    """
    ledger = api.open_ledger(db, actors=actors, create=False)
    series_id = series_ref.strip().strip("/").lower()
    if not ledger.revisions(series_id):
        try:
            series_id = find_series(
                api.load_series(ledger, api.read_conflicts(conflict_files)), series_ref
            ).id
        except ReconcileError:
            raise ReconcileError(
                f"no estimate of {series_ref!r} is stored; `counterclaim series` lists the series "
                "(and stores their estimates)"
            ) from None
    rows = api.series_revisions(ledger, series_id)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    out = stdout()
    table = Table(title=f"{series_id}: {len(rows)} stored estimates, oldest first")
    for column in ("#", "computed at", "as of", "low", "best", "high", "model", "claims", "arrived", "left"):
        table.add_column(
            column, justify="right" if column in ("#", "low", "best", "high", "claims") else "left"
        )
    for row in rows:
        table.add_row(
            str(row["id"]), row["computed_at"][:19].replace("T", " "), row["as_of"]
            + ("" if row["kind"] == "latest" else " (asked)"), number(row["low"]), number(row["best"]),
            number(row["high"]), f"{row['model']} {row['model_version']}", str(row["n_claims"]),
            ", ".join(map(str, row["claims_added"])), ", ".join(map(str, row["claims_removed"])),
        )  # fmt: skip
    out.print(table)
    for row in rows:
        for claim in row["arrived"]:
            out.print(
                f"revision {row['id']} ← claim {claim['id']}: {claim.get('claimant') or 'unknown'}, "
                f"{number(claim.get('value'))} as of {claim.get('as_of')}: “{claim.get('evidence')}” "
                f"{claim.get('url') or claim.get('doc') or ''}",
                markup=False,
            )


@click.command()
@click.option("--series", "series", multiple=True, help="Only these series (ids or patterns); repeatable.")
@alerts_option
@ledger_options
@one_line_errors
def refresh(
    series: tuple[str, ...],
    alerts_file: Path | None,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
) -> None:
    """Compute every series' estimate, keep it, check the alert rules, send the alerts due (for cron).

    Deliveries that failed earlier are retried once their back-off has passed.

    Example:
        counterclaim refresh --alerts alerts.toml --db ledger.db
    """
    ledger = api.open_ledger(db, actors=actors, create=False)
    rules, channels = alert_setup(alerts_file)
    report = api.refresh_estimates(
        ledger, series=list(series) or None, rules=rules, channels=channels,
        priors=api.read_priors(priors_file), conflicts=api.read_conflicts(conflict_files),
    )  # fmt: skip
    print_refresh(report)


@click.command()
@click.option("--series", help="Only the alerts of this series (its id).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@one_line_errors
def alerts(series: str | None, limit: int, output_format: str, db: str) -> None:
    """The latest alerts, newest first, with how each was delivered.

    Example:
        counterclaim alerts --limit 10
    """
    ledger = api.open_ledger(db, create=False)
    rows = ledger.stored_alerts(limit=limit, series=series)
    for row in rows:
        row["deliveries"] = [
            {k: d[k] for k in ("channel", "status", "attempts", "next_attempt", "last_error", "sent_at")}
            for d in ledger.deliveries(alert_id=row["id"])
        ]
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=f"{len(rows)} alerts, newest first")
    for column in ("#", "created", "rule", "summary", "claim", "deliveries"):
        table.add_column(column)
    for row in rows:
        claim = row.get("claim") or {}
        table.add_row(
            str(row["id"]), str(row["created_at"])[:19].replace("T", " "), row["rule"], row["summary"],
            str(claim.get("id", "")),
            ", ".join(f"{d['channel']} {d['status']} ({d['attempts']})" for d in row["deliveries"]),
        )  # fmt: skip
    stdout().print(table)


COMMANDS = (revisions, refresh, alerts)


def register(cli: click.Group) -> None:
    """Add the history and alert commands to a click group."""
    for command in COMMANDS:
        cli.add_command(command)
