"""Extraction speed per language: articles per second over a manifest of Russian, Ukrainian and
Arabic articles, beside English articles in the same run, and what loading a pack costs.

    python benchmarks/languages.py [--manifest ../shared/corpus/lang/manifest-dev.jsonl]
                                   [--english ../shared/corpus/dev] [--rounds 3]

Each figure is the best of --rounds passes after a warm-up pass. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from counterclaim import extract_claims
from counterclaim.ingest.language import load_languages
from counterclaim.packs import PACK_CODES
from counterclaim.packs.pack import load_pack

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"


def _articles(manifest: Path) -> list[tuple[str, str | None]]:
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        ((manifest.parent / row["file"]).read_text(encoding="utf-8"), row.get("published")) for row in rows
    ]


def _best(texts: list[tuple[str, str | None, str]], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds + 1):  # the first pass warms up
        start = time.perf_counter()
        for text, published, language in texts:
            extract_claims(text, published=published, language=language)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "lang" / "manifest-dev.jsonl")
    parser.add_argument("--english", type=Path, default=SHARED / "dev")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    start = time.perf_counter()
    for code in PACK_CODES:
        load_pack(code)
    print(f"loading the {len(PACK_CODES)} packs: {1000 * (time.perf_counter() - start):.1f} ms")
    rules = load_languages()
    by_language: dict[str, list[tuple[str, str | None, str]]] = {}
    for text, published in _articles(options.manifest):
        code = rules.guess(text).code or "en"
        by_language.setdefault(code, []).append((text, published, code))
    english = [(text, published, "en") for text, published in _articles(options.english / "manifest.jsonl")]
    by_language["en (corpus/dev)"] = english
    print(f"{'language':<16}{'articles':>9}{'chars':>10}{'seconds':>10}{'articles/s':>12}{'kchars/s':>10}")
    for name, texts in sorted(by_language.items()):
        seconds = _best(texts, options.rounds)
        chars = sum(len(text) for text, _, _ in texts)
        print(
            f"{name:<16}{len(texts):>9}{chars:>10}{seconds:>10.3f}{len(texts) / seconds:>12.1f}"
            f"{chars / seconds / 1000:>10.1f}"
        )


if __name__ == "__main__":
    main()
