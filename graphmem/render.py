"""Row results (MATCH, WHY, TIMELINE, SOURCE OF, …) as a table that fits a terminal.

A TIMELINE row has a dozen columns; folded into 80 characters every one of them ends up a
few letters wide, one letter per line. In the terminal a table therefore keeps the columns
a person reads, and leaves node ids and character offsets to ``--json`` (where a query
returns nothing else, they stay). Prose columns (the fact, the utterance, a reason) wrap
and share the width left; short ones stay on one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["rows_table", "BOOKKEEPING"]

#: Columns a terminal table leaves out when others remain: ids and offsets, for scripts.
BOOKKEEPING = frozenset({"id", "char_start", "char_end", "position"})


def _bookkeeping(column: str) -> bool:
    return column in BOOKKEEPING or column.endswith("_id")


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def rows_table(rows: Sequence[dict[str, Any]], width: int = 80):
    """``rows`` (dicts with the same keys, in column order) as a rich renderable for a terminal
    ``width`` characters wide: a table where its columns fit, else one block per row, each
    column on its own line (as ``psql``'s expanded display)."""
    from rich.console import Group
    from rich.rule import Rule
    from rich.table import Table

    columns = list(rows[0])
    shown = [c for c in columns if not _bookkeeping(c)] or columns
    caption = "ids and offsets: --json" if len(shown) < len(columns) else None
    longest = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in shown}
    prose = {c for c in shown if longest[c] > _SHORT}
    needed = sum(_PROSE_MIN if c in prose else min(longest[c], _SHORT) for c in shown) + 3 * len(shown) + 1
    if needed > width:
        blocks: list[Any] = []
        for n, r in enumerate(rows, 1):
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column(overflow="fold")
            for c in shown:
                grid.add_row(c, _cell(r.get(c)))
            blocks += [Rule(f"{n}", align="left", style="dim"), grid]
        if caption:
            blocks.append(Rule(caption, style="dim"))
        return Group(*blocks)
    table = Table(caption=caption)
    for col in shown:
        if col in prose:  # wraps and takes a share of the width left
            table.add_column(col, overflow="fold", ratio=1, min_width=_PROSE_MIN)
        else:  # short values stay on one line
            table.add_column(col, no_wrap=True, overflow="ellipsis", max_width=_SHORT)
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in shown))
    return table


_SHORT = 24  # a column whose values are all this long or shorter stays on one line
_PROSE_MIN = 16  # the narrowest a wrapping column may get in a table
