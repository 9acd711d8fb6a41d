"""The docs match the code: the README's commands, every CLI command documented, CI runs the tests."""

from __future__ import annotations

from pathlib import Path

from counterclaim.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _opening_commands() -> list[str]:
    block = README.split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


def test_docs_readme_opens_with_exactly_two_commands():
    assert README.startswith("# counterclaim\n\n```bash\n")
    commands = _opening_commands()
    assert len(commands) == 2
    assert commands[0].endswith("counterclaim demo")
    assert commands[1].endswith("pytest -q")


def test_docs_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _opening_commands()[1] in ci


def test_docs_every_cli_command_is_in_the_readme():
    for name in cli.commands:
        assert f"counterclaim {name}" in README, name
