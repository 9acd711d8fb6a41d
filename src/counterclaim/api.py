"""The Python facade the CLI (and later the web layer) call: documents in, claims and scores out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from counterclaim.actor_files import load_registry
from counterclaim.errors import InputError
from counterclaim.evaluate import Report, evaluate
from counterclaim.extract import Extractor, default_extractor, extract_item
from counterclaim.formats import read_claims
from counterclaim.ingest import pipeline
from counterclaim.ingest.inputs import read_manifest
from counterclaim.ingest.pipeline import DEFAULT_BATCH
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.models import Claim, Document
from counterclaim.store import Ledger, RunSummary

SAMPLES = Path(__file__).with_name("samples")
SAMPLE_MANIFEST = SAMPLES / "manifest.jsonl"
SAMPLE_TABLES = SAMPLES / "tables"
#: The bundled tables and the mappings that read them: (folder, file, mapping).
SAMPLE_TABLE_FILES = (
    ("ua-gs-russian-losses", "russia_losses_personnel.json", "ua-gs-russian-losses"),
    ("gaza-moh-daily", "casualties_daily.json", "gaza-moh-daily"),
    ("economist-ukraine", "source-claims-estimates.csv", "economist-ukraine"),
)


@dataclass
class Extraction:
    """The outcome of extracting a batch: claims per document, and the inputs that failed."""

    documents: list[tuple[Document, list[Claim]]] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return [claim for _, claims in self.documents for claim in claims]


def extract_documents(
    inputs: Iterable[Document | InputError], *, extractor: Extractor | None = None
) -> Iterator[tuple[Document, list[Claim]] | InputError]:
    """Extract the claims of each document; input errors pass through, in order.

    A document the extractor fails on becomes an ``ExtractionError`` (E112) and the rest go on.
    """
    engine = extractor or default_extractor()
    for item in inputs:
        yield extract_item(engine, item)


def collect(results: Iterable[tuple[Document, list[Claim]] | InputError]) -> Extraction:
    """Gather a stream of results into an :class:`Extraction`."""
    outcome = Extraction()
    for item in results:
        if isinstance(item, InputError):
            outcome.errors.append(item)
        else:
            outcome.documents.append(item)
    return outcome


def evaluate_manifest(
    gold: Path, manifest: Path, *, extractor: Extractor | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Report, Extraction]:
    """Extract the articles a manifest lists and score them against a gold file."""
    engine = extractor or default_extractor()
    gold_claims = read_claims(gold)
    extraction = collect(extract_documents(read_manifest(manifest, max_bytes=max_bytes), extractor=engine))
    report = evaluate(gold_claims, extraction.claims, same_actor=engine.registry.same)
    return report, extraction


def open_ledger(target: str | None = None, *, actors: Iterable[Path] = (), create: bool = True) -> Ledger:
    """The ledger at a database URL or SQLite path (``COUNTERCLAIM_DB``, else ./counterclaim.db).

    With ``create=False``, a SQLite file that does not exist is an error (see :meth:`Ledger.open`).
    """
    extra = tuple(str(p) for p in actors)
    return Ledger.open(target, registry=load_registry(*extra) if extra else None, create=create)


def ingest(
    ledger: Ledger,
    inputs: Iterable[Document | InputError],
    *,
    extractor: Extractor | None = None,
    batch_size: int = DEFAULT_BATCH,
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Store the documents and their claims in the ledger (:func:`counterclaim.ingest.pipeline.ingest`)."""
    return pipeline.ingest(ledger, inputs, extractor=extractor, batch_size=batch_size, on_item=on_item)
