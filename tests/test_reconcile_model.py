"""The reconciliation model and the transparent rules: the seed article, edge cases, the shared contract."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from counterclaim.actor_files import load_registry
from counterclaim.reconcile import (
    METHOD_NAMES,
    Observation,
    ReconcileError,
    Reconciler,
    build_series,
    find_series,
    make_method,
)

SEED_SERIES = "russia-ukraine/killed/russia/military"


def _obs(claimant: str, relation: str, value: float | None, day: str | None, **kw: object) -> Observation:
    return Observation(
        claimant=claimant,
        relation=relation,
        value=value,
        as_of=date.fromisoformat(day) if day else None,
        role="military",
        key=f"{claimant}-{value}-{day}-{kw.get('qualifier', 'exact')}",
        **kw,  # type: ignore[arg-type]
    )


def _seed_series(shared: Path):
    rows = [json.loads(line) for line in (shared / "seed" / "gold.jsonl").read_text().splitlines() if line]
    for number, row in enumerate(rows, 1):
        row["id"] = number
    return find_series(build_series(rows, registry=load_registry()), SEED_SERIES)


@pytest.mark.shared
def test_reconcile_model_seed_article_alone_bounds_the_russian_military_dead(shared: Path):
    series = _seed_series(shared)
    assert {o.relation for o in series.observations} == {"own", "adversary"}
    est = Reconciler(seed=0, origin=series.start).fit(series.observations).estimate("2022-04-07")
    assert est.low >= 1351
    assert est.high <= 19000
    assert est.low < est.best < est.high


@pytest.mark.shared
def test_reconcile_model_seed_explains_each_claim(shared: Path):
    series = _seed_series(shared)
    model = Reconciler(seed=0, origin=series.start).fit(series.observations)
    by_relation = {c.relation: c for c in model.explain("2022-04-07")}
    # the own count is adjusted up, the adversary's down, and the weights share the whole pull
    assert by_relation["own"].adjusted > 1351
    assert by_relation["adversary"].adjusted < 19000
    assert math.isclose(sum(c.weight for c in model.claims_), 1.0)
    assert all(c.weight > 0 for c in model.claims_)


EDGE_CASES = {
    "one claim": [_obs("Ukraine", "adversary", 19000, "2022-04-07")],
    "only lower bounds": [
        _obs("OHCHR", "monitor", 1500, "2022-04-07", qualifier="at_least"),
        _obs("Ukraine", "adversary", 3000, "2022-05-01", qualifier="more_than"),
    ],
    "own above adversary": [
        _obs("Russia Ministry of Defence", "own", 50000, "2022-04-01"),
        _obs("Ukraine", "adversary", 1000, "2022-04-02"),
    ],
    "a zero": [_obs("Ukraine", "adversary", 0, "2022-04-07"), _obs("OHCHR", "monitor", 0, "2022-04-08")],
    "ten to the twelfth": [_obs("Ukraine", "adversary", 10**12, "2022-04-07")],
    "out of date order": [
        _obs("Ukraine", "adversary", 19000, "2022-04-07"),
        _obs("Russia Ministry of Defence", "own", 1351, "2022-03-25"),
        _obs("Ukraine", "adversary", 9000, "2022-03-10"),
    ],
    "a missing as_of": [
        _obs("Ukraine", "adversary", 19000, None),
        _obs("OHCHR", "monitor", 900, "2022-03-01"),
    ],
    "only a missing as_of": [_obs("Ukraine", "adversary", 19000, None)],
    "ranges and about": [
        _obs("CIA", "independent", None, "2022-07-20", qualifier="range", low=15000, high=20000),
        _obs("Ukraine", "adversary", 38500, "2022-07-19", qualifier="about"),
        _obs("UK MoD", "independent", 25000, "2022-06-29", qualifier="at_most"),
    ],
}


@pytest.mark.parametrize("method", METHOD_NAMES)
@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_reconcile_model_edge_cases_give_finite_ordered_estimates(method: str, case: str):
    fitted = make_method(method, seed=0, origin=date(2022, 2, 24)).fit(EDGE_CASES[case])
    for day in (None, "2022-01-01", "2022-04-07", "2023-01-01"):
        est = fitted.estimate(day)
        values = (est.low, est.best, est.high)
        assert all(math.isfinite(v) and v >= 0 for v in values), (case, day, values)
        assert est.low <= est.best <= est.high, (case, day, values)
    assert all(math.isfinite(c.weight) for c in fitted.explain())


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_reconcile_model_contract_deterministic_order_free_and_refittable(method: str):
    claims = EDGE_CASES["out of date order"] + EDGE_CASES["ranges and about"]
    first = make_method(method, seed=3).fit(claims)
    again = make_method(method, seed=3).fit(list(reversed(claims)))
    assert first.fit(claims) is first  # fit returns self, and refitting changes nothing
    for day in ("2022-03-01", "2022-07-20", "2022-12-31"):
        assert first.estimate(day) == again.estimate(day)
    assert [c.to_dict() for c in first.claims_] == [c.to_dict() for c in again.claims_]


def test_reconcile_model_bounds_are_censored_not_points():
    # an "at least" figure says nothing against a much larger truth; the same figure as a point does
    at_least = [_obs("Reuters", "independent", 1000, "2022-04-07", qualifier="at_least")]
    point = [_obs("Reuters", "independent", 1000, "2022-04-07")]
    censored = Reconciler().fit(at_least).estimate()
    exact = Reconciler().fit(point).estimate()
    assert censored.best > exact.best
    assert censored.high > exact.high


def test_reconcile_model_about_widens_the_interval():
    exact = Reconciler().fit([_obs("Reuters", "independent", 1000, "2022-04-07")]).estimate()
    about = (
        Reconciler().fit([_obs("Reuters", "independent", 1000, "2022-04-07", qualifier="about")]).estimate()
    )
    assert about.high / about.low > exact.high / exact.low


def test_reconcile_model_own_side_lag_lets_the_count_catch_up():
    # the same own-side figure says more about the truth early in a war than a year in
    early = Reconciler(origin=date(2022, 2, 24)).fit(
        [_obs("Russia Ministry of Defence", "own", 5000, "2022-03-10")]
    )
    late = Reconciler(origin=date(2022, 2, 24)).fit(
        [_obs("Russia Ministry of Defence", "own", 5000, "2023-03-10")]
    )
    early_gap = early.estimate("2022-03-10").best / 5000
    late_gap = late.estimate("2023-03-10").best / 5000
    assert early_gap > late_gap > 1


def test_reconcile_model_one_actor_is_one_witness():
    # twenty claims by one party move the estimate less than twenty parties would (parties
    # with figures of their own: twenty names repeating one figure are one source, see
    # test_reconcile_reporting.py)
    days = [f"2022-04-{d:02d}" for d in range(1, 21)]
    one = [_obs("Ukraine", "adversary", 19000 + 50 * i, day) for i, day in enumerate(days)]
    many = [_obs(f"Adversary {i}", "adversary", 19000 + 50 * i, day) for i, day in enumerate(days)]
    single = Reconciler().fit(one).estimate("2022-04-20")
    crowd = Reconciler().fit(many).estimate("2022-04-20")
    assert single.high / single.low > crowd.high / crowd.low


def test_reconcile_model_refuses_nothing_to_reconcile():
    with pytest.raises(ReconcileError, match="E501"):
        Reconciler().fit([_obs("Ukraine", "adversary", None, "2022-04-07")])
    with pytest.raises(ReconcileError, match="unknown method"):
        make_method("mean-of-everything")
    with pytest.raises(ReconcileError, match="not fitted"):
        Reconciler().estimate("2022-04-07")
