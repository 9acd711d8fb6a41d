"""Reading every kind of input: HTML, WARC crawls, URLs on a local server, other encodings and languages."""

from __future__ import annotations

import gzip
import socket
from datetime import date
from pathlib import Path

import pytest

from conftest import ARTICLE_HTML
from counterclaim.errors import InputError
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.inputs import iter_paths
from counterclaim.ingest.language import load_languages, screen
from counterclaim.models import Document

FRENCH = (
    "Au moins 12 personnes ont été tuées à Kharkiv jeudi, selon le gouverneur régional, et 30 autres "
    "ont été blessées dans les frappes russes sur la ville, a indiqué la police dans un communiqué."
)


def read(*paths: Path | str, **options: object) -> list[Document | InputError]:
    return list(iter_paths(list(paths), **options))  # type: ignore[arg-type]


def only_document(items: list[Document | InputError]) -> Document:
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


# -- HTML ---------------------------------------------------------------------------------------


def test_html_page_gives_article_text_title_date_and_site(tmp_path: Path):
    page = tmp_path / "kharkiv.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    document = only_document(read(page))
    assert document.title == "Strike kills 12 in Kharkiv"
    assert document.outlet == "Example News"
    assert document.published == date(2024, 3, 14)
    assert "At least 12 people were killed in Kharkiv" in document.text
    assert "Home | World" not in document.text and "readers online" not in document.text


def test_html_date_given_by_the_user_wins(tmp_path: Path):
    page = tmp_path / "kharkiv.htm"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    assert only_document(read(page, published=date(2024, 3, 15))).published == date(2024, 3, 15)


def test_html_is_recognised_by_its_content_whatever_the_name(tmp_path: Path):
    page = tmp_path / "saved-page.txt"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    document = only_document(read(page))
    assert "<p>" not in document.text and document.title == "Strike kills 12 in Kharkiv"


def test_html_in_a_legacy_encoding_is_decoded_by_its_declared_charset(tmp_path: Path):
    page = tmp_path / "legacy.html"
    html = ARTICLE_HTML.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "the regional governor said", "the region\u2019s governor, Oleh Syniehubov, said"
    )
    page.write_bytes(html.encode("cp1252"))
    document = only_document(read(page))
    assert "region\u2019s governor" in document.text
    assert document.encoding == "cp1252"


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><div><p></div></span></body>",  # broken, and nothing to read
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
    ],
)
def test_html_without_article_text_is_an_e108_error(tmp_path: Path, markup: str):
    page = tmp_path / "broken.html"
    page.write_text(markup, encoding="utf-8")
    [error] = read(page)
    assert isinstance(error, InputError) and error.code == "E108"
    assert "no article text" in error.reason


# -- encodings --------------------------------------------------------------------------------


def test_windows_1252_text_is_decoded_and_its_encoding_kept(tmp_path: Path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(
        "The governor\u2019s office said 12 people were killed in the caf\u00e9.".encode("cp1252")
    )
    document = only_document(read(path))
    assert document.text.startswith("The governor\u2019s office said 12 people")
    assert document.encoding == "cp1252"


def test_utf16_with_a_byte_order_mark_is_text_not_binary(tmp_path: Path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("At least 12 people were killed, officials said.".encode("utf-16"))
    assert only_document(read(path)).text == "At least 12 people were killed, officials said."


def test_cyrillic_in_a_legacy_code_page_is_decoded_then_read_as_russian(tmp_path: Path):
    path = tmp_path / "ru.txt"
    path.write_bytes(
        (
            "По словам губернатора области, в результате обстрела погибли 12 человек, ещё 30 получили "
            "ранения. Спасатели продолжают разбирать завалы в центре города."
        ).encode("cp1251")
    )
    document = only_document(read(path))
    assert document.encoding in {"cp1251", "windows-1251"}
    assert "губернатора" in document.text
    [screened] = list(screen([document]))
    assert isinstance(screened, Document) and screened.language == "ru"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    ],
)
def test_binary_files_are_named_by_kind(tmp_path: Path, data: bytes, kind: str):
    path = tmp_path / "upload.txt"
    path.write_bytes(data + bytes(range(256)))
    [error] = read(path)
    assert isinstance(error, InputError) and error.code == "E102" and kind in error.reason


# -- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (FRENCH, "French"),
        (
            "Mindestens zwölf Menschen wurden am Donnerstag in Charkiw getötet, sagte der Gouverneur. "
            "Weitere 30 wurden bei den russischen Angriffen auf die Stadt verletzt, teilte die Polizei mit.",
            "German",
        ),
        (
            "Al menos 12 personas murieron el jueves en Járkov, según el gobernador regional, y otras 30 "
            "resultaron heridas en los ataques rusos contra la ciudad, informó la policía.",
            "Spanish",
        ),
        (
            "قال مسؤولون إن 12 شخصا على الأقل قتلوا في غارة جوية على المدينة يوم الخميس وأصيب 30 آخرون",
            "Arabic",
        ),
    ],
)
def test_other_languages_are_named(text: str, language: str):
    guess = load_languages().guess(text)
    assert not guess.english and language in guess.language


def test_every_english_article_of_the_project_passes(shared: Path):
    rules = load_languages()
    folders = [shared / "seed", shared / "corpus" / "dev", Path(__file__).parents[1] / "benchmarks" / "gold"]
    texts = [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.rglob("*.txt"))]
    assert len(texts) > 70
    assert [text[:60] for text in texts if not rules.guess(text).english] == []


def test_short_texts_are_never_skipped():
    assert load_languages().guess("12 muertos en Járkov").english


# -- WARC -------------------------------------------------------------------------------------


def _warc_record(uri: str, status: str, content_type: str, body: bytes, number: int) -> bytes:
    """One WARC response record, written by hand from the WARC 1.0 format, gzipped on its own."""
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    block = http.encode() + body
    headers = (
        "WARC/1.0\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{number:012d}>\r\n"
        "WARC-Date: 2024-03-15T06:00:00Z\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return gzip.compress(headers.encode() + block + b"\r\n\r\n")


def _warc(path: Path, *, truncate: bool = False) -> None:
    undated = ARTICLE_HTML.replace(
        '<meta property="article:published_time" content="2024-03-14T10:00:00Z">', ""
    )
    records = [
        ("https://example.com/kharkiv", "200 OK", "text/html; charset=utf-8", ARTICLE_HTML.encode()),
        ("https://example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("https://example.com/gone", "404 Not Found", "text/html", b"<html><body>gone</body></html>"),
        ("https://example.com/undated", "200 OK", "text/html", undated.replace("Kharkiv", "Sumy").encode()),
    ]
    data = b"".join(_warc_record(*record, number) for number, record in enumerate(records))
    path.write_bytes(data[: len(data) - 200] if truncate else data)


def test_warc_pages_become_documents_and_other_records_are_passed_over(tmp_path: Path):
    crawl = tmp_path / "crawl.warc.gz"
    _warc(crawl)
    documents = read(crawl)
    assert [d.id for d in documents if isinstance(d, Document)] == [
        "https://example.com/kharkiv",
        "https://example.com/undated",
    ]
    kharkiv, undated = documents
    assert isinstance(kharkiv, Document) and kharkiv.published == date(2024, 3, 14)  # from the page
    assert isinstance(undated, Document) and undated.published == date(2024, 3, 15)  # the crawl date
    assert kharkiv.url == "https://example.com/kharkiv" and kharkiv.outlet == "Example News"


def test_damaged_warc_keeps_the_pages_before_the_damage(tmp_path: Path):
    crawl = tmp_path / "damaged.warc.gz"
    _warc(crawl, truncate=True)
    items = read(crawl)
    assert isinstance(items[0], Document) and items[0].id == "https://example.com/kharkiv"
    assert isinstance(items[-1], InputError) and items[-1].code == "E111"


def test_unparsed_pages_parse_later_into_what_parsing_at_once_gives(tmp_path: Path):
    # a cluster ingest reads pages on the driver and finds their articles on the workers
    _warc(tmp_path / "crawl.warc.gz")
    (tmp_path / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
    (tmp_path / "broken.html").write_text("<!DOCTYPE html><html><body><nav>Home</nav>", encoding="utf-8")
    (tmp_path / "note.txt").write_text(
        "At least 4 people were killed in Sumy, officials said.", encoding="utf-8"
    )
    at_once = read(tmp_path, published=date(2024, 3, 1))
    later = list(iter_paths([tmp_path], published=date(2024, 3, 1), parse_html=False))
    assert sum(isinstance(item, RawPage) for item in later) == 4  # two crawled pages, two files
    assert all(not isinstance(item, RawPage) for item in at_once)
    parsed = [item.parse() if isinstance(item, RawPage) else item for item in later]
    assert [(type(i), str(i) if isinstance(i, InputError) else i) for i in parsed] == [
        (type(i), str(i) if isinstance(i, InputError) else i) for i in at_once
    ]
    assert any(isinstance(item, InputError) and item.code == "E108" for item in parsed)


def test_not_a_warc_at_all(tmp_path: Path):
    crawl = tmp_path / "fake.warc.gz"
    crawl.write_bytes(gzip.compress(b"this is not a WARC record\n" * 10))
    [error] = read(crawl)
    assert isinstance(error, InputError) and error.code == "E111"


# -- URLs, against a server on 127.0.0.1 ---------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_url_article_is_fetched_and_read_as_a_page(server: str):
    document = only_document(read(f"{server}/article"))
    assert document.id == f"{server}/article" and document.title == "Strike kills 12 in Kharkiv"
    assert document.published == date(2024, 3, 14) and "12 people were killed" in document.text


def test_url_redirect_is_followed_and_plain_text_read(server: str):
    assert only_document(read(f"{server}/moved")).url == f"{server}/article"
    assert only_document(read(f"{server}/plain")).text.startswith("At least 7 people")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404"),
        ("/image", "content type image/png"),
        ("/big", "over the"),
        ("/slow", "timed out after 0.5 s"),
    ],
)
def test_url_failures_are_errors_with_a_reason(server: str, path: str, reason: str):
    [error] = read(f"{server}{path}", timeout=0.5, max_bytes=100_000)
    assert isinstance(error, InputError) and error.source == f"{server}{path}"
    assert reason in error.reason


def test_unreachable_url_is_an_e109_error():
    url = f"http://127.0.0.1:{closed_port()}/article"
    [error] = read(url, timeout=2)
    assert isinstance(error, InputError) and error.code == "E109" and "unreachable" in error.reason
