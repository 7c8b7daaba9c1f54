"""Backslash commands of the shell: a small registry, each with its help line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["META", "MetaCommand", "meta_command"]


@dataclass(frozen=True)
class MetaCommand:
    name: str
    help: str
    run: Callable[..., str | None]


META: dict[str, MetaCommand] = {}


def meta_command(name: str, help: str):
    def register(fn):
        META[name] = MetaCommand(name, help, fn)
        return fn

    return register


@meta_command("\\help", "this list")
def _help(shell, arg: str) -> str:
    lines = ["Statements end with ';' (or press Enter on a complete one). Meta-commands:"]
    lines += [f"  {m.name:<12} {m.help}" for m in META.values()]
    lines.append("Example: RECALL \"where does Alice work?\" LIMIT 5;")
    return "\n".join(lines)


@meta_command("\\explain", "show the Cypher a statement compiles to: \\explain RECALL \"x\"")
def _explain(shell, arg: str) -> str:
    if not arg.strip():
        return "usage: \\explain STATEMENT"
    return shell.memory.explain(arg.strip().rstrip(";")).describe()


@meta_command("\\dialect", "the store's Cypher dialect")
def _dialect(shell, arg: str) -> str:
    return f"{shell.memory.store.dialect} ({shell.memory.config.store_location})"


@meta_command("\\namespace", "show or switch the namespace: \\namespace alice")
def _namespace(shell, arg: str) -> str:
    name = arg.strip()
    if name:
        shell.memory.namespace = name
        shell.refresh_names()
    return f"namespace: {shell.memory.namespace}"


@meta_command("\\quit", "leave the shell (also \\q, Ctrl-D)")
def _quit(shell, arg: str) -> None:
    shell.done = True
    return None


META["\\q"] = MetaCommand("\\q", "leave the shell", _quit)
