"""Use cases of estimates: priors, conflicts and caps read, series fitted and kept, checks, back-tests."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterclaim import delivery, history
from counterclaim.history import RefreshReport, record_estimates
from counterclaim.store import Ledger

if TYPE_CHECKING:
    from counterclaim.alerting import Rule
    from counterclaim.delivery import Channel
    from counterclaim.reconcile import Caps, Conflicts, Method, Priors, Series
    from counterclaim.reconcile.backtest import BacktestReport
    from counterclaim.reconcile.truths import Check, Score, TruthRow


def read_conflicts(paths: Iterable[Path] = ()) -> Conflicts:
    """The bundled conflict profiles with the user's TOML files merged on top, in order.

    Raises:
        ReconcileError: a file cannot be read, is not TOML, or holds a malformed profile.
    """
    from counterclaim.reconcile import load_conflicts

    return load_conflicts(*(_read_toml(path, "conflicts") for path in paths))


def read_caps(paths: Iterable[Path] = ()) -> Caps:
    """The packaged population caps (data/caps.toml) with the user's files of the same shape on top.

    Raises:
        ReconcileError: a file cannot be read, is not TOML, or is malformed.
    """
    from counterclaim.reconcile import load_caps

    return load_caps(*(_read_toml(path, "caps") for path in paths))


def read_priors(path: Path | None = None) -> Priors:
    """The priors of a TOML file (e.g. one written by ``calibrate --fit -o``), or the bundled ones.

    Raises:
        ReconcileError: the file cannot be read or is not TOML.
    """
    from counterclaim.reconcile import load_priors, priors_from_table

    return priors_from_table(_read_toml(path, "priors")) if path else load_priors()


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    from counterclaim.reconcile import ReconcileError

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ReconcileError(f"cannot read {what} file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ReconcileError(f"{what} file {path} is not valid TOML: {error}") from error


def load_series(ledger: Ledger, conflicts: Conflicts) -> list[Series]:
    """The ledger's claims grouped into series (conflict x measure x party x role), sorted by id,
    each observation with the day its claim became public (``published``)."""
    from counterclaim.reconcile import build_series

    return build_series(
        ledger.claims(), registry=ledger.registry, conflicts=conflicts, publications=ledger.publications()
    )


def fit_series(
    series: Series, priors: Priors, *, conflicts: Conflicts, method: str = "model", caps: Caps | None = None
) -> Method:
    """A method (by name, ``METHOD_NAMES``) fitted to a series' cumulative claims.

    The model's clock runs from the start of the series' conflict and stops at its end, both
    read from ``conflicts``: give the profiles the series were built with (the user's files too).
    The model's band never exceeds the population of the series' party (``caps``, the packaged
    ``data/caps.toml`` when None).

    Raises:
        ReconcileError: the series holds no cumulative claim, or the method is unknown.
    """
    from counterclaim.reconcile import ReconcileError, load_caps, make_method

    if not series.observations:
        raise ReconcileError(
            f"series {series.id} has no cumulative claim to reconcile "
            f"({len(series.excluded)} incident or unknown-scope claims are kept out of it)"
        )
    profile = conflicts.get(series.conflict)
    # a profile that is not the one the series was built with (another start) says nothing of its end
    end = profile.end if profile and profile.start == series.start else None
    cap = (caps or load_caps()).cap_for(series.party, series.measure)
    fitted = make_method(method, priors=priors, seed=0, origin=series.start, end=end, cap=cap)
    return fitted.fit(series.observations)


def summarize_series(
    all_series: Sequence[Series],
    priors: Priors,
    fitted: Mapping[str, Method] | None = None,
    *,
    conflicts: Conflicts,
    ledger: Ledger | None = None,
    caps: Caps | None = None,
) -> list[dict[str, Any]]:
    """Each series, numbered from 1, with the model's current low / best / high (none for incidents only).

    ``fitted`` gives models already fitted, by series id (the dashboard keeps them); the others
    are fitted here with ``conflicts``. With ``ledger``, each estimate is kept in its history
    (a revision, not stored twice; :func:`refresh_estimates`).
    """
    rows: list[dict[str, Any]] = []
    models: list[tuple[Series, Method]] = []
    for number, item in enumerate(all_series, 1):
        model = (fitted or {}).get(item.id)
        if model is None and item.observations:
            model = fit_series(item, priors, conflicts=conflicts, caps=caps)
        est = model.estimate() if model is not None else None
        models += [(item, model)] if model is not None else []
        rows.append(
            {"number": number, "id": item.id, "conflict": item.conflict, "measure": item.measure,
             "party": item.party, "role": item.role, **(est.to_dict() if est else {}),
             "claims": len(item.observations), "excluded": len(item.excluded), "note": item.note}
        )  # fmt: skip
    if ledger is not None:
        record_estimates(ledger, models)
    return rows


def refresh_estimates(
    ledger: Ledger, *, series: Sequence[str] | None = None, new_claim_ids: Iterable[int] | None = None,
    rules: Sequence[Rule] | None = None, channels: Sequence[Channel] = (), priors: Priors | None = None,
    conflicts: Conflicts | None = None, backoff_base: float | None = None,
) -> RefreshReport:  # fmt: skip
    """Compute current estimates, keep each as a revision, raise the alerts ``rules`` find, send them.

    Series: those matching ``series`` (ids or glob patterns) and, given ``new_claim_ids`` (claims
    stored or corrected since), only those holding one now or in their latest revision; else all
    with a cumulative claim, fitted as ``series`` fits them. An estimate equal to its series'
    latest revision (claims digest, model and version, day, rounded numbers) is not stored again.
    Rules are evaluated on each series' change since its alerts were last evaluated (the first
    time: since the revision before; a first revision alerts nothing). An alert is stored once per
    cause (a unique key), in the transaction that moves the series' mark, with a pending delivery
    per channel its rule names: no restart, other process or later call repeats it. The due
    deliveries on ``channels`` are then sent; a failed one is retried by a later call, waits
    doubling from ``backoff_base`` seconds, given up after ``delivery.MAX_ATTEMPTS``; a failed
    send never stops the refresh. Raises ReconcileError (a bad priors or conflicts file) and
    LedgerError (the ledger cannot be written).
    """
    priors, conflicts = priors or read_priors(), conflicts or read_conflicts()
    return history.refresh(
        ledger, load_series(ledger, conflicts), lambda item: fit_series(item, priors, conflicts=conflicts),
        series=series, new_claim_ids=new_claim_ids, rules=rules, channels=channels,
        backoff_base=delivery.BACKOFF_BASE if backoff_base is None else backoff_base,
    )  # fmt: skip


def write_plots(
    all_series: Sequence[Series], priors: Priors, folder: Path, *, conflicts: Conflicts, min_claims: int = 2
) -> list[Path]:
    """A PNG per series with at least ``min_claims`` cumulative claims, in ``folder``; the files written."""
    from counterclaim.reconcile.plot import save_plot

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in all_series:
        if len(item.observations) >= min_claims:
            target = folder / (item.id.replace("/", "--") + ".png")
            save_plot(item, fit_series(item, priors, conflicts=conflicts), target)
            written.append(target)
    return written


def _truth_rows(truths: Path) -> list[TruthRow]:
    from counterclaim.reconcile import ReconcileError
    from counterclaim.reconcile.truths import parse_truths

    try:
        return parse_truths(truths.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ReconcileError(f"cannot read truths file {truths}: {error}") from error


def _truth_checks(truths: Path, conflicts: Conflicts | None) -> tuple[list[Check], list[str]]:
    from counterclaim.reconcile.truths import build_checks

    return build_checks(_truth_rows(truths), conflicts=conflicts)  # the user's profiles set the clocks


def evaluate_estimates(
    truths: Path, priors: Priors, *, conflicts: Conflicts | None = None
) -> tuple[dict[str, Score], list[str]]:
    """Each method's score against the later figures of a truths file, and the figures not checked.

    Raises:
        ReconcileError: the truths file cannot be read or is malformed.
    """
    from counterclaim.reconcile.truths import evaluate_checks

    checks, skipped = _truth_checks(truths, conflicts)
    return evaluate_checks(checks, priors=priors), skipped


def calibrate(
    truths: Path,
    priors: Priors,
    *,
    fit: bool = False,
    output: Path | None = None,
    conflicts: Conflicts | None = None,
) -> dict[str, Any]:
    """Check the priors against a truths file; with ``fit``, find better ones on a small grid.

    Returns the report of :func:`~counterclaim.reconcile.calibrate.calibration_report`; the fitted
    priors are written to ``output`` if given. ``conflicts`` set each check's clock.

    Raises:
        ReconcileError: the truths file cannot be read, or gives no check.
    """
    from counterclaim.reconcile.calibrate import calibration_report
    from counterclaim.reconcile.priors import priors_to_toml

    checks, _ = _truth_checks(truths, conflicts)
    report, fitted = calibration_report(checks, priors, fit=fit, source=str(truths))
    if output and fitted is not None:
        output.write_text(priors_to_toml(fitted), encoding="utf-8")
    return report


def backtest(
    ledger: Ledger,
    conflicts: Conflicts,
    priors: Priors,
    *,
    series: Sequence[str] = (),
    every: str = "30d",
    horizons: str = "0,90,365",
    truths: Sequence[Path] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> BacktestReport:
    """Back-test the model, every rule and ``recent-trend`` on the ledger's series (all, or those
    named in ``series``): fitted on the claims published by each origin, scored against the
    figures counting bodies reported later (point targets the model predicts by its posterior
    predictive), the later figures of the ``truths`` files and the series' own later verified
    counts (floors, scored one-sided; docs/reconcile.md, "Back-test").

    Raises:
        BacktestError: ``every`` or ``horizons`` is malformed, or nothing could be scored.
        ReconcileError: a series is unknown, or a truths file cannot be read or is malformed.
    """
    from counterclaim.errors import BacktestError
    from counterclaim.reconcile import backtest as bt
    from counterclaim.reconcile import find_series

    days, steps = bt.parse_span(every), bt.parse_horizons(horizons)  # before anything is read
    rows = [row for path in truths for row in _truth_rows(path)]
    all_series = load_series(ledger, conflicts)
    chosen = [find_series(all_series, ref) for ref in series] or all_series
    report = bt.backtest(
        chosen, conflicts=conflicts, truths=rows, every=days, horizons=steps, priors=priors, progress=progress
    )
    if not report.series:
        raise BacktestError(
            "nothing to score: no series back-tested holds a later report or verified count "
            "(data/backtest.toml) or a figure of a truths file (--truths); `counterclaim demo --db FILE` "
            "builds a ledger that does"
        )
    return report
