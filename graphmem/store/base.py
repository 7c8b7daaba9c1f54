"""The store protocol: what every backend (Kùzu, Neo4j) provides, and nothing more.

Stores run *statements* (Cypher text + parameters) that come from files under
``cypher/<dialect>/`` or from the query compiler; they never build Cypher from
user values. Everything the rest of graphmem knows about a backend is in its
:class:`Capabilities` and its dialect name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..model import MemoryBatch
from ..resources import cypher_statements, cypher_text

__all__ = [
    "Statement",
    "Result",
    "Capabilities",
    "WriteReport",
    "Hit",
    "Store",
    "SEARCHABLE",
    "EXISTING",
    "Templates",
    "search_template",
]

#: The node labels that carry text and embeddings, i.e. what vector and
#: full-text search may target. A fixed set: labels never come from users.
SEARCHABLE = ("Fact", "Utterance")


#: The template that finds which of ``$ids`` are stored, per label (:meth:`Store.existing`).
EXISTING = {"Utterance": "existing_utterances", "Fact": "existing_facts"}


@dataclass(frozen=True, slots=True)
class Statement:
    """One Cypher statement and its parameters. Stores run these and only these.

    ``read_only`` statements may go to read replicas / read transactions.
    """

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """Rows of a statement, the same shape from every store."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def scalar(self) -> Any:
        """The first column of the first row (``None`` when there is no row)."""
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a store can do, declared as data so planners ask instead of catching failures."""

    vector_index: bool  # an approximate index (else exact brute force)
    fulltext_index: bool
    transactions: bool = True
    server: bool = False
    streamed_writes: bool = False  # write_stream writes each batch as it comes, not once all came


@dataclass(slots=True)
class WriteReport:
    """What one :meth:`Store.write_batch` did."""

    source_id: str
    written: bool  # False when the content was already there
    utterances: int = 0
    facts: int = 0
    entities: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    """A search candidate: a node id and its score under one signal."""

    id: str
    score: float


@runtime_checkable
class Store(Protocol):
    """A graph store holding graphmem's model (see ``cypher/<dialect>/schema.cypher``)."""

    name: str
    dialect: str
    capabilities: Capabilities

    @property
    def templates(self) -> Templates:
        """This store's Cypher files (``cypher/<dialect>/``), ready after :meth:`ensure_schema`."""

    def ensure_schema(self, *, embedding_dim: int) -> None:
        """Create tables, constraints and indexes if missing (idempotent)."""

    def existing(self, label: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored as nodes of ``label`` (``Utterance`` or ``Fact``)."""

    def write_batch(self, batch: MemoryBatch) -> WriteReport:
        """Write one document's batch in one transaction: all of it or none."""

    def write_batches(self, batches: Sequence[MemoryBatch]) -> list[WriteReport]:
        """Write documents' batches in order in one transaction, each as :meth:`write_batch`
        would: all of them or none (bulk ingest's group commit)."""

    def write_stream(self, batches: Iterable[MemoryBatch], *, expect_turns: int = 0) -> list[WriteReport]:
        """What :meth:`write_batches` does, the batches taken as they come: a store may write
        each one as it arrives, in a transaction committed after the last (bulk ingest writes
        a group while it prepares the group's next documents). ``expect_turns``: about how many
        turns the stream will hold, for choices made at its start."""

    def run(self, statement: Statement) -> Result:
        """Run one compiled statement (read-only or write) in its own transaction."""

    def run_many(self, statements: Sequence[Statement]) -> list[Result]:
        """Run statements in order in one write transaction: all of them take effect or none."""

    def vector_search(self, label: str, namespace: str, vector: Sequence[float], k: int, *,
                      exact: bool = False) -> list[Hit]:
        """The ``k`` nodes of ``label`` in ``namespace`` most cosine-similar to ``vector``: through
        the store's approximate index, or by an exact scan with ``exact=True``."""

    def text_search(self, label: str, namespace: str, text: str, k: int) -> list[Hit]:
        """The ``k`` best full-text matches of ``text`` among ``label`` nodes in ``namespace``."""

    def close(self) -> None:
        """Release the connection / database handle."""


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class Templates:
    """The Cypher files of one dialect, with schema constants filled in.

    Only *schema constants* (the embedding dimension: an ``int`` the store
    validates) are ever substituted into text — DDL and ``CAST(... AS FLOAT[n])``
    cannot take parameters. Every user value stays a parameter.
    """

    def __init__(self, dialect: str, **constants: int) -> None:
        for key, value in constants.items():
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"schema constant {key} must be a positive int, got {value!r}")
        self.dialect = dialect
        self.constants = constants
        self._cache: dict[str, str] = {}

    def _fill(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: str(self.constants[m.group(1)]), text)

    def __getitem__(self, name: str) -> str:
        if name not in self._cache:
            self._cache[name] = self._fill(cypher_text(self.dialect, name)).strip().rstrip(";")
        return self._cache[name]

    def statements(self, name: str) -> list[str]:
        return [self._fill(s) for s in cypher_statements(self.dialect, name)]

    def stmt(self, name: str, **params: Any) -> Statement:
        return Statement(self[name], params)


def search_template(kind: str, label: str) -> str:
    """The template that runs a ``kind`` (``vector`` | ``text``) search over ``label``."""
    allowed = SEARCHABLE + ("Entity",) if kind == "text" else SEARCHABLE
    if label not in allowed:
        raise ValueError(f"cannot {kind}-search {label!r}; searchable: {', '.join(allowed)}")
    return f"{kind}_{label.lower()}"
