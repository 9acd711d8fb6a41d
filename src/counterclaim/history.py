"""Estimate history and alerts, the use cases behind ``api.refresh_estimates`` and ``revisions``.

Every estimate computed is kept as a revision (``store/estimates.py``); alert rules
(:mod:`counterclaim.alerting`) are evaluated on the change from the revision a series' alerts
were last evaluated on to the current one, and the alerts are sent on their channels
(:mod:`counterclaim.delivery`). The caller (``api``) gives the fitting function, so that the
series are fitted exactly as ``series``, ``estimate`` and the dashboard fit them. See docs/alerts.md.
"""

from __future__ import annotations

import fnmatch
import logging
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from counterclaim.about import __version__
from counterclaim.alerting import (
    NewClaim,
    Revision,
    Rule,
    Transition,
    digest,
    evaluate,
    payload,
    rules_from_table,
)
from counterclaim.delivery import BACKOFF_BASE, MAX_ATTEMPTS, Channel, DeliveryError, backoff, send
from counterclaim.errors import DataFileError, LedgerError
from counterclaim.store import Ledger

if TYPE_CHECKING:
    from counterclaim.reconcile import Method, Series

log = logging.getLogger(__name__)
Fit = Callable[["Series"], "Method"]


def read_rules(path: Path) -> list[Rule]:
    """The alert rules of a TOML file (``[[rule]]`` tables; docs/alerts.md).

    Raises:
        DataFileError: the file cannot be read, is not TOML, or holds a malformed rule.
    """
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataFileError(f"cannot read the alert rules file {path}: {error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(f"the alert rules file {path} is not TOML: {error}") from error
    return rules_from_table(table, str(path))


def model_of(method: str) -> tuple[str, str]:
    """The (name, version) stored beside an estimate of a method: the model's, or a rule's and the release."""
    from counterclaim.reconcile import MODEL_NAME, MODEL_VERSION

    return (MODEL_NAME, MODEL_VERSION) if method == "model" else (method, __version__)


def _model_name() -> str:
    from counterclaim.reconcile import MODEL_NAME

    return MODEL_NAME


def _claims_digest(item: Series) -> str:
    return digest(
        (o.key, o.claimant, o.relation, o.qualifier, o.value, o.low, o.high, o.as_of, o.measure, o.role)
        for o in item.observations
    )


def record_estimates(
    ledger: Ledger, fitted: Iterable[tuple[Series, Method]], *, day: date | None = None, strict: bool = False
) -> list[tuple[str, int, bool]]:
    """Store each series' estimate (on ``day``, else on its latest claim's day) as a revision.

    Returns (series id, revision id, new?) per series; an estimate equal to the latest stored
    one of its series, model and day is not stored twice. A ledger that cannot be written (a
    read-only file) is logged and skipped unless ``strict``.
    """
    rows = []
    for item, method in fitted:
        est = method.estimate(day)
        name, version = model_of(est.method)
        rows.append(
            {"series_id": item.id, "kind": "day" if day else "latest", "as_of": est.as_of, "low": est.low,
             "best": est.best, "high": est.high, "model": name, "model_version": version,
             "n_claims": est.n_claims, "digest": _claims_digest(item),
             "claim_ids": [int(o.key) for o in item.observations if o.key.isdigit()]}
        )  # fmt: skip
    if not rows:
        return []
    try:
        stored = ledger.writer.record_estimates(rows)
    except (SQLAlchemyError, LedgerError) as error:
        if strict:
            raise LedgerError(f"cannot store the estimates: {str(error).splitlines()[0]}") from error
        log.warning("estimates not stored in the ledger's history: %s", str(error).splitlines()[0])
        return []
    return [(str(row["series_id"]), rid, new) for row, (rid, new) in zip(rows, stored, strict=True)]


@dataclass
class DeliveryReport:
    """What one pass over the due deliveries did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class RefreshReport:
    """What :func:`refresh` did: revisions (new or already stored), alerts fired, deliveries."""

    revisions: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def new_revisions(self) -> int:
        return sum(1 for row in self.revisions if row["new"])


def _chosen(
    ledger: Ledger,
    all_series: Sequence[Series],
    wanted: Sequence[str] | None,
    claim_ids: Iterable[int] | None,
) -> list[Series]:
    picked = [s for s in all_series if s.observations]
    if wanted:
        patterns = [w.strip().strip("/").lower() for w in wanted]
        picked = [s for s in picked if any(fnmatch.fnmatchcase(s.id, p) for p in patterns)]
    if claim_ids is not None:
        ids = {int(i) for i in claim_ids}
        # a corrected claim may have left a series: its last revision still lists it
        before = {sid for sid, held in ledger.latest_claim_ids(model=_model_name()).items() if held & ids}
        picked = [
            s for s in picked
            if s.id in before
            or any(o.key.isdigit() and int(o.key) in ids for o in s.observations)
            or any(c.get("id") in ids for c in s.excluded)
        ]  # fmt: skip
    return picked


def refresh(
    ledger: Ledger,
    all_series: Sequence[Series],
    fit: Fit,
    *,
    series: Sequence[str] | None = None,
    new_claim_ids: Iterable[int] | None = None,
    rules: Sequence[Rule] | None = None,
    channels: Sequence[Channel] = (),
    backoff_base: float = BACKOFF_BASE,
) -> RefreshReport:
    """See :func:`counterclaim.api.refresh_estimates`, whose contract this is."""
    report = RefreshReport()
    chosen = _chosen(ledger, all_series, series, new_claim_ids)
    fitted = [(item, fit(item)) for item in chosen]
    stored = record_estimates(ledger, fitted, strict=True)
    for (item, method), (_, revision_id, new) in zip(fitted, stored, strict=True):
        est = method.estimate()
        report.revisions.append({"series": item.id, "revision": revision_id, "new": new, **est.to_dict()})
        watching = [rule for rule in rules or () if rule.applies_to(item.id)]
        if watching:
            report.alerts += check_alerts(ledger, item, revision_id, fit, watching, channels)
    if channels:
        report.deliveries = deliver_alerts(ledger, channels, backoff_base=backoff_base)
    return report


def check_alerts(
    ledger: Ledger, item: Series, after_id: int, fit: Fit, rules: Sequence[Rule], channels: Sequence[Channel]
) -> list[dict[str, Any]]:
    """Evaluate ``rules`` on a series' change since its alerts were last evaluated, store the new
    alerts with a pending delivery per channel, and move its mark; the new alerts' payloads."""
    after = ledger.revision(after_id)
    assert after is not None
    last_correction = ledger.last_correction_id()
    mark = ledger.alert_mark(item.id)
    if mark and mark[0] > after.id:  # another process has evaluated a newer estimate already
        return []
    before = (
        ledger.revision(mark[0]) if mark else ledger.previous_revision(item.id, after.id, model=_model_name())
    )
    if before is None:  # the first estimate of the series: the baseline, nothing to compare
        ledger.writer.record_alerts(item.id, [], mark=(after.id, last_correction))
        return []
    by_id = {int(o.key): o for o in item.observations if o.key.isdigit()}
    fresh = sorted(set(after.claim_ids) - set(before.claim_ids)) if before.id != after.id else []
    bands: dict[int, tuple[float, float]] = {}
    if fresh and any(rule.kind == "outside_band" for rule in rules):
        kept = tuple(o for key, o in by_id.items() if key not in set(fresh))
        if kept:  # the estimate as it was before the new claims, on each new claim's day
            earlier = fit(replace(item, observations=kept))
            for key in fresh:
                est = earlier.estimate(by_id[key].as_of) if key in by_id else None
                if est is not None:
                    bands[key] = (est.low, est.high)
    new_claims = [
        NewClaim(key, by_id[key].claimant, *by_id[key].bounds, band=bands.get(key))
        for key in fresh
        if key in by_id
    ]
    everything = (
        set(after.claim_ids) | set(before.claim_ids) | {int(c["id"]) for c in item.excluded if "id" in c}
    )
    corrections = (
        ledger.corrections_since(everything, after_id=mark[1])
        if mark
        else ledger.corrections_since(everything, after_time=before.computed_at)
    )
    known = frozenset(
        (by_id[k].claimant or "unknown").strip().lower() for k in before.claim_ids if k in by_id
    )
    alerts = evaluate(rules, Transition(item.id, before, after, new_claims, known, corrections))
    details = _claim_details(ledger, [a.claim_id for a in alerts if a.claim_id is not None])
    names = {channel.name for channel in channels}
    rows = []
    for alert in alerts:
        alert.claim = details.get(alert.claim_id or -1, {})
        body = payload(alert) | {"channels": list(alert.rule.channels)}
        rows.append(
            {"rule": alert.rule.name, "kind": alert.rule.kind, "cause": alert.cause,
             "claim_id": alert.claim_id,
             "before_id": before.id, "after_id": after.id, "payload": body,
             "channels": [c for c in alert.rule.channels if c in names]}
        )  # fmt: skip
    newest = max([last_correction, *(c[1] for c in corrections)])
    if not rows and mark == (after.id, newest):
        return []
    created = ledger.writer.record_alerts(item.id, rows, mark=(after.id, newest))
    return ledger.stored_alerts(ids=created, limit=len(created))[::-1] if created else []


def _claim_details(ledger: Ledger, claim_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What an alert says of its claim: who, how many, when, the sentence and where it was read."""
    if not claim_ids:
        return {}
    links = ledger.claim_links(claim_ids)
    found = {}
    for claim in ledger.claims(ids=list(claim_ids), include_rejected=True):
        keys = ("id", "claimant", "measure", "qualifier", "value", "low", "high", "as_of", "subject_party",
                "subject_role", "scope", "evidence", "rejected")  # fmt: skip
        found[int(claim["id"])] = {key: claim.get(key) for key in keys} | links.get(int(claim["id"]), {})
    return found


def deliver_alerts(
    ledger: Ledger,
    channels: Sequence[Channel],
    *,
    now: datetime | None = None,
    backoff_base: float = BACKOFF_BASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryReport:
    """Send the deliveries that are due on ``channels``; a failure is retried later, each wait
    twice the one before (``backoff_base`` seconds first), and given up after ``max_attempts``."""
    report = DeliveryReport()
    by_name = {channel.name: channel for channel in channels}
    taken = ledger.writer.take_deliveries(
        by_name, now=now or datetime.now(UTC), lease=lambda attempt: backoff(attempt, base=backoff_base)
    )
    for delivery in taken:
        try:
            send(by_name[delivery["channel"]], delivery["payload"], delivery_id=delivery["id"])
        except DeliveryError as error:
            give_up = delivery["attempts"] >= max_attempts
            ledger.writer.finish_delivery(delivery["id"], error=str(error), give_up=give_up)
            report.failed += give_up
            report.retrying += not give_up
            report.errors.append(f"alert {delivery['alert_id']} by {delivery['channel']}: {error}")
            log.warning("alert %s not delivered by %s: %s", delivery["alert_id"], delivery["channel"], error)
            continue
        ledger.writer.finish_delivery(delivery["id"], error=None)
        report.sent += 1
    return report


def series_revisions(ledger: Ledger, series_id: str) -> list[dict[str, Any]]:
    """Every stored estimate of a series, oldest first, each with the claims that arrived (and
    left) since the revision before it of the same kind and model: ``claims_added`` and
    ``claims_removed`` (ids) and ``arrived`` (each added claim: who, how many, when, the
    sentence, its document's URL)."""
    rows: list[dict[str, Any]] = []
    previous: dict[tuple[str, str], Revision] = {}
    for revision in ledger.revisions(series_id):
        key = (revision.model, revision.kind)
        before = previous.get(key)
        held = set(before.claim_ids) if before else set()
        rows.append(
            revision.to_dict()
            | {
                "previous": before.id if before else None,
                "claims_added": sorted(set(revision.claim_ids) - held) if before else [],
                "claims_removed": sorted(held - set(revision.claim_ids)),
            }
        )
        previous[key] = revision
    details = _claim_details(ledger, sorted({i for row in rows for i in row["claims_added"]}))
    for row in rows:
        row["arrived"] = [details[i] for i in row["claims_added"] if i in details]
    return rows


def claims_between(ledger: Ledger, first: Revision, second: Revision) -> list[dict[str, Any]]:
    """The claims the second revision used that the first did not: who, how many, the sentence, the URL."""
    added = sorted(set(second.claim_ids) - set(first.claim_ids))
    details = _claim_details(ledger, added)
    return [details[i] for i in added if i in details]


__all__ = [
    "DeliveryReport",
    "RefreshReport",
    "check_alerts",
    "claims_between",
    "deliver_alerts",
    "model_of",
    "read_rules",
    "record_estimates",
    "refresh",
    "series_revisions",
]
