"""The bias priors per claimant relation and quantity, read from data/priors.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import ReconcileError

DEFAULT_PRIORS = Path(__file__).resolve().parent.parent / "data" / "priors.toml"
RELATIONS = ("own", "adversary", "monitor", "independent", "unknown")
_KEYS = {
    "mean": float,
    "sd": float,
    "noise": float,
    "floor": bool,
    "ceiling": bool,
    "lag_days": float,
    "lag_persist": float,
    "bounds_bind": bool,
}
_DEFAULTS: dict[str, Any] = {
    "mean": 0.0,
    "sd": 1.0,
    "noise": 0.3,
    "floor": False,
    "ceiling": False,
    "lag_days": 90.0,
    "lag_persist": 1.0,
    "bounds_bind": False,
}


@dataclass(frozen=True, slots=True)
class RelationPrior:
    """The prior of one claimant's bias, and how its claims scatter, on the log scale."""

    mean: float
    sd: float
    noise: float
    floor: bool
    ceiling: bool
    lag_days: float
    lag_persist: float
    bounds_bind: bool = False


@dataclass(frozen=True)
class Priors:
    """Every prior table of priors.toml, with the lookup most-specific-first.

    Example:
        >>> load_priors().lookup("adversary", "killed", "military").mean > 0
        True
    """

    tables: Mapping[str, Any]
    about_widen: float = 2.0
    floor_noise: float = 0.02
    growth_mean: float = 0.0
    growth_sd: float = 1.0
    origin_days: float = 30.0
    level_sd: float = 5.0
    bound_gap: float = 0.09

    def lookup(self, relation: str, measure: str, role: str) -> RelationPrior:
        """The prior of ``relation`` for a series of ``measure`` and ``role`` (inheriting keys)."""
        if relation not in RELATIONS:
            raise ReconcileError(f"unknown relation {relation!r}; use one of {', '.join(RELATIONS)}")
        values = dict(_DEFAULTS)
        table: Any = self.tables.get(relation, {})
        for level in (table, _sub(table, measure), _sub(_sub(table, measure), role)):
            values.update({key: level[key] for key in _KEYS if key in level})
        return RelationPrior(
            mean=float(values["mean"]),
            sd=float(values["sd"]),
            noise=float(values["noise"]),
            floor=bool(values["floor"]),
            ceiling=bool(values["ceiling"]),
            lag_days=float(values["lag_days"]),
            lag_persist=float(values["lag_persist"]),
            bounds_bind=bool(values["bounds_bind"]),
        )

    def adjusted(self, changes: Mapping[tuple[str, str, str], tuple[float, float]]) -> Priors:
        """A copy where each (relation, measure, role) has its mean shifted and its sd scaled.

        Only the most specific table of each key changes (created if missing), so fitting on
        military deaths never moves the priors of civilian deaths. Used by calibration.
        """
        tables: dict[str, Any] = {key: _copy(value) for key, value in self.tables.items()}
        for (relation, measure, role), (shift, scale) in changes.items():
            prior = self.lookup(relation, measure, role)
            node = tables.setdefault(relation, {}).setdefault(measure, {}).setdefault(role, {})
            node["mean"] = round(prior.mean + shift, 4)
            node["sd"] = round(prior.sd * scale, 4)
        return priors_from_table(tables)


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def _sub(table: Any, key: str) -> Any:
    value = table.get(key, {}) if isinstance(table, Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def priors_from_table(data: Mapping[str, Any]) -> Priors:
    """Priors from a parsed priors.toml; raises ReconcileError on a malformed table."""
    try:
        observation = data.get("observation", {})
        growth = data.get("growth", {})
        level = data.get("level", {})
        priors = Priors(
            tables=dict(data),
            about_widen=float(observation.get("about_widen", 2.0)),
            floor_noise=float(observation.get("floor_noise", 0.02)),
            growth_mean=float(growth.get("mean", 0.0)),
            growth_sd=float(growth.get("sd", 1.0)),
            origin_days=float(growth.get("origin_days", 30.0)),
            level_sd=float(level.get("sd", 5.0)),
            bound_gap=float(observation.get("bound_gap", 0.09)),
        )
        for relation in RELATIONS:
            prior = priors.lookup(relation, "killed", "unspecified")
            if prior.sd <= 0 or prior.noise <= 0 or prior.lag_days <= 0:
                raise ReconcileError(f"priors: [{relation}] needs sd, noise and lag_days above 0")
    except (TypeError, ValueError, AttributeError) as error:
        if isinstance(error, ReconcileError):
            raise
        raise ReconcileError(f"priors table is malformed: {error}") from error
    return priors


@lru_cache(maxsize=1)
def load_priors() -> Priors:
    """The packaged priors (data/priors.toml)."""
    with DEFAULT_PRIORS.open("rb") as handle:
        return priors_from_table(tomllib.load(handle))


def priors_to_toml(priors: Priors) -> str:
    """The priors as TOML text of the same shape as data/priors.toml (comments are not kept)."""
    lines = ["# Priors written by `counterclaim calibrate --fit`; see data/priors.toml for the keys.", ""]

    def emit(path: list[str], table: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
        if scalars and path:
            lines.append(f"[{'.'.join(path)}]")
            for key, value in scalars.items():
                text = "true" if value is True else "false" if value is False else repr(value)
                lines.append(f"{key} = {text}")
            lines.append("")
        for key, value in table.items():
            if isinstance(value, Mapping):
                emit([*path, key], value)

    emit([], priors.tables)
    return "\n".join(lines)
