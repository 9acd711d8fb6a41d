"""The dashboard in a real browser: Debian's headless Chromium, driven by Playwright, against uvicorn.

Screenshots go to test-artifacts/web/ at the repository's root (ignored by git). Nothing is
downloaded: Playwright starts /usr/bin/chromium, and the pages load Vega from the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import running
from counterclaim.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"
TOKEN = "browser-test-token"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def base(web_ledger: str) -> Iterator[str]:
    app = create_app(web_ledger, allow_writes=True, token=TOKEN)
    with running(app) as url:
        yield url
    app.state.dashboard.ledger.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []  # any alert/confirm/prompt is recorded (script ran) and dismissed
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_web_overview_lists_every_series(page: Any, base: str):
    series = httpx.get(f"{base}/api/series").json()["series"]
    page.goto(f"{base}/")
    assert page.locator("tr[data-series]").count() == len(series)
    assert page.locator("svg.spark polyline").count() == sum(len(row["spark"]) > 1 for row in series)
    _shot(page, "overview")
    assert not page.errors


def test_web_series_chart_draws_every_claim_and_links_to_its_sentence(page: Any, base: str):
    series_id = "russia-ukraine/personnel-losses/russia/military"
    detail = httpx.get(f"{base}/api/series/{series_id}", timeout=30).json()
    drawable = [p for p in detail["points"] if p["value"] is not None and p["as_of"]]
    page.goto(f"{base}/series/{series_id}")
    page.wait_for_selector("#chart[data-rendered=true]", timeout=20_000)
    # the SVG renderer draws one path per claim in the symbol mark
    assert page.locator("#chart .mark-symbol.role-mark path").count() == len(drawable)
    assert page.locator("#chart .mark-area.role-mark path").count() >= 1  # the estimate band
    _shot(page, "series")
    # clicking a claim's point opens its claim page, the number highlighted in its sentence
    page.locator("#chart .mark-symbol.role-mark path").last.click()  # the last drawn is on top
    page.wait_for_url("**/claims/*", timeout=10_000)
    claim = httpx.get(f"{page.url.split('#')[0].replace('/claims/', '/api/claims/')}").json()
    mark = page.locator("figure.report blockquote mark.number").first
    assert mark.is_visible()
    assert mark.inner_text() == claim["reports"][0]["number"]
    _shot(page, "claim")
    assert not page.errors


def test_web_claims_table_links_each_claim_to_its_highlighted_sentence(page: Any, base: str):
    page.goto(f"{base}/claims?doc=01-russia-ukraine-losses.txt")
    first = page.locator("a.claim-link").first
    claim_id = first.inner_text().lstrip("#")
    first.click()
    page.wait_for_url(f"**/claims/{claim_id}")
    page.locator("figure.report figcaption a").first.click()  # on to the article
    page.wait_for_url("**/documents/*")
    highlighted = page.locator(f"a.claim#claim-{claim_id} mark")
    assert highlighted.is_visible()
    document = httpx.get(page.url.split("#")[0].replace("/documents/", "/api/documents/")).json()
    assert page.locator("article.text a.claim").count() == len({s["claim_id"] for s in document["reports"]})
    _shot(page, "document")


def test_web_hostile_article_is_shown_as_text_and_never_runs(page: Any, base: str):
    found = httpx.get(f"{base}/api/documents", params={"q": "Kharkiv governor"}).json()["documents"]
    hostile = next(doc for doc in found if doc["name"].startswith("hostile"))
    claims = httpx.get(f"{base}/api/claims", params={"doc": hostile["name"]}).json()["claims"]
    assert claims, "the hostile article's claims were extracted"
    pages = [
        f"/documents/{hostile['id']}",
        f"/claims/{claims[0]['id']}",
        f"/claims?doc={hostile['name']}",
        "/search?q=Kharkiv+governor",
        "/search?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    ]
    for path in pages:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, path
        assert (
            page.locator("main script, main img, main svg:not(.spark), main [onerror], main [onload]").count()
            == 0
        )
        assert page.locator("a[href^='javascript:' i]").count() == 0, path
    page.goto(f"{base}/documents/{hostile['id']}")
    text = page.locator("article.text").inner_text()
    assert "<script>" in text and "onerror=" in text  # shown, as text
    assert "<script>" in page.locator("h1").inner_text()
    _shot(page, "hostile-document")
    assert not page.dialogs


def test_web_writes_from_the_browser_need_the_token(page: Any, base: str):
    page.goto(f"{base}/")
    post = """async ([token, body]) => {
        const headers = {'Content-Type': 'application/json'};
        if (token) headers['Authorization'] = 'Bearer ' + token;
        const response = await fetch('/api/documents', {method: 'POST', headers, body: JSON.stringify(body)});
        return response.status;
    }"""
    article = {"name": "browser.txt", "text": "At least 3 people were killed in Sumy, officials said."}
    assert page.evaluate(post, [None, article]) == 401
    assert page.evaluate(post, ["not-the-token", article]) == 401
    assert page.evaluate(post, [TOKEN, article]) == 201
    assert page.evaluate(post, [TOKEN, {"text": "x" * 3_000_000}]) == 413


def test_web_series_page_draws_its_revisions(page: Any, base: str):
    series_id = "russia-ukraine/personnel-losses/russia/military"
    page.goto(f"{base}/series/{series_id}")  # the page's fit keeps the estimate: one revision at least
    revisions = httpx.get(f"{base}/api/revisions/{series_id}", timeout=30).json()["revisions"]
    assert revisions
    page.wait_for_selector("#revisions-chart[data-rendered=true]", timeout=20_000)
    assert page.locator("#revisions-chart .mark-symbol.role-mark path").count() == len(revisions)
    assert page.locator("table.revisions tbody tr").count() == len(revisions)
    _shot(page, "revisions")
    assert not page.errors
