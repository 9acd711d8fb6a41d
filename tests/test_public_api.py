"""The public surface: a sorted, importable __all__, and a pure core that does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import counterclaim

SRC = Path(counterclaim.__file__).parent
# The pure core must not reach the shells (files, CLI, web, storage).
CORE = ["numbers.py", "dates.py", "lexicon.py", "models.py", "evaluate.py", "extract"]
SHELLS = {"counterclaim.cli", "counterclaim.api", "counterclaim.documents", "counterclaim.formats"}
IO_MODULES = {"os", "subprocess", "socket", "urllib", "http", "shutil", "sqlite3"}


def test_public_api_all_is_sorted_and_importable():
    assert counterclaim.__all__ == sorted(
        counterclaim.__all__, key=str.lower
    ) or counterclaim.__all__ == sorted(counterclaim.__all__)
    for name in counterclaim.__all__:
        assert getattr(counterclaim, name) is not None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_public_api_core_does_not_import_the_shells():
    files = []
    for entry in CORE:
        target = SRC / entry
        files.extend(sorted(target.glob("*.py")) if target.is_dir() else [target])
    for file in files:
        imports = _imports(file)
        # a shell's submodules are shells too (counterclaim.cli is a package of commands)
        shells = {name for name in imports if any(name == s or name.startswith(f"{s}.") for s in SHELLS)}
        assert not shells, f"{file.name} imports {shells}"
        assert not {name.split(".")[0] for name in imports} & IO_MODULES, f"{file.name} does I/O"


def test_public_api_every_module_has_a_docstring():
    for file in SRC.rglob("*.py"):
        assert ast.get_docstring(ast.parse(file.read_text(encoding="utf-8"))), f"{file} has no docstring"
