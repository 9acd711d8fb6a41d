"""The model of reporting, on the real model: revisions, copies, bounds that bind, caps, k̂, the horizon."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from counterclaim.reconcile import MODEL_NAME, MODEL_VERSION, Observation, Reconciler, load_caps
from counterclaim.reconcile.psis import psis

START = date(2022, 2, 24)


def _claim(claimant: str, relation: str, value: float, day: date, **kw: object) -> Observation:
    return Observation(
        claimant=claimant, relation=relation, value=value, as_of=day,
        key=f"{claimant}-{value}-{day}", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _ratio(a: float, b: float) -> float:
    return abs(a / b - 1.0)


# The World Trade Center list of the dead, as New York City revised it (own count of its dead).
WTC = [
    (date(2001, 9, 24), 6729),
    (date(2001, 12, 26), 3899),
    (date(2002, 9, 11), 2801),
    (date(2004, 1, 23), 2749),
]


def test_reconcile_reporting_a_revised_down_claim_lowers_best():
    # one day's attack: the true toll was settled that day (the clock stops at the profile's end)
    origin = end = date(2001, 9, 11)
    first = [_claim("New York City", "own", WTC[0][1], WTC[0][0])]
    revised = [_claim("New York City", "own", value, day) for day, value in WTC]
    last = WTC[-1][0]
    before = Reconciler(seed=0, origin=origin, end=end).fit(first).estimate(last)
    model = Reconciler(seed=0, origin=origin, end=end).fit(revised)
    after = model.estimate(last)
    assert [c.used for c in model.claims_] == [False, False, True, True]
    assert after.best < before.best
    # the later figures supersede the first: best sits with them, not above every one of them
    assert after.best < WTC[1][1]
    assert after.low <= WTC[-1][1] <= after.high


def test_reconcile_reporting_one_revision_lowers_best_of_a_growing_series():
    claims = [
        _claim("Health Ministry", "own", v, START + timedelta(days=d)) for d, v in ((10, 500), (20, 900))
    ]
    day = START + timedelta(days=30)
    before = Reconciler(seed=0, origin=START).fit(claims).estimate(day)
    after = (
        Reconciler(seed=0, origin=START)
        .fit([*claims, _claim("Health Ministry", "own", 700, day)])
        .estimate(day)
    )
    assert after.best < before.best


def _ministry_series() -> list[Observation]:
    days = [START + timedelta(days=d) for d in range(10, 400, 13)]
    own = [_claim("Health Ministry", "own", round(300 * (i + 1) ** 0.9), day) for i, day in enumerate(days)]
    others = [
        _claim("Reuters", "independent", 5200, START + timedelta(days=200)),
        _claim("Adversary", "adversary", 14000, START + timedelta(days=300)),
    ]
    return own + others


@pytest.mark.parametrize("relation", ["own", "unknown", "independent"])
def test_reconcile_reporting_a_copy_under_another_name_moves_the_band_less_than_ten_percent(relation: str):
    claims = _ministry_series()
    copy = [
        _claim("Ministry of Health in Gaza", relation, o.value or 0, o.as_of or START)
        for o in claims
        if o.claimant == "Health Ministry"
    ]
    day = START + timedelta(days=400)
    before = Reconciler(seed=0, origin=START).fit(claims).estimate(day)
    after = Reconciler(seed=0, origin=START).fit(claims + copy).estimate(day)
    for field in ("low", "best", "high"):
        assert _ratio(getattr(after, field), getattr(before, field)) < 0.10, field


def test_reconcile_reporting_a_partial_copy_a_day_late_is_still_one_source():
    claims = _ministry_series()
    copy = [
        _claim("Gaza Media Office", "own", o.value or 0, (o.as_of or START) + timedelta(days=1))
        for o in claims[::2]
        if o.claimant == "Health Ministry"
    ]
    model = Reconciler(seed=0, origin=START).fit(claims + copy)
    day = START + timedelta(days=400)
    before = Reconciler(seed=0, origin=START).fit(claims).estimate(day)
    after = model.estimate(day)
    assert len(model.actors_) == 3  # the ministry (with its copy), Reuters, the adversary
    assert not all(c.used for c in model.claims_)
    assert _ratio(after.high / after.low, before.high / before.low) < 0.10


@pytest.mark.parametrize("relation", ["monitor", "own"])
@pytest.mark.parametrize("role", ["civilian", "military", "unspecified"])
@pytest.mark.parametrize("value", [3, 250, 5916, 2_000_000])
def test_reconcile_reporting_a_single_at_least_count_never_gets_a_low_below_it(
    relation: str, role: str, value: int
):
    claim = Observation(claimant="Counter", relation=relation, qualifier="at_least", value=value,
                        as_of=date(2022, 9, 25), role=role)  # fmt: skip
    model = Reconciler(seed=0, origin=START).fit([claim])
    for day in (date(2022, 9, 25), date(2022, 12, 26), date(2024, 1, 1)):
        estimate = model.estimate(day)
        assert estimate.low >= value, (day, estimate)
        assert estimate.high / estimate.low < 20 or day > date(2022, 12, 26)


def test_reconcile_reporting_a_contradicted_at_least_count_gives_way():
    # a monitor's "at least 5,000" against ten other claimants' counts of about 1,000 on later days
    day = date(2022, 6, 1)
    claims = [
        Observation(claimant="Monitor", relation="monitor", qualifier="at_least", value=5000, as_of=day),
        *(_claim(f"Paper {i}", "independent", 1000 + 7 * i, day + timedelta(days=i)) for i in range(1, 11)),
    ]
    model = Reconciler(seed=0, origin=START).fit(claims)
    assert model.contradiction_
    assert model.estimate(day + timedelta(days=3)).low < 5000


# OHCHR's verified minimums of Ukrainian civilian dead (as published; "at least" each time), and
# its verified count three months after the last of them.
OHCHR = [(date(2022, 3, 27), 1119), (date(2022, 6, 26), 4731), (date(2022, 9, 25), 5916)]
OHCHR_LATER = (date(2022, 12, 26), 6884)


def test_reconcile_reporting_ohchr_three_at_least_counts_and_one():
    claims = [
        Observation(
            claimant="OHCHR", relation="monitor", qualifier="at_least", value=v, as_of=d, role="civilian"
        )
        for d, v in OHCHR
    ]
    later_day, later = OHCHR_LATER
    three = Reconciler(seed=0, origin=START).fit(claims).estimate(later_day)
    one = Reconciler(seed=0, origin=START).fit(claims[-1:]).estimate(later_day)
    for estimate in (three, one):
        assert estimate.low >= 5916
        # the later verified count is itself a minimum (OHCHR says the toll is higher): a floor
        assert estimate.high >= later
        assert estimate.high / estimate.low < 20
        assert estimate.days_past_last_claim == (later_day - OHCHR[-1][0]).days


def test_reconcile_reporting_the_band_widens_past_the_last_claim():
    claims = [
        _claim("Monitor", "monitor", 100 * (i + 1), START + timedelta(days=30 * (i + 1))) for i in range(6)
    ]
    model = Reconciler(seed=0, origin=START).fit(claims)
    last = START + timedelta(days=180)
    widths = []
    for horizon in (0, 90, 365, 730):
        estimate = model.estimate(last + timedelta(days=horizon))
        assert estimate.days_past_last_claim == horizon
        assert estimate.to_dict()["days_past_last_claim"] == horizon
        widths.append(estimate.high / estimate.low)
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_reconcile_reporting_a_cap_holds_on_every_day():
    claim = Observation(claimant=None, relation="unknown", qualifier="more_than", value=7_400_000,
                        as_of=date(2022, 9, 22), measure="refugees", role="civilian")  # fmt: skip
    cap = load_caps().cap_for("Ukraine", "refugees")
    assert cap is not None
    model = Reconciler(seed=0, origin=START, cap=cap).fit([claim])
    for day in (date(2022, 9, 22), date(2023, 9, 22), date(2030, 1, 1)):
        assert model.estimate(day).high <= cap


def test_reconcile_reporting_a_cap_holds_even_when_every_claim_runs_above_it():
    # a dense series far over the cap (a mis-scoped count): the claims give way, never the cap
    claims = [
        _claim("Staff", "adversary", 2000 * (i + 1), START + timedelta(days=10 * (i + 1))) for i in range(40)
    ]
    model = Reconciler(seed=0, origin=START, cap=5000).fit(claims)
    for day in (START + timedelta(days=100), START + timedelta(days=400), START + timedelta(days=900)):
        assert model.estimate(day).high <= 5000


def test_reconcile_reporting_k_hat_is_reported_and_the_model_is_named():
    model = Reconciler(seed=0, origin=START).fit(_ministry_series())
    estimate = model.estimate()
    assert estimate.pareto_k == pytest.approx(model.pareto_k_, abs=1e-3)
    assert (estimate.warning is None) == (model.pareto_k_ <= 0.7)
    assert MODEL_NAME and MODEL_VERSION


def test_reconcile_reporting_psis_k_hat_follows_the_tail():
    rng = np.random.default_rng(1)
    light = psis(rng.normal(0.0, 0.2, 4000))[1]
    heavy = psis(np.log(rng.pareto(1.0, 4000) + 1.0))[1]  # weights with an infinite mean: k = 1
    assert light < 0.5 < 0.7 < heavy
