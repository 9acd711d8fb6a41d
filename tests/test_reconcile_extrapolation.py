"""Past the last claim, on small real series: a count that levels off and counts that speed up are
inside the predictive band 90 days on, and the band widens with the horizon (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from counterclaim.reconcile import Observation, Reconciler
from counterclaim.reconcile.predictive import predict_report

GAZA = date(2023, 10, 7)
UKRAINE = date(2022, 2, 24)
#: The Gaza Health Ministry's count of the wounded (the bundled daily table, one day in five
#: weeks): the spurt of spring and summer 2025, then the plateau after the October ceasefire.
WOUNDED_PLATEAU = (
    ("2025-01-01", 108379), ("2025-02-05", 111629), ("2025-03-12", 111941), ("2025-04-16", 116432),
    ("2025-05-21", 121950), ("2025-06-25", 132239), ("2025-07-30", 146269), ("2025-09-03", 161245),
    ("2025-10-08", 169841), ("2025-11-12", 170698), ("2025-12-17", 171153), ("2026-01-22", 171379),
)  # fmt: skip
#: The same count before the spurt: slow growth, then 23% in the next 90 days.
WOUNDED_BEFORE_SPURT = (
    ("2024-10-01", 96460), ("2024-11-05", 102347), ("2024-12-10", 106188), ("2025-01-14", 110012),
    ("2025-02-18", 111722), ("2025-03-25", 113704), ("2025-04-29", 117905),
)  # fmt: skip
#: The Ukrainian General Staff's count of Russian personnel losses in 2022 ("about" figures, one
#: day in three weeks); by 14 November it had reached 82,080, nearly twice the last figure here.
PERSONNEL_2022 = (
    ("2022-03-01", 5840), ("2022-03-22", 15600), ("2022-04-12", 19800), ("2022-05-03", 24500),
    ("2022-05-24", 29450), ("2022-06-14", 32750), ("2022-07-05", 36500), ("2022-07-26", 40070),
    ("2022-08-16", 44100),
)  # fmt: skip


Figures = tuple[tuple[str, int], ...]


def _observations(
    figures: Figures, claimant: str, relation: str, measure: str, role: str, qualifier: str
) -> list[Observation]:
    out = []
    for day, value in figures:
        when = date.fromisoformat(day)
        out.append(
            Observation(claimant=claimant, relation=relation, value=value, as_of=when, published=when,
                        qualifier=qualifier, measure=measure, role=role, key=f"{claimant}-{day}")
        )  # fmt: skip
    return out


def _ministry(figures: Figures) -> list[Observation]:
    return _observations(figures, "Gaza Health Ministry", "own", "wounded", "unspecified", "exact")


@pytest.mark.parametrize(
    ("observations", "start", "later", "value"),
    [
        (_ministry(WOUNDED_PLATEAU), GAZA, "2026-04-22", 172320),  # levelled off
        (_ministry(WOUNDED_BEFORE_SPURT), GAZA, "2025-07-28", 145233),  # sped up
        (_observations(PERSONNEL_2022, "Ukraine General Staff", "adversary", "personnel_losses", "military",
                       "about"), UKRAINE, "2022-11-14", 82080),  # sped up
    ],
    ids=["plateau", "spurt", "acceleration"],
)  # fmt: skip
def test_a_change_of_course_90_days_on_is_inside_the_predictive_band(
    observations: list[Observation], start: date, later: str, value: int
) -> None:
    model = Reconciler(seed=0, origin=start).fit(observations)
    last = observations[-1]
    day = date.fromisoformat(later)
    assert last.as_of is not None and (day - last.as_of).days in range(85, 95)
    band = predict_report(model, last, day)
    assert band.days_past_last_claim == (day - last.as_of).days
    assert band.low <= value <= band.high
    # and the band is still a forecast: its top within 5 times its low end at 90 days
    assert band.high / band.low < 5.0


def test_the_predictive_band_widens_with_the_horizon_past_the_last_claim() -> None:
    observations = _ministry(WOUNDED_PLATEAU)
    model = Reconciler(seed=0, origin=GAZA).fit(observations)
    last = observations[-1]
    assert last.as_of is not None
    widths = []
    for days in (30, 90, 365, 730):
        band = predict_report(model, last, last.as_of + timedelta(days=days))
        assert band.days_past_last_claim == days
        widths.append(band.high / band.low)
    assert widths == sorted(widths) and widths[-1] > 1.5 * widths[0]
