"""Ingest throughput into SQLite and PostgreSQL beside extraction alone, in one run.

    python benchmarks/ingest.py [--documents 10000] [--postgres URL]

Builds --documents distinct articles from the bundled samples and the project's gold
articles (each copy dated a different day, so most of its claims are new claims and the rest
are syndicated reports of earlier ones), then times, over the same documents:
  1. extraction alone (the extractor over every text, nothing stored);
  2. storage alone: `Writer.write_batch` of those extractions into a fresh SQLite file (WAL)
     and into PostgreSQL, batches of --batch-size documents;
  3. end to end: `Ledger.ingest` (extraction and storage) into a fresh SQLite file and into
     PostgreSQL.
PostgreSQL is used if --postgres or COUNTERCLAIM_TEST_POSTGRES gives a URL (its tables are
dropped first: use a scratch database). Storage cost = storage time / extraction time; in
the end-to-end rows it is measured inside the one run (time in `write_batch` / the rest of the
run), which a machine whose speed drifts between runs cannot skew. It prints the figures; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from counterclaim.api import SAMPLE_MANIFEST
from counterclaim.extract import default_extractor
from counterclaim.ingest import pipeline
from counterclaim.ingest.inputs import read_manifest
from counterclaim.models import Document
from counterclaim.store import Ledger, RunSummary, schema
from counterclaim.store.writer import Extracted

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


def drop_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
    engine.dispose()


def timed_writes(ledger: Ledger) -> list[float]:
    """Make ``ledger.writer.write_batch`` add the seconds it spends to the one-item list returned."""
    write_batch = ledger.writer.write_batch
    writing = [0.0]

    def timed_write_batch(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        write_batch(*args, **kwargs)
        writing[0] += time.perf_counter() - started

    ledger.writer.write_batch = timed_write_batch  # type: ignore[method-assign]
    return writing


def time_ingest(url: str, documents: Sequence[Document], batch_size: int) -> tuple[float, dict[str, int]]:
    """End to end: extraction and storage; counts include the seconds spent writing batches."""
    ledger = Ledger.open(url)
    writing = timed_writes(ledger)
    started = time.perf_counter()
    pipeline.ingest(ledger, documents, batch_size=batch_size)
    seconds = time.perf_counter() - started
    counts: dict[str, Any] = dict(ledger.counts())
    counts["writing_seconds"] = writing[0]
    ledger.engine.dispose()
    return seconds, counts


def time_storage(url: str, extracted: Sequence[Extracted], batch_size: int) -> tuple[float, dict[str, Any]]:
    """Storage alone: the extractions written, batch by batch, as `ingest` writes them."""
    ledger = Ledger.open(url)
    summary = RunSummary(run_id=ledger.writer.start_run("benchmark"))
    started = time.perf_counter()
    for start in range(0, len(extracted), batch_size):
        ledger.writer.write_batch(extracted[start : start + batch_size], summary)
    seconds = time.perf_counter() - started
    ledger.writer.finish_run(summary)
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
    extractor = default_extractor()
    extractor.extract(documents[0].text)  # warm-up: compiled patterns, data files
    # The corpus is held in memory here (a real ingest streams it): keep the garbage collector
    # from scanning it again and again, which would charge its size to whatever runs after.
    gc.collect()
    gc.freeze()
    rows: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    extracted = [Extracted(d, extractor.extract(d.text, published=d.published, doc=d.id)) for d in documents]
    extraction_seconds = time.perf_counter() - started
    gc.collect()
    gc.freeze()
    rows["extraction alone"] = {
        "seconds": extraction_seconds,
        "claims": sum(len(e.claims) for e in extracted),
        "reports": 0,
    }
    backends = {"SQLite": ""}
    if args.postgres:
        backends["PostgreSQL"] = args.postgres
    else:
        print("no PostgreSQL URL (--postgres or COUNTERCLAIM_TEST_POSTGRES): PostgreSQL skipped")
    with tempfile.TemporaryDirectory() as folder:
        for phase in ("storage alone", "ingest end to end"):
            for backend, url in backends.items():
                if backend == "PostgreSQL":
                    drop_tables(url)
                else:
                    url = f"sqlite:///{folder}/{phase.split()[0]}.db"
                if phase == "storage alone":
                    seconds, counts = time_storage(url, extracted, args.batch_size)
                else:
                    seconds, counts = time_ingest(url, documents, args.batch_size)
                rows[f"{phase}, {backend}"] = {
                    "seconds": seconds,
                    "claims": counts["claims"],
                    "reports": counts["reports"],
                    **({"writing_seconds": counts["writing_seconds"]} if "writing_seconds" in counts else {}),
                }
                if backend == "PostgreSQL":
                    drop_tables(url)

    print(f"corpus: {len(documents):,} documents built from the sample and gold articles")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, one process")
    print(f"{'run':32} {'seconds':>8} {'docs/s':>8} {'claims':>8} {'reports':>8} {'storage cost':>16}")
    for name, row in rows.items():
        row["documents_per_second"] = len(documents) / row["seconds"]
        if name.startswith("storage"):
            row["storage_cost"] = row["seconds"] / extraction_seconds
            shown = f"{row['storage_cost']:.0%} of it"
        elif name.startswith("ingest"):
            # within this one run: the time spent writing against the rest (reading, extracting)
            writing = row["writing_seconds"]
            row["storage_cost"] = writing / (row["seconds"] - writing)
            shown = f"{row['storage_cost']:.0%} (in run)"
        else:
            shown = "-"
        print(
            f"{name:32} {row['seconds']:>8.2f} {row['documents_per_second']:>8.0f} "
            f"{row['claims']:>8.0f} {row['reports']:>8.0f} {shown:>16}"
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
