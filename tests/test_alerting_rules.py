"""The pure alert rules: parsing a rules file, and which changes of an estimate raise which alerts."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest

from counterclaim.alerting import (
    NewClaim,
    Revision,
    Rule,
    Transition,
    atom_feed,
    evaluate,
    payload,
    rules_from_table,
)
from counterclaim.errors import DataFileError

GAZA = "gaza/killed/palestine/unspecified"
EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "counterclaim" / "data" / "alerts.example.toml"


def _revision(rid: int, best: float, low: float, high: float, claims: tuple[int, ...]) -> Revision:
    return Revision(
        rid, GAZA, date(2024, 6, 30), low, best, high, "reconciler", "1", len(claims), f"digest-{rid}",
        claims, datetime(2024, 7, 1, tzinfo=UTC),
    )  # fmt: skip


BEFORE = _revision(1, 40000, 30000, 60000, (1, 2))
AFTER = _revision(2, 46000, 33000, 70000, (1, 2, 3))


def test_the_shipped_example_file_parses_and_covers_every_kind():
    rules = rules_from_table(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")), str(EXAMPLE))
    assert {rule.kind for rule in rules} == {"best_moves", "outside_band", "new_claimant", "corrected"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"rule": [{"name": "a", "series": "*", "kind": "rises"}]}, "kind must be one of"),
        ({"rule": [{"name": "a", "series": "*", "kind": "best_moves"}]}, "needs percent"),
        ({"rule": [{"name": "a", "series": "*", "kind": "best_moves", "percent": -5}]}, "needs percent"),
        ({"rule": [{"name": "a", "series": "*", "kind": "corrected", "percent": 5}]}, "for best_moves only"),
        ({"rule": [{"name": "a", "series": "", "kind": "corrected"}]}, "series must be"),
        ({"rule": [{"name": "a", "series": "*", "kind": "corrected", "channels": ["sms"]}]}, "channels"),
        ({"rule": [{"name": "a", "series": "*", "kind": "corrected", "colour": 1}]}, "unknown field"),
        ({"rules": []}, "unknown table"),
        ({"rule": [{"name": "a", "series": "*", "kind": "corrected"}] * 2}, "two rules are named"),
    ],
)
def test_a_malformed_rule_says_what_is_wrong(table: dict, message: str):
    with pytest.raises(DataFileError, match=message):
        rules_from_table(table, "alerts.toml")


def test_a_rule_matches_a_series_by_id_or_pattern():
    assert Rule("a", "Gaza/killed/*", "corrected").applies_to("gaza/killed/palestine/unspecified")
    assert Rule("a", "gaza/killed/palestine/unspecified", "corrected").applies_to(
        "gaza/killed/palestine/unspecified"
    )
    assert not Rule("a", "sudan/*", "corrected").applies_to("gaza/killed/palestine/unspecified")


def test_best_moves_fires_past_its_threshold_either_way_and_names_the_farthest_new_claim():
    change = Transition(AFTER.series_id, BEFORE, AFTER, [NewClaim(3, "Hamas", 90000, 90000)])
    assert [a.claim_id for a in evaluate([Rule("m", "*", "best_moves", percent=10)], change)] == [3]
    assert evaluate([Rule("m", "*", "best_moves", percent=20)], change) == []  # moved 15%
    down = Transition(AFTER.series_id, AFTER, _revision(3, 30000, 20000, 50000, (1, 2, 3)))
    [alert] = evaluate([Rule("m", "*", "best_moves", percent=10)], down)
    assert "down 34.8%" in alert.summary and alert.claim_id is None


def test_outside_band_and_new_claimant_fire_once_per_claim_and_claimant():
    claims = [
        NewClaim(3, "Hamas", 90000, 90000, band=(30000, 60000)),  # above
        NewClaim(4, "IDF", None, 20000, band=(30000, 60000)),  # "at most 20,000": below
        NewClaim(5, "hamas", 45000, 45000, band=(30000, 60000)),  # inside; a claimant seen in this batch
    ]
    change = Transition(AFTER.series_id, BEFORE, AFTER, claims, frozenset({"idf"}))
    band = evaluate([Rule("b", "*", "outside_band")], change)
    assert [(a.claim_id, "above" in a.summary) for a in band] == [(3, True), (4, False)]
    assert len({a.cause for a in band}) == 2
    fresh = evaluate([Rule("n", "*", "new_claimant")], change)
    assert [a.claim_id for a in fresh] == [3]  # Hamas is new (once), the IDF is not


def test_the_atom_feed_of_alerts_is_valid_atom():
    change = Transition(AFTER.series_id, BEFORE, AFTER, corrections=[(2, 7, ("value",))])
    [alert] = evaluate([Rule("c", "*", "corrected")], change)
    alert.claim = {"id": 2, "claimant": "MoH", "value": 5 << 12, "evidence": "A <b>sentence</b> & more.",
                   "url": "https://example.org/a?b=1&c=2"}  # fmt: skip
    body = payload(alert, alert_id=9, created_at=datetime(2024, 7, 1, tzinfo=UTC))
    feed = feedparser.parse(atom_feed([body], base_url="http://localhost:8000/", updated=datetime.now(UTC)))
    assert not feed.bozo and feed.version == "atom10"
    [entry] = feed.entries
    assert entry.title == alert.summary and "A <b>sentence</b> & more." in entry.summary
    assert entry.link == f"http://localhost:8000/series/{AFTER.series_id}"


def test_a_cause_fits_its_column_and_stays_unique():
    from counterclaim.alerting import MAX_CAUSE
    from counterclaim.store.schema import alerts, max_length

    assert max_length(alerts, "cause") == MAX_CAUSE
    long_names = ["Ministry " * 80 + suffix for suffix in ("A", "B")]
    changes = [Transition(AFTER.series_id, BEFORE, AFTER, [NewClaim(3, name, 10, 10)]) for name in long_names]
    causes = [evaluate([Rule("n", "*", "new_claimant")], change)[0].cause for change in changes]
    assert all(len(cause) <= MAX_CAUSE for cause in causes) and causes[0] != causes[1]
