"""What the commands share: exit codes, consoles, the error line, date parsing and the common options."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from counterclaim.dates import parse_published
from counterclaim.errors import CounterclaimError
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.settings import Settings

# 0 success; 1 an error (nothing could be read, a data file is bad, a score is below a required
# floor); 2 a usage error (click's own); 3 partial success (some inputs failed, the rest were processed)
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True, highlight=False)


def stdout() -> Console:
    """The console for results: the terminal's width, or wide enough not to fold when piped."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 220)


def configure_logging(verbose: int) -> None:
    """The library's log on stderr: warnings always, what it does with -v, every detail with -vv."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("counterclaim: %(levelname)s: %(message)s"))
    library = logging.getLogger("counterclaim")
    library.handlers[:] = [handler]
    library.setLevel(level)
    library.propagate = False


def settings_defaults(settings: Settings) -> dict[str, Any]:
    """The settings a file or the environment changed, as the defaults of the commands' options
    (by parameter name); an option's own default stands for the others."""
    given, default = _as_options(settings), _as_options(Settings())
    return {name: value for name, value in given.items() if value != default[name]}


def _as_options(settings: Settings) -> dict[str, Any]:
    return {
        "db": settings.db,
        "actors": settings.actors,
        "lexicon": settings.lexicon,
        "priors_file": settings.priors,
        "conflict_files": settings.conflicts,
        "caps_files": settings.caps,
        "max_bytes": settings.max_bytes,
        "timeout": settings.timeout,
        "batch_size": settings.batch_size,
        "recheck": settings.recheck,
        "alerts_file": settings.alerts,
        "concurrency": settings.concurrency,
        "delay": settings.delay,
    }


def error_line(message: str) -> None:
    """``counterclaim: error: MESSAGE`` on stderr, the one shape every error is shown in."""
    click.echo(f"counterclaim: error: {message}", err=True)


def one_line_errors(function: F) -> F:
    """Project errors become one line on stderr and exit status 1, whoever runs the command."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CounterclaimError as error:
            error_line(str(error))
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def parse_date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    """A click callback: a publication-style date (YYYY-MM-DD), or a usage error."""
    try:
        return parse_published(value)
    except CounterclaimError as error:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from error


def parse_iso_date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    """A click callback: a strict ISO date (YYYY-MM-DD), or a usage error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from error


def _apply(function: F, options: list[Callable[[F], F]]) -> F:
    """Decorate with the options in the order they are listed (so --help lists them so)."""
    for option in reversed(options):
        function = option(function)
    return function


def data_options(function: F) -> F:
    """--actors and --lexicon: the user's extensions of the built-in data files."""
    function = click.option(
        "--lexicon",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="A TOML file extending the built-in word lists (same shape as data/lexicon.toml).",
    )(function)
    return click.option(
        "--actors",
        "actors",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="A TOML file extending the actor registry (same shape as data/actors.toml); repeatable.",
    )(function)


def allow_outside_option(function: F) -> F:
    """--allow-outside: a manifest may name files outside its folder."""
    return click.option(
        "--allow-outside",
        is_flag=True,
        help="Let the manifest name files outside its own folder (by default such a line is refused, E106).",
    )(function)


def input_options(function: F) -> F:
    """PATH... (files, folders, or - for standard input), --manifest, --allow-outside, --published,
    --max-bytes, --timeout, --any-language, --fields."""
    return _apply(
        function,
        [
            click.argument("paths", nargs=-1, metavar="PATH|URL..."),
            click.option(
                "--manifest",
                type=click.Path(dir_okay=False, path_type=Path),
                help="A JSONL manifest of articles (its files in its folder, or under it).",
            ),
            allow_outside_option,
            click.option(
                "--published", callback=parse_date, help="Publication date of the PATHS (YYYY-MM-DD)."
            ),
            click.option(
                "--max-bytes",
                type=click.IntRange(min=1),
                default=DEFAULT_MAX_BYTES,
                show_default=True,
                help="Refuse larger files.",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0.1),
                default=20.0,
                show_default=True,
                help="Seconds to wait for a URL.",
            ),
            click.option(
                "--any-language",
                is_flag=True,
                help="Keep documents that are not in English (by default they are skipped with a reason).",
            ),
            click.option(
                "--fields",
                metavar="FIELD=COLUMN,...",
                help="Columns of JSONL/CSV corpora, e.g. text=body,published=date "
                "(fields: id, text, title, url, published, outlet).",
            ),
        ],
    )


def format_option(*choices: str) -> Callable[[F], F]:
    """--format, the first choice by default."""
    return click.option(
        "--format", "output_format", type=click.Choice(list(choices)), default=choices[0], show_default=True
    )


_DB_HELP = (
    "Database URL (sqlite:///file.db, postgresql+psycopg://...) or a SQLite file path; "
    "or set COUNTERCLAIM_DB."
)


def db_option(function: F) -> F:
    """--db: the ledger's database URL or SQLite path."""
    return click.option(
        "--db", envvar="COUNTERCLAIM_DB", default="counterclaim.db", show_default=True, help=_DB_HELP
    )(function)


def ledger_options(function: F) -> F:
    """--db, --conflicts, --actors, --priors: where the claims are and the data to read them with."""
    return _apply(
        function,
        [
            db_option,
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
        ],
    )
