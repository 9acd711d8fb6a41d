"""The `counterclaim` command line: thin commands over counterclaim.api, gathered in one click group."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from counterclaim.about import __version__
from counterclaim.cli import demo, extracting, feeds, history, ingesting, ledger, reconciling, runs, serve
from counterclaim.cli.common import EXIT_ERROR, configure_logging, error_line, settings_defaults
from counterclaim.errors import CounterclaimError
from counterclaim.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterclaim")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="COUNTERCLAIM_CONFIG",
    help="A settings file ([counterclaim] table: db, actors, lexicon, priors, conflicts, caps, max_bytes, "
    "timeout, batch_size, recheck, concurrency, delay; alerts, webhook_url, smtp_host, smtp_port, mail_from, "
    "mail_to: docs/alerts.md); ./counterclaim.toml is read if it exists. Flags and COUNTERCLAIM_* "
    "variables win over it.",
)
@click.option("--verbose", "-v", count=True, help="Say what the library does on stderr (-vv: more).")
@click.pass_context
def cli(context: click.Context, config: Path | None, verbose: int) -> None:
    """Who claimed how many were killed, wounded, captured or displaced, and when."""
    configure_logging(verbose)
    settings = Settings.load(config)
    context.obj = settings
    # every command's options default to the settings (click: flag > its variable > default_map)
    defaults = settings_defaults(settings)
    context.default_map = dict.fromkeys(context.command.commands, defaults)  # type: ignore[attr-defined]


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
        runs.runs,
        serve.serve,
        feeds.feeds,
        feeds.poll,
        feeds.watch,
    ):
        group.add_command(command)
    reconciling.register(group)
    history.register(group)


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
