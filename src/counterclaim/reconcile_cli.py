"""The reconciliation commands: series, estimate, plot, calibrate, evaluate-estimates (see register)."""

from __future__ import annotations

import functools
import json
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from counterclaim import api
from counterclaim.errors import CounterclaimError
from counterclaim.reconcile import (
    METHOD_NAMES,
    Estimate,
    Method,
    Priors,
    ReconcileError,
    Series,
    build_series,
    find_series,
    load_conflicts,
    load_priors,
    make_method,
    priors_from_table,
)
from counterclaim.reconcile.calibrate import fit_priors, residuals
from counterclaim.reconcile.priors import priors_to_toml
from counterclaim.reconcile.truths import build_checks, evaluate_checks, parse_truths

F = TypeVar("F", bound=Callable[..., Any])
EXIT_ERROR = 1


def _stdout() -> Console:
    return Console(highlight=False, width=None if sys.stdout.isatty() else 220)


def _one_line_errors(function: F) -> F:
    """Project errors become one line on stderr and exit status 1, whoever runs the command."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CounterclaimError as error:
            click.echo(f"counterclaim: error: {error}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ReconcileError(f"cannot read {what} file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ReconcileError(f"{what} file {path} is not valid TOML: {error}") from error


def _as_of(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from error


def ledger_options(function: F) -> F:
    """--db, --conflicts, --actors, --priors: where the claims are and the data to read them with."""
    options = [
        click.option(
            "--db",
            envvar="COUNTERCLAIM_DB",
            default="counterclaim.db",
            show_default=True,
            help="Database URL (sqlite:///file.db, postgresql+psycopg://...) or a SQLite file path; "
            "or set COUNTERCLAIM_DB.",
        ),
        click.option(
            "--conflicts",
            "conflict_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A TOML file of conflict profiles merged on top of data/conflicts.toml; repeatable.",
        ),
        click.option(
            "--actors",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A TOML file extending the actor registry (same shape as data/actors.toml); repeatable.",
        ),
        click.option(
            "--priors",
            "priors_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A priors file replacing data/priors.toml (e.g. one written by `calibrate --fit -o`).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _priors(path: Path | None) -> Priors:
    return priors_from_table(_read_toml(path, "priors")) if path else load_priors()


def _series(db: str, conflict_files: Sequence[Path], actors: Sequence[Path]) -> list[Series]:
    ledger = api.open_ledger(db, actors=actors, create=False)
    conflicts = load_conflicts(*(_read_toml(path, "conflicts") for path in conflict_files))
    return build_series(ledger.claims(), registry=ledger.registry, conflicts=conflicts)


def _method(name: str, series: Series, priors: Priors) -> Method:
    if not series.observations:
        raise ReconcileError(
            f"series {series.id} has no cumulative claim to reconcile "
            f"({len(series.excluded)} incident or unknown-scope claims are kept out of it)"
        )
    profile = load_conflicts().get(series.conflict)
    end = profile.end if profile and profile.start == series.start else None
    return make_method(name, priors=priors, seed=0, origin=series.start, end=end).fit(series.observations)


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value):,}"


@click.command(name="series")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@ledger_options
@_one_line_errors
def series_command(
    output_format: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
) -> None:
    """List every series (conflict x measure x party x role) with its current low / best / high.

    Example:
        counterclaim series --db ledger.db
    """
    rows = series_rows(_series(db, conflict_files, actors), _priors(priors_file))
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    _stdout().print(series_table(rows))


def series_rows(
    all_series: Sequence[Series], priors: Priors, fitted: Mapping[str, Method] | None = None
) -> list[dict[str, Any]]:
    """Each series with the model's current low / best / high (none for a series of incidents only).

    ``fitted`` gives models already fitted, by series id (the dashboard keeps them); the others
    are fitted here.
    """
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(all_series, 1):
        model = (fitted or {}).get(item.id)
        if model is None and item.observations:
            model = _method("model", item, priors)
        est = model.estimate() if model is not None else None
        rows.append(
            {"number": number, "id": item.id, "conflict": item.conflict, "measure": item.measure,
             "party": item.party, "role": item.role, **(est.to_dict() if est else {}),
             "claims": len(item.observations), "excluded": len(item.excluded), "note": item.note}
        )  # fmt: skip
    return rows


def series_table(rows: Sequence[dict[str, Any]], title: str | None = None) -> Table:
    """The series listing as a table."""
    table = Table(title=title or "series (model: 5th / 50th / 95th percentile on the latest claim's day)")
    for column in ("#", "series", "low", "best", "high", "as of", "claims", "other"):
        table.add_column(
            column, justify="right" if column in ("#", "low", "best", "high", "claims") else "left"
        )
    for row in rows:
        table.add_row(
            str(row["number"]), row["id"] + (f"\n[dim]{row['note']}[/]" if row["note"] else ""),
            _number(row.get("low")), _number(row.get("best")), _number(row.get("high")),
            str(row.get("as_of", "")), str(row["claims"]), str(row["excluded"]),
        )  # fmt: skip
    return table


def write_plots(
    all_series: Sequence[Series], priors: Priors, folder: Path, *, min_claims: int = 2
) -> list[Path]:
    """A PNG per series with at least ``min_claims`` cumulative claims; returns the files written."""
    from counterclaim.reconcile_plot import save_plot

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in all_series:
        if len(item.observations) >= min_claims:
            target = folder / (item.id.replace("/", "--") + ".png")
            save_plot(item, _method("model", item, priors), target)
            written.append(target)
    return written


def _explain_table(item: Series, est: Estimate, fitted: Method) -> Table:
    table = Table(title=f"{item.id}: each claim's pull on best ({est.method}, {est.as_of.isoformat()})")
    for column in (
        "claim",
        "claimant",
        "relation",
        "qualifier",
        "value",
        "as of",
        "adjusted",
        "bias",
        "weight",
    ):
        table.add_column(
            column, justify="right" if column in ("value", "adjusted", "bias", "weight") else "left"
        )
    for claim in sorted(fitted.explain(est.as_of), key=lambda c: -c.weight):
        table.add_row(
            claim.key, claim.claimant or "", claim.relation, claim.qualifier, _number(claim.value),
            claim.as_of.isoformat() if claim.as_of else "", _number(claim.adjusted),
            f"x{2.718281828 ** claim.bias:.2f}", f"{claim.weight:.0%}",
        )  # fmt: skip
    return table


@click.command()
@click.argument("series_ref", metavar="SERIES")
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
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
@_one_line_errors
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
) -> None:
    """Estimate one series (by its id or its number in `series`) on a day, by any method.

    Example:
        counterclaim estimate russia-ukraine/killed/russia/military --as-of 2022-04-07 --explain
    """
    item = find_series(_series(db, conflict_files, actors), series_ref)
    fitted = _method(method, item, _priors(priors_file))
    est = fitted.estimate(as_of)
    if output_format == "json":
        claims = [c.to_dict() for c in fitted.explain(est.as_of)]
        click.echo(
            json.dumps({"series": item.id, **est.to_dict(), "note": item.note, "claims": claims}, indent=2)
        )
        return
    out = _stdout()
    out.print(
        f"{item.id}  {est.as_of.isoformat()}  [bold]{_number(est.best)}[/]  "
        f"({_number(est.low)} – {_number(est.high)})  {est.method}, {est.n_claims} claims"
    )
    if item.note:
        out.print(f"[yellow]note:[/] {item.measure} is {item.note}")
    if explain:
        out.print(_explain_table(item, est, fitted))


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
@_one_line_errors
def plot(
    series_ref: str,
    output: Path,
    method: str,
    db: str,
    conflict_files: tuple[Path, ...],
    actors: tuple[Path, ...],
    priors_file: Path | None,
) -> None:
    """Draw a series: the claims by claimant over time, coloured by relation, and the estimate band.

    Example:
        counterclaim plot russia-ukraine/killed/russia/military -o russia-killed.svg
    """
    if output.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the file must end in .png or .svg", param_hint="-o")
    from counterclaim.reconcile_plot import save_plot  # matplotlib loads only for this command

    item = find_series(_series(db, conflict_files, actors), series_ref)
    save_plot(item, _method(method, item, _priors(priors_file)), output)
    click.echo(f"wrote {output}", err=True)


def _checks(truths: Path) -> tuple[list[Any], list[str]]:
    try:
        text = truths.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ReconcileError(f"cannot read truths file {truths}: {error}") from error
    return build_checks(parse_truths(text))


@click.command()
@click.option("--truths", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV file in the format of truths.csv.")  # fmt: skip
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
@_one_line_errors
def calibrate(truths: Path, fit: bool, output: Path | None, priors_file: Path | None, as_json: bool) -> None:
    """Check the bias priors against a truths file, or fit them on a small grid (--fit).

    Example:
        counterclaim calibrate --truths ../shared/data/truths.csv --fit -o my-priors.toml
    """
    priors = _priors(priors_file)
    checks, _ = _checks(truths)
    if not checks:
        raise ReconcileError(f"{truths} gives no check: no later figure has an input of its quantity")
    report: dict[str, Any] = {
        "residuals": residuals(checks, priors),
        "model": evaluate_checks(checks, methods=["model"], priors=priors)["model"].to_dict(),
    }
    if fit:
        fitted, points = fit_priors(checks, priors)
        report["fitted"] = evaluate_checks(checks, methods=["model"], priors=fitted)["model"].to_dict()
        report["grid_points"] = len(points)
        report["fitted_priors"] = {
            "/".join(key): {"mean": fitted.lookup(*key).mean, "sd": fitted.lookup(*key).sd}
            for key in sorted({(o.relation, o.measure, o.role) for c in checks for o in c.inputs})
        }
        if output:
            output.write_text(priors_to_toml(fitted), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    out = _stdout()
    table = Table(title="each input against its later figure: log(claim / later) and the prior")
    for column in ("check", "claim", "relation", "quantity", "log ratio", "prior mean", "prior sd", "z"):
        table.add_column(column)
    for row in report["residuals"]:
        table.add_row(*(str(row[k]) for k in ("check", "claim", "relation", "quantity", "log_ratio",
                                              "prior_mean", "prior_sd", "z")))  # fmt: skip
    out.print(table)
    out.print(f"model with these priors: {report['model']}")
    if fit:
        out.print(f"fitted ({report['grid_points']} grid points): {report['fitted']}")
        for key, values in report["fitted_priors"].items():
            out.print(f"  {key}: mean {values['mean']}, sd {values['sd']}")
        if output:
            out.print(f"wrote {output}")


@click.command(name="evaluate-estimates")
@click.option("--truths", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV file in the format of truths.csv.")  # fmt: skip
@click.option("--priors", "priors_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A priors file replacing data/priors.toml.")  # fmt: skip
@click.option(
    "--json", "as_json", is_flag=True, help="Print {method: {coverage, median_abs_log_error, checks}}."
)
@_one_line_errors
def evaluate_estimates(truths: Path, priors_file: Path | None, as_json: bool) -> None:
    """Score the model and each transparent rule against the later figures of a truths file.

    Example:
        counterclaim evaluate-estimates --truths ../shared/data/truths.csv --json
    """
    checks, skipped = _checks(truths)
    scores = evaluate_checks(checks, priors=_priors(priors_file))
    for line in skipped:
        click.echo(f"counterclaim: skipped {line}", err=True)
    if as_json:
        click.echo(json.dumps({name: score.to_dict() for name, score in scores.items()}, indent=2))
        return
    table = Table(
        title=f"{len(checks)} checks from {truths.name} (90% interval coverage; median |log error| of best)"
    )
    for column in ("method", "coverage", "median |log error|", "checks"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for name, score in scores.items():
        error = score.median_abs_log_error
        table.add_row(
            name, f"{score.coverage:.0%}", "" if error is None else f"{error:.3f}", str(score.checks)
        )
    _stdout().print(table)


COMMANDS = (series_command, estimate, plot, calibrate, evaluate_estimates)


def register(cli: click.Group) -> None:
    """Add the reconciliation commands to the `counterclaim` group (call once from cli.py)."""
    for command in COMMANDS:
        cli.add_command(command)
