"""Extraction throughput, in articles per second on one core, beside two baselines in the same run.

    python benchmarks/throughput.py [--corpus ../shared/corpus/dev] [--articles 2000]

Measures, over the same articles (the corpus repeated until there are --articles of them):
  1. counterclaim.extract_claims, the whole extractor;
  2. spaCy's blank English tokenizer alone (`spacy.blank("en")`, no model), the floor any
     spaCy-based pipeline pays before it does any work;
  3. quantulum3's quantity parser (over the first --quantulum-articles of them: it is slow).
The extractor and the tokenizer are timed in alternating passes (this machine's speed
drifts), each figure the best of --rounds passes after one warm-up pass. It prints the
figures and their ratios; it asserts nothing (speed is reported, not tested).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from counterclaim import extract_claims

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
FALLBACK_CORPUS = ROOT / "benchmarks" / "gold"


def load_articles(corpus: Path, count: int) -> list[tuple[str, str | None]]:
    """(text, published) pairs from a corpus folder with a manifest, repeated to ``count``."""
    manifest = corpus / "manifest.jsonl"
    base: list[tuple[str, str | None]] = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            base.append(((corpus / entry["file"]).read_text(encoding="utf-8"), entry.get("published")))
    if not base:
        raise SystemExit(f"no articles in {manifest}")
    return [base[i % len(base)] for i in range(count)]


def best_times(works: Sequence[Callable[[], object]], rounds: int) -> list[float]:
    """The best time of each piece of work over ``rounds`` alternating passes."""
    for work in works:
        work()  # warm-up: caches, lazy imports, compiled patterns
    best = [float("inf")] * len(works)
    for _ in range(rounds):
        for index, work in enumerate(works):
            started = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS if DEFAULT_CORPUS.exists() else FALLBACK_CORPUS
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quantulum-articles", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    articles = load_articles(args.corpus, args.articles)
    texts = [text for text, _ in articles]
    n_claims = sum(len(extract_claims(text, published=published)) for text, published in articles)
    results: dict[str, dict[str, float]] = {}

    def extract_all() -> object:
        return [extract_claims(t, published=p) for t, p in articles]

    works: list[Callable[[], object]] = [extract_all]
    try:
        import spacy

        tokenizer = spacy.blank("en").tokenizer
        works.append(lambda: [tokenizer(t) for t in texts])
    except ImportError:
        print("spaCy is not installed (pip install -e '.[dev]'): tokenizer baseline skipped", file=sys.stderr)
    timings = best_times(works, args.rounds)
    results["counterclaim.extract_claims"] = {"articles": len(articles), "seconds": timings[0]}
    if len(timings) > 1:
        results["spaCy blank('en') tokenizer"] = {"articles": len(texts), "seconds": timings[1]}

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser as quantulum

            subset = texts[: args.quantulum_articles]
            seconds = best_times([lambda: [quantulum.parse(t) for t in subset]], 1)[0]
        results["quantulum3 parser"] = {"articles": len(subset), "seconds": seconds}
    except ImportError:
        print("quantulum3 is not installed (pip install -e '.[dev]'): baseline skipped", file=sys.stderr)

    print(
        f"corpus: {args.corpus} ({len(set(texts))} distinct articles, repeated to {len(texts)}; "
        f"{n_claims} claims found)"
    )
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, one process (one core)")
    print(f"{'method':32} {'articles':>9} {'seconds':>9} {'articles/s':>11} {'vs tokenizer':>13}")
    tokenizer_rate = None
    if "spaCy blank('en') tokenizer" in results:
        row = results["spaCy blank('en') tokenizer"]
        tokenizer_rate = row["articles"] / row["seconds"]
    for name, row in results.items():
        rate = row["articles"] / row["seconds"]
        row["articles_per_second"] = rate
        ratio = f"{rate / tokenizer_rate:.2f}x" if tokenizer_rate else "-"
        print(f"{name:32} {row['articles']:>9.0f} {row['seconds']:>9.3f} {rate:>11.1f} {ratio:>13}")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
