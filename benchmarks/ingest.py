"""Ingest throughput into SQLite and PostgreSQL beside extraction alone, in one run.

    python benchmarks/ingest.py [--documents 10000] [--postgres URL]

Builds --documents distinct articles from the bundled samples and the project's gold
articles (each copy dated a different day, so most of its claims are new claims and the rest
are syndicated reports of earlier ones), then times, over the same documents:
  1. extraction alone (the extractor over every text, nothing stored);
  2. `Ledger.ingest` into a fresh SQLite file (WAL, batches of --batch-size documents);
  3. `Ledger.ingest` into PostgreSQL, if --postgres or COUNTERCLAIM_TEST_POSTGRES gives a URL
     (its tables are dropped first: use a scratch database).
Storage cost = (ingest time - extraction time) / extraction time. It prints the figures; it
asserts nothing (speed is reported, not tested).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from counterclaim.api import SAMPLE_MANIFEST
from counterclaim.documents import Document, read_manifest
from counterclaim.extract import default_extractor
from counterclaim.store import Ledger, schema

ROOT = Path(__file__).resolve().parents[1]
GOLD_MANIFEST = ROOT / "benchmarks" / "gold" / "manifest.jsonl"


def build_documents(count: int) -> list[Document]:
    """``count`` distinct documents: the sample and gold articles, each copy a day later."""
    base = [
        item
        for manifest in (SAMPLE_MANIFEST, GOLD_MANIFEST)
        if manifest.exists()
        for item in read_manifest(manifest)
        if isinstance(item, Document)
    ]
    if not base:
        raise SystemExit("no articles found to build the corpus from")
    documents = []
    for number in range(count):
        article = base[number % len(base)]
        copy = number // len(base)
        published = (article.published or date(2024, 1, 1)) + timedelta(days=copy)
        documents.append(
            Document(
                id=f"{copy:04d}-{article.id}",
                text=f"{article.text}\n(Report {copy} of the benchmark corpus.)\n",
                published=published,
                outlet=f"outlet {copy % 7}",
                title=article.title,
            )
        )
    return documents


def time_extraction(documents: Sequence[Document]) -> tuple[float, int]:
    extractor = default_extractor()
    started = time.perf_counter()
    claims = sum(len(extractor.extract(d.text, published=d.published, doc=d.id)) for d in documents)
    return time.perf_counter() - started, claims


def drop_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
    engine.dispose()


def time_ingest(url: str, documents: Sequence[Document], batch_size: int) -> tuple[float, dict[str, int]]:
    ledger = Ledger.open(url)
    started = time.perf_counter()
    ledger.ingest(documents, batch_size=batch_size)
    seconds = time.perf_counter() - started
    counts = ledger.counts()
    ledger.engine.dispose()
    return seconds, counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("COUNTERCLAIM_TEST_POSTGRES"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    documents = build_documents(args.documents)
    default_extractor().extract(documents[0].text)  # warm-up: compiled patterns, data files
    rows: dict[str, dict[str, float]] = {}
    seconds, claims = time_extraction(documents)
    rows["extraction alone"] = {"seconds": seconds, "claims": claims}
    extraction_seconds = seconds
    with tempfile.TemporaryDirectory() as folder:
        seconds, counts = time_ingest(f"sqlite:///{folder}/bench.db", documents, args.batch_size)
        rows["ingest into SQLite"] = {
            "seconds": seconds,
            "claims": counts["claims"],
            "reports": counts["reports"],
        }
    if args.postgres:
        drop_tables(args.postgres)
        seconds, counts = time_ingest(args.postgres, documents, args.batch_size)
        rows["ingest into PostgreSQL"] = {
            "seconds": seconds,
            "claims": counts["claims"],
            "reports": counts["reports"],
        }
        drop_tables(args.postgres)
    else:
        print("no PostgreSQL URL (--postgres or COUNTERCLAIM_TEST_POSTGRES): PostgreSQL skipped")

    print(f"corpus: {len(documents):,} documents built from the sample and gold articles")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, one process")
    print(f"{'run':24} {'seconds':>8} {'docs/s':>8} {'claims':>8} {'reports':>8} {'storage cost':>13}")
    for name, row in rows.items():
        cost = (row["seconds"] - extraction_seconds) / extraction_seconds
        row["documents_per_second"] = len(documents) / row["seconds"]
        row["storage_cost"] = cost
        shown_cost = "-" if name == "extraction alone" else f"{cost:+.0%}"
        print(
            f"{name:24} {row['seconds']:>8.2f} {row['documents_per_second']:>8.0f} "
            f"{row['claims']:>8.0f} {row.get('reports', 0):>8.0f} {shown_cost:>13}"
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
