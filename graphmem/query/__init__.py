"""The query language: ``grammar/graphmem.lark`` parsed with Lark (LALR) into a typed AST.

This first cut knows one statement, ``RECALL "cue" [LIMIT n]``; the grammar file is
the single source of the syntax and grows with the language. Parsing is pure: no I/O.

>>> parse('recall "where does Alice work?" LIMIT 3')
Recall(cue='where does Alice work?', limit=3, span=(0, 39))
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from ..errors import QuerySyntaxError

__all__ = ["Recall", "Statement", "parse", "QuerySyntaxError"]


@dataclass(frozen=True, slots=True)
class Recall:
    """``RECALL "cue" [LIMIT n]``: hybrid recall of the memories closest to the cue."""

    cue: str
    limit: int | None = None
    span: tuple[int, int] = (0, 0)


Statement = Recall


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    from ..resources import grammar_text

    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(text: str) -> Statement:
    """Parse one statement.

    Raises:
        QuerySyntaxError: with line, column, the expected tokens and a caret under the spot.
    """
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
        raise QuerySyntaxError(
            "syntax error", text=text, line=exc.line, column=exc.column, expected=expected,
            context=exc.get_context(text),
        ) from None
    stmt: Tree = tree.children[0].children[0]
    cue_tok = next(c for c in stmt.children if isinstance(c, Token) and c.type == "STRING")
    limit = next((int(c.children[1]) for c in stmt.children if isinstance(c, Tree) and c.data == "limit"), None)
    cue = ast.literal_eval(cue_tok.value)  # a quoted string with backslash escapes
    if not cue.strip():
        raise QuerySyntaxError("RECALL needs a non-empty cue", text=text, line=cue_tok.line,
                               column=cue_tok.column, expected=[], context="")
    return Recall(cue, limit, (stmt.meta.start_pos, stmt.meta.end_pos))
