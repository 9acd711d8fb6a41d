"""Inputs that would hang, escape or abort an ingest: devices, FIFOs, paths out of a manifest's folder,
huge CSV cells, characters no database stores, cut WARC records, files that are not prose."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from counterclaim.store import schema

ARTICLE = "At least 12 people were killed in Kharkiv on Monday, the regional governor said.\n"
#: Memory a child process may take: a reader that never stops fails the test, not the machine.
MEMORY_CAP = 3 << 30
#: Seconds a child process may take: a reader that blocks fails the test, it never hangs the run.
TIME_CAP = 120

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


def _bounded(
    code: str, *args: str, cwd: Path | None = None, seconds: float = TIME_CAP
) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a child process with at most :data:`MEMORY_CAP` bytes and ``seconds``."""
    capped = f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP}))\n{code}"
    return subprocess.run(
        [sys.executable, "-c", capped, *args], capture_output=True, text=True, cwd=cwd, timeout=seconds
    )


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``counterclaim ARGS`` in a bounded child process."""
    return _bounded("import runpy, sys\nsys.argv[0] = 'counterclaim'\n"
                    "runpy.run_module('counterclaim', run_name='__main__')", *args, cwd=cwd)  # fmt: skip


def _recorded(database_url: str) -> tuple[set[tuple[str, str]], set[str], str]:
    """The input errors (source, code), the stored documents' names and the last run's status."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        errors = {
            (row.source, row.code)
            for row in connection.execute(select(schema.input_errors.c.source, schema.input_errors.c.code))
        }
        names = {row.name for row in connection.execute(select(schema.documents.c.name))}
        status = (
            connection.execute(select(schema.runs.c.status).order_by(schema.runs.c.id)).scalars().all()[-1]
        )
    engine.dispose()
    return errors, names, status


# -- 1. devices, FIFOs and /proc: regular files only, never more than --max-bytes read --------------
_READ = """
import sys
from pathlib import Path
from counterclaim.errors import InputError
from counterclaim.ingest.text import read_bytes
try:
    print("read", len(read_bytes(Path(sys.argv[1]), max_bytes=10)))
except InputError as error:
    print(error.code, error.reason)
"""


@posix_only
@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("/dev/zero", "E105", "character device"),
        ("fifo", "E105", "FIFO"),
        ("/proc/self/status", "E104", "limit"),
    ],
)
def test_devices_and_fifos_are_refused_and_proc_files_read_at_most_max_bytes(
    tmp_path: Path, kind: str, code: str, words: str
):
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe")  # nobody writes to it: opening it to read would wait forever
        kind = str(tmp_path / "pipe")
    if not Path(kind).exists():
        pytest.skip(f"{kind} does not exist here")
    result = _bounded(_READ, kind, seconds=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(code) and words in result.stdout, result.stdout


@posix_only
@pytest.mark.slow
def test_an_ingest_of_dev_zero_and_a_fifo_records_them_and_goes_on(tmp_path: Path, database_url: str):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "kharkiv.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(tmp_path / "crawl.warc")  # the WARC reader opens its files itself
    manifest = folder / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": "kharkiv.txt"}) + "\n" + json.dumps({"file": "pipe.txt"}) + "\n")
    inputs = ("/dev/zero", "crawl.warc", "--manifest", str(manifest))
    result = _cli("ingest", *inputs, "--db", database_url, "-q", cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # partial
    assert "Traceback" not in result.stderr
    errors, names, status = _recorded(database_url)
    assert errors == {("/dev/zero", "E105"), ("crawl.warc", "E105"), (str(folder / "pipe.txt"), "E105")}
    assert names == {"kharkiv.txt"} and status == "partial"


# -- 2. a manifest's files stay in its folder, unless --allow-outside ------------------------------
def _escaping_manifest(tmp_path: Path) -> Path:
    """A manifest whose lines 2-4 name files out of its folder: by ``..``, an absolute path, a link."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "kharkiv.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "sub" / "sumy.txt").write_text(ARTICLE.replace("Kharkiv", "Sumy"), encoding="utf-8")
    for name, city in (("secret.txt", "Odesa"), ("absolute.txt", "Lviv"), ("linked.txt", "Dnipro")):
        (tmp_path / name).write_text(ARTICLE.replace("Kharkiv", city), encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "linked.txt")
    files = [
        "kharkiv.txt",
        "../secret.txt",
        str(tmp_path / "absolute.txt"),
        "link.txt",
        "sub/../sub/sumy.txt",
    ]
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({"file": file}) + "\n" for file in files), encoding="utf-8")
    return manifest


def test_a_manifest_reads_no_file_outside_its_folder_unless_allowed(tmp_path: Path):
    from counterclaim.errors import ManifestError
    from counterclaim.ingest.inputs import read_manifest
    from counterclaim.models import Document

    manifest = _escaping_manifest(tmp_path)
    items = list(read_manifest(manifest))
    assert [item.id for item in items if isinstance(item, Document)] == ["kharkiv.txt", "sumy.txt"]
    refused = [item for item in items if isinstance(item, ManifestError)]
    assert [error.source for error in refused] == [f"{manifest}:{line}" for line in (2, 3, 4)]
    assert all("outside" in error.reason and "--allow-outside" in error.reason for error in refused)
    allowed = list(read_manifest(manifest, allow_outside=True))
    assert [item.id for item in allowed if isinstance(item, Document)] == [
        "kharkiv.txt", "secret.txt", "absolute.txt", "link.txt", "sumy.txt",
    ]  # fmt: skip


@pytest.mark.slow
def test_an_ingest_records_the_manifest_lines_outside_its_folder(tmp_path: Path, database_url: str):
    manifest = _escaping_manifest(tmp_path)
    result = _cli("ingest", "--manifest", str(manifest), "--db", database_url, "-q", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "pass --allow-outside" in result.stderr
    errors, names, status = _recorded(database_url)
    assert errors == {(f"{manifest}:{line}", "E106") for line in (2, 3, 4)}
    assert names == {"kharkiv.txt", "sumy.txt"} and status == "partial"
    extracted = _cli(
        "extract", "--manifest", str(manifest), "--allow-outside", "--format", "jsonl", cwd=tmp_path
    )
    assert extracted.returncode == 0, extracted.stderr
    assert {json.loads(line)["doc"] for line in extracted.stdout.splitlines()} == {
        "kharkiv.txt", "secret.txt", "absolute.txt", "link.txt", "sumy.txt",
    }  # fmt: skip
    gold = tmp_path / "gold.jsonl"
    gold.write_text(extracted.stdout, encoding="utf-8")
    scored = _cli("evaluate", "--gold", str(gold), "--manifest", str(manifest), "--json", cwd=tmp_path)
    assert scored.returncode == 3 and scored.stderr.count("[E106]") == 3, scored.stderr
    assert json.loads(scored.stdout)["recall"] == pytest.approx(0.4)
    allowed = ("evaluate", "--gold", str(gold), "--manifest", str(manifest), "--allow-outside", "--json")
    scored = _cli(*allowed, cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["f1"] == 1.0


# -- 3. CSV cells longer than the csv module's default limit; a csv error is one row's ----------
@pytest.mark.slow
def test_a_csv_cell_over_131072_characters_is_read_and_the_next_files_too(tmp_path: Path, database_url: str):
    page = "<html><body>" + "<p>A long page kept beside the text.</p>" * 4000 + "</body></html>"
    assert len(page) > 131_072
    with (tmp_path / "news.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(
            [("id", "text", "html"), ("a", ARTICLE, page), ("b", ARTICLE.replace("Kharkiv", "Sumy"), "")]
        )
    (tmp_path / "more.jsonl").write_text(
        json.dumps({"id": "c", "text": ARTICLE.replace("Kharkiv", "Lviv")}) + "\n"
    )
    result = _cli("ingest", "news.csv", "more.jsonl", "--db", database_url, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    errors, names, status = _recorded(database_url)
    assert not errors and names == {"a", "b", "c"} and status == "ok"


def test_a_csv_error_is_the_rows_error_and_the_other_rows_are_read(tmp_path: Path, monkeypatch):
    from counterclaim.errors import CorpusRowError
    from counterclaim.ingest import corpora
    from counterclaim.models import Document

    path = tmp_path / "news.csv"
    path.write_text(f'id,text\na,{"x" * 2000}\nb,"{ARTICLE.strip()}"\n', encoding="utf-8")
    # a limit below the cell (some other code in the process may lower it): the csv module raises
    monkeypatch.setattr(corpora, "allow_cells_of", lambda max_bytes: None)
    previous = csv.field_size_limit(1000)
    try:
        items = list(corpora.read_corpus(path))
    finally:
        csv.field_size_limit(previous)
    assert isinstance(items[0], CorpusRowError) and items[0].source == f"{path}:2"
    assert "field limit" in items[0].reason
    assert isinstance(items[1], Document) and items[1].id == "b"


# -- 4. characters no database stores: NUL and lone surrogates -----------------------------------
def _unstorable_inputs(folder: Path) -> dict[str, str]:
    """Files and corpus rows with a NUL or a lone surrogate in their text or metadata, beside a good
    file; returns the source of each bad one's error."""
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    # past the first 8 KB, where the binary sniffing looks: the text decodes, NUL and all
    (folder / "late-nul.txt").write_text("Officials said so. " * 500 + "\x00" + ARTICLE, encoding="utf-8")
    # a name that is not UTF-8: Python carries the byte as a lone surrogate
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLE.replace("Kharkiv", "Sumy"), encoding="utf-8")
    rows = [
        {"id": "nul", "text": ARTICLE.replace("12", "1\x002")},
        {"id": "surrogate", "text": ARTICLE.replace("Kharkiv", "Kharkiv\ud800")},
        {"id": "title", "text": ARTICLE.replace("Kharkiv", "Lviv"), "title": "Strike \udc80"},
        {"id": "outlet", "text": ARTICLE.replace("Kharkiv", "Odesa"), "outlet": "News\x00"},
    ]
    # json.dumps writes them as \u0000 and \ud800 escapes, as a corpus from elsewhere may hold them
    (folder / "rows.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return {
        str(folder / "late-nul.txt"): "text",
        str(folder / os.fsdecode(b"caf\xe9.txt")).replace("\udce9", "\\udce9"): "name",
        "nul": "text",
        "surrogate": "text",
        "title": "title",
        "outlet": "outlet",
    }


@pytest.mark.slow
def test_nul_and_lone_surrogates_are_refused_before_the_ledger(tmp_path: Path, database_url: str):
    bad = _unstorable_inputs(tmp_path / "inputs")
    for _ in range(2):  # a rerun reads them all again: the same errors, never an aborted run
        result = _cli("ingest", str(tmp_path / "inputs"), "--db", database_url, "-q", cwd=tmp_path)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
    errors, names, _ = _recorded(database_url)
    assert errors == {(source, "E114") for source in bad}
    assert names == {"good.txt"}
    engine = create_engine(database_url)
    with engine.connect() as connection:
        reasons = {row.source: row.reason for row in connection.execute(select(schema.input_errors))}
        statuses = connection.execute(select(schema.runs.c.status)).scalars().all()
    engine.dispose()
    assert statuses == ["partial", "partial"]
    for source, field in bad.items():
        assert reasons[source].startswith(f"the {field} holds"), reasons[source]
    assert "NUL" in reasons["nul"] and "lone surrogate (\\ud800)" in reasons["surrogate"]


@pytest.mark.slow
def test_an_upload_with_a_nul_or_a_lone_surrogate_is_a_400(database_url: str):
    import httpx

    from conftest import running
    from counterclaim import api
    from counterclaim.web import create_app

    api.open_ledger(database_url).engine.dispose()
    app = create_app(database_url, allow_writes=True, token="t0ken", max_upload_bytes=10_000)
    headers = {"Authorization": "Bearer t0ken"}
    as_json = {"Content-Type": "application/json"}
    with running(app) as base, httpx.Client(base_url=base, headers=headers) as session, _disposed(app):
        for body in ({"text": ARTICLE + "\x00"}, {"text": ARTICLE, "title": "\ud800"}):
            # as escapes (\u0000, \ud800): a lone surrogate cannot be sent as UTF-8
            answer = session.post("/api/documents", content=json.dumps(body), headers=as_json)
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"].startswith("[E114] upload: the ")
        assert session.post("/api/documents", json={"text": ARTICLE}).status_code == 201


@contextlib.contextmanager
def _disposed(app: Any) -> Iterator[None]:
    """The app's ledger connections closed however the test ends (an open one warns at exit)."""
    try:
        yield
    finally:
        app.state.dashboard.ledger.engine.dispose()


# -- 5. a WARC file cut inside a record's headers --------------------------------------------------
def _one_record_warc() -> bytes:
    """A WARC file of one HTML response, uncompressed, written by warcio."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    page = f"<html><body><article><p>{ARTICLE}</p></article></body></html>".encode()
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            # with its length: without one, warcio spools the page to a temporary file it leaves open
            "https://example.com/kharkiv",
            "response",
            payload=io.BytesIO(page),
            length=len(page),
            http_headers=http,
        )
    )
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("compressed", [False, True], ids=["warc", "warc.gz"])
def test_a_warc_cut_anywhere_inside_its_only_record_is_a_damaged_archive(tmp_path: Path, compressed: bool):
    import gzip

    from counterclaim.errors import ArchiveError
    from counterclaim.ingest.warc import read_warc
    from counterclaim.models import Document

    data = _one_record_warc()
    end = len(data) - len(b"\r\n\r\n")  # the record's end: the two line ends after it only part it
    path = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    # every cut: in the WARC headers (the type, the id, the URI, the length...), the HTTP headers, the page
    for cut in range(1, len(data) + 1):
        path.write_bytes(gzip.compress(data[:cut]) if compressed else data[:cut])
        items = list(read_warc(path, max_bytes=1_000_000))
        if cut < end:
            assert len(items) == 1 and isinstance(items[0], ArchiveError), (cut, data[:cut][-30:], items)
            assert "damaged" in items[0].reason
        else:
            assert [type(item) for item in items] == [Document], (cut, items)


@pytest.mark.slow
def test_an_ingest_of_a_cut_warc_records_it(tmp_path: Path, database_url: str):
    import gzip

    data = _one_record_warc()
    (tmp_path / "cut.warc.gz").write_bytes(gzip.compress(data[: data.index(b"WARC-Type: ") + 14]))  # "res"
    (tmp_path / "kharkiv.txt").write_text(ARTICLE, encoding="utf-8")
    result = _cli("ingest", "cut.warc.gz", "kharkiv.txt", "--db", database_url, "-q", cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # partial, as for other damaged archives
    errors, names, status = _recorded(database_url)
    assert errors == {("cut.warc.gz", "E111")} and names == {"kharkiv.txt"} and status == "partial"


# -- 6. a file that is not prose is not given a language ------------------------------------------
PASSWD = "".join(
    f"{name}:x:{number}:{number}:{name}:/var/lib/{name}:/usr/sbin/nologin\n"
    for number, name in enumerate(["root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail",
                                   "news", "uucp", "proxy", "backup", "list", "irc", "gnats", "nobody",
                                   "systemd-network", "messagebus", "postgres", "sshd", "www-data"])
)  # fmt: skip
#: Not prose either: a table of numbers and names, and XML.
NOT_PROSE = {
    "passwd": PASSWD,
    "table": "".join(f"{n:3d} {n * 7 % 255:3d} {n * 13 % 255:3d}\t\tgrey{n}\n" for n in range(60)),
    "xml": '<?xml version="1.0"?>\n<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
    + "".join(
        f'<delegatePublic publicIdStart="-//OASIS//DTD DocBook V{n}.0//EN" catalog="file:///usr/share/xml/'
        f'docbook/schema/dtd/{n}.0/catalog.xml"/>\n'
        for n in range(20)
    )
    + "</catalog>\n",
}
#: Prose in a language the rules have no words for (Finnish).
FINNISH = (
    "Ainakin kaksitoista ihmistä kuoli Harkovassa maanantaina, alueen kuvernööri kertoi. Kolmekymmentä "
    "muuta haavoittui, viranomaiset kertoivat, kun pelastustyöt jatkuivat koko yön kaupungissa. Venäjä "
    "laukaisi yöllä neljäkymmentä ohjusta kohteisiin eri puolilla maata, armeija ilmoitti."
)


@pytest.mark.parametrize("kind", list(NOT_PROSE))
def test_a_text_that_is_not_prose_is_skipped_as_such_not_as_a_language(kind: str):
    from counterclaim.ingest.language import load_languages, screen
    from counterclaim.models import Document

    [error] = list(screen([Document(id=kind, text=NOT_PROSE[kind])]))
    assert error.code == "E115", error
    assert "not running prose" in error.reason and "looks like" not in error.reason
    assert not load_languages().guess(NOT_PROSE[kind]).prose


def test_prose_in_a_language_the_rules_do_not_know_is_not_given_another_languages_name():
    from counterclaim.ingest.language import load_languages, screen
    from counterclaim.models import Document

    [error] = list(screen([Document(id="finnish.txt", text=FINNISH)]))
    assert error.code == "E110" and "no language the rules know" in error.reason, error
    assert "looks like" not in error.reason
    assert load_languages().guess(FINNISH).prose


@pytest.mark.slow
def test_an_ingest_skips_a_password_file_as_not_prose(tmp_path: Path, database_url: str):
    from test_ingest_inputs import ITALIAN

    (tmp_path / "passwd").write_text(PASSWD, encoding="utf-8")  # no suffix: named on the command line
    (tmp_path / "italian.txt").write_text(ITALIAN, encoding="utf-8")
    (tmp_path / "kharkiv.txt").write_text(ARTICLE, encoding="utf-8")
    result = _cli("ingest", "passwd", "italian.txt", "kharkiv.txt", "--db", database_url, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    errors, names, _ = _recorded(database_url)
    assert errors == {("passwd", "E115"), ("italian.txt", "E110")} and names == {"kharkiv.txt"}
    assert "[E115] passwd: not running prose" in result.stderr and "E115 not prose" in result.stderr
