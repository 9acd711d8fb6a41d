"""The extraction quality gate: today's scores on annotated corpora against pinned floors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import gate  # noqa: E402  (benchmarks/ is not a package)


def test_quality_gate_gold_files_are_the_ones_the_floors_were_pinned_for():
    baseline = json.loads((ROOT / "benchmarks" / "baseline.json").read_text(encoding="utf-8"))
    assert gate.corpus_sha256(ROOT / "benchmarks" / "gold") == baseline["gold"]["sha256"], (
        "benchmarks/gold changed: re-pin with `python benchmarks/gate.py --update gold` and say why"
    )


def test_quality_gate_gold_is_valid():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gold" / "check_gold.py"),
            str(ROOT / "benchmarks" / "gold"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_quality_gate_repo_gold_meets_its_floors():
    floors = gate.floors("gold")
    assert floors["f1"] >= 0.95  # the project's promise for its own gold
    assert gate.below_floors("gold") == []


@pytest.mark.parametrize("corpus", ["seed", "dev"])
def test_quality_gate_shared_corpora_meet_their_floors(corpus: str, shared: Path):
    assert gate.below_floors(corpus) == []
