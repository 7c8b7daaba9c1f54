"""``graphmem shell``: an interactive shell for the query language (prompt_toolkit).

One small module per concern, the dbcli/litecli way: ``lexer`` (Pygments), ``completer``
(keywords straight from the grammar's LALR state, entity names and predicates from the
store), ``meta`` (backslash commands), ``repl`` (the loop: multi-line buffer, history,
results as tables). The shell calls the same :class:`~graphmem.Memory` API as Python users.
"""

from __future__ import annotations

__all__ = ["run_shell"]


def run_shell(memory, **kwargs):
    from .repl import run_shell as _run

    return _run(memory, **kwargs)
