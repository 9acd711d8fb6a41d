"""The truths protocol and calibration: synthetic files of the truths.csv shape, and the real one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from counterclaim.reconcile import METHOD_NAMES, RULES, ReconcileError, load_priors, quantity_to_series
from counterclaim.reconcile.calibrate import fit_priors, residuals
from counterclaim.reconcile.truths import build_checks, evaluate_checks, parse_day, parse_truths

HEADER = "id,quantity,subject_party,claimant,kind,as_of,published,value,low,high,qualifier,source\n"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021", date(2021, 7, 1)),
        ("2020-11", date(2020, 11, 15)),
        ("2020-11-09", date(2020, 11, 9)),
        ("final", None),
    ],
)
def test_reconcile_truths_dates(text: str, day: date | None):
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("quantity", "measure", "role"),
    [
        ("military_killed", "killed", "military"),
        ("civilians_killed", "killed", "civilian"),
        ("killed", "killed", "unspecified"),
        ("military_personnel_losses", "personnel_losses", "military"),
        ("military_killed_or_seriously_wounded", "killed_or_seriously_wounded", "military"),
        ("civilians_displaced", "displaced", "civilian"),
    ],
)
def test_reconcile_truths_quantity_mapping(quantity: str, measure: str, role: str):
    assert quantity_to_series(quantity) == (measure, role)


def test_reconcile_truths_protocol_on_a_synthetic_file():
    text = HEADER + "\n".join(
        [
            "X1a,military_killed,Northland,Southland MoD,claim,2020-01-10,2020-01-10,900,,,,s",
            "X1b,military_killed,Northland,Northland MoD,own,2020-01-20,2020-01-21,300,,,,s",
            "X1c,military_killed,Northland,Southland president,claim,2021,2021,,700,800,,s",  # year, no value
            "X1d,military_killed,Northland,Named list,named,2020-01-20,2023-01-01,350,,,at_least,s",
            "X1e,military_killed,Northland,Registry,est,2020-01-15,2020-06-01,500,450,560,,s",
            "X1f,military_killed,Northland,Official final,own,final,final,520,,,,s",
            "X1g,civilians_killed,Northland,Health ministry,est,2020-02-01,2020-03-01,40,,,,s",  # no input
            "X2a,military_personnel_losses,Northland,South MoD,claim,2020-02-01,2020-02-01,5000,,,about,s",
        ]
    )
    rows = parse_truths(text)
    assert [r.group for r in rows] == ["X1"] * 7 + ["X2"]
    checks, skipped = build_checks(rows)
    by_id = {c.row.id: c for c in checks}
    assert set(by_id) == {"X1d", "X1e", "X1f"}
    assert by_id["X1d"].floor and not by_id["X1e"].floor
    # X1e may use only what was published by 2020-01-15; the final figure uses every input
    assert [o.key for o in by_id["X1e"].inputs] == ["X1a"]
    assert sorted(o.key for o in by_id["X1f"].inputs) == ["X1a", "X1b", "X1c"]
    assert by_id["X1f"].day == date(2021, 7, 1)
    assert {o.relation for o in by_id["X1f"].inputs} == {"adversary", "own"}
    assert any(line.startswith("X1g") for line in skipped)
    scores = evaluate_checks(checks)
    assert list(scores) == list(METHOD_NAMES)
    for score in scores.values():
        assert score.checks == 3 and 0.0 <= score.coverage <= 1.0
        assert score.median_abs_log_error is not None and score.median_abs_log_error >= 0


def test_reconcile_truths_rejects_a_file_of_another_shape():
    with pytest.raises(ReconcileError, match="column"):
        parse_truths("id,value\nA1,3\n")
    with pytest.raises(ReconcileError, match="not a date"):
        parse_truths(HEADER + "A1a,killed,X,Y,claim,yesterday,2020-01-01,3,,,,s\n")


@pytest.mark.shared
def test_reconcile_truths_model_beats_every_rule_on_the_real_file(shared: Path):
    checks, _ = build_checks(parse_truths((shared / "data" / "truths.csv").read_text(encoding="utf-8")))
    assert len(checks) >= 3
    scores = evaluate_checks(checks)
    model = scores["model"]
    for rule in RULES:
        assert model.coverage >= scores[rule].coverage, rule
        assert model.median_abs_log_error is not None
        assert model.median_abs_log_error < (scores[rule].median_abs_log_error or float("inf")), rule


@pytest.mark.shared
@pytest.mark.slow
def test_reconcile_truths_calibration_never_worsens_and_touches_only_what_it_saw(shared: Path):
    checks, _ = build_checks(parse_truths((shared / "data" / "truths.csv").read_text(encoding="utf-8")))
    shipped = load_priors()
    fitted, points = fit_priors(checks)
    assert len(points) == 75  # 5 shifts for each of two (relation, quantity) keys, times 3 sd scales
    before = evaluate_checks(checks, methods=["model"], priors=shipped)["model"]
    after = evaluate_checks(checks, methods=["model"], priors=fitted)["model"]
    assert after.coverage >= before.coverage
    assert (after.median_abs_log_error or 0) <= (before.median_abs_log_error or 0)
    # the truths file says nothing of civilians: their priors stay as shipped
    assert fitted.lookup("own", "killed", "civilian") == shipped.lookup("own", "killed", "civilian")
    assert all(row["relation"] in ("own", "adversary") for row in residuals(checks))
