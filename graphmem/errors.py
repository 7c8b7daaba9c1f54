"""graphmem's exceptions: one root, structured fields, a stable code each.

    GraphmemError                [GM000]
    ├── ConfigError              [GM100]  bad configuration value
    ├── InputError               [GM200]  a file or record that cannot be read
    │   └── EmptyInputError      [GM201]  nothing to ingest in it
    ├── StoreError               [GM300]  the database failed or refused
    │   ├── StoreUnavailable     [GM301]  cannot reach / open the store
    │   └── ReadOnlyError        [GM302]  a write on a read-only memory
    ├── ModelError               [GM400]  an NLP or embedding model cannot be loaded
    ├── QuerySyntaxError         [GM500]  a query that does not parse
    ├── QuerySemanticError       [GM501]  a query that parses but means nothing
    └── EntityError              [GM600]  no such entity, or a merge that cannot be done or undone

Every error renders as ``[GMnnn] message``; callers that want fields read them
from the attributes (``path``, ``line``, ``uri`` ...).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "GraphmemError",
    "ConfigError",
    "InputError",
    "EmptyInputError",
    "StoreError",
    "StoreUnavailable",
    "ReadOnlyError",
    "ModelError",
    "QuerySyntaxError",
    "QuerySemanticError",
    "EntityError",
]


class GraphmemError(Exception):
    """Root of every error graphmem raises on purpose."""

    code = "GM000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class ConfigError(GraphmemError):
    code = "GM100"


class InputError(GraphmemError):
    """A file or record could not be read; names the file and, where known, the line."""

    code = "GM200"

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f":{line}"
            where += ": "
        super().__init__(where + message)
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message


class EmptyInputError(InputError):
    code = "GM201"


class StoreError(GraphmemError):
    code = "GM300"

    def __init__(self, message: str, *, store: str | None = None, statement: str | None = None) -> None:
        super().__init__(message)
        self.store = store
        self.statement = statement


class StoreUnavailable(StoreError):
    code = "GM301"

    def __init__(self, message: str, *, uri: str, store: str | None = None) -> None:
        super().__init__(message, store=store)
        self.uri = uri


class ReadOnlyError(StoreError):
    code = "GM302"


class ModelError(GraphmemError):
    code = "GM400"


class QuerySyntaxError(GraphmemError):
    """A query that does not parse: where, what was expected, and a caret under the spot."""

    code = "GM500"

    def __init__(self, message: str, *, text: str, line: int, column: int, expected: list[str], context: str) -> None:
        detail = f"{message} at line {line}, column {column}"
        if expected:
            detail += f"; expected one of: {', '.join(expected)}"
        if context:
            detail += "\n" + context.rstrip("\n")
        super().__init__(detail)
        self.text, self.line, self.column, self.expected, self.context = text, line, column, expected, context


class QuerySemanticError(GraphmemError):
    """A query that parses but cannot mean anything: an unknown field, a missing parameter …"""

    code = "GM501"

    def __init__(self, message: str, *, span: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.span = span


class EntityError(GraphmemError):
    """An entity named that is not there (or not one), or a merge that cannot be done or undone."""

    code = "GM600"
