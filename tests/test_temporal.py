"""Temporal expressions resolved against the utterance's own time, checked to the day (no models)."""

from __future__ import annotations

from datetime import date

import pytest

from graphmem.nlp.temporal import find_times, nearest, resolve

SAID = "2023-05-08T13:56:00"  # a Monday


def span(text: str, when: str | None = SAID, **kw) -> tuple[str, str, str]:
    t = resolve(text, when, **kw)
    assert t is not None, text
    return t.start.isoformat(), t.end.isoformat(), t.grain


@pytest.mark.parametrize("text, start, end, grain", [
    ("on 8 May 2023", "2023-05-08", "2023-05-08", "day"),
    ("May 8th, 2023", "2023-05-08", "2023-05-08", "day"),
    ("the 3rd of March 2021", "2021-03-03", "2021-03-03", "day"),
    ("2022-11-30", "2022-11-30", "2022-11-30", "day"),
    ("in May 2023", "2023-05-01", "2023-05-31", "month"),
    ("in 2022", "2022-01-01", "2022-12-31", "year"),
    ("in February 2024", "2024-02-01", "2024-02-29", "month"),
])
def test_absolute_dates(text, start, end, grain):
    assert span(text) == (start, end, grain)
    assert span(text, None) == (start, end, grain)  # absolute: no utterance time needed


@pytest.mark.parametrize("text, start, end", [
    ("yesterday", "2023-05-07", "2023-05-07"),
    ("today", "2023-05-08", "2023-05-08"),
    ("tomorrow", "2023-05-09", "2023-05-09"),
    ("last night", "2023-05-07", "2023-05-07"),
    ("the day before yesterday", "2023-05-06", "2023-05-06"),
    ("last Friday", "2023-05-05", "2023-05-05"),
    ("on Sunday", "2023-05-07", "2023-05-07"),
    ("next Friday", "2023-05-12", "2023-05-12"),
    ("two weeks ago", "2023-04-24", "2023-04-24"),
    ("3 days ago", "2023-05-05", "2023-05-05"),
    ("a few days ago", "2023-05-05", "2023-05-05"),
    ("in three days", "2023-05-11", "2023-05-11"),
    ("a month ago", "2023-04-01", "2023-04-30"),
    ("four years ago", "2019-01-01", "2019-12-31"),
    ("last week", "2023-05-01", "2023-05-07"),
    ("next week", "2023-05-15", "2023-05-21"),
    ("last weekend", "2023-05-06", "2023-05-07"),
    ("this weekend", "2023-05-06", "2023-05-07"),  # said on a Monday of the past: the one just gone
    ("last month", "2023-04-01", "2023-04-30"),
    ("next month", "2023-06-01", "2023-06-30"),
    ("this month", "2023-05-01", "2023-05-31"),
    ("last year", "2022-01-01", "2022-12-31"),
    ("next year", "2024-01-01", "2024-12-31"),
    ("last summer", "2022-06-01", "2022-08-31"),
    ("in March", "2023-03-01", "2023-03-31"),
    ("last May", "2022-05-01", "2022-05-31"),
    ("on May 3rd", "2023-05-03", "2023-05-03"),
    ("on 20 December", "2022-12-20", "2022-12-20"),  # no year: the latest one said about
])
def test_relative_dates(text, start, end):
    assert span(text)[:2] == (start, end)


def test_relative_dates_need_the_utterance_time():
    assert resolve("yesterday", None) is None
    assert resolve("two weeks ago", "") is None


def test_future_preference_looks_ahead():
    assert span("this weekend", prefer="future")[:2] == ("2023-05-13", "2023-05-14")
    assert span("on Friday", prefer="future")[:2] == ("2023-05-12", "2023-05-12")
    assert span("in June", prefer="future")[:2] == ("2023-06-01", "2023-06-30")
    assert span("on 20 December", prefer="future")[:2] == ("2023-12-20", "2023-12-20")


@pytest.mark.parametrize("text, start, end", [
    ("for three years", "2020-05-08", "2023-05-08"),
    ("for 2 months", "2023-03-08", "2023-05-08"),
    ("for a week", "2023-05-01", "2023-05-08"),
    ("the past two months", "2023-03-08", "2023-05-08"),
    ("since 2019", "2019-01-01", "2023-05-08"),
    ("since March 2021", "2021-03-01", "2023-05-08"),
])
def test_durations_end_when_said(text, start, end):
    assert span(text) == (start, end, "duration")


@pytest.mark.parametrize("text", ["I may go", "I am 31 years old", "I march on", "for two dollars", "the week before"])
def test_what_is_not_a_time(text):
    assert find_times(text, SAID) == []


def test_find_times_gives_spans_in_text_order_and_nearest_picks_by_sentence():
    text = "We met on 8 May 2023. Yesterday I went to a concert, and last Friday I hiked."
    found = find_times(text, SAID)
    assert [t.text for t in found] == ["8 May 2023", "Yesterday", "last Friday"]
    assert all(text[t.char_start : t.char_end] == t.text for t in found)
    second = text.index("Yesterday")
    assert nearest(found, second, len(text), text.index("went")).start == date(2023, 5, 7)
    assert nearest(found, second, len(text), text.index("hiked")).start == date(2023, 5, 5)
    assert nearest(found, 0, second, 3).text == "8 May 2023"
    assert nearest(found, 0, 5, 0) is None
