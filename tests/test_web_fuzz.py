"""Fuzzing the dashboard on a real server (loopback): no request, however odd, gets a 5xx, and no
sequence of corrections leaves a claim, a series or a page that cannot be read. On a small SQLite
ledger and on PostgreSQL.

The parameters come from the app's own OpenAPI description (so a new endpoint is fuzzed as soon as
it exists), widened with values the schema refuses; the HTML pages, which are not in it, have
strategies of their own. The example counts are modest so the suite stays fast.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import HOSTILE_TEXT, postgres_database, running
from counterclaim import api
from counterclaim.models import MEASURES, QUALIFIERS, ROLES, SCOPES, UNITS, Document
from counterclaim.store.corrections import CORRECTABLE
from counterclaim.web import create_app

pytestmark = pytest.mark.slow

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ARTICLES = [
    Document(
        id="kharkiv.txt", text="At least 12 people were killed in Kharkiv on Monday, the governor said."
    ),
    Document(
        id="odesa.txt", text="Ukraine's army said 40 Russian soldiers were killed near Bakhmut on 3 May 2023."
    ),
    Document(
        id="gaza.txt", text="The Gaza health ministry said 31,000 people have been killed since October."
    ),
    Document(id="hostile<script>.txt", text=HOSTILE_TEXT, title="<b>x</b>", url="javascript:alert(1)"),
]

# -- values: what the schema allows, what it refuses, and what nobody expects ---------------------------
ODD_TEXT = st.sampled_from(
    ["", " ", "%", "%00", "\x00", "'", '"', "\\", "..", "../../etc/passwd", "<script>", "a" * 600, "🙂",
     "\u202e", "NaN", "-1", "1e999", "0x10", "９", "١٢", "killed killed", "AND (", "kill*", "title:x"]
)  # fmt: skip
#: Text that may hold lone surrogates: JSON can write them (``"\\ud800"``), Python reads them, UTF-8 cannot.
SURROGATES = st.lists(st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=8)
TEXT = st.one_of(st.text(max_size=30), ODD_TEXT)
BODY_TEXT = TEXT | SURROGATES.map("".join)
HUGE = st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30])
INTEGER = st.one_of(st.integers(-5, 10**4), st.integers(), HUGE)
DATE_TEXT = st.one_of(
    st.dates().map(str), st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-30", "2024-13-01", "20240101"])
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _value(schema: dict[str, Any], known: list[str]) -> st.SearchStrategy[str]:
    """A parameter's value as text: one its schema allows, one it refuses, or a known name."""
    kinds = [s.get("type") for s in schema.get("anyOf", [schema])]
    if "integer" in kinds:
        allowed = st.integers(schema.get("minimum", -(2**63)), schema.get("maximum", 2**63 - 1))
        return st.one_of(allowed, INTEGER).map(str) | TEXT
    if "boolean" in kinds:
        return st.sampled_from(["true", "false", "1", "0", "yes", "on", "maybe"]) | TEXT
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | TEXT
    if any(s.get("format") == "date" for s in schema.get("anyOf", [schema])):
        return DATE_TEXT | TEXT
    return st.sampled_from(known) | TEXT if known else TEXT


def _query(parameters: list[dict[str, Any]], known: list[str]) -> st.SearchStrategy[str]:
    """A query string: some of the parameters (each maybe twice), now and then a raw, undecodable one."""
    pairs = [
        st.lists(_value(p["schema"], known), max_size=2).map(
            lambda vs, name=p["name"]: [(name, v) for v in vs]
        )
        for p in parameters
    ]
    raw = st.binary(max_size=12).map(lambda b: f"{quote_from_bytes(b)}={quote_from_bytes(b[::-1])}")
    return st.tuples(st.tuples(*pairs) if pairs else st.just(()), st.lists(raw, max_size=1)).map(
        lambda parts: "&".join(
            filter(None, [urlencode([kv for group in parts[0] for kv in group]), *parts[1]])
        )
    )


def _path(template: str, parameters: list[dict[str, Any]], known: list[str]) -> st.SearchStrategy[str]:
    """The path with each parameter filled in (a series id may hold slashes)."""
    fills = [
        _value(p["schema"], known).map(
            lambda v, name=p["name"]: (name, quote(v, safe="/" if "series" in name else ""))
        )
        for p in parameters
    ]

    def filled(values: tuple[tuple[str, str], ...]) -> str:
        path = template.replace(":path}", "}")
        for name, value in values:
            path = path.replace("{" + name + "}", value)
        return path

    return st.tuples(*fills).map(filled)


def _request(spec: dict[str, Any], template: str, known: list[str]) -> st.SearchStrategy[str]:
    parameters = spec.get("parameters", [])
    in_path = [p for p in parameters if p["in"] == "path"]
    in_query = [p for p in parameters if p["in"] == "query"]
    return st.tuples(_path(template, in_path, known), _query(in_query, known)).map(
        lambda parts: f"{parts[0]}?{parts[1]}" if parts[1] else parts[0]
    )


#: The HTML pages (not in the OpenAPI description) as path templates with their parameters' schemas.
PAGES: dict[str, list[dict[str, Any]]] = {
    "/": [],
    "/alerts.atom": [],
    "/series/{series_id}": [
        {"name": "series_id", "in": "path", "schema": {"type": "string"}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ],
    "/claims": [
        {"name": name, "in": "query", "schema": {"type": "string"}}
        for name in ("measure", "party", "role", "claimant", "doc", "series")
    ]
    + [
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "include_rejected", "in": "query", "schema": {"type": "boolean"}},
        {"name": "order", "in": "query", "schema": {"enum": ["id", "-id", "as_of", "-as_of"]}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ],
    "/claims/{claim_id}": [{"name": "claim_id", "in": "path", "schema": {"type": "integer", "minimum": 0}}],
    "/documents/{document_id}": [
        {"name": "document_id", "in": "path", "schema": {"type": "integer", "minimum": 0}}
    ],
    "/search": [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ],
}
#: Every GET of the API (checked against the OpenAPI description below) and every page.
READS = [
    "/api/series", "/api/series/{series_id}", "/api/claims", "/api/claims.csv", "/api/claims.jsonl",
    "/api/claims/{claim_id}", "/api/documents", "/api/documents/{document_id}", "/api/actors",
    "/api/conflicts", "/api/revisions/{series_id}", "/api/alerts", *PAGES,
]  # fmt: skip


@contextlib.contextmanager
def _ledger(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small ledger of :data:`ARTICLES`: a SQLite file, or a database on the PostgreSQL test server
    (which refuses some values SQLite takes, such as a NUL in a text)."""
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'ledger.db'}"
        else:
            url = stack.enter_context(postgres_database())
        ledger = api.open_ledger(url)
        api.ingest(ledger, ARTICLES)
        ledger.engine.dispose()
        yield url


class Served:
    """A running app with writes on, its OpenAPI description and the names and ids it holds."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.schema = client.get("/api/openapi.json").json()
        claims = client.get("/api/claims", params={"limit": 500, "include_rejected": True}).json()["claims"]
        self.claim_ids = [row["id"] for row in claims]
        self.document_ids = [row["id"] for row in client.get("/api/documents").json()["documents"]]
        self.series_ids = [row["id"] for row in client.get("/api/series").json()["series"]]
        self.known = [
            *map(str, self.claim_ids + self.document_ids), *self.series_ids, *MEASURES, *ROLES,
            "russia", "Ukraine", "kharkiv.txt", "2022-02-24",
        ]  # fmt: skip

    def operation(self, path: str, method: str = "get") -> tuple[str, dict[str, Any]]:
        if path in PAGES:
            return path, {"parameters": PAGES[path]}
        return path, self.schema["paths"][path][method]


def _serve(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with _ledger(backend, tmp_path_factory) as url:
        app = create_app(url, allow_writes=True, token=TOKEN)
        with running(app) as base, httpx.Client(base_url=base, timeout=60) as client:
            yield Served(client)
        app.state.dashboard.ledger.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _serve(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def corrected(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server of its own: the corrections fuzzed here change its ledger."""
    yield from _serve(request.param, tmp_path_factory)


def _no_server_error(answer: httpx.Response, what: str) -> None:
    assert answer.status_code < 500, f"{what} -> {answer.status_code}: {answer.text[:300]}"


def test_fuzz_every_get_endpoint_is_listed(served: Served):
    """The fuzzed reads are all the API's GETs: a new endpoint must be added here (and so fuzzed)."""
    gets = {path for path, ops in served.schema["paths"].items() if "get" in ops}
    assert gets == {path for path in READS if path.startswith("/api/")}


@pytest.mark.parametrize("template", READS)
def test_fuzz_reads_never_answer_5xx(served: Served, template: str):
    path, spec = served.operation(template)

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        url = data.draw(_request(spec, path, served.known), label="url")
        _no_server_error(served.client.get(url), url)

    check()


def _body(fields: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """A body as sent: the fields as JSON, other JSON, or bytes that are not JSON at all."""
    return st.one_of(
        fields.map(lambda d: json.dumps(d).encode()),
        JSON.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=40),
        st.sampled_from(ODD_BODIES),
    )


#: Bodies a JSON parser chokes on: nesting past its recursion limit, a number past int()'s digits.
ODD_BODIES = [
    b"[" * 5000 + b"]" * 5000,
    b'{"text": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}",
    b'{"text": "x", "title": ' + b"9" * 5000 + b"}",
    b'{"changes": {"value": ' + b"9" * 5000 + b'}, "note": "x"}',
]


UPLOAD = st.fixed_dictionaries(
    {"text": st.one_of(BODY_TEXT, st.sampled_from([a.text for a in ARTICLES]))},
    optional={
        key: st.one_of(BODY_TEXT, DATE_TEXT, JSON) for key in ("name", "title", "url", "outlet", "published")
    },
)


@FUZZ
@given(body=_body(UPLOAD), token=st.sampled_from([TOKEN, TOKEN, "wrong", None]))
def test_fuzz_uploads_never_answer_5xx(served: Served, body: bytes, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = served.client.post("/api/documents", content=body, headers=headers)
    _no_server_error(answer, repr(body[:200]))
    if token != TOKEN:
        assert answer.status_code == 401


# -- corrections: any sequence, then every read still answers --------------------------------------------
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "measure": st.sampled_from(MEASURES),
    "qualifier": st.sampled_from(QUALIFIERS),
    "subject_role": st.sampled_from(ROLES),
    "role": st.sampled_from(ROLES),
    "scope": st.sampled_from(SCOPES),
    "unit": st.sampled_from(UNITS),
    "value": st.one_of(st.integers(0, 10**6), HUGE, INTEGER).map(str) | st.sampled_from(["1,200", "1_000"]),
    "low": st.one_of(st.integers(0, 10**6), HUGE).map(str),
    "high": st.one_of(st.integers(0, 10**6), HUGE).map(str),
    "as_of": DATE_TEXT,
    "rejected": st.sampled_from(["true", "false", "yes", "no", "1", "0"]),
    "reject": st.sampled_from(["true", "false"]),
    "claimant": st.sampled_from(["Ukraine", "Russia", "UN", "Hamas", "governor", "Gaza Health Ministry"]),
    "subject_party": st.sampled_from(["Russia", "Ukraine", "Israel", "Palestine", "Narnia"]),
    "party": st.sampled_from(["Russia", "Ukraine", "Narnia"]),
    "subject": st.sampled_from(["people", "soldiers", "civilians"]),
}
FIELD = st.sampled_from(sorted({*CORRECTABLE, *FIELD_VALUES})) | st.text(max_size=12)
ANY_VALUE = st.one_of(
    BODY_TEXT, st.none(), st.integers(), st.booleans(), st.lists(st.text(max_size=3), max_size=2)
)


@st.composite
def _changes(draw: st.DrawFn, *, wild: bool) -> dict[str, Any]:
    """Fields of the contract with values that fit them, or (``wild``) any field with any value."""
    fields = FIELD if wild else st.sampled_from(sorted(FIELD_VALUES))
    changes = {}
    for field in draw(st.lists(fields, min_size=0 if wild else 1, max_size=4, unique=True)):
        valid = FIELD_VALUES.get(field, BODY_TEXT)
        changes[field] = draw(st.one_of(valid, ANY_VALUE) if wild else valid)
    return changes


CORRECTION = st.one_of(
    st.fixed_dictionaries({"changes": _changes(wild=False), "note": st.just("fuzzed")}),
    st.fixed_dictionaries(
        {"changes": _changes(wild=True), "note": st.one_of(st.just("fuzzed"), BODY_TEXT)},
        optional={"by": st.one_of(BODY_TEXT, JSON)},
    ),
)


def _reads_all_answer(served: Served, claim_ids: list[int]) -> None:
    client = served.client
    paths = [
        "/api/claims", "/api/claims?include_rejected=true&order=-as_of", "/api/claims.csv",
        "/api/claims.jsonl?include_rejected=true", "/api/series", "/", "/claims", "/search?q=killed",
    ]  # fmt: skip
    series = client.get("/api/series")
    assert series.status_code == 200, series.text[:300]
    for series_id in [row["id"] for row in series.json()["series"]]:
        paths += [
            f"/api/series/{series_id}",
            f"/series/{series_id}",
            f"/api/claims?series={quote(series_id)}",
        ]
    for claim_id in claim_ids:
        paths += [f"/api/claims/{claim_id}", f"/claims/{claim_id}"]
    paths += [f"/documents/{document_id}" for document_id in served.document_ids]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, f"{path} -> {answer.status_code}: {answer.text[:300]}"
        if answer.headers["content-type"] == "application/json":
            json.loads(answer.text, parse_constant=_refuse)  # standard JSON: no NaN or Infinity


def _refuse(constant: str) -> None:
    raise AssertionError(f"the answer holds {constant}, which is not JSON")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_no_sequence_of_corrections_breaks_a_read(corrected: Served, data: st.DataObject):
    touched = set()
    known = st.sampled_from(corrected.claim_ids)
    for _ in range(data.draw(st.integers(1, 4), label="corrections")):
        claim_id = data.draw(st.one_of(known, known, known, INTEGER), label="id")
        body = data.draw(_body(CORRECTION), label="body")
        answer = corrected.client.post(f"/api/claims/{claim_id}/corrections", content=body, headers=AUTH)
        assert answer.status_code in (200, 400, 404, 422), (
            f"{body[:300]!r} -> {answer.status_code}: {answer.text}"
        )
        event(f"correction answered {answer.status_code}")
        if claim_id in corrected.claim_ids:
            touched.add(claim_id)
    _reads_all_answer(corrected, sorted(touched))
