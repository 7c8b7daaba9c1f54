"""Temporal expressions → calendar intervals, resolved against the time an utterance was said.

"I went to a concert yesterday", said on 8 May 2023, happened on 7 May 2023. This module finds
such expressions in a text and resolves each to a :class:`TimeSpan` (first and last day, and a
grain: ``day``, ``week``, ``month``, ``year`` or ``duration``). Families:

* absolute: ``8 May 2023``, ``May 8th, 2023``, ``2023-05-08``, ``May 2023``, ``2022``, ``in May``;
* relative: ``today``, ``yesterday``, ``last night``, ``last Friday``, ``on Friday``, ``two weeks
  ago``, ``in three days``, ``last/this/next week|weekend|month|year``, ``last summer``;
* durations, ending when they were said: ``for three years``, ``the past two months``,
  ``since 2019``.

No LLM and no network. Calendar arithmetic is python-dateutil's ``relativedelta`` (month and
year steps clamp to the month's last day). ``dateparser`` (BSD-3) was measured for this and
left out: about 0.9 ms a call here, but it answers with one instant, not an interval ("May
2023" came back as 8 May 2023, "2022" as 8 May 2022), returned nothing for "this weekend" or
"for three years", and brings pytz, regex and tzlocal along.

Weeks run Monday to Sunday. A weekday or month named without a year ("on Friday", "in May")
means the latest one on or before the utterance, unless ``prefer="future"``.

>>> resolve("yesterday", "2023-05-08T13:56:00").start.isoformat()
'2023-05-07'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

__all__ = ["TimeSpan", "resolve", "find_times", "anchor_date"]

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                         "sunday"])}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
            "thirty": 30, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUM = r"(?:\d{1,3}|a couple of|a couple|couple of|a few|few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
_UNIT = r"(?:day|week|month|year|decade)s?"
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"

# One pattern per family, tried in this order at each position; the longest match wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(rx, re.IGNORECASE)) for name, rx in [
    ("iso", r"\b(?P<y>" + _YEAR + r")-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    ("dmy", r"\b(?:the\s+)?(?P<d>" + _DAYNUM + r")\s+(?:of\s+)?(?P<mon>" + _MONTH + r")\.?(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
    ("mdy", r"\b(?P<mon>" + _MONTH + r")\.?\s+(?:the\s+)?(?P<d>" + _DAYNUM + r")(?:,?\s+(?P<y>" + _YEAR + r"))?\b(?!\s*(?:am|pm|:))"),
    ("my", r"\b(?P<prep>(?:in|during|until|by)\s+)?(?:(?P<rel>last|this|next)\s+)?(?P<mon>" + _MONTH + r")(?:,?\s+(?:of\s+)?(?P<y>" + _YEAR + r"))?\b"),
    ("since", r"\bsince\s+(?:(?P<mon>" + _MONTH + r")\s+)?(?P<y>" + _YEAR + r")\b"),
    ("year", r"\b(?:in\s+|of\s+)?(?P<y>" + _YEAR + r")\b"),
    ("for", r"\b(?:for|over)\s+(?:the\s+(?:past|last)\s+)?(?P<n>" + _NUM + r")\s+(?P<u>" + _UNIT + r")\b(?!\s+(?:ago|from now|later|before|after|old))"),
    ("past", r"\b(?:the\s+)?(?:past|last)\s+(?P<n>" + _NUM + r")\s+(?P<u>" + _UNIT + r")\b"),
    ("ago", r"\b(?P<n>" + _NUM + r")\s+(?P<u>" + _UNIT + r")\s+(?P<dir>ago|from now|later|before)\b"),
    ("in", r"\bin\s+(?P<n>" + _NUM + r")\s+(?P<u>" + _UNIT + r")\b(?!\s+(?:ago|old))"),
    ("day", r"\b(?P<w>the day before yesterday|the day after tomorrow|yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening))\b"),
    ("weekday", r"\b(?:(?P<rel>last|this|next|on|this past|this coming)\s+)?(?P<wd>" + _WEEKDAY + r")s?\b"),
    ("period", r"\b(?P<rel>last|this|next|past)\s+(?P<p>week(?:end)?|month|year|" + "|".join(_SEASONS) + r")\b"),
    ("season", r"\b(?:in\s+)?(?:the\s+)?(?P<p>" + "|".join(_SEASONS) + r")(?:\s+(?:of\s+)?(?P<y>" + _YEAR + r"))?\b"),
]]


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A resolved temporal expression: the days ``[start, end]`` (both included)."""

    start: date
    end: date
    grain: str  # day | week | month | year | season | duration
    text: str
    char_start: int = 0
    char_end: int = 0

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def anchor_date(when: datetime | date | str | None) -> date | None:
    """The calendar day of an utterance time (naive ISO string, datetime or date)."""
    if when is None or when == "":
        return None
    if isinstance(when, datetime):
        return when.date()
    if isinstance(when, date):
        return when
    try:
        return datetime.fromisoformat(str(when).strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _count(word: str) -> int | None:
    word = " ".join(word.lower().split())
    if word.isdigit():
        return int(word)
    return _NUMBERS.get(word)


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, first + relativedelta(months=1) - timedelta(days=1)


def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _shift(day: date, n: int, unit: str) -> date:
    unit = unit.lower().rstrip("s")
    if unit == "decade":
        return day + relativedelta(years=10 * n)
    return day + relativedelta(**{f"{unit}s": n})


def _season(year: int, name: str) -> tuple[date, date]:
    first, last = _SEASONS[name]
    if first > last:  # winter runs into the next year
        return date(year, first, 1), _month_span(year + 1, last)[1]
    return date(year, first, 1), _month_span(year, last)[1]


def _latest_season(today: date, name: str, *, back: int) -> tuple[date, date]:
    """The ``name`` season that is current or last (``back`` = 0), or the one before (``back`` = 1)."""
    spans = [_season(y, name) for y in range(today.year + 1, today.year - 3, -1)]
    started = [s for s in spans if s[0] <= today]
    return started[min(back, len(started) - 1)]


def _year_of(month: int, day: int, today: date, prefer: str) -> int:
    """The year of a yearless date: the latest on or before ``today`` (or the next one from it)."""
    year = today.year
    if prefer == "future":
        return year if (month, day) >= (today.month, today.day) else year + 1
    return year if (month, day) <= (today.month, today.day) else year - 1


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve_match(name: str, g: dict[str, str | None], today: date | None, prefer: str) -> tuple[date, date, str] | None:
    if name == "iso":
        day = _valid(int(g["y"]), int(g["m"]), int(g["d"]))
        return (day, day, "day") if day else None
    if name in ("dmy", "mdy"):
        month = _MONTHS[g["mon"].lower().rstrip(".")[:4] if g["mon"].lower().startswith("sept") else g["mon"].lower()[:3]]
        d = int(re.sub(r"\D", "", g["d"]))
        if g.get("y"):
            day = _valid(int(g["y"]), month, d)
        elif today is not None:
            day = _valid(_year_of(month, d, today, prefer), month, d)
        else:
            return None
        return (day, day, "day") if day else None
    if name == "my":
        month = _MONTHS[g["mon"].lower()[:3]]
        if g.get("y"):
            return (*_month_span(int(g["y"]), month), "month")
        if today is None:
            return None
        rel = (g.get("rel") or "").lower()
        if not rel and not g.get("prep") and g["mon"].lower() in ("may", "march", "mar"):
            return None  # a bare "may"/"march" is far more often the verb
        if rel == "next" or (prefer == "future" and rel != "last"):
            year = today.year if month > today.month else today.year + 1
        elif rel == "this":
            year = today.year
        else:
            year = today.year if month <= today.month else today.year - 1
            if rel == "last" and month == today.month:
                year -= 1
        return (*_month_span(year, month), "month")
    if name == "since":
        if today is None:
            return None
        month = _MONTHS[g["mon"].lower()[:3]] if g.get("mon") else 1
        return date(int(g["y"]), month, 1), today, "duration"
    if name == "year":
        y = int(g["y"])
        return date(y, 1, 1), date(y, 12, 31), "year"
    if today is None:
        return None
    if name in ("for", "past"):
        n = _count(g["n"])
        if n is None:
            return None
        return _shift(today, -n, g["u"]), today, "duration"
    if name in ("ago", "in"):
        n = _count(g["n"])
        if n is None:
            return None
        sign = -1 if name == "ago" and g["dir"].lower() in ("ago", "before") else 1
        day = _shift(today, sign * n, g["u"])
        unit = g["u"].lower().rstrip("s")
        if unit == "month":
            return (*_month_span(day.year, day.month), "month")
        if unit in ("year", "decade"):
            return date(day.year, 1, 1), date(day.year, 12, 31), "year"
        return day, day, "day" if unit == "day" else "week"
    if name == "day":
        w = " ".join(g["w"].lower().split())
        offset = {"the day before yesterday": -2, "yesterday": -1, "last night": -1, "tomorrow": 1,
                  "the day after tomorrow": 2}.get(w, 0)
        day = today + timedelta(days=offset)
        return day, day, "day"
    if name == "weekday":
        wd = _WEEKDAYS[g["wd"].lower()]
        rel = " ".join((g.get("rel") or "").lower().split())
        if rel in ("next", "this coming") or (prefer == "future" and rel not in ("last", "this past")):
            day = today + timedelta(days=(wd - today.weekday()) % 7 or 7)  # the coming one
        elif rel == "this":
            day = _week_of(today) + timedelta(days=wd)
        else:  # last, on, bare: the latest one before today ("last Friday" said on a Friday: a week ago)
            day = today - timedelta(days=(today.weekday() - wd) % 7 or 7)
        return day, day, "day"
    if name == "period":
        rel, p = g["rel"].lower(), g["p"].lower()
        step = {"last": -1, "past": -1, "this": 0, "next": 1}[rel]
        if p == "week":
            start = _week_of(today) + timedelta(weeks=step)
            return start, start + timedelta(days=6), "week"
        if p == "weekend":
            saturday = _week_of(today) + timedelta(days=5)  # this week's
            if step < 0 or (step == 0 and today.weekday() < 5 and prefer == "past"):
                saturday -= timedelta(weeks=1)  # "this weekend we went hiking", said on a Monday
            elif step > 0:
                saturday += timedelta(weeks=1)
            return saturday, saturday + timedelta(days=1), "week"
        if p == "month":
            first = date(today.year, today.month, 1) + relativedelta(months=step)
            return (*_month_span(first.year, first.month), "month")
        if p == "year":
            y = today.year + step
            return date(y, 1, 1), date(y, 12, 31), "year"
        start, end = _latest_season(today, p, back=0)
        if step < 0 and end >= today:  # "last summer" said in July: the one before
            start, end = _latest_season(today, p, back=1)
        elif step > 0:
            start, end = _season(start.year + 1, p)
        elif step == 0 and p != "winter":
            start, end = _season(today.year, p)
        return start, end, "season"
    if name == "season":
        p = g["p"].lower()
        if g.get("y"):
            return (*_season(int(g["y"]), p), "season")
        start, end = _latest_season(today, p, back=0)
        return start, end, "season"
    return None


def _scan(text: str) -> list[tuple[int, int, str, dict[str, str | None]]]:
    """Non-overlapping candidate matches, longest first at each place."""
    found = []
    for name, rx in _PATTERNS:
        for m in rx.finditer(text):
            found.append((m.start(), m.end(), name, m.groupdict()))
    found.sort(key=lambda c: (c[0] - c[1], c[0]))  # longest first
    taken: list[tuple[int, int]] = []
    out = []
    for c in found:
        if any(c[0] < e and s < c[1] for s, e in taken):
            continue
        taken.append((c[0], c[1]))
        out.append(c)
    return sorted(out)


def find_times(text: str, when: datetime | date | str | None, *, prefer: str = "past") -> list[TimeSpan]:
    """Every temporal expression in ``text`` that resolves against ``when``, in text order.

    >>> [t.start.isoformat() for t in find_times("I quit two weeks ago, in May 2023.", "2023-06-10")]
    ['2023-05-27', '2023-05-01']
    """
    today = anchor_date(when)
    out = []
    for start, end, name, groups in _scan(text):
        span = _resolve_match(name, groups, today, prefer)
        if span is not None:
            out.append(TimeSpan(span[0], span[1], span[2], text[start:end], start, end))
    return out


def resolve(text: str, when: datetime | date | str | None, *, prefer: str = "past") -> TimeSpan | None:
    """The one temporal expression that ``text`` is, resolved against ``when`` (``None`` if it is none).

    >>> resolve("for three years", "2023-05-08").start.isoformat()
    '2020-05-08'
    >>> resolve("May 2023", None).end.isoformat()
    '2023-05-31'
    """
    found = find_times(text, when, prefer=prefer)
    return max(found, key=lambda t: t.char_end - t.char_start) if found else None


def nearest(spans: Iterable[TimeSpan], lo: int, hi: int, at: int) -> TimeSpan | None:
    """The span inside ``[lo, hi)`` (a sentence) closest to character ``at`` (a predicate)."""
    inside = [s for s in spans if lo <= s.char_start and s.char_end <= hi]
    if not inside:
        return None
    return min(inside, key=lambda s: min(abs(s.char_start - at), abs(s.char_end - at)))
