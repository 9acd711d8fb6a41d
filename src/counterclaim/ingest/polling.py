"""One poll of the feeds that are due: their new entries' pages fetched once, extracted, stored.

A poll has two steps. First every due feed is asked (conditionally) what it lists; its new
entries are recorded ``pending`` with the feed's validators, in one transaction, so a crash
after it loses nothing: the next poll fetches the pending entries even if the feed answers 304.
Then the pending entries' pages (and failed ones due again) are fetched, a host at a time per
thread and at most ``concurrency`` hosts at once, and go through the one pipeline
(:mod:`counterclaim.ingest.pipeline`'s partitions, here or on Dask); each partition's documents,
claims and its entries' outcomes are one transaction. An entry stored is never fetched again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from counterclaim.errors import BinaryInputError, InputError
from counterclaim.extract import Extractor, default_extractor
from counterclaim.ingest.feeds import (
    ParsedFeed,
    UrlRules,
    canonical_url,
    declared_canonical,
    gunzipped,
    parse_feed,
)
from counterclaim.ingest.html import HTML_TYPES, RawPage, looks_like_html
from counterclaim.ingest.partitions import Input, extract_partition, partitions
from counterclaim.ingest.polite import PoliteClient, StoppedError, host_of
from counterclaim.ingest.text import decode_bytes
from counterclaim.models import Document
from counterclaim.store import Extracted, Ledger, RunSummary
from counterclaim.store import feeds as feed_store
from counterclaim.store.feeds import Feed, Outcome, PendingEntry
from counterclaim.store.schema import documents as documents_table

if TYPE_CHECKING:
    from distributed import Client

    from counterclaim.ingest.cluster import ExtractorFactory

log = logging.getLogger(__name__)
#: Pages per partition (one transaction): small, so a slow poll writes as it goes.
POLL_BATCH = 20
#: The sitemaps of one sitemap index read at most.
MAX_SITEMAPS = 50
#: Failures worth another try later (the network, the server, robots.txt, the size); the others
#: (no article, not English, not prose) are the page's own and are not fetched again.
RETRIED = frozenset({"E104", "E109", "E120", "E121", "E123"})


@dataclass
class PollReport:
    """What one poll did. ``run_id`` is the run that stored its pages (None: nothing to store)."""

    run_id: int | None = None
    feeds_due: int = 0
    feeds_changed: int = 0
    feeds_not_modified: int = 0
    #: (feed name, error code, reason) of each feed that failed this time
    feeds_failed: list[tuple[str, str, str]] = field(default_factory=list)
    entries_new: int = 0
    pages_fetched: int = 0
    duplicates: int = 0
    documents_new: int = 0
    claims_new: int = 0
    #: the claims this poll added: what estimates and alerts are refreshed with
    new_claim_ids: list[int] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    requests: int = 0
    stopped: bool = False

    @property
    def status(self) -> str:
        return "partial" if self.errors or self.feeds_failed else "ok"


@dataclass(frozen=True, slots=True)
class PollOptions:
    """How a poll fetches: hosts at once, the delay between requests to a host, limits."""

    concurrency: int = 8
    delay: float = 1.0
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    batch_size: int = POLL_BATCH
    english_only: bool = True
    #: every feed now, not only those that are due
    all_feeds: bool = False
    transport: Any = None  # an httpx transport (tests, proxies)


def poll(
    ledger: Ledger,
    options: PollOptions | None = None,
    *,
    extractor: Extractor | None = None,
    client: Client | None = None,
    factory: ExtractorFactory | None = None,
    stop: threading.Event | None = None,
    rules: UrlRules | None = None,
    on_page: Callable[[PollReport], None] | None = None,
) -> PollReport:
    """Poll every due feed and store its new entries' pages (see the module's docstring).

    ``stop`` (set by a signal) ends the poll after the partition being written.
    """
    options = options or PollOptions()
    stop = stop or threading.Event()
    report = PollReport()
    now = datetime.now(UTC)
    robots = feed_store.known_robots(ledger, now)
    with PoliteClient(
        timeout=options.timeout, max_bytes=options.max_bytes, delay=options.delay,
        transport=options.transport, stop=stop, robots=robots,
    ) as http:  # fmt: skip
        try:
            feed_errors = _poll_feeds(ledger, http, options, report, now, rules)
            if stop.is_set():
                report.stopped = True
                return report
            entries = feed_store.pending_entries(ledger, datetime.now(UTC))
            if entries or feed_errors:
                _fetch_and_store(
                    ledger, http, entries, feed_errors, options, report, rules=rules,
                    extractor=extractor, client=client, factory=factory, stop=stop, on_page=on_page,
                )  # fmt: skip
        finally:
            feed_store.save_robots(ledger, http.robots_read, now)
            report.requests = http.requests
    report.stopped = stop.is_set()
    return report


# -- feeds ------------------------------------------------------------------------------------
def _poll_feeds(
    ledger: Ledger,
    http: PoliteClient,
    options: PollOptions,
    report: PollReport,
    now: datetime,
    rules: UrlRules | None,
) -> list[InputError]:
    """Ask each due feed what it lists; record its new entries, or its failure and back-off."""
    due = feed_store.due_feeds(ledger, datetime.max.replace(tzinfo=UTC) if options.all_feeds else now)
    report.feeds_due = len(due)
    errors: list[InputError] = []
    for feed, result in _by_host(due, lambda f: f.url, lambda f: _read_feed(http, f, rules), options, http):
        if isinstance(result, InputError):
            feed_store.record_failure(ledger, feed, datetime.now(UTC), result.code, result.reason)
            report.feeds_failed.append((feed.name, result.code, result.reason))
            errors.append(result)
            log.warning("feed %s failed: %s", feed.name, result)
        elif result is None:
            feed_store.record_answer(ledger, feed, datetime.now(UTC))
            report.feeds_not_modified += 1
        else:
            parsed, etag, modified = result
            rows = [(entry.url, entry.link, entry.guid) for entry in parsed.entries]
            new = feed_store.record_answer(
                ledger,
                feed,
                datetime.now(UTC),
                kind=parsed.kind,
                etag=etag,
                last_modified=modified,
                entries=rows,
            )
            report.feeds_changed += 1
            report.entries_new += new
            log.info("feed %s: %s entries, %s new", feed.name, len(rows), new)
    return errors


def _read_feed(
    http: PoliteClient, feed: Feed, rules: UrlRules | None
) -> tuple[ParsedFeed, str | None, str | None] | None:
    """The feed's entries and validators, or None when it has not changed (304)."""
    answer = http.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    if answer.not_modified:
        return None
    parsed = parse_feed(gunzipped(answer.body, feed.url, http.max_bytes), feed.url, rules)
    if parsed.kind == "sitemapindex":
        entries = []
        for child in parsed.sitemaps[:MAX_SITEMAPS]:
            body = gunzipped(http.get(child).body, child, http.max_bytes)
            entries.extend(parse_feed(body, child, rules).entries)
        parsed = ParsedFeed("sitemap", entries)
    return parsed, answer.etag, answer.last_modified


# -- pages ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Fetched:
    entry: PendingEntry
    item: Input  # a RawPage or a Document to extract, or the error fetching it gave
    page_url: str | None = None  # the canonical URL the page declares, when another
    duplicate: bool = False  # that URL was fetched already in this poll


class _Claimed:
    """The URLs (entries' and pages' canonical ones) the poll's fetching threads have taken."""

    def __init__(self) -> None:
        self._urls: set[str] = set()
        self._lock = threading.Lock()

    def take(self, url: str) -> bool:
        """Take ``url``; False if a thread took it before."""
        with self._lock:
            if url in self._urls:
                return False
            self._urls.add(url)
            return True


def _fetch_page(http: PoliteClient, entry: PendingEntry, rules: UrlRules | None) -> _Fetched:
    answer = http.get(entry.link)
    declared = None
    if answer.content_type in HTML_TYPES or (not answer.content_type and looks_like_html(answer.body)):
        found = declared_canonical(answer.body, answer.url)
        declared = canonical_url(found, rules) if found else None
        page_url = declared or entry.url
        page: Input = RawPage(answer.body, source=entry.url, name=entry.url, url=page_url)
    elif answer.content_type.startswith("text/"):
        text, encoding = decode_bytes(answer.body, entry.url)
        page = Document(id=entry.url, text=text, url=entry.url, encoding=encoding)
    else:
        # a PDF, an image, a video: the page's own kind, not fetched again (E102 is not retried)
        kind = answer.content_type or "unknown"
        raise BinaryInputError(entry.link, f"not a web page or text (content type {kind})")
    return _Fetched(entry, page, declared if declared != entry.url else None)


def _fetch_and_store(
    ledger: Ledger,
    http: PoliteClient,
    entries: list[PendingEntry],
    feed_errors: list[InputError],
    options: PollOptions,
    report: PollReport,
    *,
    rules: UrlRules | None,
    extractor: Extractor | None,
    client: Client | None,
    factory: ExtractorFactory | None,
    stop: threading.Event,
    on_page: Callable[[PollReport], None] | None,
) -> None:
    by_url = {entry.url: entry for entry in entries}
    attempts = {entry.id: entry.attempts for entry in entries}
    waiting: list[Outcome] = []  # duplicates found while fetching, recorded with the next partition
    claimed = _Claimed()

    def inputs() -> Generator[Input, None, None]:
        yield from feed_errors

        def fetch(entry: PendingEntry) -> _Fetched | None:
            # an entry another page of this poll named as its canonical URL is not fetched
            if not claimed.take(entry.url):
                return None
            fetched = _fetch_page(http, entry, rules)
            if fetched.page_url and not claimed.take(fetched.page_url):
                return _Fetched(entry, fetched.item, fetched.page_url, duplicate=True)
            return fetched

        fetched = _by_host(entries, lambda e: e.link, fetch, options, http)
        try:
            yield from _screened(fetched)
        finally:
            fetched.close()

    def _screened(fetched: Iterator[tuple[PendingEntry, Any]]) -> Iterator[Input]:
        for entry, result in fetched:
            if isinstance(result, InputError):
                yield _as_entry_error(entry, result)
                continue
            if result is None:
                report.duplicates += 1
                waiting.append(Outcome(entry.id, "duplicate", page_url=entry.url))
                continue
            report.pages_fetched += 1
            page = result.page_url
            if page and (result.duplicate or feed_store.stored_pages(ledger, [page])):
                report.duplicates += 1
                waiting.append(Outcome(entry.id, "duplicate", page_url=page))
                continue
            if page:
                pages[entry.url] = page
            yield result.item

    pages: dict[str, str] = {}
    source = inputs()
    batches: Iterator[Sequence[Extracted | InputError]]
    if client is not None:
        from counterclaim.ingest.cluster import ExtractorSettings, extracted_on_cluster

        batches = extracted_on_cluster(
            source, factory or ExtractorSettings(), client, options.batch_size, None, options.english_only
        )
    else:
        engine = extractor or (factory() if factory is not None else default_extractor())
        batches = (
            extract_partition(part, engine, english_only=options.english_only)
            for part in partitions(source, options.batch_size)
        )
    with ledger.writer.run("poll") as summary, closing(source):
        report.run_id = summary.run_id
        for batch in batches:
            outcomes = [*_outcomes(batch, by_url, pages), *waiting]
            waiting.clear()
            ledger.writer.write_batch(batch, summary, also=_recorder(outcomes, attempts, summary.run_id))
            _count(report, summary)
            if on_page is not None:
                on_page(report)
            if stop.is_set():
                log.info("poll stopped after writing a partition")
                break
        if waiting:
            ledger.writer.write_batch([], summary, also=_recorder(list(waiting), attempts, summary.run_id))
    report.new_claim_ids = feed_store.new_claim_ids(ledger, summary.run_id)
    _count(report, summary)


def _as_entry_error(entry: PendingEntry, error: InputError) -> InputError:
    """The error named by the entry's canonical URL (how its outcome finds it)."""
    return type(error)(entry.url, error.reason) if error.source != entry.url else error


def _outcomes(
    batch: Sequence[Extracted | InputError], by_url: dict[str, PendingEntry], pages: dict[str, str]
) -> list[Outcome]:
    found = []
    for item in batch:
        name = item.source if isinstance(item, InputError) else item.document.id
        entry = by_url.get(name)
        if entry is None:
            continue  # a feed's own error
        if isinstance(item, InputError):
            outcome = "failed" if item.code in RETRIED else "skipped"
            found.append(Outcome(entry.id, outcome, error_code=item.code, error=item.reason))
        else:
            found.append(Outcome(entry.id, "stored", digest=item.digest, page_url=pages.get(name)))
    return found


def _recorder(outcomes: list[Outcome], attempts: dict[int, int], run_id: int) -> Callable[[Connection], None]:
    def record(connection: Connection) -> None:
        d = documents_table.c
        digests = [o.digest for o in outcomes if o.digest]
        earlier = {
            row.sha256
            for row in connection.execute(
                select(d.sha256).where(d.sha256.in_(digests), d.run_id != run_id)
            )
        } if digests else set()  # fmt: skip
        marked = [
            Outcome(o.entry_id, "known", o.digest, o.page_url) if o.digest in earlier else o for o in outcomes
        ]
        feed_store.record_outcomes(connection, marked, attempts, run_id, datetime.now(UTC))

    return record


def _count(report: PollReport, summary: RunSummary) -> None:
    report.documents_new = summary.documents_new
    report.claims_new = summary.claims_new
    report.errors = list(summary.errors)


# -- politeness across hosts ------------------------------------------------------------------
def _by_host(
    items: Sequence[Any],
    url_of: Callable[[Any], str],
    work: Callable[[Any], Any],
    options: PollOptions,
    http: PoliteClient,
) -> Generator[tuple[Any, Any], None, None]:
    """``work(item)`` for each item, a host's items one after another in one thread, at most
    ``options.concurrency`` hosts at once; (item, result or InputError) as each one finishes."""
    hosts: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        hosts[host_of(url_of(item))].append(item)
    if not hosts:
        return
    results: queue.Queue[tuple[Any, Any] | None] = queue.Queue(maxsize=max(4, 2 * options.batch_size))

    abandoned = threading.Event()

    def one_host(group: list[Any]) -> None:
        try:
            for item in group:
                if http.stop.is_set() or abandoned.is_set():
                    return
                try:
                    results.put((item, work(item)))
                except InputError as error:
                    results.put((item, error))
                except StoppedError:
                    return  # not sent: the item stays as it was (pending, or due)
        finally:
            results.put(None)

    with ThreadPoolExecutor(max_workers=max(1, min(options.concurrency, len(hosts)))) as pool:
        futures = [pool.submit(one_host, group) for group in hosts.values()]
        finished = 0
        try:
            while finished < len(futures):
                got = results.get()
                if got is None:
                    finished += 1
                else:
                    yield got
        finally:
            # closed early (a stop, an error downstream): the threads end after their current
            # request, the queue drained so none waits on it forever
            abandoned.set()
            while finished < len(futures):
                if results.get() is None:
                    finished += 1
        for future in as_completed(futures):
            future.result()  # a bug in a worker is raised here, not lost


# -- watching ---------------------------------------------------------------------------------
#: ``watch`` looks for due feeds at least this often, in seconds (a feed added meanwhile is seen).
WATCH_LOOK = 60.0


def watch(
    ledger: Ledger,
    options: PollOptions | None = None,
    *,
    stop: threading.Event,
    after_poll: Callable[[PollReport], None] | None = None,
    **poll_arguments: Any,
) -> int:
    """Poll whenever a feed is due until ``stop`` is set (a signal); returns the polls made.

    A poll that was started finishes the partition it is writing first; ``after_poll`` gets each
    poll's report.
    """
    polls = 0
    while not stop.is_set():
        report = poll(ledger, options, stop=stop, **poll_arguments)
        polls += 1
        if after_poll is not None:
            after_poll(report)
        due = feed_store.next_due(ledger)
        wait = WATCH_LOOK if due is None else (due - datetime.now(UTC)).total_seconds()
        stop.wait(min(max(wait, 0.5), WATCH_LOOK))
    return polls
