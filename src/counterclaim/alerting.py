"""Alert rules and their evaluation: pure functions from two estimates and the claims between them to alerts.

A rule (a ``[[rule]]`` of a TOML file, see docs/alerts.md) names a series or a pattern of
series (``fnmatch``: ``russia-ukraine/killed/*``) and a kind:

* ``best_moves``: the best estimate moved by more than ``percent`` % since the last evaluation;
* ``outside_band``: a new claim falls outside the band (low … high) the estimate gave on its day
  before the claim arrived;
* ``new_claimant``: a claim by a claimant the series did not have;
* ``corrected``: an analyst corrected (or rejected) a claim of the series.

Each alert has a **cause**, a key that names what made it fire (the rule, the series and the
claim, claimant, correction or pair of estimates); the store keeps one alert per cause, so the
same cause never alerts twice, whoever evaluates it and however often. Nothing here does I/O.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from counterclaim.errors import DataFileError

KINDS = ("best_moves", "outside_band", "new_claimant", "corrected")
CHANNELS = ("atom", "webhook", "email")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,79}$")


@dataclass(frozen=True)
class Rule:
    """One alert rule: which series, which kind of change, and (optionally) which channels."""

    name: str
    series: str
    kind: str
    percent: float | None = None
    channels: tuple[str, ...] = CHANNELS

    def applies_to(self, series_id: str) -> bool:
        """Whether the rule watches this series (an exact id, any case, or a glob pattern)."""
        return fnmatch.fnmatchcase(series_id, self.series.strip().strip("/").lower())


def rules_from_table(table: Mapping[str, Any], source: str = "the alert rules") -> list[Rule]:
    """The rules of a parsed rules file (``[[rule]]`` tables).

    Raises:
        DataFileError: a rule lacks a field, has an unknown kind or channel, a bad percent, or
            two rules share a name.
    """
    items = table.get("rule", [])
    unknown = sorted(set(table) - {"rule"})
    if unknown:
        raise DataFileError(f"{source}: unknown table(s) {', '.join(unknown)}; write each rule as [[rule]]")
    if not isinstance(items, list):
        raise DataFileError(f"{source}: write each rule as [[rule]]")
    rules: list[Rule] = []
    for number, item in enumerate(items, 1):
        where = f"{source}, rule {number}"
        if not isinstance(item, dict):
            raise DataFileError(f"{where}: a rule is a table")
        extra = sorted(set(item) - {"name", "series", "kind", "percent", "channels"})
        if extra:
            raise DataFileError(f"{where}: unknown field(s) {', '.join(extra)}")
        name, series, kind = item.get("name"), item.get("series"), item.get("kind")
        if not isinstance(name, str) or not _NAME.match(name):
            raise DataFileError(f"{where}: name must be 1-80 letters, digits, spaces or _.:-")
        if not isinstance(series, str) or not series.strip():
            raise DataFileError(f"{where} ({name}): series must be a series id or a pattern such as 'gaza/*'")
        if kind not in KINDS:
            raise DataFileError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}, not {kind!r}")
        percent = item.get("percent")
        if kind == "best_moves":
            if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 < percent < 1e6:
                raise DataFileError(f"{where} ({name}): best_moves needs percent, a number above 0")
        elif percent is not None:
            raise DataFileError(f"{where} ({name}): percent is for best_moves only")
        channels = item.get("channels", list(CHANNELS))
        if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
            raise DataFileError(f"{where} ({name}): channels must be a list of {', '.join(CHANNELS)}")
        if any(rule.name == name for rule in rules):
            raise DataFileError(f"{where}: two rules are named {name!r}")
        rules.append(
            Rule(
                name,
                series,
                kind,
                None if percent is None else float(percent),
                tuple(dict.fromkeys(channels)),
            )
        )
    return rules


# -- what a rule looks at ---------------------------------------------------------------------
@dataclass(frozen=True)
class Revision:
    """One stored estimate of a series (a row of ``estimates``)."""

    id: int
    series_id: str
    as_of: date
    low: float
    best: float
    high: float
    model: str
    model_version: str
    n_claims: int
    digest: str
    claim_ids: tuple[int, ...]
    computed_at: datetime
    #: latest (the estimate on the latest claim's day) or day (on a day asked for)
    kind: str = "latest"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rounded counts, ISO dates (the claim ids are left out)."""
        return {
            "id": self.id,
            "series": self.series_id,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "low": round(self.low),
            "best": round(self.best),
            "high": round(self.high),
            "model": self.model,
            "model_version": self.model_version,
            "n_claims": self.n_claims,
            "digest": self.digest,
            "computed_at": self.computed_at.isoformat(),
        }


@dataclass(frozen=True)
class NewClaim:
    """A claim that entered a series between two estimates, with the bounds it puts on the count."""

    id: int
    claimant: str | None
    lower: float | None
    upper: float | None
    #: the band (low, high) the estimate before the claim gave on the claim's day, if known
    band: tuple[float, float] | None = None

    def outside(self) -> str | None:
        """``above`` or ``below`` the band, or None when inside it (or nothing to compare)."""
        if self.band is None:
            return None
        low, high = self.band
        if self.lower is not None and self.lower > high:
            return "above"
        if self.upper is not None and self.upper < low:
            return "below"
        return None


@dataclass(frozen=True)
class Transition:
    """A series between the estimate alerts were last evaluated on and the current one."""

    series_id: str
    before: Revision | None
    after: Revision
    new_claims: Sequence[NewClaim] = ()
    known_claimants: frozenset[str] = frozenset()
    #: corrections since the last evaluation: (claim id, the latest correction's id, fields changed)
    corrections: Sequence[tuple[int, int, tuple[str, ...]]] = ()


@dataclass
class Alert:
    """One alert: the rule, the series, what caused it, the estimate before and after."""

    rule: Rule
    series_id: str
    cause: str
    summary: str
    claim_id: int | None
    before: Revision | None
    after: Revision
    #: the claim as the ledger has it (sentence, URL, ...), filled in by the caller
    claim: dict[str, Any] = field(default_factory=dict)


def _claimant(name: str | None) -> str:
    return (name or "unknown").strip().lower()


def _moved(before: float, after: float) -> float:
    return math.inf if before <= 0 else (after - before) / before * 100.0


def evaluate(rules: Iterable[Rule], change: Transition) -> list[Alert]:
    """The alerts ``rules`` raise for one series' change (none for a series no rule watches).

    ``best_moves`` names the new claim farthest (on the log scale) from the best estimate before,
    or the latest correction, or no claim (the model or the priors changed).
    """
    found: list[Alert] = []
    before, after, sid = change.before, change.after, change.series_id
    pair = f"{before.id if before else 0}-{after.id}"
    for rule in rules:
        if not rule.applies_to(sid):
            continue
        key = f"{rule.kind}|{rule.name}|{sid}"
        if rule.kind == "best_moves" and before is not None and before.id != after.id:
            moved = _moved(before.best, after.best)
            if abs(moved) > (rule.percent or 0):
                cause = _culprit(change)
                found.append(
                    Alert(rule, sid, _cause(key, pair),
                          f"{sid}: best estimate {'up' if moved > 0 else 'down'} {abs(moved):.1f}% "
                          f"({round(before.best):,} → {round(after.best):,})", cause, before, after)
                )  # fmt: skip
        elif rule.kind == "outside_band":
            for claim in change.new_claims:
                side = claim.outside()
                if side and claim.band:
                    found.append(
                        Alert(rule, sid, _cause(key, claim.id),
                              f"{sid}: claim {claim.id} by {claim.claimant or 'unknown'} is {side} "
                              f"the band {round(claim.band[0]):,} – {round(claim.band[1]):,}",
                              claim.id, before, after)
                    )  # fmt: skip
        elif rule.kind == "new_claimant" and before is not None:
            seen = set(change.known_claimants)
            for claim in change.new_claims:
                who = _claimant(claim.claimant)
                if who not in seen:
                    seen.add(who)
                    found.append(
                        Alert(rule, sid, _cause(key, who),
                              f"{sid}: a new claimant, {claim.claimant or 'unknown'} (claim {claim.id})",
                              claim.id, before, after)
                    )  # fmt: skip
        elif rule.kind == "corrected":
            for claim_id, correction_id, fields in change.corrections:
                found.append(
                    Alert(rule, sid, _cause(key, claim_id, correction_id),
                          f"{sid}: claim {claim_id} corrected ({', '.join(fields)})", claim_id, before, after)
                )  # fmt: skip
    return found


#: The longest cause key the ledger stores (``alerts.cause``); a longer one ends in its digest.
MAX_CAUSE = 500


def _cause(*parts: object) -> str:
    """The key that names what made an alert fire; long ones (a claimant's long name) stay unique."""
    text = "|".join(str(part) for part in parts)
    if len(text) <= MAX_CAUSE:
        return text
    return text[: MAX_CAUSE - 72] + "|sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _culprit(change: Transition) -> int | None:
    before = change.before
    dated = [c for c in change.new_claims if (c.lower or c.upper)]
    if dated and before is not None and before.best > 0:

        def distance(claim: NewClaim) -> float:
            value = claim.lower if claim.lower is not None else claim.upper
            return abs(math.log(max(value or 0.5, 0.5) / before.best))

        return max(dated, key=lambda c: (distance(c), c.id)).id
    if change.new_claims:
        return max(c.id for c in change.new_claims)
    if change.corrections:
        return max(change.corrections, key=lambda c: c[1])[0]
    return None


# -- what is stored and sent ------------------------------------------------------------------
def digest(items: Iterable[Sequence[Any]]) -> str:
    """The sha256 of the claims an estimate used (each as a tuple of its fields), in any order."""
    lines = sorted(json.dumps([None if v is None else str(v) for v in item]) for item in items)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def payload(
    alert: Alert, *, alert_id: int | None = None, created_at: datetime | None = None
) -> dict[str, Any]:
    """The alert as JSON: what the webhook posts, the e-mail and the Atom entry say, the ledger keeps."""
    return {
        "id": alert_id,
        "rule": alert.rule.name,
        "kind": alert.rule.kind,
        "series": alert.series_id,
        "summary": alert.summary,
        "cause": alert.cause,
        "claim": alert.claim or ({"id": alert.claim_id} if alert.claim_id is not None else None),
        "before": alert.before.to_dict() if alert.before else None,
        "after": alert.after.to_dict(),
        "created_at": created_at.isoformat() if created_at else None,
    }


def describe(body: Mapping[str, Any]) -> str:
    """An alert's payload as plain text, for an e-mail or an Atom entry's content."""
    lines = [str(body["summary"]), "", f"series: {body['series']}", f"rule: {body['rule']} ({body['kind']})"]
    for label in ("before", "after"):
        est = body.get(label)
        if est:
            lines.append(
                f"estimate {label}: {est['best']:,} ({est['low']:,} – {est['high']:,}) on {est['as_of']}, "
                f"{est['n_claims']} claims, computed {est['computed_at']}"
            )
    claim = body.get("claim") or {}
    if claim.get("id") is not None:
        value = claim.get("value")
        lines += [
            "",
            f"claim {claim['id']}: {claim.get('claimant') or 'unknown claimant'}, "
            f"{'?' if value is None else value} ({claim.get('qualifier') or ''}) "
            f"as of {claim.get('as_of') or 'unknown day'}",
        ]
        if claim.get("evidence"):
            lines.append(f"“{claim['evidence']}”")
        if claim.get("url"):
            lines.append(str(claim["url"]))
    return "\n".join(lines)


_ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(alerts: Sequence[Mapping[str, Any]], *, base_url: str, updated: datetime) -> bytes:
    """An Atom 1.0 feed of stored alerts (payloads with ``id`` and ``created_at``), newest first."""
    ElementTree.register_namespace("", _ATOM)

    def sub(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str
    ) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    base = base_url.rstrip("/")
    feed = ElementTree.Element(f"{{{_ATOM}}}feed")
    sub(feed, "id", "urn:counterclaim:alerts")
    sub(feed, "title", "counterclaim alerts")
    sub(feed, "updated", updated.isoformat())
    sub(feed, "link", rel="self", href=f"{base}/alerts.atom", type="application/atom+xml")
    author = sub(feed, "author")
    sub(author, "name", "counterclaim")
    for body in alerts:
        entry = sub(feed, "entry")
        # the same cause is the same entry wherever the feed is served from
        cause = hashlib.sha256(str(body.get("cause")).encode("utf-8")).hexdigest()[:32]
        sub(entry, "id", f"urn:counterclaim:alert:{cause}")
        sub(entry, "title", str(body["summary"]))
        stamp = str(body.get("created_at") or updated.isoformat())
        sub(entry, "updated", stamp)
        sub(entry, "published", stamp)
        sub(entry, "link", href=f"{base}/series/{body['series']}")
        sub(entry, "category", term=str(body["kind"]))
        sub(entry, "content", describe(body), type="text")
    return bytes(ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True))


__all__ = [
    "CHANNELS",
    "KINDS",
    "Alert",
    "NewClaim",
    "Revision",
    "Rule",
    "Transition",
    "atom_feed",
    "describe",
    "digest",
    "evaluate",
    "payload",
    "rules_from_table",
]
