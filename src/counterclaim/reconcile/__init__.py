"""Reconciliation: conflicting casualty claims into low / best / high estimates with claimant bias.

The pure core: it reads only its packaged data files (priors, conflicts, relations, measures).

Example:
    >>> from datetime import date
    >>> from counterclaim.reconcile import Observation, Reconciler
    >>> obs = [Observation(claimant="OHCHR", relation="monitor", qualifier="at_least", value=1500,
    ...                    as_of=date(2022, 4, 7), role="civilian")]
    >>> Reconciler(seed=0).fit(obs).estimate().low >= 1500
    True
"""

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import ClaimExplanation, Estimate, Method, Observation
from counterclaim.reconcile.caps import Caps, caps_from_tables, load_caps
from counterclaim.reconcile.conflicts import ConflictProfile, Conflicts, conflicts_from_tables, load_conflicts
from counterclaim.reconcile.measures import definition_note, quantity_to_series
from counterclaim.reconcile.model import MODEL_NAME, MODEL_VERSION, Reconciler
from counterclaim.reconcile.priors import Priors, RelationPrior, load_priors, priors_from_table
from counterclaim.reconcile.relations import classify
from counterclaim.reconcile.rules import METHOD_NAMES, RULES, make_method
from counterclaim.reconcile.series import Series, build_series, find_series, series_id

__all__ = [
    "METHOD_NAMES",
    "MODEL_NAME",
    "MODEL_VERSION",
    "RULES",
    "Caps",
    "ClaimExplanation",
    "ConflictProfile",
    "Conflicts",
    "Estimate",
    "Method",
    "Observation",
    "Priors",
    "ReconcileError",
    "Reconciler",
    "RelationPrior",
    "Series",
    "build_series",
    "caps_from_tables",
    "classify",
    "conflicts_from_tables",
    "definition_note",
    "find_series",
    "load_caps",
    "load_conflicts",
    "load_priors",
    "make_method",
    "priors_from_table",
    "quantity_to_series",
    "series_id",
]
