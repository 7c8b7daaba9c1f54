"""The shell's loop: read a statement (multi-line until ';' or a complete statement), run it
through :meth:`Memory.query`, print the result as a table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

__all__ = ["Shell", "run_shell"]

BANNER = "graphmem shell — statements end with ';'. \\help for help, \\quit to leave."
_NAMES = (
    "MATCH (e:Entity) WHERE e.namespace = $namespace RETURN e.name AS name LIMIT 5000",
    "MATCH (f:Fact) WHERE f.namespace = $namespace RETURN DISTINCT f.predicate AS name LIMIT 5000",
)


class Shell:
    def __init__(self, memory, *, console: Console | None = None) -> None:
        self.memory = memory
        self.console = console or Console()
        self.done = False
        self._names: list[str] = []
        self.refresh_names()

    def refresh_names(self) -> None:
        from ..store.base import Statement

        names: list[str] = []
        for text in _NAMES:
            try:
                rows = self.memory.store.run(Statement(text, {"namespace": self.memory.namespace}, read_only=True))
            except Exception:  # noqa: BLE001 - completion is a convenience; the shell must still start
                continue
            names += [r[0] for r in rows if r[0]]
        self._names = names

    def names(self) -> list[str]:
        return self._names

    def handle(self, text: str) -> None:
        """Run one input: a meta-command or a statement; print its result or its error."""
        from ..errors import GraphmemError
        from .meta import META

        text = text.strip()
        if not text:
            return
        if text.startswith("\\"):
            name, _, arg = text.partition(" ")
            cmd = META.get(name)
            out = cmd.run(self, arg) if cmd else f"unknown command {name}; try \\help"
            if out:
                self.console.print(out, highlight=False, markup=False)
            return
        try:
            result = self.memory.query(text.rstrip(";"))
        except GraphmemError as exc:
            self.console.print(str(exc), style="red", highlight=False, markup=False)
            return
        self.render(result)
        if not isinstance(result, list):
            self.refresh_names()

    def render(self, result: Any) -> None:
        from rich.table import Table

        from ..recall import RecallHit

        if hasattr(result, "describe"):
            self.console.print(result.describe(), highlight=False, markup=False)
            return
        if not isinstance(result, list):
            self.console.print(f"written: {result.written}, facts: {result.facts}", highlight=False)
            return
        if not result:
            self.console.print("(no rows)")
            return
        table = Table()
        if isinstance(result[0], RecallHit):
            for col in ("score", "memory", "said by", "quote"):
                table.add_column(col, overflow="fold")
            for h in result:
                p = h.provenance
                table.add_row(f"{h.score:.4f}", h.text, " ".join(x for x in (p.speaker, p.time) if x) or "—",
                              f"“{p.quote}”")
        else:
            from ..render import rows_table

            table = rows_table(result, self.console.width)
        self.console.print(table)


def _complete_statement(text: str) -> bool:
    """Enter submits when the buffer is a meta-command, ends with ';', or already parses."""
    from ..errors import QuerySyntaxError
    from ..query import parse

    stripped = text.strip()
    if not stripped or stripped.startswith("\\") or stripped.endswith(";"):
        return True
    try:
        parse(stripped)
    except QuerySyntaxError:
        return False
    return True


def run_shell(memory, *, history: Path | None = None, input=None, output=None, console: Console | None = None) -> None:
    """Run the shell until \\quit or end of input. ``input``, ``output``, ``console`` are for tests."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer

    from .completer import GraphmemCompleter
    from .lexer import GraphmemLexer

    console = console or Console()
    shell = Shell(memory, console=console)
    bindings = KeyBindings()

    @bindings.add("enter", filter=Condition(lambda: True))
    def _enter(event) -> None:
        buf = event.current_buffer
        if _complete_statement(buf.text):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    session = PromptSession(
        message="graphmem> ",
        multiline=True,
        key_bindings=bindings,
        lexer=PygmentsLexer(GraphmemLexer),
        completer=GraphmemCompleter(shell.names),
        history=FileHistory(str(history)) if history else InMemoryHistory(),
        prompt_continuation="      ...> ",
        input=input,
        output=output,
    )
    if output is None:
        console.print(BANNER, highlight=False, markup=False)
    while not shell.done:
        try:
            text = session.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        shell.handle(text)
