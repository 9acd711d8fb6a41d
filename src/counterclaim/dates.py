"""Dates in news text, resolved against the publication date ("on Thursday" → that day).

Pure: a weekday resolves to the latest such day on or before publication (the publication
day itself when it matches), "last Friday" to the latest one strictly before it, a day and
month without a year to the latest such date not after publication, "the end of 2022" to
that period's last day. A month or a year alone is not a date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from counterclaim.errors import InvalidDateError
from counterclaim.lexicon import lower_text, trie_pattern
from counterclaim.numbers import MONTHS

WEEKDAYS: Final = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
# The second day of a pair after "December 11": "and 12 2016", "to 14", "-15" (but not "March 3
# and 12 people")
_SECOND_DAY: Final = re.compile(
    r"\s*(?:and|to|through|-|–)\s*(?P<day>[0-9]{1,2})(?![0-9:])"
    r"(?:,?\s+(?P<year>(?:19|20)[0-9]{2})(?![\w])|(?![\w])(?!\s+[a-z]))"
)
_DATE_PATTERN: Final = re.compile(
    rf"""
    (?P<month_day>(?<![\w])(?P<md_month>{_MONTH})\.?\s+(?P<md_day>[0-3]?[0-9])(?:st|nd|rd|th)?
        (?:(?:,\s*|\s+)(?P<md_year>(?:19|20)[0-9]{{2}}))?(?![0-9]))
    |(?P<glued>(?<![\w])(?P<g_month>{_MONTH})\.?\s+(?P<g_day>[0-3]?[0-9])(?P<g_year>(?:19|20)[0-9]{{2}})(?![0-9]))
    |(?P<day_month>(?<![\w.])(?P<dm_day>[0-3]?[0-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_month>{_MONTH})\.?
        (?:,?\s+(?P<dm_year>(?:19|20)[0-9]{{2}}))?(?![\w]))
    |(?P<end_of>(?<![\w])(?:the\s+)?end\s+of\s+(?:(?P<eo_month>{_MONTH})\s+)?
        (?P<eo_year>(?:19|20)[0-9]{{2}}|the\s+year|last\s+year|this\s+year))
    |(?P<numeric>(?<![\w.])(?P<n_day>[0-3]?[0-9])[-./](?P<n_month>[01]?[0-9])[-./](?P<n_year>(?:19|20)[0-9]{{2}})(?![0-9]))
    |(?P<iso>(?<![\w.])(?P<i_year>(?:19|20)[0-9]{{2}})-(?P<i_month>[01][0-9])-(?P<i_day>[0-3][0-9])(?![0-9]))
    |(?P<weekday>(?<![\w])(?:(?P<wd_last>last|this\s+past|past)\s+)?(?P<wd_name>{_WEEKDAY})(?:'s|’s|s)?(?![\w]))
    |(?P<relative>(?<![\w])(?:yesterday|today|last\s+night|overnight|tonight|this\s+morning)(?![\w]))
    """,
    re.VERBOSE,
)
# Every date expression holds one of these; a sentence without any is skipped at once.
_DATE_HINT: Final = re.compile(
    r"(?<![\w])(?:"
    + trie_pattern(
        [
            *MONTHS,
            *WEEKDAYS,
            *(f"{day}s" for day in WEEKDAYS),  # "Saturdays blast": a possessive that lost its apostrophe
            "yesterday",
            "today",
            "tonight",
            "overnight",
            "last night",
            "this morning",
            "end of",
        ]
    )
    + r")(?![a-z])|[0-9][-./][0-9]"
)
_YEAR_IN_TEXT: Final = re.compile(r"(?<![\w,.])((?:19|20)[0-9]{2})(?![\w]|[,.][0-9])")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in the text, resolved (``when`` is None if it cannot be)."""

    start: int
    end: int
    text: str
    when: date | None
    kind: str


def parse_published(value: date | str | None) -> date | None:
    """Read a publication date given as a ``date``, an ISO string, or None.

    Raises:
        InvalidDateError: the string is not an ISO date (YYYY-MM-DD).
    """
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise InvalidDateError(f"published date {value!r} is not an ISO date (YYYY-MM-DD)") from error


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, year: int | None, published: date | None) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if published is None:
        return None
    candidate = _safe_date(published.year, month, day)
    if candidate is not None and candidate > published + timedelta(days=1):
        candidate = _safe_date(published.year - 1, month, day)
    return candidate


def _end_of(
    month_name: str | None, year_text: str, published: date | None, context_year: int | None
) -> date | None:
    year_text = year_text.lower()
    if year_text[:1].isdigit():
        year: int | None = int(year_text)
    elif "last" in year_text:
        year = published.year - 1 if published else None
    elif "this" in year_text:
        year = published.year if published else None
    else:
        year = context_year or (published.year if published else None)
    if year is None:
        return None
    if month_name:
        month = MONTHS[month_name.lower()]
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 12, 31)


def _weekday(name: str, strictly_before: bool, published: date | None) -> date | None:
    if published is None:
        return None
    back = (published.weekday() - WEEKDAYS[name.lower()]) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - timedelta(days=back)


def _relative(word: str, published: date | None) -> date | None:
    if published is None:
        return None
    word = " ".join(word.lower().split())
    if word in {"yesterday", "last night"}:
        return published - timedelta(days=1)
    return published


def find_dates(
    text: str, start: int = 0, end: int | None = None, *, published: date | None = None
) -> list[DateMention]:
    """Every date expression in ``text[start:end]``, resolved against ``published``.

    Example:
        >>> [m.when.isoformat() for m in find_dates("told Sky News on Thursday",
        ...                                          published=date(2022, 4, 7))]
        ['2022-04-07']
    """
    stop = len(text) if end is None else end
    mentions: list[DateMention] = []
    if lower_text(text[start:stop]) != text[start:stop]:
        # the patterns are lower-case: search a lower-cased copy, offsets unchanged
        lowered = lower_text(text)
        return find_dates(lowered, start, stop, published=published)
    hints = [hint.start() for hint in _DATE_HINT.finditer(text, start, stop)]
    if not hints:
        return mentions
    context_year: int | None = None
    year_match = _YEAR_IN_TEXT.search(text, start, stop)
    if year_match is not None:
        context_year = int(year_match.group(1))
    # Search only around the words that can open a date; a date spans at most ~30 characters.
    found: list[re.Match[str]] = []
    for hint in hints:
        if found and hint < found[-1].end():
            continue
        # never from inside the date found last: "Nov. 14 to Nov. 17" holds two dates
        floor = max(start, hint - 18, found[-1].end() if found else start)
        match = _DATE_PATTERN.search(text, floor, min(stop, hint + 32))
        if match is not None and (not found or match.start() >= found[-1].end()):
            found.append(match)
    for match in found:
        kind = match.lastgroup or ""
        groups = match.groupdict()
        when: date | None
        if groups["month_day"]:
            year = int(groups["md_year"]) if groups["md_year"] else None
            second = None if year is not None else _SECOND_DAY.match(text, match.end(), stop)
            if second is not None and second.group("year"):
                year = int(second.group("year"))  # "December 11 and 12 2016": the year is the pair's
            month = MONTHS[groups["md_month"].lower()]
            when = _month_day(month, int(groups["md_day"]), year, published)
            kind = "day"
            if second is not None and when is not None:
                other = _month_day(month, int(second.group("day")), year, published)
                if other is not None and other > when:
                    mentions.append(DateMention(match.start(), match.end(), match.group(0), when, kind))
                    start_of, end_of = second.start("day"), second.end()
                    mentions.append(DateMention(start_of, end_of, text[start_of:end_of], other, kind))
                    continue
        elif groups["glued"]:
            when = _safe_date(int(groups["g_year"]), MONTHS[groups["g_month"].lower()], int(groups["g_day"]))
            kind = "day"
        elif groups["day_month"]:
            year = int(groups["dm_year"]) if groups["dm_year"] else None
            when = _month_day(MONTHS[groups["dm_month"].lower()], int(groups["dm_day"]), year, published)
            kind = "day"
        elif groups["end_of"]:
            when = _end_of(groups["eo_month"], groups["eo_year"], published, context_year)
            kind = "period_end"
        elif groups["numeric"]:
            when = _safe_date(int(groups["n_year"]), int(groups["n_month"]), int(groups["n_day"]))
            kind = "day"
        elif groups["iso"]:
            when = _safe_date(int(groups["i_year"]), int(groups["i_month"]), int(groups["i_day"]))
            kind = "day"
        elif groups["weekday"]:
            when = _weekday(groups["wd_name"], bool(groups["wd_last"]), published)
            kind = "weekday"
        else:
            when = _relative(match.group(0), published)
            kind = "relative"
        mentions.append(DateMention(match.start(), match.end(), match.group(0), when, kind))
    return mentions
