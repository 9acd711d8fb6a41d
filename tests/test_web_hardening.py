"""Hostile requests get a 4xx, never a 500: huge integers, lone surrogates, deep JSON, unknown series; the
response cache stays within its budget however long the query strings."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from conftest import running
from counterclaim import api
from counterclaim.models import Document
from counterclaim.web import create_app
from counterclaim.web.cache import ResponseCache

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
#: One past the largest 64-bit integer the database columns (and SQLite's driver) take.
HUGE = 2**63


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('hardening') / 'ledger.db'}"
    ledger = api.open_ledger(url)
    api.ingest(
        ledger,
        [
            Document(id="a.txt", text="At least 12 people were killed in Kharkiv, the governor said."),
            Document(id="b.txt", text="Officials said 40 people were wounded in Odesa on Monday."),
        ],
    )
    ledger.engine.dispose()
    return url


@pytest.fixture(scope="module")
def session(small_ledger: str) -> Iterator[httpx.Client]:
    app = create_app(small_ledger, allow_writes=True, token=TOKEN)
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client
    app.state.dashboard.ledger.engine.dispose()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/claims?offset={HUGE}",
        f"/api/claims/{HUGE}",
        f"/api/claims/-{HUGE + 1}",
        f"/api/documents/{HUGE}",
        f"/api/documents?offset={HUGE}",
        f"/api/documents?q=killed&offset={HUGE}",
        f"/claims?offset={HUGE}",
        f"/claims/{HUGE}",
        f"/documents/{HUGE}",
        f"/search?q=killed&offset={HUGE}",
        f"/series/ukraine/killed?offset={HUGE}",
        "/api/claims?limit=501",
        f"/api/claims?limit={HUGE}",
        "/api/claims?offset=-1",
    ],
)
def test_hardening_integers_out_of_range_are_422(session: httpx.Client, path: str):
    answer = session.get(path)
    assert answer.status_code == 422, (path, answer.status_code, answer.text[:200])


def test_hardening_the_largest_integers_in_range_still_answer(session: httpx.Client):
    assert session.get(f"/api/claims?offset={HUGE - 1}").status_code == 200
    assert session.get(f"/api/claims/{HUGE - 1}").status_code == 404
    assert session.get(f"/api/documents?offset={HUGE - 1}").status_code == 200


def test_hardening_a_correction_of_a_huge_id_is_422(session: httpx.Client):
    body = b'{"changes": {"value": "1"}, "note": "x"}'
    assert session.post(f"/api/claims/{HUGE}/corrections", content=body, headers=AUTH).status_code == 422


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_hardening_a_download_of_an_unknown_series_is_404_before_it_streams(session: httpx.Client, kind: str):
    answer = session.get(f"/api/claims.{kind}", params={"series": "no/such/series"})
    assert answer.status_code == 404
    assert "no/such/series" in answer.json()["error"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/documents", rb'{"text": "\ud800 At least 12 people were killed."}'),
        ("/api/documents", rb'{"text": "At least 12 people were killed.", "title": "\udfff"}'),
        ("/api/claims/1/corrections", rb'{"changes": {"claimant": "\ud800"}, "note": "x"}'),
        ("/api/claims/1/corrections", rb'{"changes": {"\ud800": "1"}, "note": "x"}'),
        ("/api/claims/1/corrections", rb'{"changes": {"value": "2"}, "note": "\ud800"}'),
        ("/api/claims/1/corrections", rb'{"changes": {"value": "2"}, "note": "x", "by": "\udc00"}'),
    ],
)
def test_hardening_a_lone_surrogate_in_a_body_is_400(session: httpx.Client, path: str, body: bytes):
    answer = session.post(path, content=body, headers=AUTH)
    assert answer.status_code == 400, answer.text[:200]


@pytest.mark.parametrize("path", ["/api/documents", "/api/claims/1/corrections"])
def test_hardening_a_number_of_more_digits_than_python_reads_is_400(session: httpx.Client, path: str):
    body = b'{"text": "x", "changes": {"value": "1"}, "note": "x", "by": ' + b"9" * 5000 + b"}"
    answer = session.post(path, content=body, headers=AUTH)
    assert answer.status_code == 400, answer.text[:200]


@pytest.mark.parametrize("path", ["/api/documents", "/api/claims/1/corrections"])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"changes": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_000 + b', "note": "x"}',
        b'{"changes": {"value": "2"}, "note": "x", "by": ' + b"[" * 100 + b"]" * 100 + b"}",
    ],
    ids=["array", "in-a-field", "objects", "shallow-but-nested"],
)
def test_hardening_deeply_nested_json_is_400(session: httpx.Client, path: str, body: bytes):
    answer = session.post(path, content=body, headers=AUTH)
    assert answer.status_code == 400, answer.text[:200]


# -- the response cache's budget counts its keys too ----------------------------------------------------
def _small_app_behind(cache_budget: int) -> ResponseCache:
    async def app(scope, receive, send) -> None:
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    return ResponseCache(app, state=lambda: 1, stale=lambda: False, changed=lambda: None, budget=cache_budget)


async def _get(cache: ResponseCache, path: str, query: bytes) -> int:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}
    await cache(scope, receive, send)
    return sent[0]["status"]


@pytest.mark.parametrize(
    ("requests", "padding"),
    [(300, 60_000), (3_000, 1_900)],  # 18 MB and 6 MB of keys, each with a 2-byte answer
    ids=["60KB-keys", "2KB-keys"],
)
def test_hardening_unique_long_query_strings_keep_the_cache_within_its_budget(requests: int, padding: int):
    budget = 256 * 1024
    cache = _small_app_behind(budget)

    async def many() -> None:
        for number in range(requests):
            query = f"q={number}&pad=".encode() + b"x" * padding
            assert await _get(cache, "/api/claims", query) == 200

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        asyncio.run(many())
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 2 * budget, f"the cache holds {kept:,} bytes with a budget of {budget:,}"
    assert cache.size <= budget


def test_hardening_short_queries_are_still_kept_and_accounted_with_their_keys():
    cache = _small_app_behind(1024 * 1024)

    async def twice() -> None:
        for _ in range(2):
            await _get(cache, "/api/claims", b"measure=killed")

    asyncio.run(twice())
    assert cache.entries == 1
    assert cache.size >= len("/api/claims") + len("measure=killed") + len("ok")


# -- what PostgreSQL refuses and SQLite takes: a NUL in a text, an id past a 32-bit column ---------------
def test_hardening_nul_and_ids_past_the_columns_are_4xx_on_both_backends(database_url: str):
    ledger = api.open_ledger(database_url)
    api.ingest(
        ledger, [Document(id="a.txt", text="At least 12 people were killed in Kharkiv, the governor said.")]
    )
    ledger.engine.dispose()
    app = create_app(database_url, allow_writes=True, token=TOKEN)
    refused = [
        "/api/claims?claimant=%00", "/api/claims?party=a%00b", "/api/claims?doc=%00", "/api/claims?role=%00",
        "/api/claims.csv?claimant=%00", "/api/series/%00", "/api/documents?q=a%00", "/claims?claimant=%00",
        "/search?q=%00",
    ]  # fmt: skip
    missing = [
        f"/api/claims/{2**31}", f"/api/claims/{HUGE - 1}", f"/api/documents/{2**31}", f"/claims/{2**31}",
        f"/documents/{HUGE - 1}",
    ]  # fmt: skip
    bodies = {
        "/api/documents": [
            {"text": "At least 5 were killed\u0000 in Sumy."},
            {"text": "5 were killed.", "title": "\u0000"},
        ],
        "/api/claims/1/corrections": [
            {"changes": {"value": "3"}, "note": "x\u0000"},
            {"changes": {"value": "3"}, "note": "x", "by": "\u0000"},
        ],
    }
    with running(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        for path in refused:
            assert client.get(path).status_code == 400, path
        for path in missing:
            assert client.get(path).status_code == 404, path
        fix = {"changes": {"value": "1"}, "note": "x"}
        assert client.post(f"/api/claims/{2**31}/corrections", json=fix, headers=AUTH).status_code == 404
        for path, sent in bodies.items():
            for body in sent:
                answer = client.post(path, content=json.dumps(body).encode(), headers=AUTH)
                assert answer.status_code == 400, (path, body, answer.text[:200])
    app.state.dashboard.ledger.engine.dispose()
