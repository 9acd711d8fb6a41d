"""The use cases the CLI and the web layer call: documents in, claims, corrections, series and scores out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from counterclaim.actor_files import load_registry
from counterclaim.api.estimates import (
    backtest,
    calibrate,
    evaluate_estimates,
    fit_series,
    load_series,
    read_caps,
    read_conflicts,
    read_priors,
    refresh_estimates,
    summarize_series,
    write_plots,
)
from counterclaim.delivery import channels_from
from counterclaim.errors import InputError, NothingToCorrectError
from counterclaim.evaluate import Report, evaluate
from counterclaim.extract import Extractor, build_extractor, default_extractor, extract_item
from counterclaim.formats import read_claims
from counterclaim.history import (
    RefreshReport,
    claims_between,
    deliver_alerts,
    read_rules,
    record_estimates,
    series_revisions,
)
from counterclaim.ingest import pipeline
from counterclaim.ingest.corpora import parse_fields
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.inputs import iter_paths, read_manifest
from counterclaim.ingest.language import label, screen
from counterclaim.ingest.pipeline import DEFAULT_BATCH
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.models import Claim, Document
from counterclaim.store import Ledger, RunSummary
from counterclaim.store import feeds as feed_store
from counterclaim.store.engine import remove_sqlite_ledger

if TYPE_CHECKING:
    import threading

    from distributed import Client

    from counterclaim.ingest.cluster import ExtractorFactory
    from counterclaim.ingest.mappings import TableMapping
    from counterclaim.ingest.polling import PollOptions, PollReport
    from counterclaim.ingest.tables import ImportSummary

SAMPLES = Path(__file__).parent.parent / "samples"
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
    gold: Path,
    manifest: Path,
    *,
    extractor: Extractor | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_outside: bool = False,
) -> tuple[Report, Extraction]:
    """Extract the articles a manifest lists and score them against a gold file.

    The manifest's files must be in its folder unless ``allow_outside`` (see :func:`read_manifest`).
    """
    engine = extractor or default_extractor()
    gold_claims = read_claims(gold)
    articles = label(read_manifest(manifest, max_bytes=max_bytes, allow_outside=allow_outside))
    extraction = collect(extract_documents(articles, extractor=engine))
    report = evaluate(gold_claims, extraction.claims, same_actor=engine.registry.same)
    return report, extraction


def evaluate_by_language(gold: Path, extraction: Extraction, *, extractor: Extractor) -> dict[str, Report]:
    """The scores of each language's documents (the language the screen told), by ISO code."""
    language_of = {document.id: document.language for document, _ in extraction.documents}
    gold_claims = read_claims(gold)
    reports = {}
    for language in sorted(set(language_of.values())):
        gold_part = [c for c in gold_claims if language_of.get(c.doc or "") == language]
        predicted = [c for d, found in extraction.documents if d.language == language for c in found]
        reports[language] = evaluate(gold_part, predicted, same_actor=extractor.registry.same)
    return reports


def open_ledger(target: str | None = None, *, actors: Iterable[Path] = (), create: bool = True) -> Ledger:
    """The ledger at a database URL or SQLite path (``COUNTERCLAIM_DB``, else ./counterclaim.db).

    With ``create=False``, a SQLite file that does not exist is an error (see :meth:`Ledger.open`).
    """
    extra = tuple(str(p) for p in actors)
    return Ledger.open(target, registry=load_registry(*extra) if extra else None, create=create)


def ingest(
    ledger: Ledger,
    inputs: Iterable[Document | RawPage | InputError],
    *,
    extractor: Extractor | None = None,
    client: Client | None = None,
    factory: ExtractorFactory | None = None,
    batch_size: int | None = None,
    english_only: bool = False,
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Store documents and their claims in the ledger, extracting here or on a Dask cluster.

    See :func:`counterclaim.ingest.pipeline.ingest`; ``batch_size`` defaults to 100 documents
    per transaction here and to :data:`~counterclaim.ingest.cluster.CLUSTER_BATCH` on a cluster.
    """
    if batch_size is None:
        from counterclaim.ingest.cluster import CLUSTER_BATCH

        batch_size = CLUSTER_BATCH if client is not None else DEFAULT_BATCH
    return pipeline.ingest(
        ledger,
        inputs,
        extractor=extractor,
        client=client,
        factory=factory,
        batch_size=batch_size,
        english_only=english_only,
        on_item=on_item,
    )


def reextract(
    ledger: Ledger,
    *,
    extractor: Extractor | None = None,
    everything: bool = False,
    batch_size: int = DEFAULT_BATCH,
    on_item: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run the extractor again over the stored texts (:func:`counterclaim.ingest.pipeline.reextract`)."""
    return pipeline.reextract(
        ledger, extractor=extractor, everything=everything, batch_size=batch_size, on_item=on_item
    )


# -- reading inputs ----------------------------------------------------------------------------
@overload
def read_inputs(
    paths: Sequence[str],
    *,
    manifest: Path | None = ...,
    published: date | None = ...,
    max_bytes: int = ...,
    fields: str | None = ...,
    timeout: float = ...,
    any_language: bool = ...,
    allow_outside: bool = ...,
    parse_html: Literal[True] = ...,
) -> Iterator[Document | InputError]: ...


@overload
def read_inputs(
    paths: Sequence[str],
    *,
    manifest: Path | None = ...,
    published: date | None = ...,
    max_bytes: int = ...,
    fields: str | None = ...,
    timeout: float = ...,
    any_language: bool = ...,
    allow_outside: bool = ...,
    parse_html: bool,
) -> Iterator[Document | RawPage | InputError]: ...


def read_inputs(
    paths: Sequence[str],
    *,
    manifest: Path | None = None,
    published: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fields: str | None = None,
    timeout: float = 20.0,
    any_language: bool = False,
    allow_outside: bool = False,
    parse_html: bool = True,
) -> Iterator[Document | RawPage | InputError]:
    """The documents of a manifest's articles, then of every path, URL or ``-``, read as they are needed.

    A crawl is never all in memory. Documents not in English become ``NotEnglishError`` unless
    ``any_language``. Without ``parse_html``, HTML pages come unparsed (for a cluster's workers
    to parse), and no language is judged here. A manifest's files must be in its folder unless
    ``allow_outside`` (see :func:`read_manifest`).

    Raises:
        CorpusRowError: ``fields`` is malformed (before anything is read).
    """
    columns = parse_fields(fields)  # a bad --fields fails before anything is read

    def documents() -> Iterator[Document | RawPage | InputError]:
        if manifest is not None:
            yield from read_manifest(manifest, max_bytes=max_bytes, allow_outside=allow_outside)
        yield from iter_paths(
            paths,
            published=published,
            max_bytes=max_bytes,
            fields=columns,
            timeout=timeout,
            parse_html=parse_html,
        )

    if any_language or not parse_html:
        return documents()
    return screen(cast("Iterator[Document | InputError]", documents()))  # parsed: no RawPage in it


# -- the ledger's claims -----------------------------------------------------------------------
#: Short names the command line uses for contract fields.
_FIELD_NAMES = {"party": "subject_party", "role": "subject_role", "reject": "rejected"}


def correct_claim(ledger: Ledger, claim_id: int, changes: Mapping[str, Any], *, note: str, by: str) -> int:
    """Correct or reject a claim, audited with ``note`` and ``by``; returns how many fields changed.

    The one place the rules of a correction live, for the command line and the web alike:
    ``changes`` maps contract fields (or ``party``, ``role``, ``reject``) to new values; a
    claimant is stored under its canonical name (an alias resolves through the ledger's
    registry); a new value of an ``exact`` claim is also its interval (low = high = value),
    unless low or high are given too. Every value is checked before anything is stored. Rules of
    kind ``corrected`` fire at the next :func:`refresh_estimates` (``new_claim_ids=[claim_id]``).

    Raises:
        NotFoundError: there is no such claim.
        NothingToCorrectError: no field to correct is given.
        CorrectionError: a field is unknown, a value does not fit its field, or the note is empty.
    """
    current = ledger.claim(claim_id, include_rejected=True)
    wanted: dict[str, Any] = {}
    for name, value in changes.items():
        field_name = _FIELD_NAMES.get(name, name)
        if field_name == "rejected" and value is False:
            continue  # "not rejected" on the command line is no change
        if isinstance(value, date):
            value = value.isoformat()
        wanted[field_name] = value
    if isinstance(wanted.get("claimant"), str):
        wanted["claimant"] = ledger.registry.canonical(wanted["claimant"]) or wanted["claimant"]
    if "value" in wanted and wanted["value"] is not None:
        qualifier = wanted.get("qualifier", current["qualifier"])
        if qualifier == "exact" and "low" not in wanted and "high" not in wanted:
            wanted["low"] = wanted["high"] = wanted["value"]
    if not wanted:
        raise NothingToCorrectError(
            f"claim {claim_id}: say what to correct (claimant, measure, value, as-of date, party, role) "
            "or reject it"
        )
    return ledger.correct(claim_id, wanted, note=note, by=by)


def import_table(
    ledger: Ledger,
    path: Path,
    mapping: TableMapping | str | Path,
    *,
    claimant: str | None = None,
    source_url: str | None = None,
) -> ImportSummary:
    """Import a table of claims through a mapping (loaded, or a bundled mapping's name, or a file),
    as one run.

    Raises:
        DataFileError: the mapping is malformed.
        InputError: the table cannot be read, or gives nothing to import.
    """
    from counterclaim.ingest.mappings import TableMapping, load_mapping
    from counterclaim.ingest.tables import import_table as import_rows

    loaded = mapping if isinstance(mapping, TableMapping) else load_mapping(mapping)
    return import_rows(ledger, path, loaded, claimant=claimant, source_url=source_url)


def claim_detail(ledger: Ledger, claim_id: int) -> dict[str, Any]:
    """One claim as corrected (rejected ones too), every report of it, and its corrections.

    Returns ``{"claim": ..., "reports": [...], "corrections": [...]}``. Each report carries its
    document (``document_id``, ``name``, ``outlet``, ``published``, ``url``), the ``evidence``
    sentence, the document offsets ``start`` / ``end``, the ``number`` as the document writes it
    and ``number_offset``, where that number sits in the sentence (None when it is not there, as
    for a table's row); corrections are oldest first.

    Raises:
        LedgerError: there is no such claim.
    """
    claim = ledger.claim(claim_id, include_rejected=True)
    return {"claim": claim, "reports": ledger.reports_of(claim_id), "corrections": ledger.history(claim_id)}


# -- reconciliation ----------------------------------------------------------------------------
# counterclaim.reconcile loads numpy and scipy: imported inside these functions, so that what
# imports this module only to extract (a Dask worker, `counterclaim extract`) does not pay for it.


# -- the demo ----------------------------------------------------------------------------------
@dataclass
class DemoLedger:
    """The demo's fresh ledger and what filled it: the bundled tables' imports, the articles' run."""

    path: Path
    ledger: Ledger
    imports: list[ImportSummary]
    summary: RunSummary


def demo(path: Path) -> DemoLedger:
    """A fresh SQLite ledger at ``path`` of the bundled sample tables and articles.

    An earlier demo ledger at ``path`` is replaced; any other file is left alone.

    Raises:
        NotALedgerError: ``path`` exists and is not a counterclaim ledger.
    """
    from counterclaim.ingest.mappings import load_mapping
    from counterclaim.ingest.tables import import_table

    remove_sqlite_ledger(path)
    ledger = open_ledger(str(path))
    imports = [
        import_table(ledger, SAMPLE_TABLES / folder / file, load_mapping(mapping))
        for folder, file, mapping in SAMPLE_TABLE_FILES
    ]
    summary = ingest(ledger, list(read_manifest(SAMPLE_MANIFEST)), extractor=build_extractor())
    return DemoLedger(path, ledger, imports, summary)


__all__ = [
    "DEFAULT_BATCH",
    "SAMPLES",
    "SAMPLE_MANIFEST",
    "SAMPLE_TABLES",
    "SAMPLE_TABLE_FILES",
    "DemoLedger",
    "Extraction",
    "RefreshReport",
    "backtest",
    "build_extractor",
    "calibrate",
    "channels_from",
    "claim_detail",
    "claims_between",
    "collect",
    "correct_claim",
    "deliver_alerts",
    "demo",
    "evaluate_estimates",
    "evaluate_manifest",
    "extract_documents",
    "fit_series",
    "import_table",
    "ingest",
    "load_series",
    "open_ledger",
    "read_caps",
    "read_conflicts",
    "read_inputs",
    "read_priors",
    "read_rules",
    "record_estimates",
    "reextract",
    "refresh_estimates",
    "series_revisions",
    "summarize_series",
    "write_plots",
]


# -- feeds (docs/live.md) ----------------------------------------------------------------------
def add_feed(
    ledger: Ledger, url: str, *, name: str | None = None, every: int = 900
) -> tuple[feed_store.Feed, bool]:
    """Follow an RSS, Atom or sitemap feed, polled every ``every`` s; (feed, whether new). FeedError
    (E701): the URL is not http(s), or the name is too long or taken by another feed."""
    from counterclaim.ingest.feeds import feed_name

    return feed_store.add_feed(ledger, url, feed_name(url, name), every)


def poll(ledger: Ledger, options: PollOptions | None = None, **arguments: Any) -> PollReport:
    """One pass over the due feeds (:func:`counterclaim.ingest.polling.poll`); the report's
    ``run_id`` and ``new_claim_ids`` are what to refresh estimates and fire alerts with."""
    from counterclaim.ingest import polling

    return polling.poll(ledger, options, **arguments)


def watch(
    ledger: Ledger, options: PollOptions | None = None, *, stop: threading.Event, **arguments: Any
) -> int:
    """Poll whenever a feed is due until ``stop`` is set; each report goes to ``after_poll``."""
    from counterclaim.ingest import polling

    return polling.watch(ledger, options, stop=stop, **arguments)
