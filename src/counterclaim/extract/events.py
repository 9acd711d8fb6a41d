"""Which day a figure refers to: its incident's day wherever the document gives it, or its count's.

docs/claims.md: an incident's figure takes the day of the incident wherever the document gives
it ("Saturday's blast" two sentences earlier counts), else the publication date; a running
total takes the date stated for the count, else the day the statement was made, else the
publication date.

Every date in a sentence is one of:

- a *statement* date, when something was said ("said on Sunday", "On Sunday a monitor said");
- a *count* date, when a total stood ("as of March 25", "by the end of 2022", "to Nov. 17");
- a *start*, which opens a period and dates nothing ("since March 2011", "from June 4");
- a *stamp*: publication furniture ("Published June 27 2016", "GENEVA, Jan 16 -");
- else an *event* date ("killed 12 on Tuesday", "Saturday's strike").

An incident figure with no event date of its own belongs to the incident the story is telling:
walking back from its sentence, the last event that was given a date, unless a sentence in
between opens another incident with no date ("An airstrike hit a field hospital …", "in a
separate attack", "Meanwhile …"). A headline's or a lead's incident is dated by the sentences
that follow it. "A day after", "one week after", "the day before" count from the date they
are anchored to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from counterclaim.dates import DateMention, find_dates
from counterclaim.extract.cues import Cue
from counterclaim.extract.sentences import Sentences
from counterclaim.number_words import small_number

Span = tuple[int, int]

_EVENT_NOUNS: Final = (
    r"attacks?|strikes?|airstrikes?|air\s+strikes?|air\s+raids?|raids?|bombings?|bombardments?|"
    r"blasts?|explosions?|shelling|ambush|massacre|clashes|clash|fighting|battle|assault|"
    r"offensive|operation|disasters?|earthquakes?|quakes?|tsunami|floods?|flooding|cyclones?|hurricanes?|"
    r"typhoon|storm|landslide|crash|collision|derailment|fire|blaze|stampede|crush|collapse|"
    r"incident|tragedy|shooting|gunfire|barrage|onslaught|violence|killings|executions|"
    r"incursion|invasion|siege|takeover|uprising|protests?|bombs?|barrel\s+bombs?|shells?|rockets?|"
    r"missiles?|drones?|mortars?|car\s+bombs?|mines?|grenades?"
)
# "the attack", "Saturday's blast", "those strikes", "the same bombing": the story's incident
_DEFINITE_EVENT: Final = re.compile(
    rf"(?<![\w])(?:the|this|that|these|those|its|[a-z]+day['’]?s|same)\s+(?:[\w'’-]+\s+){{0,3}}?(?:{_EVENT_NOUNS})(?![\w])"
)
# "an airstrike hit a field hospital", "in a separate attack", "in another town": another one
_NEW_EVENT: Final = re.compile(
    rf"(?<![\w])(?:(?:a|an|another|one|new|fresh|separate|further|second|third)\s+(?:[\w'’-]+\s+){{0,3}}?"
    rf"(?:{_EVENT_NOUNS})|in\s+another\s+(?:town|village|city|area|district|province|region)|"
    r"separate(?:ly)?|elsewhere|meanwhile)(?![\w])"
)
_EVENT_AFTER: Final = re.compile(rf"\s+(?:[\w'’-]+\s+){{0,2}}?(?:{_EVENT_NOUNS})(?![\w])")
_MONTH_NAMES: Final = "january|february|march|april|may|june|july|august|september|october|november|december"
# A time of its own that is no day: the figure falls back to the publication date.
_VAGUE_PERIOD: Final = re.compile(
    r"(?<![\w])(?:(?:last|this|past|previous|earlier\s+this|later\s+this)\s+(?:week|month|year|weekend|"
    rf"spring|summer|autumn|winter)|in\s+(?:{_MONTH_NAMES})(?!\s+\d{{1,2}}\b)|in\s+(?:19|20)\d\d|"
    rf"(?:{_MONTH_NAMES})\s+(?:19|20)\d\d|recently|in\s+recent\s+(?:days|weeks|months)|"
    r"(?:over|in|during)\s+the\s+(?:following|next|coming|past|previous)\s+(?:few\s+)?(?:weeks|months|years))(?![\w])"
)
_FINDING_VERBS: Final = frozenset(
    {"found", "finds", "discovered", "discovers", "discovering", "recovered", "recovers", "counted", "counts"}
)
_SEVERAL_EVENTS: Final = re.compile(
    rf"(?<![\w])(?:the\s+(?:two|three|four|twin|several)|both(?:\s+the)?|all\s+(?:the|three|four))\s+"
    rf"(?:[\w'’-]+\s+)?(?:{_EVENT_NOUNS})(?![\w])"
)
_EVENT_WORD: Final = re.compile(rf"(?<![\w])(?:{_EVENT_NOUNS})(?![\w])")
_EVENT_VERB: Final = re.compile(
    r"(?<![\w])(?:struck|strikes|hit|hits|blew\s+(?:\w+\s+)?up|exploded|explodes|detonated|attacked|"
    r"bombed|shelled|fired|launched|crashed|collapsed|erupted|tore\s+through|stormed|ambushed|"
    r"raided|targeted|bomber|gunmen|opened\s+fire|flooded|swept)(?![\w])"
)
_START_BEFORE: Final = re.compile(
    r"(?<![\w])(?:(?:since|from|between|after|before|until)\s+(?:the\s+|late\s+|early\s+|mid-?)?|"
    r"(?:began|begun|started|erupted|broke\s+out|launched)\s+(?:on\s+)?)$"
)
# "since fighting erupted between the army and the RSF on April 15": a period's start too
_IN_SINCE_CLAUSE: Final = re.compile(
    r"(?<![\w])since\s[^,.;:]*(?:erupted|began|started|broke\s+out|launched)[^,.;:]*\s(?:on|in)\s+$"
)
_COUNT_BEFORE: Final = re.compile(r"(?<![\w])(?:as\s+of|by|at|through|to|until|till)\s+(?:the\s+)?$")
_STATEMENT_BEFORE: Final = re.compile(
    r"(?<![\w])(?:said|says|told|announced|reported|stated|added|confirmed|saying|claimed|"
    r"estimated|released|published|issued|briefing|statement|update|updated|report|tweeted|"
    r"posted|wrote|noted|warned|spoke|remarks)(?:\s+[\w.’'-]+){0,3}?\s+(?:late\s+|early\s+)?(?:on\s+)?$"
)
_STAMP_BEFORE: Final = re.compile(
    r"(?:published|date\s+of\s+publication|last\s+updated(?:\s+at)?|updated|posted|first\s+published)"
    r"\s*(?:on\s+)?:?\s*$"
)
# "GENEVA, Jan 16 -", "BEIRUT, March 10 (Reuters) -": the dateline of a wire story
_DATELINE: Final = re.compile(r"^\W*[A-Z][A-Z.'’ -]{2,30},\s*$")
_DATELINE_DASH: Final = re.compile(r"\s*(?:\(\w[\w ]*\)\s*)?[-–—]")
_CLAUSE_MARK: Final = re.compile(r"[,;:–—]")
_WORD: Final = re.compile(r"\w+")
_SPACE_OR_COMMA: Final = re.compile(r"[\s,]")
# "a day after", "one week after", "two days earlier", "the day before", "the previous day"
_RELATIVE: Final = re.compile(
    r"(?<![\w])(?:(?P<count>a|an|one|two|three|four|five|six|seven|[0-9]+)\s+(?P<unit>days?|weeks?)|"
    r"(?P<hours>hours|minutes)|the\s+(?P<the>day))\s+(?P<direction>after|before|earlier|later)(?![\w])|"
    r"(?<![\w])the\s+(?P<previous>previous|preceding)\s+(?:day|night)(?![\w])"
)
# "the February 6 earthquakes", "the 14 March cyclone": a day that modifies the noun after it
_DAY_BEFORE_NOUN: Final = re.compile(r"(?<![\w])(?:the|its|their|this|last)\s+$")
# Words that say an incident is another one than the story's
_SEPARATE: Final = re.compile(
    r"(?<![\w])(?:separate(?:ly)?|another|elsewhere|meanwhile|in\s+other\s+news)(?![\w])"
)
_LOOKBACK: Final = 12
_LOOKAHEAD: Final = 3


@dataclass(frozen=True, slots=True)
class Dated:
    """A date mention of a sentence and what it dates."""

    mention: DateMention
    kind: str  # "event", "statement", "count", "start", "stamp"

    @property
    def when(self) -> date:
        assert self.mention.when is not None
        return self.mention.when


class Calendar:
    """The dates of one document, and the day each of its figures refers to."""

    def __init__(
        self,
        text: str,
        low: str,
        sentences: Sentences,
        published: date | None,
        cues: Callable[[Span], list[Cue]],
        measures: re.Pattern[str],
    ) -> None:
        self._measures = measures
        self.text = text
        self.low = low
        self.sentences = sentences
        self.published = published
        self._cues = cues
        self._dated: dict[Span, list[Dated]] = {}
        self._named_day: list[date | None] | None = None
        self._said: dict[tuple[int, int, int], bool] = {}

    def dates(self, span: Span) -> list[Dated]:
        """The resolvable dates of the sentence ``span``, classified (cached)."""
        found = self._dated.get(span)
        if found is not None:
            return found
        start, end = span
        found = []
        cues = None
        for mention in find_dates(self.low, start, end, published=self.published):
            if mention.when is None:
                continue
            before = self.low[max(start, mention.start - 48) : mention.start]
            if _is_stamp(self.text, span, mention, before):
                kind = "stamp"
            elif (
                _START_BEFORE.search(before) or _IN_SINCE_CLAUSE.search(before)
            ) and not mention.text.endswith(("'s", "’s", "s")):
                kind = "start"  # "since March 2011"; but "from Saturday's strike" names an event
            elif (statement := _STATEMENT_BEFORE.search(before)) is not None and not _EVENT_WORD.search(
                before, statement.start()
            ):
                kind = "statement"  # but "it said that drone strikes on Saturday": the strikes' day
            elif _EVENT_AFTER.match(self.low, mention.end) and (
                mention.text.endswith(("'s", "’s", "s")) or _DAY_BEFORE_NOUN.search(before)
            ):
                # "leading up to Saturday's attacks", "killed by the February 6 earthquakes":
                # the day of the incident it names
                kind = "event"
            elif mention.kind == "period_end" or _COUNT_BEFORE.search(before):
                kind = "count"
            else:
                if cues is None:
                    cues = self._cues(span)
                kind = "statement" if _fronts_a_speaker(self.text, span, mention, cues) else "event"
            found.append(Dated(mention, kind))
        self._dated[span] = found
        return found

    def _says(self, span: Span, pattern: re.Pattern[str]) -> bool:
        """Whether the sentence ``span`` (lower-cased) holds a match of ``pattern`` (cached: the
        story's day is looked for in the same sentences before each figure). A pattern's hash
        reads its whole compiled code, so its identity keys it (they live as long as the module)."""
        key = (span[0], span[1], id(pattern))
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = pattern.search(self.low[span[0] : span[1]]) is not None
        return found

    def as_of(self, span: Span, position: int, scope: str, *, source: Span | None = None) -> date | None:
        """The day the figure at ``position`` in ``span`` refers to, given its scope.

        ``source`` is the sentence whose statement this one goes on with (the attribution was
        carried from it): with no day of its own, the figure takes that statement's day.
        """
        dated = self.dates(span)
        if (
            source is not None
            and source != span
            and not any(d.kind in {"event", "count", "statement"} for d in dated)
        ):
            carried = self.dates(source)
            days = [d for d in carried if d.kind in {"count", "event"}] or [
                d for d in carried if d.kind == "statement"
            ]
            if days:
                return days[-1].when
        if scope == "incident":
            when = self._incident_day(span, position, dated)
        else:
            # the count's day, else the statement's, else a day the sentence gives the figures
            # ("Yesterday in continued attacks 18 civilians have been killed")
            counts = (
                [d for d in dated if d.kind == "count"]
                or [d for d in dated if d.kind == "statement"]
                or [d for d in dated if d.kind == "event" and self._same_clause(d, position)]
            )
            when = _nearest(counts, position).when if counts else None
        return when or self.published

    def _same_clause(self, dated: Dated, position: int) -> bool:
        """Whether a date and a figure share a clause: no comma or semicolon between them but
        the one that closes a fronted date ("On Monday, 18 were killed")."""
        if dated.mention.end <= position:
            between = self.text[dated.mention.end : position].lstrip(" ,")
        else:
            between = self.text[position : dated.mention.start]
        return not _CLAUSE_MARK.search(between)

    def _incident_day(self, span: Span, position: int, dated: list[Dated]) -> date | None:
        events = [d for d in dated if d.kind in {"event", "count"}]
        relative = self._relative(span, position, dated)
        if relative is not None:
            return relative
        if events:
            named = [d for d in events if d.kind == "event" and _EVENT_AFTER.match(self.low, d.mention.end)]
            # "killed by the February 6 earthquakes rose above 37,000 on Tuesday": the day that
            # names the incident, not the day the toll stood
            return _nearest(named or events, position).when
        sentence = self.low[span[0] : span[1]]
        if _VAGUE_PERIOD.search(sentence):
            return None  # "killed 31 people last week": a period of its own, not the story's day
        if self._is_lead(span):
            # a headline's or a lead's incident is dated after it
            return self._day_ahead(span, period_end=True)
        if self._says(span, _NEW_EVENT) and not self._says(span, _DEFINITE_EVENT):
            # another incident: dated only if the next lines give it a day ("Saturday's blast")
            return self._day_ahead(span, definite=True)
        # "those killed in the two attacks": the incidents before, even past a second one
        earlier = self._story_day(span, through_new=_SEVERAL_EVENTS.search(sentence) is not None)
        if earlier is not None:
            return earlier
        if self._says(span, _DEFINITE_EVENT):
            return self._day_ahead(span) or self._named_incident_day(span)
        return self._named_incident_day(span)

    def _named_incident_day(self, span: Span) -> date | None:
        """The one day the document gives its incident by name anywhere ("Thursday's missile
        strikes", "the February 6 earthquakes"); None when it names none or several, or when
        another, undated incident was told before ``span`` ("In a separate attack, …")."""
        if self._after_other_incident(span):
            return None
        if self._named_day is None:
            days = set()
            for mention in find_dates(self.low, 0, len(self.low), published=self.published):
                if mention.when is None or not _EVENT_AFTER.match(self.low, mention.end):
                    continue
                before = self.low[max(0, mention.start - 48) : mention.start]
                if mention.text.endswith(("'s", "’s")) or _DAY_BEFORE_NOUN.search(before):
                    days.add(mention.when)
            self._named_day = [days.pop() if len(days) == 1 else None]
        return self._named_day[0]

    def _relative(self, span: Span, position: int, dated: list[Dated]) -> date | None:
        """A day counted from another: "Schumer spoke on Sunday, a day after attacks killed 31"
        (Sunday minus one), "the blasts on Tuesday come one week after one person was killed"
        (a week before Tuesday), "loyalists evacuated the day before" (the story's day minus one)."""
        low = max(span[0], position - 120)
        high = min(span[1], position + 60)
        matches = list(_RELATIVE.finditer(self.low, low, high))
        if not matches:
            return None
        match = min(matches, key=lambda m: abs(m.start() - position))
        anchors = [
            d
            for d in dated
            if d.kind not in {"start", "stamp"}
            and not (min(match.start(), position) <= d.mention.start <= max(match.end(), position))
        ]
        if anchors:
            anchor = _nearest(anchors, match.start()).when
        else:
            story = self._story_day(span)
            if story is None and match.group("previous") and self.published is not None:
                story = self.published  # "killed the previous day": the day before the report's
            if story is None:
                return None
            anchor = story
        if match.group("previous"):
            return anchor - timedelta(days=1)
        if match.group("the"):
            days = 1
        elif match.group("hours"):
            days = 0  # "hours earlier": the same day
        else:
            count = match.group("count")
            days = int(count) if count.isdigit() else (small_number(count) or 1)  # "a", "an": one
            if (match.group("unit") or "").startswith("week"):
                days *= 7
        direction = match.group("direction")
        if match.start() < position:
            # the figure is in the phrase's complement: "a day after [attacks killed 31]"
            sign = -1 if direction == "after" else 1
        else:
            # the phrase follows the figure: "[loyalists evacuated] the day before", "two days later"
            sign = 1 if direction in {"later", "after"} else -1
        return anchor + timedelta(days=sign * days)

    def _story_day(self, span: Span, *, include_own: bool = False, through_new: bool = False) -> date | None:
        """The day of the incident the story is telling at ``span``: the last event dated in
        the sentences before it, unless one of them opened another, undated incident."""
        current: Span | None = span if include_own else self.sentences.before(span)
        for _ in range(_LOOKBACK):
            if current is None:
                return None
            events = [d for d in self.dates(current) if d.kind in {"event", "count"}]
            if events and (
                self._says(current, _EVENT_WORD)
                or self._says(current, _EVENT_VERB)
                or self._says(current, self._measures)
            ):
                # a day given to an incident ("the bomber blew himself up late Monday"); the day
                # that names it before the day its toll stood ("killed by the February 6
                # earthquakes rose above 37,000 on Tuesday")
                named = [
                    d for d in events if d.kind == "event" and _EVENT_AFTER.match(self.low, d.mention.end)
                ]
                return (named or events)[-1].when
            if (
                not through_new
                and self._says(current, _NEW_EVENT)
                and not self._says(current, _DEFINITE_EVENT)
                and self._says(current, self._measures)
            ):
                return None  # another incident with a toll of its own, and no day for it
            current = self.sentences.before(current)
        return None

    def _after_other_incident(self, span: Span) -> bool:
        """Whether a sentence before ``span`` (back to the last dated event) told another
        incident, said to be one ("in a separate attack", "elsewhere", "meanwhile"), with a toll
        and no day of its own."""
        current = self.sentences.before(span)
        for _ in range(_LOOKBACK):
            if current is None:
                return False
            if any(d.kind in {"event", "count"} for d in self.dates(current)):
                return False
            if self._says(current, _SEPARATE) and self._says(current, self._measures):
                return True
            current = self.sentences.before(current)
        return False

    def _is_lead(self, span: Span) -> bool:
        """A headline, standfirst or the first sentence of the story."""
        first = self.sentences.before(span)
        if first is None:
            return True
        return self.sentences.before(first) is None and not self.text[first[0] : first[1]].rstrip().endswith(
            (".", "!", "?", "”", '"')
        )

    def _day_ahead(self, span: Span, *, definite: bool = False, period_end: bool = False) -> date | None:
        """The first event day given in the few sentences after ``span`` (with ``definite``, only
        one given to the same incident: "Saturday's blast", "the attack on Tuesday")."""
        current: Span | None = span
        for distance in range(_LOOKAHEAD if not definite else 2):
            current = self.sentences.after(current) if current is not None else None
            if current is None:
                return None
            if definite and not self._says(current, _DEFINITE_EVENT):
                continue
            dated = self.dates(current)
            # an event's day, else, in the very next sentence, the end of the period it is
            # dated to ("the casualties occurred between Nov. 14 to Nov. 17")
            events = [d for d in dated if d.kind == "event"] or [
                d for d in dated if d.kind == "count" and distance == 0 and period_end
            ]
            # "on Monday, taking the toll from Saturday's missile strike to 40": the day that
            # names the incident before another day of the sentence
            named = [d for d in events if d.kind == "event" and _EVENT_AFTER.match(self.low, d.mention.end)]
            if named or events:
                return (named or events)[0].when
        return None


def _is_stamp(text: str, span: Span, mention: DateMention, before: str) -> bool:
    """Publication furniture: "Published June 27 2016", "Date of publication 4 April 2017", a
    wire dateline ("GENEVA, Jan 16 -"), or a bare date opening the text."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    stamp = _STAMP_BEFORE.search(before)
    if stamp is not None:
        # furniture opens its line or is capitalised ("Published …"); "in remarks published
        # Saturday" is a statement's day
        opening = mention.start - len(before) + stamp.start()
        if not text[max(line_start, span[0]) : opening].strip() or text[opening : opening + 1].isupper():
            return True
    head = text[max(line_start, span[0]) : mention.start]
    if _DATELINE.match(head) and _DATELINE_DASH.match(text[mention.end : mention.end + 16]):
        return True
    # a bare date opening the text is a dateline when a headline follows it, not a verb
    # ("February 24 witnessed major developments" is the story's day)
    following = text[mention.end : mention.end + 3].lstrip()
    return (
        mention.start - line_start <= 4
        and line_start == 0
        and mention.kind == "day"
        and (not following or not following[0].islower())
    )


def _fronts_a_speaker(text: str, span: Span, mention: DateMention, cues: list[Cue]) -> bool:
    """ "On Sunday a monitor said", "the ministry on Sunday said": the day of the saying."""
    clause = max(span[0], *(text.rfind(mark, span[0], mention.start) + 1 for mark in ',;:"“”'))
    opens_clause = len(_WORD.findall(text[clause : mention.start])) <= 2
    for cue in cues:
        if cue.kind not in {"verb", "participle"} or cue.speaker_start < 0 or cue.governs == "before":
            continue  # "… on Wednesday, local activists said": the day is the statement's content
        if cue.verb in _FINDING_VERBS:
            continue  # "On April 2, AFP discovers the bodies": the day of the finding, a count's
        if (
            opens_clause
            and mention.end <= cue.speaker_start
            and not _SPACE_OR_COMMA.sub("", text[mention.end : cue.speaker_start])
        ):
            return True
        if cue.speaker_end <= mention.start and mention.end <= cue.start:
            return True
    return False


def _nearest(dated: list[Dated], position: int) -> Dated:
    """The date nearest a figure; of a pair ("December 11 and 12", "Nov. 14 to Nov. 17"), the
    later day, the period's end."""
    nearest = min(dated, key=lambda d: abs(d.mention.start - position))
    for other in sorted(dated, key=lambda d: d.mention.start):
        gap = other.mention.start - nearest.mention.end
        if 0 < gap <= 10 and other.when > nearest.when:
            nearest = other
    return nearest


def event_word(text: str) -> bool:
    """Whether a stretch of lower-cased text names an incident (an attack, a flood …)."""
    return _EVENT_WORD.search(text) is not None
