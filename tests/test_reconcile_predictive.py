"""Later reports as back-test targets: the model's posterior predictive of a claimant's report and
the trend rule, on a small series of a real ministry's daily counts."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from counterclaim.reconcile import Observation, Reconciler
from counterclaim.reconcile.backtest import BACKTEST_METHODS, TREND, backtest_series, load_report_rules
from counterclaim.reconcile.predictive import predict_report, recent_trend, residual_scale
from counterclaim.reconcile.series import Series

START = date(2023, 10, 7)
#: The Gaza Health Ministry's cumulative count of the dead, as it reported it on these days
#: (the bundled daily table, one day in about three weeks).
MINISTRY = (
    ("2023-10-18", 3478), ("2023-10-31", 8525), ("2023-11-10", 11078), ("2023-12-10", 17997),
    ("2023-12-31", 21822), ("2024-01-21", 25105), ("2024-02-11", 28176), ("2024-03-03", 30410),
    ("2024-03-24", 32226), ("2024-04-14", 33729), ("2024-05-05", 34683), ("2024-05-26", 35984),
    ("2024-06-16", 37337), ("2024-07-07", 38153), ("2024-07-28", 39324), ("2024-08-18", 40099),
)  # fmt: skip


def _obs(
    day: str, value: float, claimant: str = "Gaza Health Ministry", relation: str = "own"
) -> Observation:
    when = date.fromisoformat(day)
    return Observation(claimant=claimant, relation=relation, value=value, as_of=when, published=when,
                       measure="killed", role="unspecified", key=f"{claimant}-{day}")  # fmt: skip


def _series() -> Series:
    return Series(id="israel-gaza/killed/gaza/unspecified", conflict="israel-gaza", conflict_name="Gaza",
                  start=START, measure="killed", party="Gaza", role="unspecified",
                  observations=tuple(_obs(d, v) for d, v in MINISTRY))  # fmt: skip


def test_later_reports_are_targets_only_after_the_fit_and_far_enough_ahead():
    series = _series()
    pairs, skipped = backtest_series(series, every=30, horizons=(0, 60))
    assert not skipped and set(pairs) == set(BACKTEST_METHODS)
    reports = [p for p in pairs["model"] if p.target.kind == "report"]
    assert reports and all(p.horizon == 60 for p in reports)  # none at horizon 0: it would be in the fit
    least = load_report_rules().min_horizon
    for pair in reports:
        claim = pair.target.claim
        assert claim is not None and claim.seen_on is not None and claim.seen_on > pair.origin
        assert (pair.target.day - pair.origin).days >= least
        assert pair.origin + timedelta(days=30) < pair.target.day <= pair.origin + timedelta(days=60)
        assert pair.target.value == claim.value
    # every method answers every report; the model by its predictive of the ministry's report
    assert {len(found) for found in pairs.values()} == {len(pairs["model"])}
    pair = reports[2]
    visible = [o for o in series.observations if o.seen_on is not None and o.seen_on <= pair.origin]
    model = Reconciler(seed=0, origin=series.start).fit(visible)
    again = predict_report(model, pair.target.claim, pair.target.day)  # type: ignore[arg-type]
    assert (pair.estimate.low, pair.estimate.high) == pytest.approx((again.low, again.high))
    assert pair.estimate.low < pair.estimate.best < pair.estimate.high


def test_the_predictive_band_widens_with_the_horizon_and_holds_the_ministrys_later_figures():
    visible = [_obs(d, v) for d, v in MINISTRY[:10]]  # up to 2024-03-24
    model = Reconciler(seed=0, origin=START).fit(visible)
    claim = visible[-1]
    widths, covered = [], 0
    for day, value in MINISTRY[11:]:  # 42 days on and more
        band = predict_report(model, claim, date.fromisoformat(day))
        widths.append(math.log(band.high / band.low))
        covered += band.low <= value <= band.high
    assert widths == sorted(widths) and widths[-1] > widths[0]
    assert covered == len(MINISTRY[11:])
    # the ministry's figures lie close to the curve: its learned noise is under its prior's 0.15
    learned = residual_scale(model, "Gaza Health Ministry", "own", 0.15)
    assert learned is not None and learned < 0.15
    assert residual_scale(model, "Someone Else", "own", 0.15) is None


def test_a_claimant_not_yet_in_the_fit_gets_its_relations_prior_bias():
    visible = [_obs(d, v) for d, v in MINISTRY[:6]]
    model = Reconciler(seed=0, origin=START).fit(visible)
    stranger = _obs("2024-03-01", 1, claimant="UN OCHA", relation="monitor")
    known = predict_report(model, visible[-1], date(2024, 3, 1))
    new = predict_report(model, stranger, date(2024, 3, 1))
    assert math.log(new.high / new.low) > math.log(known.high / known.low)  # its bias is not known


def test_recent_trend_grows_the_latest_figure_as_it_grew():
    visible = [_obs("2024-01-01", 100), _obs("2024-01-31", 200)]
    band = recent_trend(visible, "Gaza Health Ministry", "own", date(2024, 3, 1), 2)
    assert band is not None and band.method == TREND
    # 30 days doubled it; 30 more days: no growth … twice the growth, best the same growth again
    assert (band.low, band.best, band.high) == pytest.approx((200, 400, 800))
    assert recent_trend(visible, "Nobody", "own", date(2024, 3, 1), 2) is None
    fallen = [_obs("2024-01-01", 300), _obs("2024-01-31", 200)]  # a revised-down count does not shrink on
    band = recent_trend(fallen, "Gaza Health Ministry", "own", date(2024, 3, 1), 2)
    assert band is not None and band.low == band.best == band.high == 200
