"""The `counterclaim` command line: thin commands over counterclaim.api, gathered in one click group."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from counterclaim.about import __version__
from counterclaim.cli import demo, extracting, ingesting, ledger, reconciling, serve
from counterclaim.cli.common import EXIT_ERROR, error_line
from counterclaim.errors import CounterclaimError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterclaim")
def cli() -> None:
    """Who claimed how many were killed, wounded, captured or displaced, and when."""


def _register(group: click.Group) -> None:
    for command in (
        extracting.extract,
        extracting.evaluate,
        demo.demo,
        ingesting.ingest,
        ingesting.reextract,
        ingesting.import_command,
        ledger.list_claims,
        ledger.documents,
        ledger.correct,
        ledger.history,
        ledger.show,
        ledger.actors,
        ledger.export,
        serve.serve,
    ):
        group.add_command(command)
    reconciling.register(group)


_register(cli)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; project errors become one line on stderr and exit status 1."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="counterclaim", standalone_mode=True
        )
    except CounterclaimError as error:
        error_line(str(error))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        error_line("interrupted")
        sys.exit(130)


__all__ = ["cli", "main"]
