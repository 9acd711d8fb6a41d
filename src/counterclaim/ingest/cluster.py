"""Ingest on a Dask cluster: partitions extracted on the workers, written in input order by one writer.

The driver (the process running ``counterclaim ingest``) reads the inputs, cuts them into
partitions of ``batch_size`` documents and submits each to the cluster; every worker builds the
extractor once (from picklable settings) and runs :func:`counterclaim.extract.extract_items` over
its partitions. The driver takes the results back **in input order** and hands each partition to
the ledger's one writer (:func:`counterclaim.ingest.pipeline.store`), so the ledger is
the one a serial run gives (claim ids follow the order claims are written). At most ``window``
partitions are in flight, so a crawl of any size streams through in bounded memory.

A worker that dies is replaced by its nanny and the scheduler recomputes the partitions it
held: the inputs of every task stay with the scheduler until its result is fetched. Dask is an
optional extra (``pip install 'counterclaim[dask]'``); without it the same ingest runs in-process.
See docs/scale.md.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterclaim.about import __version__
from counterclaim.errors import InputError, ScaleError
from counterclaim.extract import Extractor, build_extractor
from counterclaim.ingest.html import RawPage
from counterclaim.models import Claim, Document
from counterclaim.store.writer import Extracted

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "pip install 'counterclaim[dask]'"
#: Documents per partition (one task, one transaction) on a cluster unless told: with 100, the
#: scheduler's work per task and the writer's per batch took a fifth more of the driver's time.
CLUSTER_BATCH = 500

#: Builds an extractor; it travels to the workers, so it must pickle (a module-level function or
#: an :class:`ExtractorSettings`) and be hashable (it keys the per-worker cache).
ExtractorFactory = Callable[[], Extractor]

#: Dask settings for the local cluster of ``--workers N``. Dask's defaults serve its live
#: dashboard, which an ingest does not start: at their defaults the first four kept an idle
#: two-worker cluster busy for 15% of one core (2% with these values), and the profiler alone
#: made extraction cost 19% more CPU (benchmarks/dask_settings.py). A setting the user gave in
#: Dask's own configuration (its YAML files or a ``DASK_*`` variable) wins. Workers of an
#: existing cluster keep their own settings: see docs/scale.md for the same ones there.
LOCAL_CLUSTER_SETTINGS: dict[str, object] = {
    # each worker samples its running task's stack every 10 ms, for the dashboard's profile
    "distributed.worker.profile.enabled": False,
    # every scheduler, nanny, worker and client checks its event loop's health 50 times a second
    "distributed.admin.tick.interval": "1s",
    # CPU, memory and network readings for the dashboard, twice a second in every process
    "distributed.admin.system-monitor.interval": "5s",
    # each nanny measures its worker's memory ten times a second (the limits still hold)
    "distributed.worker.memory.monitor-interval": "1s",
    # results fetched from the workers themselves, not relayed by the scheduler
    "distributed.client.direct-to-workers": True,
}


@dataclass(frozen=True, slots=True)
class ExtractorSettings:
    """What a worker needs to build the extractor: the user's data files, by absolute path.

    The files must be readable at the same paths on the workers (a shared file system, or the
    same image); the built-in data ships with the package.
    """

    actors: tuple[str, ...] = ()
    lexicon: str | None = None

    @classmethod
    def of(cls, actors: Iterable[Path] = (), lexicon: Path | None = None) -> ExtractorSettings:
        """Settings from the command line's ``--actors`` and ``--lexicon`` files."""
        return cls(
            actors=tuple(str(Path(a).resolve()) for a in actors),
            lexicon=str(Path(lexicon).resolve()) if lexicon else None,
        )

    def __call__(self) -> Extractor:
        return build_extractor(
            actors=[Path(a) for a in self.actors], lexicon=Path(self.lexicon) if self.lexicon else None
        )


_extractors: dict[Hashable, Extractor] = {}
_extractors_lock = threading.Lock()


def worker_extractor(factory: ExtractorFactory) -> Extractor:
    """The extractor ``factory`` builds, built once per process (each Dask worker) and then reused."""
    with _extractors_lock:  # a worker with several threads builds it once too
        found = _extractors.get(factory)
        if found is None:
            found = _extractors[factory] = factory()
        return found


def extract_partition(
    items: Sequence[Document | RawPage | InputError], factory: ExtractorFactory, *, english_only: bool = False
) -> list[Extracted | InputError]:
    """The task a worker runs: :func:`counterclaim.ingest.pipeline.extract_partition` with the
    worker's own extractor.

    Finding a page's article (about 2.5 ms) and guessing a document's language (about 3 ms)
    are the workers' work: on the one driver either would cap the whole cluster at a few
    hundred documents a second.
    """
    from counterclaim.ingest.partitions import extract_partition as extract_here

    return extract_here(items, worker_extractor(factory), english_only=english_only)


#: What a cluster's task returns per input: a parsed document's claims alone (the driver holds
#: the document), a page's article with its claims, or the input's error.
Slim = list[Claim] | Extracted | InputError


def _extract_slim(
    items: Sequence[Document | RawPage | InputError], factory: ExtractorFactory, *, english_only: bool = False
) -> list[Slim]:
    """:func:`extract_partition` with each document the driver sent left out of the answer: the
    answer crosses back to the driver, and a document's text is most of its bytes."""
    return [
        result.claims if isinstance(result, Extracted) and isinstance(item, Document) else result
        for item, result in zip(
            items, extract_partition(items, factory, english_only=english_only), strict=True
        )
    ]


def _rejoin(
    items: Sequence[Document | RawPage | InputError], results: list[Slim]
) -> list[Extracted | InputError]:
    """The partition's results whole again: each document sent, with the claims found in it."""
    whole: list[Extracted | InputError] = []
    for item, result in zip(items, results, strict=True):
        if isinstance(result, list):
            if not isinstance(item, Document):  # only a document sent whole comes back as claims
                raise ScaleError(f"a worker answered claims alone for {type(item).__name__} input")
            result = Extracted(item, result)
        whole.append(result)
    return whole


def extracted_on_cluster(
    items: Iterable[Document | RawPage | InputError],
    factory: ExtractorFactory,
    client: Client,
    size: int,
    window: int | None,
    english_only: bool,
) -> Iterator[list[Extracted | InputError]]:
    """Each partition's results, in input order, with at most ``window`` partitions in flight
    (default: twice the cluster's threads, at least 4)."""
    from distributed import KilledWorker

    from counterclaim.ingest.partitions import partitions

    limit = window or max(4, 2 * sum(client.nthreads().values()))
    pending: deque[tuple[list[Document | RawPage | InputError], Any]] = deque()

    def result() -> list[Extracted | InputError]:
        part, future = pending.popleft()
        try:
            done: list[Extracted | InputError] = _rejoin(part, future.result())
        except KilledWorker as error:
            raise ScaleError(
                f"a partition killed every worker that ran it ({error}); "
                "see the workers' logs (out of memory?) and run again: what was written stays"
            ) from error
        future.release()  # its result leaves the cluster's memory now
        return done

    for part in partitions(items, size):
        # pure=False: a random key, rather than hashing every document of the partition
        pending.append(
            (part, client.submit(_extract_slim, part, factory, english_only=english_only, pure=False))
        )
        if len(pending) >= limit:
            yield result()
    while pending:
        yield result()


def _worker_version() -> str:
    return __version__


def check_options(scheduler: str | None, workers: int | None) -> bool:
    """Whether a cluster is asked for; raises :class:`ScaleError` if it cannot be had."""
    if scheduler is None and workers is None:
        return False
    if scheduler is not None and workers is not None:
        raise ScaleError("give --scheduler (an existing cluster) or --workers (a local one), not both")
    if workers is not None and workers < 1:
        raise ScaleError(f"--workers must be at least 1, not {workers}")
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise ScaleError(f"--scheduler and --workers need Dask: {INSTALL_HINT}") from error
    return True


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client | None]:
    """A Dask client: to the scheduler at ``scheduler``, or to a local cluster of ``workers``
    processes (one thread each, set up with :func:`local_cluster_settings`); ``None`` if
    neither is given (the ingest runs in-process).

    Raises:
        ScaleError: Dask is not installed, both or a bad value are given, the scheduler does
            not answer, or its workers run another version of counterclaim.
    """
    if not check_options(scheduler, workers):
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    if workers is not None:
        with (
            dask.config.set(local_cluster_settings()),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # extraction is pure Python: processes, not threads, scale it
                processes=True,
                dashboard_address=None,
                # the scheduler's HTTP endpoints on a free port: 8787 may be another cluster's
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        # waits distributed.comm.timeouts.connect (30 s; DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = Client(scheduler)
    except (OSError, TimeoutError, ValueError) as error:
        raise ScaleError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
    with client:
        _check_workers(client)
        yield client


def local_cluster_settings() -> dict[str, object]:
    """:data:`LOCAL_CLUSTER_SETTINGS`, less those the user gave in Dask's configuration: in its
    YAML files, in ``DASK_*`` variables, or set in this process to other than Dask's default."""
    import dask
    import distributed  # noqa: F401 - its defaults join Dask's when it is imported

    unset = object()
    defaults = dask.config.merge(*dask.config.defaults)
    given = dask.config.collect()  # the user's files and environment, read afresh
    return {
        key: value
        for key, value in LOCAL_CLUSTER_SETTINGS.items()
        if dask.config.get(key, unset, config=given) is unset
        and dask.config.get(key, None) == dask.config.get(key, None, config=defaults)
    }


def _check_workers(client: Client) -> None:
    """Workers that run another counterclaim (or none) would extract differently, or fail late."""
    try:
        versions: dict[str, str] = client.run(_worker_version)
    except ModuleNotFoundError as error:
        raise ScaleError(f"the cluster's workers cannot import counterclaim: {error}") from error
    other = sorted({version for version in versions.values() if version != __version__})
    if other:
        raise ScaleError(
            f"the cluster's workers run counterclaim {', '.join(other)}, this is {__version__}: "
            "install the same version on both"
        )
