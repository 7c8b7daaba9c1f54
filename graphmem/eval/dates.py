"""LoCoMo's temporal questions (code 2): does recall bring back a fact dated as the answer says?

For each code-2 question whose evidence turn holds a *relative* date ("yesterday", "last week" —
an expression that cannot be read without the session's time), the gold answer is read as a day
interval: absolute ("7 May 2023", "June 2023", "2022") or anchored to an absolute date as LoCoMo
writes them ("The week before 9 June 2023", "The Friday before 15 July 2023", "The weekend before
17 July 2023", "The week of 23 August 2023"). A question counts as found when one of the facts
among the top 5 recalled memories has an event interval that overlaps the answer's and is no
wider than it (or than a week): the date was resolved, attached to the fact, and recalled.
Answers that read as no date ("4 years", "two weekends before …") are left out and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..nlp.temporal import find_times, resolve

__all__ = ["answer_interval", "has_relative_date", "temporal_recall", "top_events", "TOP"]

TOP = 5
_BEFORE = re.compile(r"^\s*the\s+(?P<what>week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                     r"\s+(?P<rel>before|of)\s+(?P<date>.+?)\s*\.?$", re.I)


def answer_interval(answer: str | None) -> tuple[date, date] | None:
    """The days a LoCoMo temporal answer names, or ``None`` when it names none.

    >>> [d.isoformat() for d in answer_interval("The week before 9 June 2023")]
    ['2023-05-29', '2023-06-04']
    >>> [d.isoformat() for d in answer_interval("7 May 2023")]
    ['2023-05-07', '2023-05-07']
    """
    if not answer:
        return None
    m = _BEFORE.match(answer)
    if m:
        anchor = resolve(m["date"], None)
        if anchor is None or anchor.grain != "day":
            return None
        what = m["what"].lower()
        phrase = f"this {what}" if m["rel"].lower() == "of" else f"last {what}"
        span = resolve(phrase, anchor.start)
        return None if span is None else (span.start, span.end)
    found = [t for t in find_times(answer, None) if t.grain in ("day", "month", "year")]
    if len(found) != 1 or len(found[0].text) < len(answer.strip().rstrip(".")) - 3:
        return None  # "4 years", "two weekends before 17 July 2023": not one plain date
    return found[0].start, found[0].end


def has_relative_date(text: str, when: Any) -> bool:
    """Whether ``text`` holds a date that only the time it was said makes absolute."""
    return any(resolve(t.text, None) is None for t in find_times(text, when))


def _matches(event: tuple[str | None, str | None], target: tuple[date, date]) -> bool:
    if not event[0]:
        return False
    start = date.fromisoformat(event[0])
    end = date.fromisoformat(event[1] or event[0])
    wide = max((target[1] - target[0]).days, 6)
    return start <= target[1] and target[0] <= end and (end - start).days <= wide


def temporal_recall(records: Sequence[Mapping[str, Any]], turns: Mapping[tuple[str, str], Any]) -> dict[str, Any]:
    """The share of eligible code-2 questions with the answer's date on a fact in the top 5.

    ``records`` carry ``events`` (the top memories' fact event intervals, best first);
    ``turns`` maps (conversation, dia_id) to a turn with ``text`` and ``time``.
    """
    eligible = found = unread = 0
    for r in records:
        if r["category"] != 2 or not r["evidence"]:
            continue
        ev = [turns[(r["conversation"], i)] for i in r["evidence"] if (r["conversation"], i) in turns]
        if not any(has_relative_date(t.text, t.time) for t in ev):
            continue
        target = answer_interval(r.get("answer"))
        if target is None:
            unread += 1
            continue
        eligible += 1
        found += any(_matches(tuple(e), target) for e in r.get("events", [])[:TOP])
    return {"n": eligible, "found": found, "share": found / eligible if eligible else None,
            "answers_not_dates": unread, "top": TOP,
            "method": "code-2 questions whose evidence turn holds a relative date; found when a fact among the "
                      f"top {TOP} memories has an event interval overlapping the gold answer's days and no "
                      "wider than them (or a week)"}


def top_events(hits: Sequence[Any], top: int = TOP) -> list[tuple[str | None, str | None]]:
    """The event intervals of the facts among the first ``top`` memories."""
    return [(h.fact.event_start, h.fact.event_end) for h in hits[:top] if h.kind == "fact" and h.fact is not None
            and h.fact.event_start]
