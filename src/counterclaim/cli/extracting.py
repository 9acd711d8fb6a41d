"""The extraction commands: extract (claims of articles) and evaluate (scores against gold claims)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from rich.table import Table

from counterclaim import api
from counterclaim.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    allow_outside_option,
    data_options,
    error_line,
    format_option,
    input_options,
    stdout,
)
from counterclaim.cli.output import emit_claims, extraction_progress, value_text
from counterclaim.errors import InputError
from counterclaim.evaluate import ATTRIBUTES, Report
from counterclaim.extract import Extractor
from counterclaim.models import Claim, Document

SCORES = ("f1", "precision", "recall", "strict_f1")


def _run_extraction(items: list[Document | InputError], extractor: Extractor) -> api.Extraction:
    """Extract every item under a progress bar, each input error shown as it comes."""
    outcome = api.Extraction()
    with extraction_progress(len(items)) as progress:
        task = progress.add_task("extract", total=len(items), claims=0)
        for result in api.extract_documents(items, extractor=extractor):
            if isinstance(result, InputError):
                outcome.errors.append(result)
                error_line(str(result))
            else:
                outcome.documents.append(result)
            progress.update(task, advance=1, claims=len(outcome.claims))
    return outcome


def exit_code(outcome: api.Extraction) -> int:
    """1 if nothing could be read, 3 if some inputs failed, else 0."""
    if outcome.errors and not outcome.documents:
        return EXIT_ERROR
    return EXIT_PARTIAL if outcome.errors else EXIT_OK


@click.command()
@input_options
@format_option("table", "jsonl", "csv")
@data_options
def extract(
    paths: tuple[str, ...],
    manifest: Path | None,
    allow_outside: bool,
    published: date | None,
    output_format: str,
    max_bytes: int,
    timeout: float,
    any_language: bool,
    fields: str | None,
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Extract the claims of articles: text or HTML files, folders, corpora, WARC files, URLs, a manifest.

    Example:
        counterclaim extract article.txt --published 2022-04-07 --format jsonl
    """
    if not paths and manifest is None:
        raise click.UsageError("give one or more PATHs, or --manifest FILE")
    extractor = api.build_extractor(actors=actors, lexicon=lexicon)
    items = api.read_inputs(
        paths, manifest=manifest, published=published, max_bytes=max_bytes, fields=fields, timeout=timeout,
        any_language=any_language, allow_outside=allow_outside,
    )  # fmt: skip
    outcome = _run_extraction(list(items), extractor)
    emit_claims(outcome.claims, output_format)
    sys.exit(exit_code(outcome))


def _parse_floors(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, float]:
    floors: dict[str, float] = {}
    allowed = {*SCORES, *ATTRIBUTES}
    for value in values:
        name, _sep, figure = value.partition("=")
        if name not in allowed:
            raise click.BadParameter(f"{name!r} is not a score; use one of {', '.join(sorted(allowed))}")
        try:
            floors[name] = float(figure)
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: the floor must be a number, as in f1=0.9") from error
    return floors


def _score(report: Report, name: str) -> float:
    if name in SCORES:
        return float(getattr(report, name))
    return report.accuracy(name)


def _claim_line(claim: Claim) -> str:
    return f"{claim.doc} @{claim.start} {claim.measure} {value_text(claim)} — {claim.evidence[:110]}"


def _print_report(report: Report, extractor: Extractor, show_diff: bool) -> None:
    out = stdout()
    table = Table(title="extraction scores", header_style="bold")
    table.add_column("score")
    table.add_column("value", justify="right")
    scores = report.scores()
    for name in ("gold", "predicted", "matched", "precision", "recall", "f1"):
        table.add_row(name, str(scores[name]))
    for name, value in scores["attributes"].items():
        table.add_row(f"{name} accuracy", f"{value}")
    table.add_row("strict f1", str(scores["strict_f1"]))
    if show_diff:
        for claim in report.misses:
            out.print(f"[red]miss[/] {_claim_line(claim)}")
        for claim in report.false_alarms:
            out.print(f"[yellow]false alarm[/] {_claim_line(claim)}")
        for row in report.mismatches(extractor.registry.same):
            diffs = "; ".join(f"{k}: {v['gold']!r} ≠ {v['predicted']!r}" for k, v in row["differs"].items())
            out.print(f"[cyan]differs[/] {row['doc']} @{row['start']} {row['measure']} — {diffs}")
    out.print(table)


def _print_parts(parts: dict[str, Report]) -> None:
    table = Table(title="scores by language", header_style="bold")
    for column in (
        "language",
        "gold",
        "predicted",
        "matched",
        "precision",
        "recall",
        "f1",
        "claimant",
        "strict f1",
    ):
        table.add_column(column, justify="left" if column == "language" else "right")
    for language, part in parts.items():
        scores = part.scores()
        table.add_row(
            language,
            *(str(scores[name]) for name in ("gold", "predicted", "matched", "precision", "recall", "f1")),
            str(scores["attributes"]["claimant"]),
            str(scores["strict_f1"]),
        )
    stdout().print(table)


def _report_json(report: Report, extractor: Extractor, parts: dict[str, Report] | None = None) -> str:
    payload = report.scores()
    if parts:
        payload["by_language"] = {language: part.scores() for language, part in parts.items()}
    payload["misses"] = [c.to_dict() for c in report.misses]
    payload["false_alarms"] = [c.to_dict() for c in report.false_alarms]
    payload["mismatches"] = report.mismatches(extractor.registry.same)
    return json.dumps(payload, ensure_ascii=False, indent=2)


@click.command()
@click.option(
    "--gold", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Gold claims (JSONL)."
)
@click.option(
    "--manifest",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The articles' manifest (its files in its folder, or under it).",
)
@allow_outside_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores and the per-claim diff as JSON.")
@click.option(
    "--diff/--no-diff",
    "show_diff",
    default=True,
    show_default=True,
    help="List misses, false alarms and attribute differences.",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(["language"]),
    help="Also score each language's documents apart (the language the screen tells).",
)
@click.option(
    "--require",
    "floors",
    multiple=True,
    callback=_parse_floors,
    metavar="SCORE=FLOOR",
    help="Fail (exit 1) if a score is below FLOOR, e.g. --require f1=0.9.",
)
@data_options
def evaluate(
    gold: Path,
    manifest: Path,
    allow_outside: bool,
    as_json: bool,
    show_diff: bool,
    by: str | None,
    floors: dict[str, float],
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Score the extractor against gold claims, as docs/claims.md defines it.

    Example:
        counterclaim evaluate --gold corpus/gold.jsonl --manifest corpus/manifest.jsonl --require f1=0.9
        counterclaim evaluate --gold lang/gold-dev.jsonl --manifest lang/manifest-dev.jsonl --by language
    """
    extractor = api.build_extractor(actors=actors, lexicon=lexicon)
    report, extraction = api.evaluate_manifest(
        gold, manifest, extractor=extractor, allow_outside=allow_outside
    )
    for error in extraction.errors:
        error_line(str(error))
    parts = api.evaluate_by_language(gold, extraction, extractor=extractor) if by else {}
    if as_json:
        click.echo(_report_json(report, extractor, parts))
    else:
        _print_report(report, extractor, show_diff)
        if parts:
            _print_parts(parts)
    failed = [f"{name} {_score(report, name):.3f} < {floor}" for name, floor in floors.items()
              if _score(report, name) < floor]  # fmt: skip
    if failed:
        error_line("below the required floor: " + ", ".join(failed))
        sys.exit(EXIT_ERROR)
    sys.exit(exit_code(extraction) if extraction.errors else EXIT_OK)
