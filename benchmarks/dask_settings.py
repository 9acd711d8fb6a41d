"""What Dask's dashboard sampling costs an ingest: a local cluster with Dask's defaults beside one
with the ingest's settings (`counterclaim.ingest.cluster.LOCAL_CLUSTER_SETTINGS`), in one run.

    python benchmarks/dask_settings.py [--documents 300] [--rounds 4] [--idle-seconds 6]

Two figures, each from alternating pairs (every other pair in reverse order, as this machine's
speed drifts):
- idle: the CPU an idle local cluster of 2 workers uses per second, in the driver and in each
  worker, with Dask's defaults and with the settings;
- at work: a 1-worker cluster's CPU time extracting the same documents (a partition task, as
  `counterclaim ingest --workers` runs it) with the workers' profiler on (Dask's default) and
  off (the setting), every other setting as the ingest has it.

It prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import dask

from counterclaim.ingest import cluster as scale

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # beside this file
from scale import cpu_seconds, read  # beside this file

PROFILER = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


@contextmanager
def dask_defaults() -> Iterator[None]:
    """Dask's own values of the ingest's settings, given as the user's (``DASK_*`` variables):
    the ingest leaves the user's settings alone, so the cluster keeps Dask's behaviour."""
    defaults = dask.config.merge(*dask.config.defaults)
    names = {
        "DASK_" + key.upper().replace(".", "__").replace("-", "_"): repr(
            dask.config.get(key, None, config=defaults)
        )
        for key in scale.LOCAL_CLUSTER_SETTINGS
    }
    os.environ.update(names)
    try:
        yield
    finally:
        for name in names:
            os.environ.pop(name, None)


def idle(seconds: float, settings: bool) -> tuple[float, list[float]]:
    """CPU per second of an idle 2-worker cluster: the driver's, and each worker's."""
    with nullcontext() if settings else dask_defaults(), scale.connect(None, 2) as client:
        assert client is not None
        time.sleep(1)  # start-up over
        driver, workers = cpu_seconds(), client.run(cpu_seconds)
        time.sleep(seconds)
        driver_after, workers_after = cpu_seconds(), client.run(cpu_seconds)
    return (driver_after - driver) / seconds, sorted(
        (workers_after[name] - workers[name]) / seconds for name in workers
    )


def extraction(documents: list[Any], profiler: bool) -> float:
    """A 1-worker cluster's CPU seconds for one partition task over ``documents``."""
    if profiler:
        os.environ[PROFILER] = "True"  # the user's own setting wins over the ingest's
    else:
        os.environ.pop(PROFILER, None)
    try:
        with scale.connect(None, 1) as client:
            assert client is not None
            factory = scale.ExtractorSettings()
            client.submit(scale.extract_partition, documents[:20], factory, pure=False).result()  # warm
            before = client.run(cpu_seconds)
            client.submit(scale.extract_partition, documents, factory, english_only=True, pure=False).result()
            after = client.run(cpu_seconds)
    finally:
        os.environ.pop(PROFILER, None)
    return float(sum(after.values()) - sum(before.values()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--idle-seconds", type=float, default=6.0)
    args = parser.parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory() as folder:
        make_corpus.write(Path(folder), args.documents, 2024, args.documents)
        documents = list(read(Path(folder) / "corpus.jsonl"))

    print(
        f"idle local cluster of 2 workers, CPU per second ({args.rounds} rounds of {args.idle_seconds:g} s)"
    )
    idle_figures: dict[bool, list[tuple[float, list[float]]]] = {True: [], False: []}
    for number in range(args.rounds):
        for settings in (False, True) if number % 2 == 0 else (True, False):
            idle_figures[settings].append(idle(args.idle_seconds, settings))
    for settings, label in ((False, "Dask's defaults"), (True, "the ingest's settings")):
        driver = statistics.median(figure[0] for figure in idle_figures[settings])
        workers = statistics.median(share for figure in idle_figures[settings] for share in figure[1])
        print(f"  {label:<22} driver {driver:.1%} of a core, each worker {workers:.1%}")

    print(f"one partition of {len(documents)} documents on 1 worker, the worker's CPU seconds")
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for number in range(args.rounds):
        for profiler in (True, False) if number % 2 == 0 else (False, True):
            seconds[profiler].append(extraction(documents, profiler))
            print(f"  profiler {'on ' if profiler else 'off'} {seconds[profiler][-1]:.2f} s", flush=True)
    on, off = statistics.median(seconds[True]), statistics.median(seconds[False])
    print(f"  medians: profiler on {on:.2f} s, off {off:.2f} s: the profiler costs {on / off - 1:+.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
