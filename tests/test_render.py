"""Row results in a terminal: every value readable, ids and offsets left to --json."""

from __future__ import annotations

import io

from rich.console import Console

from graphmem.render import rows_table

ROWS = [{"id": f"fact_{i:020d}", "time": "2023-05-08T13:56:00", "fact": f"Alice started working at Airbus {i}",
         "predicate": "work_at", "polarity": True, "superseded": None, "speaker": "Alice", "session": "s1",
         "utterance": "Hi Bob! Big news: I just started working at Airbus as an engineer.",
         "char_start": 18, "char_end": 50, "position": 0} for i in range(3)]


def _text(rows, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    console.print(rows_table(rows, console.width))
    return out.getvalue()


def test_a_wide_terminal_gets_a_table_without_ids_and_offsets():
    text = _text(ROWS, 200)
    assert "┃ time" in text and "Alice started working at Airbus 2" in text
    assert "fact_0000" not in text and "char_start" not in text and "ids and offsets: --json" in text
    assert max(len(line) for line in text.splitlines()) <= 200


def test_a_narrow_terminal_gets_one_block_per_row_with_whole_values():
    text = _text(ROWS, 80)
    assert "┃" not in text  # no table squeezed to a letter a column
    lines = [line.rstrip() for line in text.splitlines()]
    assert "utterance   Hi Bob! Big news: I just started working at Airbus as an engineer." in lines
    assert sum(line.startswith("time ") for line in lines) == 3
    assert max(len(line) for line in text.splitlines()) <= 80


def test_ids_stay_when_a_query_returns_nothing_else():
    text = _text([{"fact_id": "fact_1", "reason_id": "fact_2"}], 80)
    assert "fact_1" in text and "fact_2" in text
