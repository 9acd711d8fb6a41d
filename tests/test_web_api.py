"""The JSON API on a real uvicorn server (loopback); the ledger's paged reads on both backends."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from click.testing import CliRunner

from conftest import running
from counterclaim import api
from counterclaim.cli import cli
from counterclaim.ingest.inputs import read_manifest
from counterclaim.models import Document
from counterclaim.web import create_app

TOKEN = "s3cret-test-token"


@pytest.fixture(scope="module")
def base(web_ledger: str) -> Iterator[str]:
    app = create_app(web_ledger)
    with running(app) as url:
        yield url
    app.state.dashboard.ledger.engine.dispose()


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as session:
        yield session


@pytest.mark.slow
def test_web_series_list_and_one_series(client: httpx.Client):
    rows = client.get("/api/series").json()["series"]
    longest = max(rows, key=lambda row: row["claims"])
    assert longest["id"] == "russia-ukraine/personnel-losses/russia/military"  # the General Staff table
    assert longest["low"] <= longest["best"] <= longest["high"]
    assert len(longest["spark"]) > 1
    one = client.get(f"/api/series/{longest['id']}").json()
    assert one["estimate"]["best"] == longest["best"]
    assert len(one["points"]) == longest["claims"]
    assert all(b["low"] <= b["best"] <= b["high"] for b in one["band"])
    point = one["points"][0]
    assert {"id", "claimant", "relation", "value", "as_of", "outlet"} <= set(point)
    assert client.get("/api/series/no/such/series/here").status_code == 404


def test_web_claims_are_filtered_and_paged(client: httpx.Client, web_ledger: str):
    ledger = api.open_ledger(web_ledger, create=False)
    everything = ledger.claims(measure="killed")
    ledger.engine.dispose()
    first = client.get("/api/claims", params={"measure": "killed", "limit": 7}).json()
    assert first["total"] == len(everything)
    assert [row["id"] for row in first["claims"]] == [row["id"] for row in everything[:7]]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["claims"]] == [row["id"] for row in everything[7:14]]
    newest = client.get("/api/claims", params={"measure": "killed", "order": "-as_of", "limit": 1}).json()[
        "claims"
    ][0]
    assert newest["as_of"] == max(row["as_of"] for row in everything if row["as_of"])
    assert client.get("/api/claims", params={"limit": 100000}).status_code == 422  # pages are bounded


def test_web_downloads_hold_every_selected_claim(client: httpx.Client):
    total = client.get("/api/claims", params={"measure": "killed", "limit": 1}).json()["total"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/claims.csv", params={"measure": "killed"}).text)))
    assert len(rows) == total and {row["measure"] for row in rows} == {"killed"}
    lines = client.get("/api/claims.jsonl", params={"measure": "killed"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [int(row["id"]) for row in rows]


def test_web_claim_traces_to_its_sentence(client: httpx.Client):
    listing = client.get("/api/claims", params={"doc": "01-russia-ukraine-losses.txt", "limit": 1}).json()
    claim_id = listing["claims"][0]["id"]
    found = client.get(f"/api/claims/{claim_id}").json()
    report = found["reports"][0]
    offset = report["number_offset"]
    assert report["evidence"][offset : offset + len(report["number"])] == report["number"]
    document = client.get(f"/api/documents/{report['document_id']}").json()
    span = next(s for s in document["reports"] if s["claim_id"] == claim_id)
    assert document["text"][span["start"] : span["end"]] == report["number"]
    assert client.get("/api/claims/999999").status_code == 404


def test_web_reference_listings_and_openapi(client: httpx.Client):
    assert any(actor["name"] == "Ukraine" for actor in client.get("/api/actors").json()["actors"])
    assert any(c["slug"] == "russia-ukraine" for c in client.get("/api/conflicts").json()["conflicts"])
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/series", "/api/claims", "/api/claims.csv", "/api/documents"} <= set(paths)
    assert not any(method == "post" for path in paths.values() for method in path)  # read-only by default


def test_web_is_read_only_by_default(client: httpx.Client):
    upload = client.post("/api/documents", json={"text": "5 were killed."})
    assert upload.status_code == 405
    assert client.post("/api/claims/1/corrections", json={"changes": {}, "note": "x"}).status_code in (
        404,
        405,
    )


def test_web_responses_carry_a_content_security_policy(client: httpx.Client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_web_writes_need_the_token(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    api.open_ledger(url).engine.dispose()
    with pytest.raises(ValueError, match="token"):
        create_app(url, allow_writes=True)
    app = create_app(url, allow_writes=True, token=TOKEN, max_upload_bytes=10_000)
    article = {"name": "kharkiv.txt", "text": "At least 12 people were killed in Kharkiv, the governor said.",
               "published": "2024-03-14"}  # fmt: skip
    with running(app) as base, httpx.Client(base_url=base) as session:
        assert session.post("/api/documents", json=article).status_code == 401
        wrong = session.post("/api/documents", json=article, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        good = {"Authorization": f"Bearer {TOKEN}"}
        stored = session.post("/api/documents", json=article, headers=good)
        assert stored.status_code == 201, stored.text
        assert stored.json()["claims_new"] == 1
        assert session.post("/api/documents", json={"text": "x" * 20_000}, headers=good).status_code == 413
        claim_id = session.get("/api/claims").json()["claims"][0]["id"]
        fixed = session.post(
            f"/api/claims/{claim_id}/corrections",
            json={"changes": {"value": "13"}, "note": "the governor said 13 later"},
            headers=good,
        )
        assert fixed.status_code == 200, fixed.text
        assert session.get(f"/api/claims/{claim_id}").json()["claim"]["value"] == 13
        assert (
            session.post(
                f"/api/claims/{claim_id}/corrections", json={"changes": {"value": "1"}, "note": "x"}
            ).status_code
            == 401
        )
    app.state.dashboard.ledger.engine.dispose()


def test_web_serve_refuses_writes_without_a_token(tmp_path):
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(tmp_path / "x.db"), "--allow-writes"], env={"COUNTERCLAIM_TOKEN": ""}
    )
    assert result.exit_code != 0
    assert "token" in result.output


# -- the ledger's paged reads and full-text search, on SQLite and PostgreSQL -----------------------
@pytest.fixture
def sample_ledger(database_url: str):
    ledger = api.open_ledger(database_url)
    api.ingest(ledger, list(read_manifest(api.SAMPLE_MANIFEST)))
    yield ledger
    ledger.engine.dispose()


def test_web_claims_page_matches_claims_with_corrections(sample_ledger):
    ledger = sample_ledger
    first, second = ledger.claims(measure="killed")[:2]
    ledger.correct(first["id"], {"rejected": "true"}, note="not a claim", by="test")
    ledger.correct(second["id"], {"measure": "wounded"}, note="misread", by="test")
    for filters in (
        {"measure": "killed"},
        {"measure": "wounded"},
        {"claimant": "Ukraine"},
        {"party": "russia", "role": "military"},
        {"since": date(2022, 1, 1), "until": date(2023, 12, 31)},
        {"doc": "02-israel-gaza-toll.txt"},
        {"include_rejected": True},
    ):
        expected = ledger.claims(**filters)
        rows, total = ledger.claims_page(**filters, limit=1000)
        assert total == len(expected), filters
        assert [(r["id"], r["measure"], r["reports"]) for r in rows] == [
            (r["id"], r["measure"], r["reports"]) for r in expected
        ], filters
    page, _ = ledger.claims_page(ids=[second["id"]])
    assert page[0]["measure"] == "wounded" and page[0]["corrected"]


def test_web_full_text_search_on_both_backends(sample_ledger):
    ledger = sample_ledger
    hits, total = ledger.search_documents("Fasher killed")
    assert total >= 1 and hits
    assert "\x02" in hits[0]["snippet"]
    # the query language never reaches the database: quotes, operators and stars are words or nothing
    for hostile in ('"', "AND (", "kill*", "title:x", "'; DROP TABLE documents; --", "NEAR(a b)"):
        ledger.search_documents(hostile)
    assert ledger.search_documents("") == ([], 0)
    # a document stored later is found at once (the index follows every insert)
    api.ingest(ledger, [Document(id="late.txt", text="Zanzibarian officials said 9 were killed.")])
    found, _ = ledger.search_documents("zanzibarian")
    assert [hit["name"] for hit in found] == ["late.txt"]


@pytest.mark.slow
def test_web_serve_with_several_worker_processes_answers(web_ledger: str):
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "counterclaim",
            "serve",
            "--db",
            web_ledger,
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, answer = time.monotonic() + 90, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/series", timeout=60)
            except httpx.TransportError:
                time.sleep(0.3)
        assert answer is not None and answer.status_code == 200
        assert answer.json()["series"]  # each process opened the ledger from the settings passed down
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors


# -- whole responses kept per ledger state --------------------------------------------------------
def test_web_repeated_pages_are_the_same_bytes_with_etag_and_gzip(client: httpx.Client):
    path = "/api/claims?measure=killed&limit=20"
    first = client.get(path)
    again = client.get(path, headers={"Accept-Encoding": "identity"})
    assert again.content == first.content and "etag" in again.headers
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(first.content)
    assert zipped.json() == first.json()  # httpx undoes the gzip: the same page
    assert zipped.headers["content-security-policy"]  # a stored answer still carries the policy
    unchanged = client.get(path, headers={"If-None-Match": again.headers["etag"]})
    assert unchanged.status_code == 304 and not unchanged.content
    other = client.get("/api/claims?measure=wounded&limit=20")
    assert other.json()["claims"] != first.json()["claims"]  # the query string is part of the key
    assert client.get("/api/claims?limit=0").status_code == 422  # errors are never kept
    assert client.get("/api/claims?limit=0").status_code == 422
    assert "etag" not in client.get("/api/claims.csv?measure=killed").headers  # downloads stream


@pytest.mark.slow
def test_web_sees_what_another_process_writes_after_its_recheck(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    writer = api.open_ledger(url)
    api.ingest(
        writer, [Document(id="a.txt", text="At least 12 people were killed in Kharkiv, the governor said.")]
    )
    app = create_app(url, recheck=0.5)
    with running(app) as base, httpx.Client(base_url=base) as session:
        assert session.get("/api/claims").json()["total"] == 1
        api.ingest(writer, [Document(id="b.txt", text="Officials said 40 people were wounded in Odesa.")])
        deadline = time.monotonic() + 10
        while session.get("/api/claims").json()["total"] == 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session.get("/api/claims").json()["total"] == 2
    app.state.dashboard.ledger.engine.dispose()
    writer.engine.dispose()


def test_web_a_write_through_the_app_shows_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    api.open_ledger(url).engine.dispose()
    app = create_app(url, allow_writes=True, token=TOKEN, recheck=3600)  # other writers: not for an hour
    good = {"Authorization": f"Bearer {TOKEN}"}
    with running(app) as base, httpx.Client(base_url=base) as session:
        assert session.get("/api/claims").json()["total"] == 0
        article = {"name": "k.txt", "text": "At least 12 people were killed in Kharkiv, the governor said."}
        assert session.post("/api/documents", json=article, headers=good).status_code == 201
        assert session.get("/api/claims").json()["total"] == 1
    app.state.dashboard.ledger.engine.dispose()
