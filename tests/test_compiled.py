"""The mypyc build of the extractor's pure modules (benchmarks/compiled.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import compiled  # noqa: E402  (benchmarks/ is not a package)


def test_compiled_modules_are_modules_of_the_package():
    for module in compiled.COMPILED:
        assert (ROOT / "src" / module).is_file(), module


@pytest.mark.slow
def test_compiled_copy_extracts_the_same_claims(tmp_path):
    if importlib.util.find_spec("mypyc") is None or shutil.which("cc") is None:
        pytest.skip("mypyc or a C compiler is missing")
    out = tmp_path / "compiled"
    compiled.build(out)
    assert any(out.glob("counterclaim/extract/claims.*.so")), "claims.py was not compiled"
    assert compiled.check(out, ROOT / "benchmarks" / "gold") > 0
