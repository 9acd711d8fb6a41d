"""Relation classes, conflict profiles, priors lookup and the grouping of ledger claims into series."""

from __future__ import annotations

import pytest

from counterclaim.actor_files import load_registry
from counterclaim.reconcile import (
    ReconcileError,
    build_series,
    classify,
    conflicts_from_tables,
    find_series,
    load_conflicts,
    load_priors,
    priors_from_table,
)


@pytest.mark.parametrize(
    ("claimant", "party", "kind", "relation"),
    [
        ("Russia Ministry of Defence", "Russia", None, "own"),
        ("Konashenkov", "Russia", None, "own"),
        ("Ukraine", "Russia", None, "adversary"),
        ("Kyiv", "Russia", None, "adversary"),
        ("Gaza Health Ministry", "Gaza", None, "own"),
        ("Hamas", "Gaza", None, "own"),
        ("Israel", "Hamas", None, "adversary"),
        ("Azerbaijan", "Artsakh", None, "adversary"),
        ("OHCHR", "Ukraine", None, "monitor"),
        ("ICRC", "Sudan", None, "monitor"),
        ("Mediazona", "Russia", None, "monitor"),
        ("Reuters", "Russia", None, "independent"),
        ("CSIS", "Russia", None, "independent"),
        ("United Kingdom", "Russia", None, "independent"),
        ("NATO", "Russia", None, "independent"),
        ("US intelligence", "Russia", "intel", "independent"),
        ("Armenian MoD", "Azerbaijan", "claim", "adversary"),
        ("some blog", "Russia", None, "unknown"),
        (None, "Russia", None, "unknown"),
    ],
)
def test_reconcile_series_relation_classes(claimant: str | None, party: str, kind: str | None, relation: str):
    assert classify(load_registry(), claimant, party, kind=kind) == relation


def test_reconcile_series_priors_belong_to_relation_and_quantity():
    priors = load_priors()
    soldiers = priors.lookup("own", "killed", "military")
    civilians = priors.lookup("own", "killed", "civilian")
    assert soldiers.mean < 0 and soldiers.floor  # a party understates its own dead soldiers
    assert abs(civilians.mean) < abs(soldiers.mean) and civilians.sd > soldiers.sd and not civilians.floor
    assert priors.lookup("adversary", "killed", "military").mean > 0
    # an unlisted measure falls back to the relation's own table
    assert priors.lookup("own", "evacuated", "unspecified").mean == priors.tables["own"]["mean"]
    with pytest.raises(ReconcileError):
        priors.lookup("friend", "killed", "military")
    with pytest.raises(ReconcileError, match="sd"):
        priors_from_table({"own": {"sd": 0}})


def _row(number: int, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": number, "measure": "killed", "qualifier": "exact", "value": 100, "low": 100, "high": 100,
        "subject_party": "Russia", "subject_role": "military", "claimant": "Ukraine",
        "scope": "cumulative", "as_of": "2022-04-07", "evidence": "", "rejected": False,
    }  # fmt: skip
    base.update(fields)
    return base


def test_reconcile_series_groups_and_keeps_definitions_apart():
    rows = [
        _row(1),
        _row(2, claimant="Russia Ministry of Defence", value=1351),
        _row(3, measure="personnel_losses", value=55110, qualifier="about"),
        _row(4, scope="incident", value=12),
        _row(5, rejected=True),
        _row(6, subject_party="Armenia", claimant="Azerbaijan", as_of="2020-10-01"),
        _row(7, subject_party=None, subject_role="civilian", claimant=None),
    ]
    series = build_series(rows, registry=load_registry())
    ids = [s.id for s in series]
    assert ids == sorted(ids)
    killed = find_series(series, "russia-ukraine/killed/russia/military")
    assert [o.key for o in killed.observations] == ["1", "2"]
    assert [c["id"] for c in killed.excluded] == [4]  # the incident stays listed, out of the curve
    assert killed.note is None and killed.start is not None and killed.start.isoformat() == "2022-02-24"
    losses = find_series(series, "russia-ukraine/personnel-losses/russia/military")
    assert "never merged into 'killed'" in (losses.note or "")
    assert (
        find_series(series, "nagorno-karabakh/killed/armenia/military").observations[0].relation
        == "adversary"
    )
    assert find_series(series, "unassigned/killed/unknown/civilian").conflict_name == "no conflict profile"
    assert find_series(series, "1") is series[0]
    with pytest.raises(ReconcileError, match="did you mean"):
        find_series(series, "killed/russia")


def test_reconcile_series_user_conflicts_merge_on_top():
    user = {"conflict": [
        {"slug": "russia-ukraine", "name": "Russia–Ukraine war since 2014", "start": "2014-04-06",
         "party": [{"name": "Russia", "camp": "r"}, {"name": "Ukraine", "camp": "u"}]},
        {"slug": "atlantis", "name": "Atlantis", "start": "2030-01-01",
         "party": [{"name": "Atlantis", "camp": "a"}, {"name": "Lemuria", "camp": "l"}]},
    ]}  # fmt: skip
    merged = load_conflicts(user)
    assert merged.get("russia-ukraine").start.year == 2014  # type: ignore[union-attr]
    assert merged.get("atlantis") is not None and merged.get("sudan") is not None
    assert classify(load_registry(), "Lemuria", "Atlantis", conflicts=merged) == "unknown"
    with pytest.raises(ReconcileError, match="slug"):
        conflicts_from_tables([{"conflict": [{"slug": "Bad Slug", "start": "2020-01-01"}]}])
    with pytest.raises(ReconcileError, match="malformed"):
        conflicts_from_tables([{"conflict": [{"slug": "no-start"}]}])
