"""Scoring exactly as docs/claims.md defines it."""

from __future__ import annotations

from counterclaim.evaluate import evaluate
from counterclaim.models import Claim


def claim(**fields):
    base = {
        "doc": "d",
        "measure": "killed",
        "qualifier": "exact",
        "value": 10,
        "low": 10,
        "high": 10,
        "evidence": "",
        "start": 0,
        "end": 2,
        "claimant": "Ukraine",
        "subject_role": "military",
        "as_of": "2022-04-07",
        "scope": "cumulative",
    }
    base.update(fields)
    return Claim(**base)


def test_evaluate_matches_on_doc_measure_and_numbers():
    gold = [
        claim(),
        claim(measure="wounded", start=10),
        claim(qualifier="vague", value=None, low=24, high=99, start=20),
    ]
    predicted = [
        claim(start=1),  # same value: a match
        claim(measure="killed", start=10),  # wrong measure: a false alarm, and the wounded claim is missed
        claim(qualifier="vague", value=None, low=24, high=99, start=21),  # null value: low/high decide
        claim(doc="other"),  # another document: a false alarm
    ]
    report = evaluate(gold, predicted)
    assert (len(report.pairs), len(report.misses), len(report.false_alarms)) == (2, 1, 2)
    assert report.precision == 0.5 and report.recall == 2 / 3


def test_evaluate_each_gold_claim_matches_at_most_one_prediction_nearest_first():
    gold = [claim(start=100)]
    report = evaluate(gold, [claim(start=5), claim(start=98)])
    assert report.pairs[0].predicted.start == 98
    assert len(report.false_alarms) == 1


def test_evaluate_attributes_and_strict_f1_use_the_alias_relation():
    gold = [claim(claimant="Kremlin"), claim(start=10, as_of="2022-03-25")]
    predicted = [claim(claimant="Russia"), claim(start=10)]
    plain = evaluate(gold, predicted)
    assert plain.accuracy("claimant") == 0.5
    aliased = evaluate(gold, predicted, same_actor=lambda a, b: {a, b} <= {"Kremlin", "Russia"} or a == b)
    assert aliased.accuracy("claimant") == 1.0
    assert aliased.accuracy("as_of") == 0.5
    assert aliased.strict_f1 == 0.5  # one of two matches has every strict attribute right


def test_evaluate_null_claimants_agree_and_empty_inputs_score_one():
    report = evaluate([claim(claimant=None)], [claim(claimant=None)])
    assert report.accuracy("claimant") == 1.0
    empty = evaluate([], [])
    assert (empty.precision, empty.recall) == (1.0, 1.0)
