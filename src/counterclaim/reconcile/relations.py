"""Relation classes: how a claimant stands to the people it counts (own, adversary, monitor, ...)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.actors import ActorRegistry
from counterclaim.reconcile.conflicts import ConflictProfile, Conflicts, load_conflicts
from counterclaim.reconcile.priors import RELATIONS

DEFAULT_RELATIONS = Path(__file__).resolve().parent.parent / "data" / "relations.toml"


@lru_cache(maxsize=1)
def relation_rules() -> Mapping[str, Any]:
    """The packaged relation rules (data/relations.toml)."""
    with DEFAULT_RELATIONS.open("rb") as handle:
        return tomllib.load(handle)


def classify(
    registry: ActorRegistry,
    claimant: str | None,
    subject_party: str | None,
    *,
    kind: str | None = None,
    conflicts: Conflicts | None = None,
    conflict: ConflictProfile | None = None,
) -> str:
    """The relation of ``claimant`` to the people of ``subject_party`` it counts.

    Example:
        >>> from counterclaim.actor_files import load_registry
        >>> classify(load_registry(), "Russia Ministry of Defence", "Russia")
        'own'
        >>> classify(load_registry(), "Ukraine", "Russia")
        'adversary'
        >>> classify(load_registry(), "OHCHR", "Ukraine")
        'monitor'

    Args:
        registry: the actor registry (its ``side`` and ``kind`` of each actor).
        claimant: the claimant's canonical name or an alias.
        subject_party: the party whose people are counted.
        kind: the claimant's kind when the registry does not know it (an actor kind, or a
            truths-file kind such as ``claim`` or ``named``).
        conflicts: the conflict profiles (the packaged ones when None).
        conflict: the series' conflict, when known; else it is worked out from the parties.

    Returns:
        One of own, adversary, monitor, independent, unknown.
    """
    rules = relation_rules()
    if claimant is None:
        return "unknown"
    profiles = conflicts or load_conflicts()
    actor = registry.get(claimant)
    actor_kind = actor.kind if actor else kind
    side = registry.side_of(claimant)
    if side is not None and subject_party:
        if registry.same(side, subject_party):
            return "own"
        conflict = conflict or profiles.conflict_of(subject_party, claimant_side=side)
        if conflict is not None:
            mine, theirs = conflict.camp_of(side), conflict.camp_of(subject_party)
            if mine is not None and mine == theirs:
                return "own"
            if mine is not None:
                return "adversary"
    name = actor.name if actor else claimant
    if any(name.lower() == n.lower() for n in rules["names"]["monitor"]):
        return "monitor"
    truths_kind = rules["truths"]["kind"].get(actor_kind or "")
    if actor is None and truths_kind in RELATIONS:
        return str(truths_kind)
    if actor_kind in rules["kinds"]["monitor"]:
        return "monitor"
    if actor_kind in rules["kinds"]["independent"]:
        return "independent"
    if actor_kind in rules["kinds"]["state"] and side is not None:
        return "independent"  # a state with no part in the subject's conflict
    return "unknown"
