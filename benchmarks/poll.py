"""Polling many feeds on loopback: the first poll (every page new) and the second (all 304), beside
a plain sequential fetch of the same URLs, in one run.

    python benchmarks/poll.py [--feeds 200] [--entries 20] [--hosts 20] [--concurrency 8]

Serves --feeds RSS feeds of --entries articles each (every article its own) from --hosts
loopback servers (ports) in a child process, so this process holds only the poller. Then it
times, with the peak resident memory of this process during each step (psutil, sampled every
20 ms):
  1. baseline: one httpx client fetching every feed and every article, one after another, nothing
     parsed or stored;
  2. the first `counterclaim poll` (--delay 0): feeds read, pages fetched (one at a time per
     host, --concurrency hosts at once), articles found, claims extracted and stored in SQLite;
  3. baseline: the feeds fetched again one after another with their ETags (all 304);
  4. the second poll (every feed due again, all 304: nothing else is fetched).
It prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback news site the tests use

from newssite import NewsSite, article_html, rss, serve  # noqa: E402


def _serve_sites(feeds: int, entries: int, hosts: int, ready: Any, stop: Any) -> None:
    sites = []
    for _ in range(hosts):
        site = NewsSite()
        serve(site)
        sites.append(site)
    urls = []
    for feed in range(feeds):
        site = sites[feed % hosts]
        numbers = range(feed * entries, (feed + 1) * entries)
        for number in numbers:
            site.put(f"/a/{number}", "text/html", article_html(number))
        site.put(
            f"/feed/{feed}.xml",
            "application/rss+xml",
            rss(site.base, [(f"/a/{n}", f"r{n}") for n in numbers]),
        )
        urls.append((f"{site.base}/feed/{feed}.xml", [f"{site.base}/a/{n}" for n in numbers]))
    ready.put(urls)
    stop.wait()


@contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """The peak resident memory of this process while the block runs, sampled every 20 ms (MB)."""
    import psutil

    process = psutil.Process()
    found = {"start": process.memory_info().rss / 1e6, "peak": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            found["peak"] = max(found["peak"], process.memory_info().rss / 1e6)
            done.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        done.set()
        thread.join()
        found["peak"] = max(found["peak"], process.memory_info().rss / 1e6)


def timed(
    label: str, work: Callable[[], Any], rows: list[tuple[str, float, float, float, str]], note: str = ""
) -> Any:
    with peak_memory() as memory:
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
    rows.append((label, seconds, memory["peak"], memory["peak"] - memory["start"], note))
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()

    import httpx

    from counterclaim import api
    from counterclaim.ingest.html import document_from_html
    from counterclaim.ingest.polling import PollOptions

    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(
        target=_serve_sites,
        args=(arguments.feeds, arguments.entries, arguments.hosts, ready, stop),
        daemon=True,
    )
    server.start()
    feeds = ready.get(timeout=120)
    pages = [page for _, listed in feeds for page in listed]
    rows: list[tuple[str, float, float, float, str]] = []
    extractor = api.build_extractor()
    extractor.extract("warm up: 3 people were killed, the ministry said.")  # the lexicons loaded
    with tempfile.TemporaryDirectory() as folder:
        ledger = api.open_ledger(str(Path(folder) / "poll.db"))
        for feed, _ in feeds:
            api.add_feed(ledger, feed)

        bodies: list[tuple[str, bytes]] = []

        def sequential() -> dict[str, str]:
            tags = {}
            with httpx.Client(timeout=20) as client:
                for feed, _ in feeds:
                    tags[feed] = client.get(feed).headers.get("etag", "")
                for page in pages:
                    answer = client.get(page)
                    answer.raise_for_status()
                    bodies.append((page, answer.content))
            return tags

        def extraction() -> int:
            found = 0
            for page, body in bodies:
                document = document_from_html(body, source=page, name=page, url=page)
                found += len(extractor.extract(document.text, published=document.published, doc=page))
            return found

        tags = timed(
            "baseline: sequential GET of every feed and page",
            sequential,
            rows,
            f"{len(feeds) + len(pages)} requests",
        )
        claims = timed(
            "baseline: the same pages' articles found and extracted, nothing stored", extraction, rows
        )
        rows[-1] = (*rows[-1][:4], f"{len(bodies)} pages, {claims} claims")
        bodies.clear()
        options = PollOptions(delay=0.0, concurrency=arguments.concurrency, all_feeds=True)
        first = timed(
            "first poll (fetch, extract, store)", lambda: api.poll(ledger, options, extractor=extractor), rows
        )
        rows[-1] = (
            *rows[-1][:4],
            f"{first.requests} requests, {first.documents_new} documents, {first.claims_new} claims",
        )

        def conditional() -> int:
            not_modified = 0
            with httpx.Client(timeout=20) as client:
                for feed, _ in feeds:
                    not_modified += client.get(feed, headers={"If-None-Match": tags[feed]}).status_code == 304
            return not_modified

        answered = timed("baseline: sequential conditional GET of every feed", conditional, rows)
        rows[-1] = (*rows[-1][:4], f"{answered} answered 304")
        second = timed("second poll (all 304)", lambda: api.poll(ledger, options, extractor=extractor), rows)
        rows[-1] = (*rows[-1][:4], f"{second.requests} requests, {second.feeds_not_modified} answered 304")
        ledger.engine.dispose()
    stop.set()
    server.join(timeout=10)

    print(f"\n{arguments.feeds} feeds x {arguments.entries} entries on {arguments.hosts} loopback hosts, "
          f"--concurrency {arguments.concurrency}, --delay 0; {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print("| step | seconds | peak RSS (MB) | RSS growth (MB) | |")
    print("|---|---|---|---|---|")
    for label, seconds, peak, growth, note in rows:
        print(f"| {label} | {seconds:.2f} | {peak:.0f} | {growth:.0f} | {note} |")


if __name__ == "__main__":
    main()
