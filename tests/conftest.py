"""Shared fixtures: the repository root, the shared corpora beside it, the built-in extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterclaim.extract import Extractor, default_extractor

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return default_extractor()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared corpora beside the project; tests that need them skip with a reason if absent."""
    if not (SHARED / "seed" / "gold.jsonl").exists():
        pytest.skip(f"{SHARED} is not beside the project (CI always has it)")
    return SHARED
