"""Completion that cannot drift from the grammar: Lark's interactive LALR parser says
which terminals may come next; entity names and predicates come from the store."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from prompt_toolkit.completion import Completer, Completion

__all__ = ["GraphmemCompleter", "next_keywords"]

_WORD = re.compile(r"[\w?$.'-]*$")


def next_keywords(text: str) -> list[str]:
    """Keywords (and WHERE fields, RANK BY signals) the grammar accepts after ``text``.

    Empty when ``text`` does not lex or parse."""
    from lark.exceptions import UnexpectedInput

    from ..query.parser import _parser
    from .lexer import keywords

    try:
        ip = _parser().parse_interactive(text)
        ip.exhaust_lexer()
        accepted = ip.accepts()
    except UnexpectedInput:
        return []
    from ..query.ast import FIELDS, SIGNALS

    kws = set(keywords())
    out = [t for t in accepted if t in kws]
    if "FIELD" in accepted:
        out += FIELDS
    if "SIGNAL" in accepted:
        out += SIGNALS
    return sorted(out)


class GraphmemCompleter(Completer):
    """Keywords from the grammar; names from ``names()`` (entities and predicates of the store)."""

    def __init__(self, names: Callable[[], Iterable[str]] | None = None) -> None:
        self.names = names or (lambda: ())

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        word = _WORD.search(text).group(0)
        before = text[: len(text) - len(word)]
        low = word.lower()
        for kw in next_keywords(before):
            if kw.lower().startswith(low):
                yield Completion(kw, start_position=-len(word), display_meta="keyword")
        if word and not word.startswith(("?", "$")):
            for name in sorted(set(self.names())):
                if name.lower().startswith(low) and name != word:
                    quoted = name if re.fullmatch(r"[^\W\d][\w.'-]*", name) else '"' + name.replace('"', '\\"') + '"'
                    yield Completion(quoted, start_position=-len(word), display_meta="name")
