"""The reconciliation commands: series, estimate, plot, calibrate, evaluate-estimates, backtest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from counterclaim import api
from counterclaim.cli.common import ledger_options, one_line_errors, parse_iso_date, stdout
from counterclaim.cli.output import number
from counterclaim.reconcile import METHOD_NAMES, Conflicts, Estimate, Method, Series, find_series
from counterclaim.store import Ledger

TRUTHS_HELP = "A CSV file in the format of truths.csv."
CONFLICTS_OPTION = click.option(
    "--conflicts",
    "conflict_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file of conflict profiles merged on top of data/conflicts.toml (their start and end "
    "set each check's clock); repeatable.",
)
caps_option = click.option(
    "--caps",
    "caps_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file of population caps merged on top of data/caps.toml; repeatable.",
)


def _ledger_series(
    db: str, conflict_files: Sequence[Path], actors: Sequence[Path]
) -> tuple[list[Series], Conflicts, Ledger]:
    """The series of the ledger at ``db``, the conflict profiles (the user's too) they were built
    with, and the ledger."""
    ledger = api.open_ledger(db, actors=actors, create=False)
    conflicts = api.read_conflicts(conflict_files)
    return api.load_series(ledger, conflicts), conflicts, ledger


@click.command(name="series")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@ledger_options
@caps_option
@one_line_errors
def series_command(
    output_format: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
    caps_files: tuple[Path, ...],
) -> None:
    """List every series (conflict x measure x party x role) with its current low / best / high.

    Example:
        counterclaim series --db ledger.db
    """
    all_series, conflicts, ledger = _ledger_series(db, conflict_files, actors)
    # each estimate is kept in the ledger's history (`counterclaim revisions`)
    rows = api.summarize_series(
        all_series, api.read_priors(priors_file), conflicts=conflicts, ledger=ledger,
        caps=api.read_caps(caps_files),
    )  # fmt: skip
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    stdout().print(series_table(rows))


def series_table(rows: Sequence[dict[str, Any]], title: str | None = None) -> Table:
    """The series listing (:func:`counterclaim.api.summarize_series`) as a table."""
    table = Table(title=title or "series (model: 5th / 50th / 95th percentile on the latest claim's day)")
    for column in ("#", "series", "low", "best", "high", "as of", "claims", "other"):
        table.add_column(
            column, justify="right" if column in ("#", "low", "best", "high", "claims") else "left"
        )
    for row in rows:
        table.add_row(
            str(row["number"]),
            row["id"] + (f"\n[dim]{row['note']}[/]" if row["note"] else "")
            + (f"\n[yellow]{row['warning']}[/]" if row.get("warning") else ""),
            number(row.get("low")), number(row.get("best")), number(row.get("high")),
            str(row.get("as_of", "")), str(row["claims"]), str(row["excluded"]),
        )  # fmt: skip
    return table


def _explain_table(item: Series, est: Estimate, fitted: Method) -> Table:
    table = Table(title=f"{item.id}: each claim's pull on best ({est.method}, {est.as_of.isoformat()})")
    columns = ("claim", "claimant", "relation", "qualifier", "value", "as of", "adjusted", "bias", "weight")
    for column in columns:
        table.add_column(
            column, justify="right" if column in ("value", "adjusted", "bias", "weight") else "left"
        )
    for claim in sorted(fitted.explain(est.as_of), key=lambda c: -c.weight):
        table.add_row(
            claim.key, claim.claimant or "", claim.relation, claim.qualifier, number(claim.value),
            claim.as_of.isoformat() if claim.as_of else "", number(claim.adjusted),
            f"x{2.718281828 ** claim.bias:.2f}", f"{claim.weight:.0%}",
        )  # fmt: skip
    return table


def _print_estimate(item: Series, fitted: Method, est: Estimate, explain: bool) -> None:
    out = stdout()
    out.print(
        f"{item.id}  {est.as_of.isoformat()}  [bold]{number(est.best)}[/]  "
        f"({number(est.low)} – {number(est.high)})  {est.method}, {est.n_claims} claims"
    )
    if est.days_past_last_claim:
        out.print(
            f"[yellow]extrapolated:[/] {est.days_past_last_claim} days past the last claim; "
            "the band widens with the distance"
        )
    if est.warning:
        out.print(f"[yellow]warning:[/] {est.warning}")
    if item.note:
        out.print(f"[yellow]note:[/] {item.measure} is {item.note}")
    if explain:
        out.print(_explain_table(item, est, fitted))


@click.command()
@click.argument("series_ref", metavar="SERIES")
@click.option(
    "--as-of",
    "as_of",
    callback=parse_iso_date,
    help="The day to estimate (YYYY-MM-DD); the latest claim's day by default.",
)
@click.option("--method", type=click.Choice(list(METHOD_NAMES)), default="model", show_default=True)
@click.option(
    "--explain", is_flag=True, help="List each claim: its relation, bias-adjusted value and weight."
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@ledger_options
@caps_option
@one_line_errors
def estimate(
    series_ref: str,
    as_of: date | None,
    method: str,
    explain: bool,
    output_format: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
    caps_files: tuple[Path, ...],
) -> None:
    """Estimate one series (by its id or its number in `series`) on a day, by any method.

    Example:
        counterclaim estimate russia-ukraine/killed/russia/military --as-of 2022-04-07 --explain
    """
    all_series, conflicts, ledger = _ledger_series(db, conflict_files, actors)
    item = find_series(all_series, series_ref)
    priors, caps = api.read_priors(priors_file), api.read_caps(caps_files)
    fitted = api.fit_series(item, priors, conflicts=conflicts, method=method, caps=caps)
    est = fitted.estimate(as_of)
    api.record_estimates(ledger, [(item, fitted)], day=as_of)
    if output_format == "json":
        claims = [c.to_dict() for c in fitted.explain(est.as_of)]
        click.echo(
            json.dumps({"series": item.id, **est.to_dict(), "note": item.note, "claims": claims}, indent=2)
        )
        return
    _print_estimate(item, fitted, est, explain)


@click.command()
@click.argument("series_ref", metavar="SERIES")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.png or FILE.svg",
)
@click.option("--method", type=click.Choice(list(METHOD_NAMES)), default="model", show_default=True)
@ledger_options
@caps_option
@one_line_errors
def plot(
    series_ref: str,
    output: Path,
    method: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
    caps_files: tuple[Path, ...],
) -> None:
    """Draw a series: the claims by claimant over time, coloured by relation, and the estimate band.

    Example:
        counterclaim plot russia-ukraine/killed/russia/military -o russia-killed.svg
    """
    if output.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the file must end in .png or .svg", param_hint="-o")
    from counterclaim.reconcile.plot import save_plot  # matplotlib loads only for this command

    all_series, conflicts, _ = _ledger_series(db, conflict_files, actors)
    item = find_series(all_series, series_ref)
    fitted = api.fit_series(
        item, api.read_priors(priors_file), conflicts=conflicts, method=method, caps=api.read_caps(caps_files)
    )
    save_plot(item, fitted, output)
    click.echo(f"wrote {output}", err=True)


def _print_calibration(report: dict[str, Any], output: Path | None) -> None:
    out = stdout()
    table = Table(title="each input against its later figure: log(claim / later) and the prior")
    columns = ("check", "claim", "relation", "quantity", "log ratio", "prior mean", "prior sd", "z")
    for column in columns:
        table.add_column(column)
    keys = ("check", "claim", "relation", "quantity", "log_ratio", "prior_mean", "prior_sd", "z")
    for row in report["residuals"]:
        table.add_row(*(str(row[k]) for k in keys))
    out.print(table)
    out.print(f"model with these priors: {report['model']}")
    if "fitted" in report:
        out.print(f"fitted ({report['grid_points']} grid points): {report['fitted']}")
        for key, values in report["fitted_priors"].items():
            out.print(f"  {key}: mean {values['mean']}, sd {values['sd']}")
        if output:
            out.print(f"wrote {output}")


@click.command()
@click.option("--truths", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=TRUTHS_HELP)  # fmt: skip
@click.option("--fit", is_flag=True, help="Search the grid of prior shifts and sd scales for a better fit.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --fit: write the priors here.",
)
@click.option("--priors", "priors_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Start from this priors file instead of data/priors.toml.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the residuals, scores and fit as JSON.")
@CONFLICTS_OPTION
@one_line_errors
def calibrate(
    truths: Path,
    fit: bool,
    output: Path | None,
    priors_file: Path | None,
    as_json: bool,
    conflict_files: tuple[Path, ...],
) -> None:
    """Check the bias priors against a truths file, or fit them on a small grid (--fit).

    Example:
        counterclaim calibrate --truths ../shared/data/truths.csv --fit -o my-priors.toml
    """
    report = api.calibrate(
        truths,
        api.read_priors(priors_file),
        fit=fit,
        output=output,
        conflicts=api.read_conflicts(conflict_files),
    )
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_calibration(report, output)


@click.command(name="evaluate-estimates")
@click.option("--truths", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=TRUTHS_HELP)  # fmt: skip
@click.option("--priors", "priors_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A priors file replacing data/priors.toml.")  # fmt: skip
@click.option(
    "--json", "as_json", is_flag=True, help="Print {method: {coverage, median_abs_log_error, checks}}."
)
@CONFLICTS_OPTION
@one_line_errors
def evaluate_estimates(
    truths: Path, priors_file: Path | None, as_json: bool, conflict_files: tuple[Path, ...]
) -> None:
    """Score the model and each transparent rule against the later figures of a truths file.

    Example:
        counterclaim evaluate-estimates --truths ../shared/data/truths.csv --json
    """
    scores, skipped = api.evaluate_estimates(
        truths, api.read_priors(priors_file), conflicts=api.read_conflicts(conflict_files)
    )
    for line in skipped:
        click.echo(f"counterclaim: skipped {line}", err=True)
    if as_json:
        click.echo(json.dumps({name: score.to_dict() for name, score in scores.items()}, indent=2))
        return
    checks = next((score.checks for score in scores.values()), 0)  # every method meets every check
    table = Table(
        title=f"{checks} checks from {truths.name} (90% interval coverage; median |log error| of best)"
    )
    for column in ("method", "coverage", "median |log error|", "checks"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for name, score in scores.items():
        error = score.median_abs_log_error
        table.add_row(
            name, f"{score.coverage:.0%}", "" if error is None else f"{error:.3f}", str(score.checks)
        )
    stdout().print(table)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _ci(interval: list[float] | None) -> str:
    return "" if interval is None else f"{interval[0]:.1%} – {interval[1]:.1%}"


def _horizon_cell(horizon: str, cell: dict[str, Any]) -> str:
    parts = []
    if cell["point_pairs"]:
        parts.append(f"{_pct(cell['coverage'])} / {_num(cell['interval_score'])} ({cell['point_pairs']})")
    if cell["floor_pairs"]:
        parts.append(f"floors {_pct(cell['floor_consistency'])} ({cell['floor_pairs']})")
    return f"{horizon}d: {'; '.join(parts)}"


def _backtest_table(report: dict[str, dict[str, Any]], every: int, horizons: Sequence[int]) -> Table:
    first = next(iter(report.values()))
    table = Table(
        title=f"back-test: {first['pairs']} origin-target pairs, {first['point_pairs']} point targets "
        f"({first['report_pairs']} later reports, {first['truth_pairs']} truths) and {first['floor_pairs']} "
        f"floors (origins every {every} days, horizons {', '.join(str(h) for h in horizons)} days). "
        "Point targets: 90% band coverage (expected 90%) with its 95% Wilson interval, log-scale interval "
        "score, median |log error|. Floors: how often the band's top reaches them (expected at least 95%), "
        "pinball loss of the top. Lower scores are better."
    )
    columns = ("method", "coverage", "95% interval", "0.9 inside", "interval score", "median |log error|",
               "floors reached", "95% interval ", "floor pinball")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "method" else "right")
    table.add_column("by horizon: coverage / interval score (points); floors reached", justify="left")
    table.caption = "0.9 inside: a calibrated band's coverage; floors reached: at least 95% expected"
    for name, row in report.items():
        horizon_cells = [_horizon_cell(h, cell) for h, cell in row["by_horizon"].items() if cell["pairs"]]
        inside = {True: "yes", False: "no", None: ""}[row["calibrated"]]
        points = (_pct(row["coverage"]), _ci(row["coverage_ci"]), inside, _num(row["interval_score"]),
                  _num(row["median_abs_log_error"]))  # fmt: skip
        floors = (
            _pct(row["floor_consistency"]),
            _ci(row["floor_consistency_ci"]),
            _num(row["floor_pinball"]),
        )
        table.add_row(name, *points, *floors, "\n".join(horizon_cells))
    return table


@click.command()
@click.argument("series_refs", nargs=-1, metavar="[SERIES]...")
@click.option(
    "--every",
    default="30d",
    show_default=True,
    help="Days between origins: 30d, 4w, 1y (a bare number is days).",
)
@click.option(
    "--horizons",
    default="0,90,365",
    show_default=True,
    help="Days past each origin to predict, comma-separated (0 is the origin itself).",
)
@click.option(
    "--truths",
    "truths_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file in the format of truths.csv whose later figures (estimates, named-list floors) are "
    "targets; repeatable.",
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@ledger_options
@one_line_errors
def backtest(
    series_refs: tuple[str, ...],
    every: str,
    horizons: str,
    truths_files: tuple[Path, ...],
    output_format: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
) -> None:
    """Back-test the model and every rule: fit only the claims published by each origin, predict
    the toll then and HORIZONS days on, and score against what emerged later.

    Targets: the figures counting bodies reported later (the model predicts each by its posterior
    predictive of that claimant's report), the series' own later verified counts (floors, scored
    one-sided; data/backtest.toml) and the later figures of --truths files. Without SERIES, every
    series that has a target.

    Example:
        counterclaim demo --db demo.db
        counterclaim backtest --db demo.db --truths ../shared/data/truths.csv --format json
    """

    def progress(series_id: str, done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            click.echo(f"counterclaim: backtest: {series_id}: {done}/{total} origins", err=True)

    ledger = api.open_ledger(db, actors=actors, create=False)
    report = api.backtest(
        ledger, api.read_conflicts(conflict_files), api.read_priors(priors_file), series=series_refs,
        every=every, horizons=horizons, truths=truths_files, progress=progress,
    )  # fmt: skip
    for line in report.skipped:
        click.echo(f"counterclaim: skipped {line}", err=True)
    scores = report.to_dict()
    if output_format == "json":
        click.echo(json.dumps(scores, indent=2))
        return
    stdout().print(_backtest_table(scores, report.every, report.horizons))
    click.echo(f"series: {', '.join(report.series)}", err=True)


COMMANDS = (series_command, estimate, plot, calibrate, evaluate_estimates, backtest)


def register(cli: click.Group) -> None:
    """Add the reconciliation commands to a click group (the `counterclaim` group registers them)."""
    for command in COMMANDS:
        cli.add_command(command)
