"""The back-test on a real SQLite ledger of articles published after the day their claims speak of."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist

import click
import pytest
from click.testing import CliRunner

from counterclaim import api
from counterclaim.cli.reconciling import register
from counterclaim.errors import BacktestError
from counterclaim.models import Document
from counterclaim.reconcile import METHOD_NAMES, Observation, make_method
from counterclaim.reconcile.backtest import (
    ALPHA,
    BACKTEST_METHODS,
    Pair,
    Target,
    backtest_series,
    parse_horizons,
    parse_span,
    truth_targets,
)
from counterclaim.reconcile.base import Estimate
from counterclaim.reconcile.scoring import summarize
from counterclaim.reconcile.series import Series
from counterclaim.reconcile.truths import parse_truths

SERIES = "russia-ukraine/killed/russia/military"
HEADER = "id,quantity,subject_party,claimant,kind,as_of,published,value,low,high,qualifier,source\n"
NAMED = (
    "Mediazona has confirmed the names of at least {n} Russian soldiers killed in Ukraine since the "
    "invasion, as of {d}."
)
LATE = "As of {d}, Ukraine says {n} Russian soldiers have been killed since the invasion began."
#: (name, published, text): two of Ukraine's claims are published months after the day they count.
ARTICLES = (
    ("late-1.txt", "2022-06-01", LATE.format(d="March 1, 2022", n="9,000")),
    ("mod.txt", "2022-03-25", "The Russian defence ministry said on Friday that 1,351 Russian soldiers had "
                              "been killed since the start of the operation."),
    ("named-1.txt", "2022-04-12", NAMED.format(n="2,000", d="April 10, 2022")),
    ("named-2.txt", "2022-06-22", NAMED.format(n="4,000", d="June 20, 2022")),
    ("named-3.txt", "2022-09-16", NAMED.format(n="6,000", d="September 15, 2022")),
    ("late-2.txt", "2022-10-01", LATE.format(d="July 1, 2022", n="30,000")),
)  # fmt: skip


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("backtest") / "ledger.db"
    ledger = api.open_ledger(str(path))
    docs = [Document(id=name, text=text, published=date.fromisoformat(day), outlet="Outlet")
            for name, day, text in ARTICLES]  # fmt: skip
    api.ingest(ledger, docs)
    ledger.engine.dispose()
    return str(path)


@pytest.fixture(scope="module")
def group() -> click.Group:
    cli = click.Group("counterclaim")
    register(cli)
    return cli


def invoke(group: click.Group, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_backtest_observations_carry_the_day_they_were_published(ledger_path: str):
    ledger = api.open_ledger(ledger_path, create=False)
    [series] = [s for s in api.load_series(ledger, api.read_conflicts()) if s.id == SERIES]
    days = {(o.claimant, o.as_of): o.published for o in series.observations}
    assert days[("Ukraine", date(2022, 3, 1))] == date(2022, 6, 1)
    assert days[("Ukraine", date(2022, 7, 1))] == date(2022, 10, 1)
    assert days[("Mediazona", date(2022, 4, 10))] == date(2022, 4, 12)


def test_backtest_never_uses_a_claim_published_after_its_origin(ledger_path: str):
    ledger = api.open_ledger(ledger_path, create=False)
    conflicts = api.read_conflicts()
    [series] = [s for s in api.load_series(ledger, conflicts) if s.id == SERIES]
    report = api.backtest(ledger, conflicts, api.read_priors(), horizons="0,90")
    assert report.series == [SERIES]
    leaked_somewhere = False
    for name in METHOD_NAMES:
        pairs = report.scores[name].pairs
        assert pairs
        for pair in pairs:
            seen = [o for o in series.observations if o.published is not None and o.published <= pair.origin]
            by_as_of = [o for o in series.observations if o.as_of is not None and o.as_of <= pair.origin]
            assert pair.estimate.n_claims == len(seen), (name, pair.origin)
            # the same estimate as a method fitted on exactly those claims
            alone = make_method(name, seed=0, origin=series.start).fit(seen).estimate(pair.target.day)
            assert (pair.estimate.low, pair.estimate.best, pair.estimate.high) == pytest.approx(
                (alone.low, alone.best, alone.high)
            )
            leaked_somewhere |= len(by_as_of) > len(seen)
    # the ledger makes the test bite: at some origin a claim's day had passed but it was not yet published
    assert leaked_somewhere


def test_backtest_scores_floors_from_the_verified_counts(ledger_path: str):
    ledger = api.open_ledger(ledger_path, create=False)
    report = api.backtest(ledger, api.read_conflicts(), api.read_priors(), horizons="0,90")
    counts = {date(2022, 4, 10): 2000, date(2022, 6, 20): 4000, date(2022, 9, 15): 6000}  # Mediazona's
    pairs = report.scores["model"].pairs
    assert {p.target.value for p in pairs} == set(counts.values())
    for pair in pairs:  # the latest count on or before the day asked, and less than 30 days before it
        assert pair.target.floor and pair.target.day == pair.origin + timedelta(days=pair.horizon)
        latest = max(d for d in counts if d <= pair.target.day)
        assert pair.target.value == counts[latest] and (pair.target.day - latest).days < 30


def test_backtest_json_has_one_object_per_method(group: click.Group, ledger_path: str):
    code, out, err = invoke(group, "backtest", "--db", ledger_path, "--every", "30d", "--horizons", "0,90",
                            "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == list(BACKTEST_METHODS)
    pairs = {row["pairs"] for row in data.values()}
    assert len(pairs) == 1 and pairs.pop() > 0  # every method meets every pair
    for row in data.values():
        assert {"pairs", "coverage", "coverage_ci", "interval_score", "median_abs_log_error"} <= set(row)
        # floors only (Mediazona's "at least" counts): no point target, so no coverage of one
        assert row["floor_pairs"] == row["pairs"] and row["point_pairs"] == 0
        assert row["coverage"] is row["coverage_ci"] is row["interval_score"] is None
        assert row["median_abs_log_error"] is None
        low, high = row["floor_consistency_ci"]
        assert 0 <= low <= row["floor_consistency"] <= high <= 1 and row["floor_pinball"] >= 0
        assert set(row["by_kind"]) == {"report", "truth", "floor"}
        assert set(row["by_horizon"]) == {"0", "90"}
        assert sum(h["pairs"] for h in row["by_horizon"].values()) == row["pairs"]
    assert "origins" in err  # progress on stderr


def test_backtest_table_and_a_named_series(group: click.Group, ledger_path: str):
    code, out, _ = invoke(group, "backtest", SERIES, "--db", ledger_path, "--horizons", "0")
    assert code == 0 and "floors reached" in out
    for name in BACKTEST_METHODS:
        assert name in out


def test_backtest_truths_are_targets_of_their_own_party_only(
    group: click.Group, ledger_path: str, tmp_path: Path
):
    truths = tmp_path / "truths.csv"
    truths.write_text(HEADER + "U1,military_killed,Ukraine,Registry,est,2022-07-15,2023-01-01,9000,,,,s\n"
                      "R1,military_killed,Russia,Registry,est,2022-07-15,2023-01-01,15000,12000,19000,,s\n",
                      encoding="utf-8")  # fmt: skip
    targets, _ = truth_targets(parse_truths(truths.read_text(encoding="utf-8")), api.read_conflicts())
    assert [t.value for t in targets[SERIES]] == [15000]
    assert [t.value for t in targets["russia-ukraine/killed/ukraine/military"]] == [9000]
    code, out, err = invoke(
        group, "backtest", "--db", ledger_path, "--truths", str(truths), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["model"]["median_abs_log_error"] is not None  # R1 is a point target
    assert "killed/ukraine/military: no such series" in err  # U1 is not checked against Russia's dead


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--every", "soon"), "--every: 'soon' is not a span of days"),
        (("--every", "0d"), "at least 1"),
        (("--horizons", "0,-90"), "--horizons: '-90' is not a span of days"),
        (("--horizons", " , "), "names no horizon"),
        (("--horizons", "0,90x"), "'90x' is not a span"),
    ],
)
def test_backtest_bad_flags_are_one_coded_line(group: click.Group, ledger_path: str, args: tuple[str, ...],
                                               says: str):  # fmt: skip
    code, out, err = invoke(group, "backtest", "--db", ledger_path, *args)
    assert code == 1 and not out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("counterclaim: error: [E502]") and says in lines[0]


def test_backtest_an_unknown_series_or_nothing_to_score(group: click.Group, ledger_path: str, tmp_path: Path):
    code, _, err = invoke(group, "backtest", "no/such/series", "--db", ledger_path)
    assert code == 1 and "[E501]" in err and "no series" in err
    empty = tmp_path / "empty.db"
    api.open_ledger(str(empty)).engine.dispose()
    code, _, err = invoke(group, "backtest", "--db", str(empty))
    assert code == 1 and "[E502] nothing to score" in err


def test_backtest_spans_and_horizons():
    assert parse_span("30") == parse_span("30d") == 30
    assert (parse_span("2w"), parse_span("1Y")) == (14, 365)
    assert parse_horizons("365,0, 90d,90") == (0, 90, 365)
    with pytest.raises(BacktestError):
        parse_span("1y", least=1000)


def _pair(low: float, best: float, high: float, truth: float, floor: bool) -> Pair:
    day = date(2024, 1, 1)
    return Pair("s", day, 0, Target(day, truth, floor, "t"), Estimate(low, best, high, day, "m", 1))


def test_backtest_scores_a_point_and_a_floor():
    inside = _pair(100, 200, 400, 300, floor=False)
    assert inside.covered and inside.interval_score == pytest.approx(math.log(4))
    assert inside.abs_log_error == pytest.approx(math.log(1.5))
    below = _pair(100, 200, 400, 50, floor=False)  # a point under the band pays for its distance
    assert not below.covered
    assert below.interval_score == pytest.approx(math.log(4) + 2 / ALPHA * math.log(2))
    # a floor under the band is consistent with it: the truth may be anywhere above 50
    held = _pair(100, 200, 400, 50, floor=True)
    assert held.covered and held.interval_score == pytest.approx(math.log(4)) and held.abs_log_error is None
    broken = _pair(100, 200, 400, 800, floor=True)  # the truth is at least 800: the band is too low
    assert not broken.covered
    assert broken.interval_score == pytest.approx(math.log(4) + 2 / ALPHA * math.log(2))


def test_floors_are_scored_one_sided_apart_from_the_coverage():
    """A floor checks only the band's top, by the pinball loss of the 95th percentile: a top that
    clears the floor pays 5% of the margin, one under it 95% of the shortfall; the band's low end,
    which the interval score would charge for its width, costs nothing."""
    wide = _pair(100, 1000, 10000, 900, floor=True)  # top 2.4 log units above the floor
    narrow = _pair(400, 500, 600, 900, floor=True)  # top 0.4 under it: the truth is above the band
    assert wide.pinball == pytest.approx(0.05 * math.log(10000 / 900))
    assert narrow.pinball == pytest.approx(0.95 * math.log(900 / 600))
    assert wide.pinball < narrow.pinball
    deep = _pair(1, 1000, 10000, 900, floor=True)  # the same top, a low end far under the floor
    assert deep.pinball == wide.pinball and deep.interval_score > wide.interval_score
    summary = summarize([wide, narrow, _pair(100, 200, 400, 300, floor=False)])
    assert (summary["point_pairs"], summary["floor_pairs"], summary["coverage"]) == (1, 2, 1.0)
    assert summary["floor_consistency"] == 0.5
    assert summary["interval_score"] == pytest.approx(math.log(4), abs=1e-4)  # the floors are not in it


def _normal_pairs(half_width: float, n: int = 200) -> list[Pair]:
    """n point targets at the normal quantiles around best, each scored against a band of
    best · exp(±half_width): its coverage is the normal probability of that half-width."""
    day = date(2024, 1, 1)
    out = []
    for i in range(n):
        z = NormalDist().inv_cdf((i + 0.5) / n)
        band = Estimate(1000 * math.exp(-half_width), 1000, 1000 * math.exp(half_width), day, "m", 1)
        out.append(Pair("s", day, 90, Target(day, 1000 * math.exp(z), False, "t"), band))
    return out


def test_a_too_narrow_predictor_is_called_so_and_a_calibrated_one_is_not():
    calibrated = summarize(_normal_pairs(1.645))
    assert calibrated["coverage"] == pytest.approx(0.9, abs=0.01) and calibrated["calibrated"] is True
    narrow = summarize(_normal_pairs(0.674))  # a 50% band sold as a 90% one
    assert narrow["coverage"] == pytest.approx(0.5, abs=0.01)
    assert narrow["coverage_ci"][1] < 0.9 and narrow["calibrated"] is False
    wide = summarize(_normal_pairs(3.0))  # too wide: covers everything, and says so too
    assert wide["coverage_ci"][0] > 0.9 and wide["calibrated"] is False
    # the interval score prefers the calibrated band to either
    assert calibrated["interval_score"] < min(narrow["interval_score"], wide["interval_score"])


def test_backtest_an_undated_publication_reads_as_its_as_of():
    obs = Observation(claimant="X", relation="monitor", value=10, as_of=date(2024, 1, 1))
    assert obs.seen_on == date(2024, 1, 1)
    assert Observation(claimant="X", relation="monitor", value=10, as_of=date(2024, 1, 1),
                       published=date(2024, 2, 1)).seen_on == date(2024, 2, 1)  # fmt: skip


KARABAKH = (
    HEADER
    + "K1a,military_killed,Armenia,Azerbaijan MoD,claim,2020-10-05,2020-10-05,2000,,,,s\n"
    + "K1b,military_killed,Armenia,Armenia MoD,own,2020-10-20,2020-10-20,900,,,,s\n"
    + "K1c,military_killed,Azerbaijan,Registry,est,2020-11-01,2021-06-01,2800,,,,s\n"  # another party
    + "K1d,military_killed,Armenia,Registry,est,2020-11-01,2021-06-01,2400,,,,s\n"
)


def test_truths_check_a_later_figure_only_against_inputs_of_its_party(tmp_path: Path):
    truths = tmp_path / "truths.csv"
    truths.write_text(KARABAKH, encoding="utf-8")
    scores, skipped = api.evaluate_estimates(truths, api.read_priors())
    assert scores["model"].checks == 1
    assert [d["id"] for d in scores["model"].details] == ["K1d"]
    assert skipped == ["K1c: no input of quantity military_killed about Azerbaijan published by its date"]
    report = api.calibrate(truths, api.read_priors())
    assert {row["check"] for row in report["residuals"]} == {"K1d"}


def test_evaluate_estimates_and_calibrate_honour_the_users_conflicts(group: click.Group, tmp_path: Path):
    truths = tmp_path / "truths.csv"
    truths.write_text(KARABAKH, encoding="utf-8")
    profiles = tmp_path / "conflicts.toml"
    profiles.write_text(
        '[[conflict]]\nslug = "nagorno-karabakh"\nname = "An earlier start"\nstart = "2019-01-01"\n'
        'region = ["Karabakh"]\nparty = [{ name = "Azerbaijan", camp = "a", aliases = [] },\n'
        '         { name = "Armenia", camp = "b", aliases = [] }]\n',
        encoding="utf-8",
    )
    bundled, _ = api.evaluate_estimates(truths, api.read_priors())
    moved, _ = api.evaluate_estimates(truths, api.read_priors(), conflicts=api.read_conflicts([profiles]))
    assert bundled["model"].details[0]["best"] != moved["model"].details[0]["best"]  # another clock
    code, out, _ = invoke(group, "evaluate-estimates", "--truths", str(truths), "--json", "--conflicts",
                          str(profiles))  # fmt: skip
    assert code == 0 and json.loads(out)["model"]["checks"] == 1
    code, out, _ = invoke(group, "calibrate", "--truths", str(truths), "--json", "--conflicts", str(profiles))
    assert code == 0 and json.loads(out)["model"] == moved["model"].to_dict() != bundled["model"].to_dict()


@pytest.mark.slow
def test_backtest_over_the_bundled_series(tmp_path: Path):
    """The demo ledger alone (its tables' later verified counts as floors) gives well over 50 pairs,
    every method meets every pair, and no origin sees a claim published after it."""
    built = api.demo(tmp_path / "demo.db")
    conflicts = api.read_conflicts()
    report = api.backtest(built.ledger, conflicts, api.read_priors(), horizons="0,90,365")
    series = {s.id: s for s in api.load_series(built.ledger, conflicts)}
    built.ledger.engine.dispose()
    assert "israel-gaza/killed/gaza/unspecified" in report.series and SERIES in report.series
    counts = {name: len(score.pairs) for name, score in report.scores.items()}
    assert set(counts.values()) == {counts["model"]} and counts["model"] >= 50
    for pair in report.scores["model"].pairs:
        seen = [o for o in series[pair.series].observations if o.seen_on and o.seen_on <= pair.origin]
        assert pair.estimate.n_claims == len(seen)
        assert pair.target.day >= pair.origin
    summary = report.to_dict()["model"]
    assert summary["point_pairs"] >= 50 and summary["by_kind"]["report"]["point_pairs"] >= 50
    low, high = summary["coverage_ci"]
    assert low <= summary["coverage"] <= high


TABLE_MAPPING = """
date_column = "date"
claimant = "Mediazona"
[[claim]]
measure = "killed"
party = "Russia"
role = "military"
value = "named"
qualifier = "at_least"
scope = "cumulative"
"""


def test_a_table_row_is_published_on_its_own_date_an_article_on_its_own(database_url: str, tmp_path: Path):
    table, mapping = tmp_path / "named.csv", tmp_path / "named.toml"
    table.write_text("date,named\n2022-04-10,2000\n2022-06-20,4000\n", encoding="utf-8")
    mapping.write_text(TABLE_MAPPING, encoding="utf-8")
    ledger = api.open_ledger(database_url)
    try:
        api.import_table(ledger, table, mapping)
        # the table's first row again, in an article two days later, and a figure only an article gives
        wanted = ("named-1.txt", "named-3.txt")
        docs = [Document(id=name, text=text, published=date.fromisoformat(day), outlet="O")
                for name, day, text in ARTICLES if name in wanted]  # fmt: skip
        api.ingest(ledger, docs)
        [series] = [s for s in api.load_series(ledger, api.read_conflicts()) if s.id == SERIES]
        published = {o.as_of: o.published for o in series.observations}
        assert len(series.observations) == 3  # the article's repeat is a second report of the row's claim
        assert published == {
            date(2022, 4, 10): date(2022, 4, 10),  # a table row is public on its date, whoever repeats it
            date(2022, 6, 20): date(2022, 6, 20),
            date(2022, 9, 15): date(2022, 9, 16),  # the article's date
        }
    finally:
        ledger.engine.dispose()


def test_an_origin_with_no_figure_yet_is_skipped_for_every_method():
    def obs(day: str, value: float | None, key: str) -> Observation:
        when = date.fromisoformat(day)
        return Observation(claimant="UN", relation="monitor", qualifier="at_least", value=value, as_of=when,
                           measure="killed", key=key)  # fmt: skip

    series = Series(id="x/killed/y/unspecified", conflict="x", conflict_name="X", start=date(2024, 1, 1),
                    measure="killed", party="Y", role="unspecified",
                    observations=(obs("2024-01-01", None, "a"), obs("2024-01-20", 100, "b"),
                                  obs("2024-02-25", 300, "c")))  # fmt: skip
    ticks: list[tuple[int, int]] = []
    pairs, skipped = backtest_series(series, every=30, horizons=(0, 30),
                                     progress=lambda done, total: ticks.append((done, total)))  # fmt: skip
    assert skipped and skipped[0].startswith("x/killed/y/unspecified at 2024-01-01: [E501]")
    assert {len(found) for found in pairs.values()} == {len(pairs["model"])} and pairs["model"]
    assert all(p.origin > date(2024, 1, 1) for p in pairs["model"])
    assert ticks[-1][0] == ticks[-1][1] == len(ticks)  # progress counts the skipped origin too
