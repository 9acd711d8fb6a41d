"""The one ingest pipeline: inputs → extraction (here, or on Dask workers) → the ledger's one writer.

Every way documents and claims get into a ledger goes through :func:`store`: the command
line's ``ingest`` (in process or on a cluster), the server's uploads, table imports and
re-extraction. Each partition of inputs is written in one transaction, in input order, so an
interrupted run leaves whole partitions and the same run again completes it without duplicates;
the run is recorded with its outcome even when it fails or is interrupted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from counterclaim.errors import InputError
from counterclaim.extract import EXTRACTOR_NAME, Extractor, default_extractor
from counterclaim.ingest.partitions import Input, extract_partition, partitions
from counterclaim.models import Document
from counterclaim.store import Extracted, Ledger, RunSummary
from counterclaim.store.schema import documents as documents_table

if TYPE_CHECKING:
    from distributed import Client

    from counterclaim.ingest.cluster import ExtractorFactory

log = logging.getLogger(__name__)
#: Documents per partition (one transaction) when run in process.
DEFAULT_BATCH = 100


def store(
    ledger: Ledger,
    batches: Iterable[Sequence[Extracted | InputError]],
    *,
    command: str = "ingest",
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Write batches of extracted documents through the ledger's writer, as one recorded run."""
    with ledger.writer.run(command) as summary:
        for batch in batches:
            ledger.writer.write_batch(batch, summary, on_item=on_item)
    log.info(
        "run %s: %s documents read, %s new, %s new claims, %s errors",
        summary.run_id,
        summary.documents_read,
        summary.documents_new,
        summary.claims_new,
        len(summary.errors),
    )
    return summary


def ingest(
    ledger: Ledger,
    items: Iterable[Input],
    *,
    extractor: Extractor | None = None,
    client: Client | None = None,
    factory: ExtractorFactory | None = None,
    batch_size: int = DEFAULT_BATCH,
    window: int | None = None,
    english_only: bool = False,
    command: str = "ingest",
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Store documents and their claims; a document already stored (same text) is skipped.

    Without ``client`` the extraction runs here, with ``extractor`` (or the one ``factory``
    builds, or the default). With a Dask ``client`` each partition is extracted on a worker
    with the extractor ``factory`` builds there (see :mod:`counterclaim.ingest.cluster`), at
    most ``window`` partitions in flight; the results are written in input order either way,
    so the ledger is the same. ``english_only``: documents in other languages become
    ``NotEnglishError`` (give the inputs unscreened).
    """
    batches: Iterable[list[Extracted | InputError]]
    if client is not None:
        from counterclaim.ingest.cluster import ExtractorSettings, extracted_on_cluster

        batches = extracted_on_cluster(
            items, factory or ExtractorSettings(), client, batch_size, window, english_only
        )
    else:
        engine = extractor or (factory() if factory is not None else default_extractor())
        batches = (
            extract_partition(part, engine, english_only=english_only)
            for part in partitions(items, batch_size)
        )
    return store(ledger, batches, command=command, on_item=on_item)


def reextract(
    ledger: Ledger,
    *,
    extractor: Extractor | None = None,
    everything: bool = False,
    batch_size: int = DEFAULT_BATCH,
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run the current extractor again over stored texts; corrections are kept.

    Only documents extracted by another extractor version are read again, unless
    ``everything``. A document's reports are replaced by the new extraction's; a claim the
    new extraction still finds keeps its id, its other reports and its corrections; a claim
    no document carries any more is deleted, unless an analyst corrected it: then it is kept
    with no reports (``reports`` 0), so no analyst's work is lost. Each batch is one
    transaction, so an interrupted run is completed by running it again.
    """
    from sqlalchemy import select

    engine = extractor or default_extractor()
    d = documents_table.c
    query = select(d.id).where(d.kind == "article").order_by(d.id)  # tables are not re-read
    if not everything:
        query = query.where(d.extractor != EXTRACTOR_NAME)
    with ledger.engine.connect() as connection:
        document_ids = [int(row.id) for row in connection.execute(query)]

    def extract(rows: Sequence[Any]) -> list[Extracted]:
        return [
            Extracted(
                Document(id=row.name, text=row.text, published=row.published),
                engine.extract(row.text, published=row.published, doc=row.name),
            )
            for row in rows
        ]

    with ledger.writer.run("reextract") as summary:
        for start in range(0, len(document_ids), batch_size):
            chunk = document_ids[start : start + batch_size]
            ledger.writer.replace_reports(chunk, extract, summary, EXTRACTOR_NAME)
            if on_item is not None:
                on_item(summary)
        summary.claims_removed, summary.claims_kept = ledger.writer.drop_orphans()
    return summary
