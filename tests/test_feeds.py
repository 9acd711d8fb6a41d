"""Following feeds on a real loopback news site: two polls, a restart answered 304, robots.txt,
duplicates under tracking and AMP URLs, failures recorded with their codes, the back-off."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from counterclaim import api
from counterclaim.cli import cli
from counterclaim.errors import FeedError, InputError
from counterclaim.extract import Extractor
from counterclaim.ingest.feeds import canonical_url, gunzipped, parse_feed
from counterclaim.ingest.polite import USER_AGENT, PoliteClient
from counterclaim.ingest.polling import PollOptions, PollReport
from counterclaim.store import Ledger, schema
from counterclaim.store import feeds as feed_store
from newssite import NewsSite, article_html, article_text, atom, rss, serve, sitemap, stop

#: short timeouts: the page that never answers costs two seconds
FAST = PollOptions(delay=0.0, timeout=2.0, concurrency=4)
#: the same, every feed polled whether due or not (the next poll, without waiting 15 minutes)
AGAIN = PollOptions(delay=0.0, timeout=2.0, concurrency=4, all_feeds=True)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    news = NewsSite()
    server, _ = serve(news)
    try:
        yield news
    finally:
        stop(server, news)


def _first_edition(site: NewsSite) -> None:
    b = site.base
    for number in (1, 2, 3, 4):
        site.put(f"/a/{number}", "text/html", article_html(number))
    site.put("/a/8", "text/html", article_html(8))
    # the same article as /a/8 under a URL of its own, naming /a/8 canonical
    site.put("/story?id=8", "text/html", article_html(8, canonical=f"{b}/a/8", extra="<p>Shared.</p>"))
    site.redirects.update({"/a/loop": "/a/loop2", "/a/loop2": "/a/loop"})
    site.hanging.add("/a/hang")
    site.put("/rss.xml", "application/rss+xml", rss(b, [
        ("/a/1", "one"), ("/a/2", "two"), ("/a/missing", "gone"), ("/a/loop", "loop"), ("/a/hang", "hang"),
    ]))  # fmt: skip
    site.put("/atom.xml", "application/atom+xml", atom(b, [
        ("/a/3", "three"), ("/a/1?utm_source=atom&amp;fbclid=zz", "one, tracked"), ("/a/1/amp", "one, AMP"),
        ("/story?id=8", "eight, elsewhere"),
    ]))  # fmt: skip
    site.put("/sitemap.xml", "application/xml", sitemap(b, ["/a/4", "/a/4?amp=1", "/a/8"]))


def _second_edition(site: NewsSite) -> None:
    b = site.base
    for number in (5, 6, 7):
        site.put(f"/a/{number}", "text/html", article_html(number))
    site.put("/rss.xml", "application/rss+xml", rss(b, [("/a/5", "five"), ("/a/1", "one"), ("/a/2", "two")]))
    site.put("/atom.xml", "application/atom+xml", atom(b, [("/a/6", "six"), ("/a/3", "three")]))
    site.put("/sitemap.xml", "application/xml", sitemap(b, ["/a/7", "/a/4"]))


def _follow(ledger_url: str, site: NewsSite) -> None:
    with opened(ledger_url) as ledger:
        for name in ("rss.xml", "atom.xml", "sitemap.xml"):
            api.add_feed(ledger, f"{site.base}/{name}", every=900)


@contextlib.contextmanager
def opened(ledger_url: str) -> Iterator[Ledger]:
    """A ledger object of its own (as a new process has), its connections closed afterwards."""
    ledger = api.open_ledger(ledger_url)
    try:
        yield ledger
    finally:
        ledger.engine.dispose()
        ledger.writer.engine.dispose()


def _poll(ledger_url: str, options: PollOptions) -> PollReport:
    with opened(ledger_url) as ledger:
        return api.poll(ledger, options)


def _claims(ledger_url: str, ids: list[int] | None = None) -> list[tuple[str | None, str, int | None]]:
    c = schema.claims.c
    query = select(c.claimant, c.measure, c.value).order_by(c.id)
    if ids is not None:
        query = query.where(c.id.in_(ids))
    with opened(ledger_url) as ledger, ledger.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def _expected(extractor: Extractor, numbers: list[int]) -> list[tuple[str | None, str, int | None]]:
    return sorted(
        (claim.claimant, claim.measure, claim.value)
        for number in numbers
        for claim in extractor.extract(article_text(number))
    )


def test_feeds_two_polls_then_a_restart_answered_304(site: NewsSite, database_url: str, extractor: Extractor):
    url = database_url
    _first_edition(site)
    _follow(url, site)

    first = _poll(url, FAST)
    assert first.feeds_changed == 3 and first.feeds_failed == []
    # 1, 2, 3, 4 and 8 stored once each, whatever URL they came under
    assert first.documents_new == 5
    assert sorted(_claims(url)) == _expected(extractor, [1, 2, 3, 4, 8])
    codes = sorted(error.code for error in first.errors)
    assert codes == ["E109", "E121", "E123"]  # the 404, the redirect loop, the page that never answers
    fetched = [entry.path for entry in site.requests() if entry.path.startswith("/a/1")]
    assert fetched == ["/a/1"]  # tracking parameters and AMP: one article, one request

    _second_edition(site)
    start = len(site.requests())
    second = _poll(url, AGAIN)
    assert second.documents_new == 3
    assert sorted(_claims(url, second.new_claim_ids)) == _expected(extractor, [5, 6, 7])
    assert sorted(_claims(url)) == _expected(extractor, [1, 2, 3, 4, 5, 6, 7, 8])
    pages = {entry.path for entry in site.requests(start) if entry.path.startswith("/a/")}
    assert pages == {"/a/5", "/a/6", "/a/7"}  # the failed ones wait for their back-off

    start = len(site.requests())
    third = _poll(url, AGAIN)  # a new ledger object: a restart
    log = site.requests(start)
    assert [entry.status for entry in log] == [304, 304, 304]
    assert all(entry.if_none_match for entry in log)
    assert {entry.path for entry in log} == {"/rss.xml", "/atom.xml", "/sitemap.xml"}
    assert third.run_id is None and third.documents_new == 0 and third.feeds_not_modified == 3


def test_feeds_entries_record_their_outcomes_and_documents(site: NewsSite, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    _first_edition(site)
    _follow(url, site)
    report = api.poll(api.open_ledger(url), FAST)
    ledger = api.open_ledger(url)
    e, d = schema.feed_entries.c, schema.documents.c
    with ledger.engine.connect() as connection:
        rows = {row.url: row for row in connection.execute(select(schema.feed_entries))}
        documents = {row.id: row for row in connection.execute(select(d.id, d.url, d.run_id))}
    base = site.base
    assert rows[f"{base}/a/1"].outcome == "stored"
    assert documents[rows[f"{base}/a/1"].document_id].url == f"{base}/a/1"
    assert documents[rows[f"{base}/a/1"].document_id].run_id == report.run_id
    assert rows[f"{base}/a/missing"].outcome == "failed" and rows[f"{base}/a/missing"].error_code == "E109"
    assert rows[f"{base}/a/loop"].error_code == "E121"
    assert rows[f"{base}/a/hang"].error_code == "E123"
    assert rows[f"{base}/a/hang"].next_try is not None  # retried later
    story = rows[f"{base}/story?id=8"]
    eight = rows[f"{base}/a/8"]
    assert {story.outcome, eight.outcome} <= {"stored", "duplicate", "known"}
    assert [story.outcome, eight.outcome].count("stored") == 1
    assert len(rows) == 9  # 5 + 4 + 1 distinct canonical URLs (the tracked and AMP ones are /a/1, /a/4)
    assert e.first_seen is not None


def test_feeds_robots_disallow_is_honoured(site: NewsSite, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    site.robots = "User-agent: counterclaim\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n"
    site.put("/a/1", "text/html", article_html(1))
    site.put("/private/9", "text/html", article_html(9))
    site.put("/rss.xml", "application/rss+xml", rss(site.base, [("/private/9", "nine"), ("/a/1", "one")]))
    ledger = api.open_ledger(url)
    api.add_feed(ledger, f"{site.base}/rss.xml")
    report = api.poll(ledger, FAST)
    assert [error.code for error in report.errors] == ["E120"]
    assert "/private/9" not in {entry.path for entry in site.requests()}
    assert report.documents_new == 1
    # robots.txt was read once and is kept: the next poll does not ask for it again
    start = len(site.requests())
    api.poll(api.open_ledger(url), AGAIN)
    assert "/robots.txt" not in {entry.path for entry in site.requests(start)}


def test_feeds_a_failing_feed_backs_off_and_the_rest_go_on(site: NewsSite, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    site.put("/a/1", "text/html", article_html(1))
    site.put("/files/report.pdf", "application/pdf", b"%PDF-1.4 not a page")
    site.put(
        "/rss.xml", "application/rss+xml", rss(site.base, [("/a/1", "one"), ("/files/report.pdf", "pdf")])
    )
    site.put("/garbage.xml", "text/html", b"<html><body>Maintenance</body></html>")
    ledger = api.open_ledger(url)
    api.add_feed(ledger, f"{site.base}/rss.xml")
    api.add_feed(ledger, f"{site.base}/garbage.xml", name="garbage")
    api.add_feed(ledger, f"{site.base}/down.xml", name="down")
    report = api.poll(ledger, FAST)
    assert report.documents_new == 1
    assert sorted((name, code) for name, code, _ in report.feeds_failed) == [
        ("down", "E109"),
        ("garbage", "E122"),
    ]
    e = schema.feed_entries.c
    with ledger.engine.connect() as connection:
        pdf = connection.execute(
            select(e.outcome, e.error_code, e.next_try).where(e.url.endswith(".pdf"))
        ).one()
    assert tuple(pdf) == ("skipped", "E102", None)  # the page's own kind: not fetched again
    waits = []
    for _ in range(3):
        feed = next(f for f in feed_store.list_feeds(ledger) if f.name == "down")
        waits.append(feed.next_due - (feed.last_polled or feed.next_due))
        api.poll(ledger, AGAIN)
    assert waits[0] < waits[1] < waits[2] <= feed_store.MAX_FEED_BACKOFF
    down = next(f for f in feed_store.list_feeds(ledger) if f.name == "down")
    assert down.failures == 4 and down.last_error_code == "E109"
    # an answer resets it
    site.put("/down.xml", "application/rss+xml", rss(site.base, []))
    api.poll(ledger, AGAIN)
    down = next(f for f in feed_store.list_feeds(ledger) if f.name == "down")
    assert down.failures == 0 and down.last_error_code is None


def test_feeds_one_request_at_a_time_per_host_with_a_delay_and_hosts_at_once(tmp_path: Path):
    sites = [NewsSite(slow=0.05), NewsSite(slow=0.05)]
    servers = [serve(site)[0] for site in sites]
    try:
        ledger = api.open_ledger(f"sqlite:///{tmp_path / 'live.db'}")
        for index, site in enumerate(sites):
            site.robots = "User-agent: *\nCrawl-delay: 0.2\n" if index else "User-agent: *\nAllow: /\n"
            for number in range(4):
                site.put(f"/a/{number}", "text/html", article_html(10 * index + number))
            site.put("/rss.xml", "application/rss+xml", rss(site.base, [(f"/a/{n}", "x") for n in range(4)]))
            api.add_feed(ledger, f"{site.base}/rss.xml")
        report = api.poll(ledger, PollOptions(delay=0.1, timeout=5.0, concurrency=8))
        assert report.documents_new == 8
        for site, gap in zip(sites, (0.1, 0.2), strict=True):
            assert site.most_in_flight == 1  # never two requests to one host at once
            moments = [entry.at for entry in site.requests()]
            # each answer comes at least the delay (or the longer Crawl-delay) after the one before
            assert all(later - earlier >= gap * 0.95 for earlier, later in itertools.pairwise(moments))
        # the two hosts were fetched from at once: their requests interleave in time
        first, second = ([entry.at for entry in site.requests()] for site in sites)
        assert min(second) < max(first) and min(first) < max(second)
    finally:
        for server, site in zip(servers, sites, strict=True):
            stop(server, site)


def test_feeds_a_large_page_is_refused_without_reading_it_whole(site: NewsSite):
    site.huge["/big"] = 50 * 1024 * 1024
    tracemalloc.start()
    try:
        with (
            PoliteClient(timeout=5.0, max_bytes=1024 * 1024, delay=0.0) as http,
            pytest.raises(InputError) as caught,
        ):
            http.get(f"{site.base}/big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "E104"
    assert peak < 8 * 1024 * 1024  # a 50 MB answer, never more than a few MB held


def test_feeds_requests_name_the_tool_and_send_validators(site: NewsSite):
    seen: list[str] = []

    def remember(handler):  # the User-Agent the server saw
        seen.append(handler.headers.get("User-Agent"))
        return original(handler)

    original = site.answer
    site.answer = remember  # type: ignore[method-assign]
    site.put("/rss.xml", "application/rss+xml", rss(site.base, []))
    with PoliteClient(timeout=2.0, delay=0.0) as http:
        first = http.get(f"{site.base}/rss.xml")
        again = http.get(f"{site.base}/rss.xml", etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and first.etag
    assert set(seen) == {USER_AGENT} and "counterclaim/" in USER_AGENT and "https://" in USER_AGENT


def test_feeds_urls_made_canonical():
    assert canonical_url("https://Example.com/a/1?utm_source=x&fbclid=y#top") == "https://example.com/a/1"
    assert canonical_url("https://amp.example.com/a/1/amp/") == "https://example.com/a/1"
    assert canonical_url("https://example.com/a/1?amp=1&page=2") == "https://example.com/a/1?page=2"
    assert canonical_url("https://example.com/a/1?outputType=amp") == "https://example.com/a/1"
    assert canonical_url("http://example.com:80/a?b=2&a=1") == "http://example.com/a?a=1&b=2"
    assert canonical_url("https://example.com/ampere") == "https://example.com/ampere"


def test_feeds_sitemap_index_and_hostile_xml(site: NewsSite, tmp_path: Path):
    site.put("/a/1", "text/html", article_html(1))
    site.put("/a/2", "text/html", article_html(2))
    site.put("/s1.xml", "application/xml", sitemap(site.base, ["/a/1"]))
    site.put("/s2.xml.gz", "application/x-gzip", gzip.compress(sitemap(site.base, ["/a/2"])))
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.base}/s1.xml</loc></sitemap><sitemap><loc>{site.base}/s2.xml.gz</loc></sitemap>"
        "</sitemapindex>"
    ).encode()
    site.put("/index.xml", "application/xml", index)
    ledger = api.open_ledger(f"sqlite:///{tmp_path / 'live.db'}")
    api.add_feed(ledger, f"{site.base}/index.xml")
    assert api.poll(ledger, FAST).documents_new == 2
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><urlset>&b;</urlset>'
    with pytest.raises(InputError) as caught:
        parse_feed(bomb, "http://x/s.xml")
    assert caught.value.code == "E122"
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")  # 5 KB that opens to 5 MB
    with pytest.raises(InputError) as caught:
        gunzipped(bomb, "http://x/s.xml.gz", 1024 * 1024)
    assert caught.value.code == "E104"


def test_feeds_cli_add_list_remove_poll(site: NewsSite, tmp_path: Path):
    db = str(tmp_path / "live.db")
    site.put("/a/1", "text/html", article_html(1))
    site.put("/rss.xml", "application/rss+xml", rss(site.base, [("/a/1", "one")]))
    runner = CliRunner()
    added = runner.invoke(
        cli, ["feeds", "add", f"{site.base}/rss.xml", "--name", "wire", "--every", "30m", "--db", db]
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["feeds", "list", "--format", "json", "--db", db])
    assert '"name": "wire"' in listed.output and '"every": 1800' in listed.output
    bad = runner.invoke(cli, ["feeds", "add", f"{site.base}/x", "--every", "5s", "--db", db])
    assert bad.exit_code == 2 and "shorter than a minute" in bad.output
    polled = runner.invoke(cli, ["poll", "--delay", "0", "--timeout", "2", "--db", db])
    assert polled.exit_code == 0, polled.output
    assert "new documents" in polled.output
    assert api.open_ledger(db).counts()["documents"] == 1
    shown = runner.invoke(cli, ["feeds", "entries", "wire", "--format", "jsonl", "--db", db])
    assert shown.exit_code == 0 and '"outcome": "stored"' in shown.output and '"feed": "wire"' in shown.output
    none_failed = runner.invoke(cli, ["feeds", "entries", "--outcome", "failed", "--db", db])
    assert none_failed.exit_code == 0 and f"{site.base}/a/1" not in none_failed.output
    removed = runner.invoke(cli, ["feeds", "remove", "wire", "--db", db])
    assert removed.exit_code == 0
    missing = runner.invoke(cli, ["feeds", "remove", "wire", "--db", db])
    assert missing.exit_code == 1 and "[E701]" in str(missing.exception)  # main() prints it as one line
    assert api.open_ledger(db).counts()["documents"] == 1  # what it brought stays


def test_feeds_names_are_unique_and_urls_checked(tmp_path: Path):
    ledger = api.open_ledger(f"sqlite:///{tmp_path / 'live.db'}")
    api.add_feed(ledger, "https://example.org/rss", name="one")
    with pytest.raises(FeedError):
        api.add_feed(ledger, "https://example.org/other", name="one")
    with pytest.raises(FeedError):
        api.add_feed(ledger, "file:///etc/passwd")
    feed, new = api.add_feed(ledger, "https://example.org/rss", name="renamed", every=3600)
    assert not new and feed.name == "renamed" and feed.every == 3600
    # a feed removed leaves its entries (and what they stored) with no feed
    with ledger.writer.lock.transaction() as connection:
        connection.execute(update(schema.feeds).values(next_due=datetime.now(UTC) + timedelta(days=1)))
    assert feed_store.due_feeds(ledger, datetime.now(UTC)) == []


def test_feeds_politeness_settings_come_from_a_file_and_the_environment(tmp_path: Path):
    from counterclaim.settings import Settings

    config = tmp_path / "counterclaim.toml"
    config.write_text("[counterclaim]\nconcurrency = 3\ndelay = 2.5\n", encoding="utf-8")
    assert (Settings.load(config, environ={}).concurrency, Settings.load(config, environ={}).delay) == (
        3,
        2.5,
    )
    chosen = Settings.load(config, environ={"COUNTERCLAIM_DELAY": "0.5"})
    assert (chosen.concurrency, chosen.delay) == (3, 0.5)
    # and they are the commands' defaults: poll --help shows the file's
    result = CliRunner().invoke(cli, ["--config", str(config), "poll", "--help"])
    shown = " ".join(result.output.split())
    assert result.exit_code == 0 and "[default: 3;" in shown and "[default: 2.5;" in shown


def test_feeds_url_rules_are_extended_by_a_users_file(tmp_path: Path):
    from counterclaim.errors import DataFileError
    from counterclaim.ingest.feeds import UrlRules

    mine = tmp_path / "urls.toml"
    mine.write_text('tracking_parameters = ["ref", "src_*"]\namp_path_segments = ["amp-story"]\n', "utf-8")
    rules = UrlRules.load(mine)
    url = "https://example.com/a/1/amp-story?ref=home&src_x=1&utm_medium=y&page=2"
    assert canonical_url(url, rules) == "https://example.com/a/1?page=2"
    assert canonical_url(url) == "https://example.com/a/1/amp-story?page=2&ref=home&src_x=1"  # bundled only
    mine.write_text('tracking_parameters = "ref"\n', "utf-8")
    with pytest.raises(DataFileError):
        UrlRules.load(mine)


def test_feeds_a_server_with_last_modified_only_answers_304_too(site: NewsSite, tmp_path: Path):
    site.no_etag.add("/rss.xml")
    site.put("/a/1", "text/html", article_html(1))
    site.put("/rss.xml", "application/rss+xml", rss(site.base, [("/a/1", "one")]))
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with opened(url) as ledger:
        api.add_feed(ledger, f"{site.base}/rss.xml")
    assert _poll(url, FAST).documents_new == 1
    start = len(site.requests())
    again = _poll(url, AGAIN)
    log = site.requests(start)
    assert [(entry.path, entry.status) for entry in log] == [("/rss.xml", 304)]
    assert log[0].if_modified_since and not log[0].if_none_match
    assert again.feeds_not_modified == 1


@settings(max_examples=200, deadline=None)
@given(
    path=st.lists(st.sampled_from(["a", "amp", "news", "2024", "x.html", "amp.html", ""]), max_size=4),
    query=st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "id", "amp", "fbclid", "page", "Ref", "outputType"]),
            st.text(alphabet="abcAMP12", max_size=4),
        ),
        max_size=4,
    ),
    host=st.sampled_from(["example.com", "amp.example.com", "EXAMPLE.com:443", "news.example.co.uk"]),
)
def test_feeds_a_canonical_url_is_its_own_canonical_url(
    path: list[str], query: list[tuple[str, str]], host: str
):
    from urllib.parse import urlencode

    url = f"https://{host}/{'/'.join(path)}?{urlencode(query)}#frag"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once and "fbclid" not in once


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_feeds_any_bytes_are_a_feed_or_e122(data: bytes):
    try:
        parsed = parse_feed(data, "http://x/feed.xml")
    except InputError as error:
        assert error.code == "E122"
    else:
        assert all(entry.url.startswith(("http://", "https://")) for entry in parsed.entries)


def _toll_page(figure: int, day: int) -> bytes:
    """A page with a cumulative toll (a series the model estimates), by one claimant."""
    text = (
        f"KYIV — Ukraine's defence ministry said on Tuesday that {figure:,} Russian soldiers have been "
        "killed since the start of the invasion. The figure could not be independently verified."
    )
    return (
        f"<!DOCTYPE html><html><head><title>Toll {figure}</title>"
        f'<meta name="date" content="2024-03-{day:02d}"></head><body>'
        f"<article><h1>Toll {figure}</h1><p>{text}</p></article></body></html>"
    ).encode()


def test_poll_keeps_the_estimates_its_claims_moved_and_alerts_once(site: NewsSite, tmp_path: Path):
    """poll → refresh: each poll that stores claims keeps a revision of their series; a rule
    fires once for the claim that moved it, and a poll with nothing new fires nothing."""
    db = str(tmp_path / "live.db")
    rules = tmp_path / "alerts.toml"
    rules.write_text(
        '[[rule]]\nname = "moves"\nseries = "*"\nkind = "best_moves"\npercent = 1\nchannels = ["atom"]\n'
    )
    site.put("/t/1", "text/html", _toll_page(400_000, 1))
    site.put("/rss.xml", "application/rss+xml", rss(site.base, [("/t/1", "one")]))
    runner = CliRunner()
    assert runner.invoke(cli, ["feeds", "add", f"{site.base}/rss.xml", "--db", db]).exit_code == 0
    poll_args = ["poll", "--all", "--delay", "0", "--timeout", "2", "--alerts", str(rules), "--db", db]
    first = runner.invoke(cli, poll_args)
    assert first.exit_code == 0, first.output
    with opened(db) as ledger:
        assert ledger.stored_alerts(limit=100) == []  # a first revision alerts nothing
    series = runner.invoke(cli, ["series", "--format", "json", "--db", db])
    ids = [row["id"] for row in json.loads(series.output) if row.get("best")]
    assert len(ids) == 1
    site.put("/t/2", "text/html", _toll_page(520_000, 20))
    site.put("/rss.xml", "application/rss+xml", rss(site.base, [("/t/2", "two"), ("/t/1", "one")]))
    second = runner.invoke(cli, poll_args)
    assert second.exit_code == 0, second.output
    revisions = json.loads(runner.invoke(cli, ["revisions", ids[0], "--format", "json", "--db", db]).output)
    assert len({row["digest"] for row in revisions}) == 2  # the estimate before and after the new claim
    third = runner.invoke(cli, poll_args)  # nothing new: no refresh, no alert
    assert third.exit_code == 0, third.output
    with opened(db) as ledger:
        fired = ledger.stored_alerts(limit=100)
    assert len(fired) == 1 and fired[0]["series"] == ids[0] and fired[0]["kind"] == "best_moves"
