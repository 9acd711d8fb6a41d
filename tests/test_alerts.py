"""Estimate history and alerts with real parts on loopback: a SQLite ledger, a webhook receiver that
checks the signature, aiosmtpd as the SMTP server, the dashboard on uvicorn for /alerts.atom."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from aiosmtpd.controller import Controller

from conftest import running
from counterclaim import api
from counterclaim.alerting import Rule
from counterclaim.delivery import SIGNATURE_HEADER, Email, Webhook
from counterclaim.extract import Extractor
from counterclaim.models import Document
from counterclaim.store import Ledger
from counterclaim.web import create_app

SECRET = "webhook-secret-for-tests"
SERIES = "russia-ukraine/killed/russia/military"
NEW_ARTICLE = Document(
    id="gs-60000.txt",
    text=(
        "Ukraine claims huge Russian losses\n\n"
        "KYIV, April 8 (Reuters) - Ukraine's General Staff said on Friday that 60,000 Russian soldiers "
        "had been killed since the invasion began, a figure far above every earlier estimate.\n"
    ),
    published=date(2022, 4, 8),
    outlet="Reuters",
    url="https://example.org/news/gs-60000",
)
RULES_TOML = f"""
[[rule]]
name = "outside the band"
series = "{SERIES}"
kind = "outside_band"
"""


# -- the loopback servers -----------------------------------------------------------------------
class Receiver:
    """A webhook receiver: answers 500 to the first ``failures`` POSTs, then 204; checks signatures."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                signed = hmac.compare_digest(self.headers.get(SIGNATURE_HEADER, ""), expected)
                receiver.requests.append(
                    {"body": json.loads(body), "signed": signed, "headers": dict(self.headers)}
                )
                failing = len(receiver.requests) <= receiver.failures
                self.send_response(500 if failing else (204 if signed else 401))
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """What aiosmtpd received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def ledger(tmp_path: Path, extractor: Extractor) -> Iterator[Ledger]:
    """A SQLite ledger of one sample article, with a first (baseline) estimate of every series."""
    opened = api.open_ledger(str(tmp_path / "ledger.db"))
    sample = api.read_inputs([str(api.SAMPLES / "01-russia-ukraine-losses.txt")], published=date(2022, 4, 7))
    api.ingest(opened, list(sample), extractor=extractor)
    first = api.refresh_estimates(opened, rules=[Rule("outside the band", SERIES, "outside_band")])
    assert first.alerts == [] and first.new_revisions == len(first.revisions) > 0  # the baseline
    yield opened
    opened.engine.dispose()


def _ingest_new(ledger: Ledger, extractor: Extractor) -> list[int]:
    summary = api.ingest(ledger, [NEW_ARTICLE], extractor=extractor)
    return ledger.claims_of_run(summary.run_id)


def _environment(db: Path, receiver: Receiver, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "COUNTERCLAIM_DB": str(db),
        "COUNTERCLAIM_WEBHOOK_URL": receiver.url,
        "COUNTERCLAIM_WEBHOOK_SECRET": SECRET,
        "COUNTERCLAIM_SMTP_HOST": "127.0.0.1",
        "COUNTERCLAIM_SMTP_PORT": str(smtp_port),
        "COUNTERCLAIM_MAIL_FROM": "alerts@counterclaim.test",
        "COUNTERCLAIM_MAIL_TO": "desk@newsroom.test, editor@newsroom.test",
    }


# -- the whole path ---------------------------------------------------------------------------
def test_a_claim_outside_the_band_alerts_once_on_each_channel(
    ledger: Ledger, extractor: Extractor, smtp: tuple[Mailbox, int], tmp_path: Path
):
    box, port = smtp
    rules = api.read_rules(_write(tmp_path / "alerts.toml", RULES_TOML))
    with Receiver() as receiver:
        mail = Email("127.0.0.1", "alerts@counterclaim.test", ("desk@newsroom.test",), port=port)
        channels = [Webhook(receiver.url, SECRET), mail]
        new_ids = _ingest_new(ledger, extractor)
        report = api.refresh_estimates(ledger, new_claim_ids=new_ids, rules=rules, channels=channels)

        assert len(report.alerts) == 1
        alert = report.alerts[0]
        claim = alert["claim"]
        assert alert["series"] == SERIES and alert["kind"] == "outside_band"
        assert claim["id"] in new_ids and claim["value"] == 60000
        assert "60,000 Russian soldiers" in claim["evidence"] and claim["url"] == NEW_ARTICLE.url
        before, after = alert["before"], alert["after"]
        assert before["id"] < after["id"] and before["n_claims"] + 1 == after["n_claims"]
        assert before["high"] < 60000  # it is outside the band the estimate gave before it arrived
        assert report.deliveries.sent == 2 and report.deliveries.retrying == 0

        # the webhook: one POST, signed with the secret, the alert's payload
        assert len(receiver.requests) == 1
        posted = receiver.requests[0]
        assert posted["signed"] and posted["body"]["id"] == alert["id"]
        assert posted["body"]["claim"]["evidence"] == claim["evidence"]
        # the e-mail: one message naming the series, the sentence, the URL, before and after
        assert len(box.messages) == 1
        text = box.messages[0].get_payload(decode=True).decode()
        assert SERIES in box.messages[0]["Subject"]
        assert claim["evidence"] in text.replace("\n", " ") or "60,000 Russian soldiers" in text
        assert NEW_ARTICLE.url in text and "estimate before" in text and "estimate after" in text
        # the Atom feed the dashboard serves: valid, one entry
        app = create_app(str(ledger.engine.url))
        with running(app) as base:
            feed = feedparser.parse(httpx.get(f"{base}/alerts.atom", timeout=30).content)
        app.state.dashboard.ledger.engine.dispose()
        assert not feed.bozo, feed.get("bozo_exception")
        assert [entry.title for entry in feed.entries] == [alert["summary"]]
        assert NEW_ARTICLE.url in feed.entries[0].summary

        # again, and from a new process: nothing repeats
        again = api.refresh_estimates(ledger, rules=rules, channels=channels)
        assert again.alerts == [] and again.new_revisions == 0
        db = Path(str(ledger.engine.url.database))
        rules_file = tmp_path / "alerts.toml"
        done = subprocess.run(
            [sys.executable, "-m", "counterclaim", "refresh", "--alerts", str(rules_file)],
            env=_environment(db, receiver, port), capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "0 new alerts" in done.stderr and SECRET not in done.stdout + done.stderr
        assert len(receiver.requests) == 1 and len(box.messages) == 1
        assert len(ledger.stored_alerts()) == 1


def test_a_failing_webhook_is_retried_with_back_off_until_delivered(
    ledger: Ledger, extractor: Extractor, tmp_path: Path
):
    rules = [Rule("moves", SERIES, "best_moves", percent=10)]
    with Receiver(failures=2) as receiver:
        hook = [Webhook(receiver.url, SECRET)]
        report = api.refresh_estimates(
            ledger, new_claim_ids=_ingest_new(ledger, extractor), rules=rules, channels=hook, backoff_base=60
        )
        assert len(report.alerts) == 1 and report.deliveries.retrying == 1
        first = ledger.deliveries()[0]
        assert first["status"] == "pending" and first["attempts"] == 1 and "HTTP 500" in first["last_error"]

        now = datetime.now(UTC)
        not_due = api.deliver_alerts(ledger, hook, now=now, backoff_base=60)
        assert not_due.sent == not_due.retrying == 0 and len(receiver.requests) == 1
        second_try = api.deliver_alerts(ledger, hook, now=now + timedelta(seconds=61), backoff_base=60)
        assert second_try.retrying == 1 and len(receiver.requests) == 2
        second = ledger.deliveries()[0]
        # the wait doubles: 60 s after the first attempt, 120 s after the second
        assert (
            timedelta(seconds=115)
            < second["next_attempt"].replace(tzinfo=UTC) - now - timedelta(seconds=61)
            <= timedelta(seconds=121)
        )
        third_try = api.deliver_alerts(ledger, hook, now=now + timedelta(seconds=61 + 121), backoff_base=60)
        assert third_try.sent == 1 and len(receiver.requests) == 3
        done = ledger.deliveries()[0]
        assert done["status"] == "sent" and done["attempts"] == 3 and done["last_error"] is None
        assert all(r["signed"] and r["body"]["id"] == report.alerts[0]["id"] for r in receiver.requests)
        # delivered: later passes send nothing more
        later = api.deliver_alerts(ledger, hook, now=now + timedelta(days=1))
        assert later.sent == 0 and len(receiver.requests) == 3


def test_revisions_show_two_estimates_and_the_claim_that_moved_it(ledger: Ledger, extractor: Extractor):
    from click.testing import CliRunner

    from counterclaim.cli import cli

    new_ids = _ingest_new(ledger, extractor)
    api.refresh_estimates(ledger, new_claim_ids=new_ids)
    db = str(ledger.engine.url.database)
    shown = CliRunner().invoke(cli, ["revisions", SERIES, "--format", "json", "--db", db])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.output)
    assert len(rows) == 2
    first, second = rows
    assert first["claims_added"] == [] and second["previous"] == first["id"]
    assert second["claims_added"] == new_ids and second["n_claims"] == first["n_claims"] + 1
    assert second["digest"] != first["digest"] and second["best"] != first["best"]
    assert second["arrived"][0]["url"] == NEW_ARTICLE.url
    table = CliRunner().invoke(cli, ["revisions", SERIES, "--db", db])
    assert table.exit_code == 0 and f"claim {new_ids[0]}" in table.output and "60,000" in table.output
    # `series` computes the same estimates: nothing new is stored; `estimate --as-of` keeps that day's
    assert CliRunner().invoke(cli, ["series", "--db", db]).exit_code == 0
    assert len(ledger.revisions(SERIES)) == 2
    asked = CliRunner().invoke(cli, ["estimate", SERIES, "--as-of", "2022-03-01", "--db", db])
    assert asked.exit_code == 0
    assert [r.kind for r in ledger.revisions(SERIES)] == ["latest", "latest", "day"]
    # the dashboard: its series page lists them with the claim, its JSON twin is the same list
    app = create_app(f"sqlite:///{db}")
    with running(app) as base:
        page = httpx.get(f"{base}/series/{SERIES}", timeout=60).text
        twin = httpx.get(f"{base}/api/revisions/{SERIES}", timeout=60).json()
        missing = httpx.get(f"{base}/api/revisions/no/such/series/here", timeout=60)
    app.state.dashboard.ledger.engine.dispose()
    assert 'id="revisions-chart"' in page and f'href="/claims/{new_ids[0]}"' in page
    assert 'type="application/atom+xml"' in page  # feed readers find the alerts from any page
    assert [r["id"] for r in twin["revisions"]] == [r.id for r in ledger.revisions(SERIES)]
    assert missing.status_code == 404


def test_a_correction_raises_the_corrected_rule_once(ledger: Ledger, tmp_path: Path):
    from click.testing import CliRunner

    from counterclaim.cli import cli

    rules_file = _write(
        tmp_path / "fix.toml", '[[rule]]\nname = "fixes"\nseries = "russia-ukraine/*"\nkind = "corrected"\n'
    )
    api.refresh_estimates(ledger, rules=api.read_rules(rules_file))  # the series' marks
    claim_id = next(int(o) for o in ledger.revisions(SERIES)[-1].claim_ids)
    db = str(ledger.engine.url.database)
    args = ["correct", str(claim_id), "--value", "7000", "--note", "misread", "--alerts", str(rules_file)]
    done = CliRunner().invoke(cli, [*args, "--db", db])
    assert done.exit_code == 0, done.output
    stored = ledger.stored_alerts()
    assert [(a["kind"], a["claim"]["id"]) for a in stored] == [("corrected", claim_id)]
    assert stored[0]["claim"]["value"] == 7000  # the claim as corrected
    api.refresh_estimates(ledger, rules=api.read_rules(rules_file))
    assert len(ledger.stored_alerts()) == 1


def test_a_malformed_rules_file_is_one_clear_line(tmp_path: Path):
    from click.testing import CliRunner

    from counterclaim.cli import cli

    db = tmp_path / "ledger.db"
    api.open_ledger(str(db)).engine.dispose()
    bad = _write(tmp_path / "bad.toml", '[[rule]]\nname = "x"\nseries = "*"\nkind = "best_moves"\n')
    done = CliRunner().invoke(cli, ["refresh", "--alerts", str(bad), "--db", str(db)])
    assert done.exit_code == 1
    assert "counterclaim: error: [E201]" in done.output and "best_moves needs percent" in done.output
    assert "Traceback" not in done.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- both backends, two writers at once, an older ledger --------------------------------------
def test_revisions_and_alerts_on_each_backend(database_url: str, extractor: Extractor):
    opened = api.open_ledger(database_url)
    try:
        sample = api.read_inputs(
            [str(api.SAMPLES / "01-russia-ukraine-losses.txt")], published=date(2022, 4, 7)
        )
        api.ingest(opened, list(sample), extractor=extractor)
        rules = [Rule("band", SERIES, "outside_band"), Rule("who", "*", "new_claimant")]
        assert api.refresh_estimates(opened, series=[SERIES], rules=rules).alerts == []
        new_ids = _ingest_new(opened, extractor)
        fired = api.refresh_estimates(opened, new_claim_ids=new_ids, rules=rules)
        assert sorted(a["kind"] for a in fired.alerts) == ["new_claimant", "outside_band"]
        assert api.refresh_estimates(opened, rules=rules).alerts == []
        assert [len(r.claim_ids) for r in opened.revisions(SERIES)] == [2, 3]
    finally:
        opened.engine.dispose()


def test_two_processes_refreshing_at_once_store_each_alert_once(ledger: Ledger, extractor: Extractor):
    new_ids = _ingest_new(ledger, extractor)
    rules = [Rule("band", SERIES, "outside_band")]
    url = str(ledger.engine.url)
    found: list[int] = []

    def refresh() -> None:
        other = api.open_ledger(url)  # its own engines and write lock: as another process would have
        try:
            found.append(len(api.refresh_estimates(other, new_claim_ids=new_ids, rules=rules).alerts))
        finally:
            other.engine.dispose()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found) == [0, 1] and len(ledger.stored_alerts()) == 1
    assert len(ledger.revisions(SERIES)) == 2  # the same new estimate, stored once


def test_migration_8_adds_the_tables_to_an_older_ledger(tmp_path: Path):
    from sqlalchemy import inspect, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    api.open_ledger(url).engine.dispose()
    old = api.open_ledger(url)
    with old.writer.lock.transaction() as connection:  # as a ledger made before migration 8 was
        for table in ("alert_marks", "deliveries", "alerts", "estimates"):
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("DELETE FROM schema_version WHERE version = 8"))
    old.engine.dispose()
    again = api.open_ledger(url)
    try:
        assert {"estimates", "alerts", "deliveries", "alert_marks"} <= set(
            inspect(again.engine).get_table_names()
        )
        assert again.counts()["estimates"] == 0
    finally:
        again.engine.dispose()


def test_the_dashboard_and_ingest_keep_estimates_and_ingest_checks_the_rules(
    tmp_path: Path, extractor: Extractor
):
    from click.testing import CliRunner

    from counterclaim.cli import cli

    db = tmp_path / "ledger.db"
    opened = api.open_ledger(str(db))
    sample = api.SAMPLES / "01-russia-ukraine-losses.txt"
    api.ingest(opened, list(api.read_inputs([str(sample)], published=date(2022, 4, 7))), extractor=extractor)
    assert opened.counts()["estimates"] == 0
    app = create_app(f"sqlite:///{db}")
    with running(app) as base:
        listed = httpx.get(f"{base}/api/series", timeout=60).json()["series"]
    app.state.dashboard.ledger.engine.dispose()
    fitted = [row["id"] for row in listed if row.get("best") is not None]
    assert sorted({r.series_id for s in fitted for r in opened.revisions(s)}) == sorted(fitted)

    article = _write(tmp_path / "gs.txt", NEW_ARTICLE.text)
    rules = _write(tmp_path / "alerts.toml", RULES_TOML)
    done = CliRunner().invoke(
        cli,
        ["ingest", str(article), "--published", "2022-04-08", "--alerts", str(rules), "--db", str(db), "-q"],
    )
    assert done.exit_code == 0, done.output
    assert "1 new alerts" in done.output
    [alert] = opened.stored_alerts()
    assert alert["kind"] == "outside_band" and "60,000" in alert["claim"]["evidence"]
    opened.engine.dispose()


def test_the_channel_secrets_come_from_the_environment_only(tmp_path: Path):
    from counterclaim.delivery import channels_from
    from counterclaim.errors import DataFileError
    from counterclaim.settings import Settings

    config = _write(tmp_path / "counterclaim.toml", '[counterclaim]\nwebhook_secret = "in-a-file"\n')
    with pytest.raises(DataFileError, match="never read from a file"):
        Settings.load(config, environ={})
    config = _write(tmp_path / "counterclaim.toml", '[counterclaim]\nwebhook_url = "http://127.0.0.1:9/x"\n')
    with pytest.raises(DataFileError, match="COUNTERCLAIM_WEBHOOK_SECRET"):
        channels_from(Settings.load(config, environ={}))
    settings = Settings.load(config, environ={"COUNTERCLAIM_WEBHOOK_SECRET": SECRET})
    [hook] = channels_from(settings)
    assert isinstance(hook, Webhook) and hook.secret == SECRET
    assert SECRET not in repr(settings) + repr(hook) + json.dumps(settings.to_environment())


def test_a_delivery_taken_by_a_process_that_died_is_sent_later_not_lost(ledger: Ledger, extractor: Extractor):
    rules = [Rule("band", SERIES, "outside_band", channels=("webhook",))]
    with Receiver() as receiver:
        down = [Webhook("http://127.0.0.1:9/hook", SECRET, timeout=2)]  # nothing listens there yet
        fired = api.refresh_estimates(
            ledger, new_claim_ids=_ingest_new(ledger, extractor), rules=rules, channels=down, backoff_base=30
        )
        assert len(fired.alerts) == 1 and fired.deliveries.retrying == 1
        # a process takes the delivery once it is due, and is killed before it sends anything
        now = datetime.now(UTC) + timedelta(seconds=31)
        taken = ledger.writer.take_deliveries(["webhook"], now=now, lease=lambda _: timedelta(seconds=60))
        assert [t["attempts"] for t in taken] == [2] and ledger.deliveries()[0]["status"] == "sending"
        hook = [Webhook(receiver.url, SECRET)]
        assert api.deliver_alerts(ledger, hook, now=now + timedelta(seconds=5)).sent == 0  # still its lease
        later = api.deliver_alerts(ledger, hook, now=now + timedelta(seconds=61))
        assert later.sent == 1 and len(receiver.requests) == 1 and receiver.requests[0]["signed"]
        assert ledger.deliveries()[0]["status"] == "sent" and ledger.deliveries()[0]["attempts"] == 3
