"""Scores predicted claims against gold claims, exactly as docs/claims.md defines it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from counterclaim.models import Claim

ATTRIBUTES: Final = ("qualifier", "scope", "claimant", "subject_role", "subject_party", "as_of")
STRICT_ATTRIBUTES: Final = ("claimant", "subject_role", "as_of")

SameActor = Callable[[str | None, str | None], bool]


def _plain_same(first: str | None, second: str | None) -> bool:
    if first is None or second is None:
        return first is None and second is None
    return first.lower() == second.lower()


def numbers_agree(predicted: Claim, gold: Claim) -> bool:
    """The numbers of two claims agree: ``value`` where both have one, else ``low``/``high``."""
    if predicted.value is not None and gold.value is not None:
        return predicted.value == gold.value
    return predicted.low == gold.low and predicted.high == gold.high


@dataclass(frozen=True, slots=True)
class Pair:
    """A gold claim matched to a prediction."""

    gold: Claim
    predicted: Claim


@dataclass
class Report:
    """The scores of one evaluation, and what was missed or wrongly found."""

    gold_count: int
    predicted_count: int
    pairs: list[Pair]
    misses: list[Claim]
    false_alarms: list[Claim]
    attribute_hits: dict[str, int] = field(default_factory=dict)
    strict_hits: int = 0

    @property
    def precision(self) -> float:
        return len(self.pairs) / self.predicted_count if self.predicted_count else 1.0

    @property
    def recall(self) -> float:
        return len(self.pairs) / self.gold_count if self.gold_count else 1.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def accuracy(self, attribute: str) -> float:
        """The share of matched pairs that agree on ``attribute``."""
        return self.attribute_hits.get(attribute, 0) / len(self.pairs) if self.pairs else 1.0

    @property
    def strict_f1(self) -> float:
        precision = self.strict_hits / self.predicted_count if self.predicted_count else 1.0
        recall = self.strict_hits / self.gold_count if self.gold_count else 1.0
        return _f1(precision, recall)

    def scores(self) -> dict[str, Any]:
        """The headline numbers as a JSON-ready dict."""
        return {
            "gold": self.gold_count,
            "predicted": self.predicted_count,
            "matched": len(self.pairs),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "attributes": {name: round(self.accuracy(name), 4) for name in ATTRIBUTES},
            "strict_f1": round(self.strict_f1, 4),
        }

    def mismatches(self, same_actor: SameActor = _plain_same) -> list[dict[str, Any]]:
        """Matched pairs that disagree on some attribute, with the fields that differ."""
        rows = []
        for pair in self.pairs:
            differing = {
                name: {"gold": getattr(pair.gold, name), "predicted": getattr(pair.predicted, name)}
                for name in ATTRIBUTES
                if not _agree(name, pair.gold, pair.predicted, same_actor)
            }
            if differing:
                rows.append(
                    {
                        "doc": pair.gold.doc,
                        "start": pair.gold.start,
                        "measure": pair.gold.measure,
                        "value": pair.gold.value,
                        "low": pair.gold.low,
                        "high": pair.gold.high,
                        "differs": differing,
                    }
                )
        return rows


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _agree(name: str, gold: Claim, predicted: Claim, same_actor: SameActor) -> bool:
    if name == "claimant":
        return same_actor(gold.claimant, predicted.claimant)
    return bool(getattr(gold, name) == getattr(predicted, name))


def match(gold: Sequence[Claim], predicted: Sequence[Claim]) -> tuple[list[Pair], list[Claim], list[Claim]]:
    """Pair gold and predicted claims of the same document, measure and numbers.

    Each gold claim matches at most one prediction; among candidates, the one whose number
    starts nearest the gold offset wins, so repeated figures pair up in text order.
    """
    by_doc: dict[str | None, list[Claim]] = defaultdict(list)
    for claim in predicted:
        by_doc[claim.doc].append(claim)
    used: set[int] = set()
    pairs: list[Pair] = []
    misses: list[Claim] = []
    for claim in sorted(gold, key=lambda c: (c.doc or "", c.start)):
        candidates = [
            p
            for p in by_doc.get(claim.doc, [])
            if id(p) not in used and p.measure == claim.measure and numbers_agree(p, claim)
        ]
        if not candidates:
            misses.append(claim)
            continue
        best = min(candidates, key=lambda p: abs(p.start - claim.start))
        used.add(id(best))
        pairs.append(Pair(claim, best))
    false_alarms = [p for p in predicted if id(p) not in used]
    return pairs, misses, false_alarms


def evaluate(
    gold: Iterable[Claim], predicted: Iterable[Claim], *, same_actor: SameActor | None = None
) -> Report:
    """Score predictions against gold claims.

    Example:
        >>> g = Claim(doc="d", measure="killed", qualifier="exact", value=3, low=3, high=3,
        ...           evidence="", start=0, end=1)
        >>> evaluate([g], [g]).f1
        1.0

    Args:
        gold: The gold claims.
        predicted: The extractor's claims, over the same documents.
        same_actor: Whether two claimant names are the same actor; the actor registry's
            ``same`` in practice. Case-insensitive equality by default.
    """
    gold_list = list(gold)
    predicted_list = list(predicted)
    same = same_actor or _plain_same
    pairs, misses, false_alarms = match(gold_list, predicted_list)
    report = Report(len(gold_list), len(predicted_list), pairs, misses, false_alarms)
    for name in ATTRIBUTES:
        report.attribute_hits[name] = sum(_agree(name, p.gold, p.predicted, same) for p in pairs)
    report.strict_hits = sum(
        all(_agree(name, p.gold, p.predicted, same) for name in STRICT_ATTRIBUTES) for p in pairs
    )
    return report
