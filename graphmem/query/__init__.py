"""graphmem's query language: parse → typed AST → plan → Cypher per dialect. Pure: no I/O.

``grammar/graphmem.lark`` is the single source of the syntax. :func:`parse` gives the
AST (:mod:`graphmem.query.ast`), :func:`format_query` prints an AST back as canonical
text, :func:`compile_query` turns it into the statements a store runs (text +
parameters) and, for RECALL, the fusion spec. :mod:`graphmem.query.execute` runs them.

>>> parse('recall "where does Alice work?" LIMIT 3').limit
Literal(value=3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["parse", "format_query", "compile_query", "Compiled", "ast"]

if TYPE_CHECKING:
    from .compile import Compiled


def parse(text: str):
    from .parser import parse as _parse

    return _parse(text)


def format_query(node) -> str:
    from .format import format_query as _format

    return _format(node)


def compile_query(query, dialect: str, **options: Any):
    from .compile import compile_query as _compile

    return _compile(query, dialect, **options)


def __getattr__(name: str):
    if name == "Compiled":
        from .compile import Compiled

        return Compiled
    raise AttributeError(name)
