"""The use cases the CLI and the web call: corrections, a claim's detail, series fitted with user data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from counterclaim import api
from counterclaim.errors import CounterclaimError, LedgerError, NotALedgerError, NothingToCorrectError
from counterclaim.models import Document
from counterclaim.reconcile import load_conflicts
from counterclaim.store import Ledger

SERIES = "russia-ukraine/killed/russia/military"
#: The bundled russia-ukraine profile (same slug and start), but with the fighting over on 1 March 2022.
ENDED: dict[str, Any] = {
    "conflict": [
        {
            "slug": "russia-ukraine",
            "name": "Russia–Ukraine war, ended early",
            "start": "2022-02-24",
            "end": "2022-03-01",
            "party": [{"name": "Russia", "camp": "russia"}, {"name": "Ukraine", "camp": "ukraine"}],
        }
    ]
}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = api.open_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    api.ingest(
        opened,
        [
            Document(
                id="a.txt",
                text="Ukraine says 19,000 Russian soldiers have been killed.",
                published=date(2022, 4, 7),
                outlet="A",
            ),
            Document(
                id="b.txt",
                text="Russia's defence ministry said 1,351 Russian soldiers have been killed.",
                published=date(2022, 3, 25),
                outlet="B",
            ),
        ],
    )
    yield opened
    opened.engine.dispose()


def _claim_id(ledger: Ledger, value: int) -> int:
    return int(next(c["id"] for c in ledger.claims() if c["value"] == value))


def test_api_correct_claim_canonicalises_the_claimant_and_moves_an_exact_interval(ledger: Ledger):
    claim_id = _claim_id(ledger, 19000)
    changed = api.correct_claim(
        ledger, claim_id, {"claimant": "Ukrainian General Staff", "value": 19500}, note="typo", by="ana"
    )
    assert changed == 4  # claimant, value, low, high
    claim = ledger.claim(claim_id)
    assert claim["claimant"] == "Ukraine General Staff"
    assert (claim["value"], claim["low"], claim["high"]) == (19500, 19500, 19500)
    assert api.correct_claim(ledger, claim_id, {"value": "19,500"}, note="again", by="ana") == 0


def test_api_correct_claim_with_nothing_to_correct_is_a_project_error(ledger: Ledger):
    with pytest.raises(NothingToCorrectError, match=r"\[E404\] claim \d+: say what to correct") as raised:
        api.correct_claim(ledger, _claim_id(ledger, 19000), {}, note="why", by="ana")
    assert isinstance(raised.value, CounterclaimError)
    with pytest.raises(LedgerError, match="there is no claim 999"):  # a missing claim is named first
        api.correct_claim(ledger, 999, {"value": 1}, note="why", by="ana")


def test_api_claim_detail_has_the_numbers_offset_in_each_sentence_and_the_corrections(ledger: Ledger):
    claim_id = _claim_id(ledger, 19000)
    api.correct_claim(ledger, claim_id, {"reject": True}, note="not a claim", by="ana")
    detail = api.claim_detail(ledger, claim_id)
    assert set(detail) == {"claim", "reports", "corrections"}
    assert detail["claim"]["rejected"] is True  # rejected claims are still shown
    [report] = detail["reports"]
    offset = report["number_offset"]
    assert report["evidence"][offset : offset + report["end"] - report["start"]] == "19,000"
    assert [(c["field"], c["after"]) for c in detail["corrections"]] == [("rejected", "true")]


def test_api_fit_series_reads_the_end_of_the_users_conflict_profile(ledger: Ledger):
    bundled, ended = load_conflicts(), load_conflicts(ENDED)
    priors = api.read_priors()
    [as_bundled] = api.load_series(ledger, bundled)
    [as_ended] = api.load_series(ledger, ended)
    assert as_bundled.id == as_ended.id == SERIES and as_bundled.start == as_ended.start
    running = api.fit_series(as_bundled, priors, conflicts=bundled).estimate()
    stopped = api.fit_series(as_ended, priors, conflicts=ended).estimate()
    # past the end the growth baseline stands still: less growth by the claims' day
    assert stopped.best < running.best and stopped.high < running.high
    [row] = api.summarize_series([as_ended], priors, conflicts=ended)
    assert row["best"] == round(stopped.best)


def test_api_demo_leaves_a_file_that_is_not_a_ledger_alone(tmp_path: Path):
    notes = tmp_path / "notes.db"
    notes.write_text("my notes")
    with pytest.raises(NotALedgerError, match="is not a counterclaim ledger"):
        api.demo(notes)
    assert notes.read_text() == "my notes"


def test_api_correcting_through_the_cli_and_the_web_stores_the_same_claim(tmp_path: Path):
    from click.testing import CliRunner

    from conftest import running
    from counterclaim.cli import cli
    from counterclaim.web import create_app

    article = Document(
        id="a.txt", text="Ukraine says 19,000 Russian soldiers have been killed.", published=date(2022, 4, 7)
    )
    urls = []
    for name in ("by-cli", "by-web"):
        url = f"sqlite:///{tmp_path / name}.db"
        api.ingest(api.open_ledger(url), [article])
        urls.append(url)
    claim_id = _claim_id(api.open_ledger(urls[0]), 19000)
    result = CliRunner().invoke(
        cli,
        ["correct", str(claim_id), "--claimant", "Ukrainian General Staff", "--value", "19500",
         "--as-of", "2022-04-06", "--note", "typo", "--by", "ana", "--db", urls[0]],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    app = create_app(urls[1], allow_writes=True, token="t0ken")
    with running(app) as base:
        answer = httpx.post(
            f"{base}/api/claims/{claim_id}/corrections",
            json={
                "changes": {"claimant": "Ukrainian General Staff", "value": "19500", "as_of": "2022-04-06"},
                "note": "typo",
                "by": "ana",
            },
            headers={"Authorization": "Bearer t0ken"},
        )
        assert answer.status_code == 200, answer.text
        bad = httpx.post(
            f"{base}/api/claims/{claim_id}/corrections",
            json={"changes": {"value": "12.5"}, "note": "typo"},
            headers={"Authorization": "Bearer t0ken"},
        )
        assert bad.status_code == 400 and "whole number" in bad.json()["error"]  # refused, nothing stored
    app.state.dashboard.ledger.engine.dispose()
    by_cli, by_web = (api.open_ledger(url) for url in urls)
    assert by_cli.claim(claim_id) == by_web.claim(claim_id)
    assert by_cli.claim(claim_id)["low"] == 19500  # the exact claim's interval moved with its value
    fields = [
        [(c["field"], c["before"], c["after"]) for c in ledger.history(claim_id)]
        for ledger in (by_cli, by_web)
    ]
    assert fields[0] == fields[1] and len(fields[0]) == 5


def test_api_settings_come_from_a_file_the_environment_and_the_flags_in_that_order(tmp_path: Path):
    from counterclaim.errors import DataFileError
    from counterclaim.settings import Settings

    config = tmp_path / "counterclaim.toml"
    config.write_text('[counterclaim]\ndb = "file.db"\nactors = ["mine.toml"]\ntimeout = 30\nmax_bytes = 5\n')
    settings = Settings.load(
        config,
        environ={"COUNTERCLAIM_TIMEOUT": "45", "COUNTERCLAIM_TOKEN": "s3cret"},
        max_bytes=7,
        lexicon=None,
    )
    assert settings.db == "file.db" and settings.actors == (tmp_path / "mine.toml",)  # beside the file
    assert (settings.timeout, settings.max_bytes, settings.token) == (45.0, 7, "s3cret")
    assert "s3cret" not in repr(settings)  # the token is never shown
    travelled = Settings.from_environment(settings.to_environment())
    assert travelled == settings
    config.write_text('[counterclaim]\ntoken = "secret"\n')
    with pytest.raises(DataFileError, match="never read from a file"):
        Settings.load(config, environ={})
    config.write_text('[counterclaim]\nclaimant_column = "x"\n')
    with pytest.raises(DataFileError, match="unknown setting"):
        Settings.load(config, environ={})
