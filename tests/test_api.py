"""The use cases the CLI and the web call: corrections, a claim's detail, series fitted with user data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

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
    opened.ingest(
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
        ]
    )
    yield opened
    opened.engine.dispose()


def _claim_id(ledger: Ledger, value: int) -> int:
    return int(next(c["id"] for c in ledger.claims() if c["value"] == value))


def test_api_correct_claim_canonicalises_the_claimant_and_moves_an_exact_interval(ledger: Ledger):
    claim_id = _claim_id(ledger, 19000)
    changed = api.correct_claim(
        ledger, claim_id, claimant="Ukrainian General Staff", value=19500, note="typo", by="ana"
    )
    assert changed == 4  # claimant, value, low, high
    claim = ledger.claim(claim_id)
    assert claim["claimant"] == "Ukraine General Staff"
    assert (claim["value"], claim["low"], claim["high"]) == (19500, 19500, 19500)
    assert api.correct_claim(ledger, claim_id, value=19500, note="again", by="ana") == 0


def test_api_correct_claim_with_nothing_to_correct_is_a_project_error(ledger: Ledger):
    with pytest.raises(NothingToCorrectError, match=r"\[E404\] claim \d+: say what to correct") as raised:
        api.correct_claim(ledger, _claim_id(ledger, 19000), note="why", by="ana")
    assert isinstance(raised.value, CounterclaimError)
    with pytest.raises(LedgerError, match="there is no claim 999"):  # a missing claim is named first
        api.correct_claim(ledger, 999, note="why", by="ana")


def test_api_claim_detail_has_the_numbers_offset_in_each_sentence_and_the_corrections(ledger: Ledger):
    claim_id = _claim_id(ledger, 19000)
    api.correct_claim(ledger, claim_id, reject=True, note="not a claim", by="ana")
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
