"""The public surface: a sorted, importable __all__, the layers of the code, and modules of one concept."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import counterclaim

SRC = Path(counterclaim.__file__).parent
ROOT = Path(__file__).resolve().parents[1]
#: The longest a module may grow before it holds more than one concept.
MAX_MODULE_LINES = 600


def test_public_api_all_is_sorted_and_importable():
    assert counterclaim.__all__ == sorted(
        counterclaim.__all__, key=str.lower
    ) or counterclaim.__all__ == sorted(counterclaim.__all__)
    for name in counterclaim.__all__:
        assert getattr(counterclaim, name) is not None


def test_public_api_the_layers_and_forbidden_imports_hold():
    """pyproject's import-linter contracts: shells in layers, a core that imports no shell and
    does no I/O, no cycles (the same check .ci/run makes with `lint-imports`)."""
    importlinter = pytest.importorskip("importlinter.cli", reason="import-linter is a dev extra")
    assert importlinter.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_public_api_no_module_holds_more_than_one_concept_s_worth_of_lines():
    long = {
        str(file.relative_to(SRC)): lines
        for file in SRC.rglob("*.py")
        if (lines := len(file.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by concept: {long}"


def test_public_api_every_module_has_a_docstring():
    for file in SRC.rglob("*.py"):
        assert ast.get_docstring(ast.parse(file.read_text(encoding="utf-8"))), f"{file} has no docstring"
