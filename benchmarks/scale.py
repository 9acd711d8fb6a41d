"""End-to-end ingest throughput on local Dask clusters beside the in-process ingest, in one run.

    python benchmarks/scale.py [--documents 5000] [--corpus DIR] [--postgres URL] [--batch-size 100]
                               [--repeat 3] [--input jsonl|warc]

Builds (or reuses, with --corpus) the corpus of benchmarks/make_corpus.py and ingests its
JSONL file (or, with --input warc, its WARC files) as `counterclaim ingest` does - read on the
driver; pages' articles found, language screened and claims extracted in the partition task;
batches written by the driver in input order - in three set-ups:
in-process (no Dask), a local cluster of 1 worker process and one of 2 (one thread each),
into a fresh SQLite file and into PostgreSQL (--postgres or COUNTERCLAIM_TEST_POSTGRES; its
tables are dropped first: use a scratch database). Beside them: extraction alone (the
partition task's work in this process, inputs in memory, nothing stored), the driver's reading alone and
its writing (time in `write_batch`, measured inside each run). Per run: documents/s, claims/s,
the driver's time spent writing, each worker's CPU time as a share of the run (how busy the
driver kept it), and the peak resident memory of each worker process.
Scaling efficiency = 2-worker speed / (2 x 1-worker speed). Cluster start-up (about 2 s) is
not timed. It prints the figures; it asserts nothing.

Beside it, in every round, the machine's ceiling: the same efficiency for extraction alone in
two plain processes (no Dask, no writer, nothing else running). Here two processes busy on
both cores each run slower than one alone (the cores are virtual and share the host), so a
perfect ingest would score that figure, not 1.0.

This machine's speed drifts by up to 2x from one minute to the next, so one 1-worker run and
one 2-worker run a minute apart can give any efficiency. With --repeat N the set-ups take
turns, N rounds of each (every other round in reverse order), and the summary gives each
set-up's median speed, the efficiency of the medians and the range of the N efficiencies
measured round by round (each from a 1-worker and a 2-worker run back to back).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from counterclaim import api
from counterclaim.extract import default_extractor, extract_items
from counterclaim.ingest import cluster as scale
from counterclaim.ingest import pipeline
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.language import screen
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.store import Ledger, schema

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # beside this file
from ingest import timed_writes  # beside this file


def read(corpus: Path) -> Any:
    """The corpus's inputs as a cluster ingest streams them: unscreened, pages unparsed (the
    partition task screens and parses)."""
    return api.read_inputs([str(corpus)], max_bytes=DEFAULT_MAX_BYTES, parse_html=False)


def drop_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
    engine.dispose()


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Linux's ``VmHWM``, not ``getrusage``'s ``ru_maxrss``: a worker process is forked from the
    driver before it starts afresh, and ``ru_maxrss`` keeps the driver's size at that moment.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere: kilobytes too
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kilobytes) / 1024


def cpu_seconds() -> float:
    """The CPU time this process has used (user and system)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _extract_timed(sample: list[Any], barrier: Any, results: Any) -> None:
    """One process's timed extraction of ``sample``, started with the others at ``barrier``."""
    extractor = default_extractor()
    extractor.extract("At least 3 people were killed, officials said.")  # warm-up
    barrier.wait()
    started = time.perf_counter()
    extract_items(extractor, screen(item.parse() if isinstance(item, RawPage) else item for item in sample))
    results.put(time.perf_counter() - started)


def machine_ceiling(sample: list[Any]) -> float:
    """How much of twice one process's speed two processes get here, extracting with nothing else
    running: the same documents in one process, then in two at once, with no Dask and no writer.

    No ingest on two workers can beat it: it is the hardware's share of a perfect speed-up.
    """
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, like a Dask worker's
    seconds: dict[int, float] = {}
    for count in (1, 2):
        barrier, results = context.Barrier(count), context.Queue()
        processes = [
            context.Process(target=_extract_timed, args=(sample, barrier, results)) for _ in range(count)
        ]
        for process in processes:
            process.start()
        seconds[count] = max(results.get() for _ in processes)
        for process in processes:
            process.join()
    return seconds[1] / seconds[2]


def run(corpus: Path, url: str, workers: int | None, batch_size: int) -> dict[str, Any]:
    """One end-to-end ingest; ``workers`` None: in-process."""
    ledger = Ledger.open(url)
    writing = timed_writes(ledger)
    with scale.connect(None, workers) as client:
        if client is not None:
            client.run(scale.worker_extractor, scale.ExtractorSettings())  # warm, like the in-process one
        before = client.run(cpu_seconds) if client is not None else {}
        started = time.perf_counter()
        summary = pipeline.ingest(
            ledger, read(corpus), client=client, batch_size=batch_size, english_only=True
        )
        seconds = time.perf_counter() - started
        memory = sorted(client.run(peak_rss_mb).values()) if client is not None else []
        after = client.run(cpu_seconds) if client is not None else {}
    ledger.engine.dispose()
    return {
        "seconds": seconds,
        "documents": summary.documents_read + len(summary.errors),
        "claims": summary.claims_new,
        "writing": writing[0],
        "memory": memory,
        # each worker's share of the run spent computing
        "busy": sorted((after[worker] - before[worker]) / seconds for worker in after),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=5_000)
    parser.add_argument("--corpus", type=Path, help="a folder make_corpus.py wrote (else one is made)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("COUNTERCLAIM_TEST_POSTGRES"))
    parser.add_argument("--workers", default="0,1,2", help="set-ups to run: 0 is in-process")
    parser.add_argument(
        "--input", choices=("jsonl", "warc"), default="jsonl", help="the corpus as JSONL or as WARC files"
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every set-up, taking turns")
    parser.add_argument(
        "--ceiling-sample",
        type=int,
        default=500,
        help="documents each process extracts for the machine's ceiling",
    )
    args = parser.parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as folder:
        if args.corpus is None:
            args.corpus = Path(folder) / "corpus"
            make_corpus.write(args.corpus, args.documents, 2024, 10_000)
        corpus = args.corpus / "corpus.jsonl" if args.input == "jsonl" else args.corpus / "warc"
        started = time.perf_counter()
        inputs = list(read(corpus))
        reading = time.perf_counter() - started
        count = len(inputs)
        extractor = default_extractor()
        extractor.extract("At least 3 people were killed, officials said.")  # warm-up: patterns, data files
        started = time.perf_counter()
        # what a partition task does: find pages' articles, screen the language, extract
        opened = [item.parse() if isinstance(item, RawPage) else item for item in inputs]
        results = extract_items(extractor, screen(opened))
        extraction = time.perf_counter() - started
        claims = sum(len(r[1]) for r in results if isinstance(r, tuple))
        sample = inputs[: args.ceiling_sample]
        del inputs, opened, results

        print(f"{count:,} documents ({corpus}), batch {args.batch_size}, {os.cpu_count()} cores, "
              f"{platform.machine()}, Python {platform.python_version()}")  # fmt: skip
        print(f"driver reading alone: {count / reading:,.0f} docs/s (pages left unparsed, for the workers)")
        print(f"extraction alone (parse pages, screen, extract; one process): {count / extraction:,.0f} "
              f"docs/s, {claims / extraction:,.0f} claims/s")  # fmt: skip
        backends = {"SQLite": ""}
        if args.postgres:
            backends["PostgreSQL"] = args.postgres
        header = (
            f"{'backend':<11} {'set-up':<12} {'docs/s':>8} {'claims/s':>9} {'seconds':>8} {'writing':>8}"
            "  workers busy  worker peak MB"
        )
        print(header)
        print("-" * len(header))
        speeds: dict[tuple[str, int], list[float]] = {}
        ceilings: dict[str, list[float]] = {}
        setups = [int(w) for w in args.workers.split(",")]
        for backend, url in backends.items():
            for round_number in range(args.repeat):
                if 2 in setups:
                    ceilings.setdefault(backend, []).append(machine_ceiling(sample))
                    print(f"{'machine':<11} {'ceiling':<12} two processes extracting alone: "
                          f"{ceilings[backend][-1]:.2f} of twice one", flush=True)  # fmt: skip
                # every other round backwards (1, 2, 2, 1, ...): a drift of the machine's speed
                # during a round then favours neither set-up
                for workers in setups if round_number % 2 == 0 else setups[::-1]:
                    if backend == "SQLite":
                        url = f"sqlite:///{Path(folder) / f'scale-{workers}.db'}"
                        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
                    else:
                        drop_tables(url)
                    figures = run(corpus, url, workers or None, args.batch_size)
                    speed = figures["documents"] / figures["seconds"]
                    speeds.setdefault((backend, workers), []).append(speed)
                    setup = f"{workers} worker{'s' if workers > 1 else ''}" if workers else "in-process"
                    memory = ", ".join(f"{m:,.0f}" for m in figures["memory"]) or "-"
                    busy = ", ".join(f"{b:.0%}" for b in figures["busy"]) or "-"
                    seconds = figures["seconds"]
                    print(
                        f"{backend:<11} {setup:<12} {speed:>8,.0f} {figures['claims'] / seconds:>9,.0f} "
                        f"{seconds:>8.1f} {figures['writing'] / seconds:>7.0%}  {busy:<12}  {memory}",
                        flush=True,
                    )
        for backend in backends:
            if (backend, 1) in speeds and (backend, 2) in speeds:
                one, two = speeds[backend, 1], speeds[backend, 2]
                efficiency = statistics.median(two) / (2 * statistics.median(one))
                line = f"{backend}: scaling efficiency (2 workers / 2 x 1 worker) {efficiency:.2f}"
                if args.repeat > 1:
                    rounds = sorted(b / (2 * a) for a, b in zip(one, two, strict=True))
                    line += (
                        f" (medians of {args.repeat} rounds: {statistics.median(one):,.0f} and "
                        f"{statistics.median(two):,.0f} docs/s; "
                        f"round by round {rounds[0]:.2f}-{rounds[-1]:.2f})"
                    )
                if backend in ceilings:
                    measured = ceilings[backend]
                    spread = f" ({min(measured):.2f}-{max(measured):.2f})" if len(measured) > 1 else ""
                    line += f"; machine ceiling {statistics.median(measured):.2f}{spread}"
                print(line)
        print(f"driver peak memory {peak_rss_mb():,.0f} MB (this whole benchmark)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
