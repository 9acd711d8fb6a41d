"""Analysts' corrections: which fields may change, what values they may take, and the corrected view.

A correction never overwrites the extraction: it is a row of its own (field, before, after, note,
who, when), and every reading of a claim lays the corrections over the stored one, oldest first.
A value is checked before it is stored, so no correction can leave a claim the views cannot read.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from counterclaim.errors import CorrectionError
from counterclaim.models import MEASURES, QUALIFIERS, ROLES, SCOPES, UNITS

log = logging.getLogger(__name__)

#: Fields an analyst may correct.
CORRECTABLE = frozenset(
    {"claimant", "measure", "qualifier", "value", "low", "high", "unit", "subject", "subject_party",
     "subject_role", "scope", "as_of", "rejected"}
)  # fmt: skip
INTEGER_FIELDS = frozenset({"value", "low", "high"})
_CHOICES: dict[str, tuple[str, ...]] = {
    "measure": MEASURES,
    "qualifier": QUALIFIERS,
    "subject_role": ROLES,
    "scope": SCOPES,
    "unit": UNITS,
}
_TRUE, _FALSE = frozenset({"1", "true", "yes"}), frozenset({"0", "false", "no"})
#: The largest count a claim can hold (the columns are 64-bit integers).
MAX_COUNT = 2**63 - 1
#: The longest text a corrected name or subject may be.
MAX_TEXT = 1000


def checked(changes: dict[str, Any], current: dict[str, Any]) -> dict[str, str | None]:
    """The changes as the texts to store, each checked against its field; raises on the first bad one.

    Counts may be written with thousands separators ("1,200"); an empty value clears a field
    that may be empty. The corrected claim must still be coherent: ``low`` not above ``high``.

    Raises:
        CorrectionError: an unknown field, or a value the field cannot hold.
    """
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise CorrectionError(
            f"cannot correct {', '.join(unknown)}; correctable: {', '.join(sorted(CORRECTABLE))}"
        )
    stored = {name: _checked_value(name, value) for name, value in changes.items()}
    after = {**current, **{name: typed(name, value) for name, value in stored.items()}}
    low, high = after.get("low"), after.get("high")
    if low is not None and high is not None and low > high:
        raise CorrectionError(f"low {low:,} would be above high {high:,}; correct both together")
    return stored


def _checked_value(name: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in {"measure", "qualifier", "subject_role", "scope", "unit", "rejected"}:
            raise CorrectionError(f"{name} cannot be empty")
        return None
    if isinstance(value, bool) and name != "rejected":
        raise CorrectionError(f"{name} must be {_expected(name)}, not {value!r}")
    text = str(value).strip() if not isinstance(value, bool) else ("true" if value else "false")
    if "\x00" in text:
        raise CorrectionError(f"{name} holds a NUL character")
    if name in INTEGER_FIELDS:
        digits = text.replace(",", "").replace("_", "")
        if not digits.isascii() or not digits.isdigit():
            raise CorrectionError(f"{name} must be a whole number of people, not {text!r}")
        number = int(digits)
        if number > MAX_COUNT:
            raise CorrectionError(f"{name} {number} is too large")
        return str(number)
    if name in _CHOICES:
        if text not in _CHOICES[name]:
            raise CorrectionError(f"{name} must be one of {', '.join(_CHOICES[name])}, not {text!r}")
        return text
    if name == "as_of":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CorrectionError(f"as_of must be a date (YYYY-MM-DD), not {text!r}") from None
        return day.isoformat()
    if name == "rejected":
        if text.lower() not in _TRUE | _FALSE:
            raise CorrectionError(f"rejected must be true or false, not {text!r}")
        return "true" if text.lower() in _TRUE else "false"
    if len(text) > MAX_TEXT:
        raise CorrectionError(f"{name} is {len(text):,} characters; at most {MAX_TEXT:,}")
    return text


def _expected(name: str) -> str:
    return "a whole number" if name in INTEGER_FIELDS else "text"


def typed(field_name: str, text: str | None, claim_id: int | None = None) -> Any:
    """A correction's stored text back as the field's type.

    Values stored before corrections were checked are read leniently: a count that is not a
    whole number is reported (a warning naming the claim) and reads as None, rather than
    breaking every view of the ledger; correcting the field again, or rejecting the claim,
    repairs it.
    """
    if text is None or text == "":
        return None
    if field_name in INTEGER_FIELDS:
        digits = text.replace(",", "").strip()
        if digits.isascii() and digits.isdigit() and int(digits) <= MAX_COUNT:
            return int(digits)
        log.warning(
            "claim %s: a stored correction of %s is not a whole number (%r); it is read as empty: "
            "correct the field again or reject the claim",
            claim_id if claim_id is not None else "?",
            field_name,
            text,
        )
        return None
    if field_name == "rejected":
        return text.lower() in _TRUE
    return text


def overlay(
    records: list[dict[str, Any]], corrections: dict[int, list[tuple[str, str | None]]]
) -> list[dict[str, Any]]:
    """Claims as corrected: each record gets ``rejected`` and ``corrected``, and its fields' latest values."""
    for record in records:
        record["rejected"] = False
        record["corrected"] = record["id"] in corrections
        for field_name, after in corrections.get(record["id"], []):
            record[field_name] = typed(field_name, after, record["id"])
    return records
