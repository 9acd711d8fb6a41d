"""Drawing a series: claims by claimant over time, coloured by relation, under the estimate band."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from counterclaim.reconcile.base import Method
from counterclaim.reconcile.series import Series

COLOURS = {
    "own": "#1f77b4",
    "adversary": "#d62728",
    "monitor": "#2ca02c",
    "independent": "#9467bd",
    "unknown": "#7f7f7f",
}
MARKERS = {"point": "o", "lower": "^", "upper": "v", "interval": "s"}


def figure_of(series: Series, fitted: Method, *, points: int = 120) -> Figure:
    """The figure of a fitted series (no file is written; see :func:`save_plot`)."""
    days = sorted(o.as_of for o in series.observations if o.as_of is not None)
    first = days[0] if days else date.today()
    last = days[-1] if days else first
    span = max((last - first).days, 1)
    grid = [first + timedelta(days=round(span * i / (points - 1))) for i in range(points)]
    band = [fitted.estimate(day) for day in grid]
    x = np.array(grid, dtype="datetime64[D]")
    figure = Figure(figsize=(9, 5), layout="constrained")
    axes = figure.add_subplot()
    axes.fill_between(x, [e.low for e in band], [e.high for e in band], color="#cccccc", alpha=0.6,
                      label=f"{fitted.name}: 5th–95th percentile")  # fmt: skip
    axes.plot(x, [e.best for e in band], color="black", linewidth=1.5, label=f"{fitted.name}: best")
    # one scatter per claimant and shape (not per claim): a table import gives a series
    # thousands of claims, and the legend names each claimant once
    groups: dict[tuple[str, str, str], list[tuple[date, float]]] = {}
    intervals: dict[str, list[tuple[date, float, float]]] = {}
    for obs in series.observations:
        central = obs.central
        if central is None:
            continue
        when = obs.as_of or last
        groups.setdefault((obs.claimant or "?", obs.relation, obs.kind), []).append((when, max(central, 0.5)))
        if obs.kind == "interval" and obs.low is not None and obs.high is not None:
            intervals.setdefault(obs.relation, []).append((when, max(obs.low, 0.5), obs.high))
    labelled: set[tuple[str, str]] = set()
    for (claimant, relation, kind), found in sorted(groups.items()):
        colour = COLOURS.get(relation, COLOURS["unknown"])
        first_of = (claimant, relation) not in labelled
        labelled.add((claimant, relation))
        axes.scatter(
            np.array([when for when, _ in found], dtype="datetime64[D]"),
            [value for _, value in found],
            color=colour,
            marker=MARKERS.get(kind, "o"),
            s=12 if len(found) > 50 else 30,
            label=f"{claimant} ({relation})" if first_of and len(labelled) <= 12 else None,
            zorder=3,
        )
    for relation, spans in intervals.items():
        axes.vlines(
            np.array([when for when, _, _ in spans], dtype="datetime64[D]"),
            [low for _, low, _ in spans],
            [high for _, _, high in spans],
            color=COLOURS.get(relation, COLOURS["unknown"]),
            linewidth=1,
        )
    axes.set_yscale("log")
    axes.set_title(series.id + (f"\n{series.note}" if series.note else ""), fontsize=10)
    axes.set_ylabel(f"{series.measure} (cumulative, log scale)")
    axes.legend(fontsize=7, loc="lower right", framealpha=0.8)  # cumulative series leave it empty
    axes.grid(True, which="major", alpha=0.3)
    figure.autofmt_xdate()  # dates a few days apart would overlap if left flat
    return figure


def save_plot(series: Series, fitted: Method, path: Path) -> None:
    """Write the figure as PNG or SVG (by the file's suffix), rendered offline by matplotlib's Agg."""
    figure_of(series, fitted).savefig(path, format=path.suffix.lstrip(".").lower())
