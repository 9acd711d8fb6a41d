"""Dates in Russian, Ukrainian, Arabic, Spanish and French news, resolved against the publication date.

The same rules as :mod:`counterclaim.dates`: "1 декабря 2019 года" is that day; "10 вересня"
the latest such date not after publication; a weekday the latest such day on or before it;
"вчера", "за минулу добу", "أمس" the day before. A month or a year alone is not a date, nor
a day after a "since" word of the pack ("desde el 10 de enero": when a period began).
"""

from __future__ import annotations

from datetime import date, timedelta

from counterclaim.packs.pack import Pack, Word


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(words: list[Word], pack: Pack, published: date | None) -> tuple[date, int] | None:
    """The first date the words give, with the index of its first word; None if none."""
    for at, word in enumerate(words):
        if word.digits and len(word.text) <= 2 and 1 <= int(word.text) <= 31:
            nxt = at + 1
            if nxt < len(words) and words[nxt].start == word.end and words[nxt].forms[0] in pack.day_marks:
                nxt += 1  # "1er juin": the ordinal mark written on the day
            month = pack.find(pack.months, words, nxt)
            if month is None or _after_since(pack, words, at):
                continue  # "desde el pasado 10 de enero": the start of a period, not its day
            after = nxt + len(month.stems)
            year = None
            # the year may follow another spelling of the month: "15 ديسمبر (كانون الأول) 1991"
            for following in words[after : after + 4]:
                if following.digits:
                    year = int(following.text) if len(following.text) == 4 else None
                    break
            when = _day_month(int(word.text), int(month.value), year, published)
            if when is not None:
                return when, at
            continue
        if published is None:
            continue
        weekday = pack.find(pack.weekdays, words, at, clitics=False) or pack.find(pack.weekdays, words, at)
        if weekday is not None:
            back = (published.weekday() - int(weekday.value)) % 7
            return published - timedelta(days=back), at
        relative = pack.find(pack.relative_days, words, at)
        if relative is not None:
            return published - timedelta(days=int(relative.value)), at
    return None


def _after_since(pack: Pack, words: list[Word], at: int) -> bool:
    return any(
        at >= len(phrase.stems) and phrase.matches(words, at - len(phrase.stems)) for phrase in pack.since
    )


def _day_month(day: int, month: int, year: int | None, published: date | None) -> date | None:
    if year is not None:
        return _safe(year, month, day)
    if published is None:
        return None
    when = _safe(published.year, month, day)
    if when is not None and when > published:
        when = _safe(published.year - 1, month, day)
    return when
