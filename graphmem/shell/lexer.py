"""A Pygments lexer for graphmem's query language (keywords from the grammar file)."""

from __future__ import annotations

import re
from functools import lru_cache

from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

__all__ = ["GraphmemLexer", "keywords"]


@lru_cache(maxsize=1)
def keywords() -> tuple[str, ...]:
    """The language's keywords, read from ``grammar/graphmem.lark`` (``NAME.2: /name\\b/i``)."""
    from ..resources import grammar_text

    found = re.findall(r"^([A-Z]+)\.2:\s*/(\w+)\\b/i", grammar_text(), flags=re.MULTILINE)
    return tuple(sorted({word.upper() for _, word in found}))


class GraphmemLexer(RegexLexer):
    name = "graphmem"
    aliases = ["graphmem", "gmql"]
    flags = re.IGNORECASE
    tokens = {
        "root": [
            (r"--[^\n]*", Comment.Single),
            (r'"(?:[^"\\]|\\.)*"', String.Double),
            (r"'(?:[^'\\]|\\.)*'", String.Single),
            (r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?", Number),
            (r"\d+(\.\d+)?", Number),
            (r"\?[A-Za-z_]\w*", Name.Variable),
            (r"\$[A-Za-z_]\w*", Name.Variable.Global),
            (words(("AGO", "DAYS", "WEEKS", "MONTHS", "YEARS", "DAY", "WEEK", "MONTH", "YEAR"), suffix=r"\b"),
             Keyword.Pseudo),
            (r"[A-Za-z_][\w.'-]*", Name),
            (r"!=|<=|>=|=|<|>", Operator),
            (r"[(),;]", Punctuation),
            (r"\s+", Text),
        ]
    }

    def get_tokens_unprocessed(self, text, stack=("root",)):
        kws = set(keywords())
        for index, token, value in super().get_tokens_unprocessed(text, stack):
            if token is Name and value.upper() in kws:
                yield index, Keyword, value
            else:
                yield index, token, value
