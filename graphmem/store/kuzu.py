"""The embedded store on Kùzu 0.11.3 — the default when no server is configured.

Every Kùzu detail lives here and in ``cypher/kuzu/``. Notes on the choices:

* No ANN index inside the database: Kùzu's HNSW index slows inserts about a hundredfold
  and takes minutes to build at 100k vectors (PERF-NOTES.md). The embeddings stored on
  the nodes are the truth; a side index beside the database (:mod:`.vindex`: numpy below
  20k vectors, HNSW above) answers nearest-neighbour searches and is rebuilt from them
  when a counter in ``Meta`` says it is stale. ``vector_search(..., exact=True)`` is exact
  cosine in Cypher (``array_cosine_similarity``). ``bench/`` measures both.
* Full-text search uses Kùzu's ``fts`` extension (BM25), which updates on insert
  (https://docs.kuzudb.com/extensions/full-text-search/) — except in a plain RECALL, whose
  text lists come from the recall view's own BM25 (:mod:`.rview`): at 100k facts every cue
  word matched thousands of rows and the extension took two thirds of a RECALL.
* RECALL reads a derived **recall view** per namespace (:mod:`.rview`), kept current by a
  counter per namespace in ``Meta`` and a note of what each document's write touched.
* A document is written one prepared statement per row inside its transaction, its new
  nodes with one ``LOAD FROM`` an Arrow table per table. Not ``UNWIND $rows``: Kùzu 0.11.3
  plans ``UNWIND $rows MATCH (a {id: r.s}), (b {id: r.o})`` as a cross product of two scans
  (PERF-NOTES: 16 edges/s into a 100k-node graph), ``LOAD FROM … MATCH`` as a hash join over
  whole-table scans (60 ms a statement at 300k nodes), and a multi-row ``UNWIND … CREATE``
  into a table with a full-text index indexes every row under the first row's text.
  ``COPY … FROM`` an Arrow table finds edge ends by primary key (≈ 2–7 ms for a document's
  edges of a table, ten times fewer than statements), but the COMMIT after it costs ≈ 55 ms
  a rel table, and 0.5–1 s with 1M nodes at its ends (Kùzu checkpoints a transaction with a
  ``COPY`` at its COMMIT): only a group commit of many documents (:meth:`KuzuStore.write_batches`,
  and :meth:`KuzuStore.write_stream`, bulk ingest's, which writes each document as it comes)
  uses it, for the tables where it pays. That checkpoint grows with the store (0.25 s for 200
  LoCoMo turns into an empty store, 0.75 s after 400 more): bulk groups are large.
* Supersession is decided in Python (``_rows.supersessions``) from one candidate read per
  subject, and a new fact's evidence is written with it: per-fact lookups were 60% of a
  document's write.
* What a write transaction reads back of what it wrote goes by primary key, one statement a
  key: Kùzu 0.11.3 answered joins over a table (``UNWIND $ids … WHERE n.id = i`` followed by
  an edge) and aggregates over anchors wrongly inside such a transaction. And a transaction
  never changes the aliases of an entity it made, nor, in a group or with a ``COPY``, of a
  stored one: the STRING[] column came out scrambled (another entity's aliases) at the next
  checkpoint. A stored entity's new aliases go in a transaction of their own after the
  documents (:meth:`KuzuStore._add_aliases`). ``tests/test_store_conformance.py`` writes the
  same documents one at a time and in groups and checks both against what they say.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, StoreUnavailable
from ..model import Fact, MemoryBatch
from ._rows import batch_rows, edge_rows, prune_existing, supersede_queries, supersessions
from .base import EXISTING, Capabilities, Hit, Result, Statement, Templates, WriteReport, search_template
from .vindex import VERSION_KEY, SideIndexes
from .rview import (LOG_KEEP, LOG_KEY, NODE_LABELS, NS_KEY, RECALL_KEY, RecallView, build_view, change_note,
                    current_view, new_vectors, namespaces_of, text_available, writes)

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["KuzuStore"]

_FTS_CALL = re.compile(r"CREATE_FTS_INDEX\('(\w+)',\s*'(\w+)'")
_CREATE_TABLE = re.compile(r"CREATE (?:NODE|REL) TABLE IF NOT EXISTS (\w+)\s*\((.*)\)\s*$", re.S)


def _columns(body: str) -> list[tuple[str, str]]:
    """``(name, type)`` of each property in a CREATE TABLE body (no key, no FROM … TO …)."""
    parts, depth, cur = [], 0, ""
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for part in (p.strip() for p in parts):
        if not part or part.upper().startswith("FROM ") or "PRIMARY KEY" in part.upper():
            continue
        name, _, type_ = part.partition(" ")
        out.append((name, type_.strip()))
    return out


DB_FILE = "graph.kuzu"  # the database file inside a store folder (config.store_location looks for it)
_PREPARED_MAX = 512  # prepared statements kept per store

#: A batch's new utterances or facts go in with one ``LOAD FROM`` statement (``load_*.cypher``)
#: from this many rows on; fewer go a statement a row (a LOAD costs 3–7 ms, a row ≈ 1.5 ms).
LOAD_MIN = 4
#: A recall view's read of a namespace with more nodes than this goes by ranges of their ids
#: (:meth:`KuzuStore._rows`).
RANGE_ROWS = 250_000
_NS_FILTER = re.compile(r"WHERE (\w+)\.namespace = \$ns\b")
#: Rows a recall view's build turns into Python at a time (:meth:`KuzuStore._rows`).
ROWS_PART = 16_384
_TX_STATEMENTS = frozenset({"BEGIN TRANSACTION", "COMMIT", "ROLLBACK"})
#: Embeddings a side index's build reads from Kùzu in one statement (:meth:`KuzuStore._embeddings`).
EMBEDDINGS_PART = 65_536
#: Rows of one whole read (a recall view's build, a side index's) from which the database is
#: opened again after it, to give back the page cache the read filled (:meth:`KuzuStore._reopen`).
REOPEN_AFTER_ROWS = 50_000
#: Edge template → its rel table. In a group write (:meth:`KuzuStore.write_batches`) a document's
#: edges of one table go in with one ``COPY … FROM`` an Arrow table from :data:`COPY_MIN` rows on.
_COPIES = {"edge_part_of": "PART_OF", "edge_next": "NEXT", "edge_subject": "SUBJECT", "edge_object": "OBJECT",
           "edge_related": "RELATED", "edge_anchored": "ANCHORED_IN", "edge_mentioned": "MENTIONED_IN",
           "edge_discourse": "DISCOURSE", "edge_turn_discourse": "TURN_DISCOURSE"}
#: What a group's COPYs cost, measured here (2026-11-29): a statement creates an edge in ≈ 0.5 ms;
#: a COPY takes 2–7 ms, but the COMMIT after COPYs into a rel table costs ≈ 55 ms in a new store,
#: 65 ms with 100k nodes at its ends and 0.5–1 s with 1M. So a group copies a table's edges only
#: when it writes at least ``COPY_GROUP_MIN + nodes / COPY_NODES_PER_EDGE`` of them (``nodes``: the
#: larger end table), and then a document's from :data:`COPY_MIN` on.
COPY_GROUP_MIN = 120
COPY_NODES_PER_EDGE = 700
COPY_MIN = 6
#: Rel tables no statement of a group reads before its COMMIT (the reads follow SUBJECT and
#: ANCHORED_IN only: supersede_candidates, fact_evidence, fact_subject): a group copies their
#: edges with one ``COPY`` a table after its last document, not one a document (600 LoCoMo
#: turns: 168 fewer statements, ≈ 0.2 s of the writer's time).
_COPY_AT_END = frozenset({"edge_part_of", "edge_next", "edge_object", "edge_related", "edge_mentioned",
                          "edge_discourse", "edge_turn_discourse"})
_REL_ENDS = re.compile(r"FROM (\w+) TO (\w+)")
#: Row template → (its LOAD FROM template, the node table).
_LOADS = {"write_utterance": ("load_utterances", "Utterance"), "write_fact": ("load_facts", "Fact")}
_LOAD_PAIR = re.compile(r"(\w+): (\w+)")


def _arrow_column(values: list[Any], type_: str) -> Any:
    """``values`` as an Arrow array of the Kùzu ``type_``; None when they cannot be one (a vector
    missing or of another length): the rows then go a statement each."""
    import numpy as np
    import pyarrow as pa

    simple = {"STRING": pa.string(), "INT64": pa.int64(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64()}
    if type_ in simple:
        return pa.array(values, simple[type_])
    vector = re.fullmatch(r"FLOAT\[(\d+)\]", type_)
    if vector is None or any(v is None for v in values):
        return None
    dim = int(vector.group(1))
    if any(len(v) != dim for v in values):
        return None
    matrix = np.asarray(values, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), dim)


_META_DELETE = "MATCH (m:Meta {key: $key}) DELETE m"
_NODE = {label: f"MATCH (n:{label} {{id: $id}}) RETURN n" for label in NODE_LABELS}
_NODE_ID = {label: f"MATCH (n:{label} {{id: $id}}) RETURN n.id" for label in NODE_LABELS}
#: Above this many nodes of a label, :meth:`KuzuStore.existing` looks ids up one by one by key:
#: ``existing_*.cypher`` joins the ids with the table (80 ids among 1M facts: 90–120 ms, against
#: 265–300 ms for ``id IN $ids``; 80 lookups: 20–40 ms).
KEY_LOOKUPS_ABOVE = 50_000


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "[" + (_kind(value[0]) if value else "") + "]"
    return "-" if value is None else type(value).__name__


def _refused(exc: Exception) -> str:
    hint = ""
    if "buffer pool" in str(exc).lower():  # Kùzu holds a whole result in its page cache
        hint = (" (a recall view or vector index reads a namespace's rows at once, its embeddings alone "
                "dim × 4 bytes a fact: raise GRAPHMEM_KUZU_BUFFER_POOL_MB)")
    return f"Kùzu refused a statement: {exc}{hint}"


def _signature(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The parameter names and value types a prepared plan was made for."""
    return tuple(sorted((k, _kind(v)) for k, v in params.items()))


_PARAM = re.compile(r"\$(\w+)")


def _params_of(text: str, row: dict[str, Any]) -> dict[str, Any]:
    """The values of ``row`` that the statement takes (Kùzu refuses parameters it does not use)."""
    return {k: row[k] for k in dict.fromkeys(_PARAM.findall(text))}


@dataclass(slots=True)
class _Tx:
    """What one write transaction (:meth:`KuzuStore._commit_with`) carries from document to document."""

    #: entity id → its aliases in the transaction's documents so far, in order: an entity the
    #: transaction makes gets them when it is made (_write_entities)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    #: entity → its aliases as they are to be, set after the COMMIT (_add_aliases)
    grown: dict[str, list[str]] = field(default_factory=dict)
    #: edges of :data:`_COPY_AT_END`, for one ``COPY`` a table before the COMMIT
    at_end: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: the transaction's entities stored before it → their stored aliases
    stored: dict[str, list[str]] = field(default_factory=dict)
    #: the entities its documents wrote so far, and those it made → the aliases made with
    written: set[str] = field(default_factory=set)
    made: dict[str, list[str]] = field(default_factory=dict)
    #: whether a ``COPY`` ran: Kùzu then checkpoints at the COMMIT
    copied: bool = False

    def take(self, batch: MemoryBatch) -> list[str]:
        """Add ``batch``'s entities' aliases; the entities it is the first to name."""
        fresh = []
        for e in batch.entities:
            have = self.aliases.get(e.id)
            if have is None:
                have = self.aliases[e.id] = []
                fresh.append(e.id)
            have.extend(a for a in e.aliases if a not in have)
        return fresh

    def found(self, rows: list[Any]) -> None:
        """Note the stored entities ``rows`` (id, aliases) read."""
        for i, aliases in rows:
            self.stored[i] = list(aliases or [])

    def grow(self, entity: str) -> None:
        """Note in :attr:`grown` the aliases that ``entity``, stored before the transaction or made
        by it, has in the transaction's documents beyond those it has in the store."""
        base = self.stored.get(entity, self.made.get(entity))
        if base is None:
            return
        new = [a for a in self.aliases[entity] if a not in base]
        if new:
            self.grown[entity] = base + new


def _link_facts(plan: list[tuple[str, list[dict[str, Any]]]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Fold each new fact's SUBJECT, first ANCHORED_IN, OBJECT and RELATED rows into one
    ``write_fact_linked`` row, in place of its ``write_fact`` row; other edges stay as they are.

    The row keeps the edge rows it took (``_edges``) for the fallback in ``_write_linked``.
    """
    named = dict(plan)
    subject = {r["a"]: r for r in named.get("edge_subject", [])}
    anchor: dict[str, dict[str, Any]] = {}
    for r in named.get("edge_anchored", []):
        anchor.setdefault(r["a"], r)
    obj = {r["a"]: r for r in named.get("edge_object", [])}
    related = {r["fact_id"]: r for r in named.get("edge_related", [])}
    linked, taken = [], set()
    for row in named.get("write_fact", []):
        fid = row["id"]
        if fid not in subject or fid not in anchor or (fid in obj) != (fid in related):
            continue
        s, a = subject[fid], anchor[fid]
        edges = [("edge_subject", s), ("edge_anchored", a)]
        out = {**row, "subject_id": s["b"], "anchor_utterance": a["b"], "char_start": a["char_start"],
               "char_end": a["char_end"]}
        if fid in obj:
            out["object_id"] = obj[fid]["b"]
            edges += [("edge_object", obj[fid]), ("edge_related", related[fid])]
        out["_edges"] = edges
        linked.append(out)
        taken.update(id(e) for _, e in edges)
        taken.add(id(row))
    result = []
    for name, rows in plan:
        if name == "write_fact":
            result.append(("write_fact_linked", linked))
        result.append((name, [r for r in rows if id(r) not in taken]))
    return result


def _load_fts(conn: Any) -> None:
    """Load the full-text extension into ``conn``'s database (once: every connection then has it)."""
    try:
        conn.execute("LOAD EXTENSION fts")
    except RuntimeError:
        # Kùzu 0.11.3 ships fts with the wheel; INSTALL copies it into place offline.
        conn.execute("INSTALL fts")
        conn.execute("LOAD EXTENSION fts")


class _CopyRefused(StoreError):
    """A group's ``COPY`` of edges failed (an end not found); the group is written again without."""


class KuzuStore:
    """graphmem's model in an embedded Kùzu database kept in one folder.

    Args:
        path: the folder holding the database (created if missing).
        read_only: open without write access (other processes may read too).
    """

    name = "kuzu"
    dialect = "kuzu"
    capabilities = Capabilities(vector_index=False, fulltext_index=True, transactions=True, server=False,
                                streamed_writes=True)

    def __init__(self, path: str | Path, *, read_only: bool = False, buffer_pool_mb: int | None = None) -> None:
        import kuzu  # imported here: `import graphmem` must not load a driver

        self.path = Path(path)
        self.read_only = read_only
        try:
            if not read_only:
                self.path.mkdir(parents=True, exist_ok=True)
            elif not (self.path / DB_FILE).exists():
                raise StoreUnavailable(f"no graphmem store at {self.path}", uri=str(self.path), store=self.name)
            # buffer_pool_size 0 is Kùzu's default, 80% of the machine's memory: pages stay resident
            # once read, and building a recall view reads every table of the namespace.
            self._pool_bytes = (buffer_pool_mb or 0) * 2**20
            self._db = kuzu.Database(str(self.path / DB_FILE), read_only=read_only, buffer_pool_size=self._pool_bytes)
        except StoreUnavailable:
            raise
        except (RuntimeError, OSError) as exc:
            raise StoreUnavailable(
                f"cannot open the embedded store at {self.path}: {exc} "
                "(is another process writing to it?)",
                uri=str(self.path),
                store=self.name,
            ) from exc
        # One connection per thread (Kùzu runs one transaction per connection): a bulk ingest
        # writes a group on its writer thread while the ingesting thread reads the last committed
        # state on its own. _gate guards the registry and the counts that say when _reopen may run.
        self._local = threading.local()  # this thread's conn, gen, prepared, schema (_connection); in_tx
        self._conns: dict[int, Any] = {}  # thread ident → its connection
        self._gen = 0  # database generation: _reopen bumps it, and every thread connects again
        self._schema_gen = 0  # ensure_schema bumps it: every thread's prepared plans are dropped
        self._gate = threading.Lock()
        self._running = 0  # statements executing, on any thread
        self._open_tx = 0  # threads between BEGIN TRANSACTION and COMMIT / ROLLBACK
        self._reopen_due = False  # open it again before the next statement (_reopen)
        self._counts: dict[str, int] = {}  # node table → its nodes, until a transaction starts or ends (_count)
        try:
            with self._using() as conn:
                _load_fts(conn)
        except RuntimeError as exc:
            self.close()
            raise StoreUnavailable(f"cannot load Kùzu's fts extension for {self.path}: {exc}",
                                   uri=str(self.path), store=self.name) from exc
        self._templates: Templates | None = None
        self._vectors: SideIndexes | None = None
        self._types: dict[str, dict[str, str]] = {}  # node table → property → Kùzu type (ensure_schema)
        self._rel_columns: dict[str, list[tuple[str, str]]] = {}  # rel table → its properties, stored order
        self._rel_ends: dict[str, tuple[str, str]] = {}  # rel table → its FROM and TO node tables
        self._range_cuts: dict[tuple[str, str], tuple[Any, list[str] | None]] = {}  # see _ranges
        self._views: dict[str, RecallView] = {}  # namespace → recall view (derived, see rview.py)
        self.view_stats = {"builds": 0, "updates": 0}  # recall views built whole / updated in place
        self.reopened = 0  # times the database was opened again after a large read (_reopen)
        #: Plain RECALL's full-text lists from the view's BM25 (bm25s) instead of Kùzu's fts
        #: extension; set before the first recall (a built view keeps what it was built with).
        self.view_text = text_available()

    @classmethod
    def from_config(cls, location: str, config: Config) -> KuzuStore:
        path = location[len("kuzu:") :] if location.startswith("kuzu:") else location
        return cls(path, read_only=config.read_only, buffer_pool_mb=config.kuzu_buffer_pool_mb)

    def __repr__(self) -> str:
        return f"KuzuStore({str(self.path)!r})"

    # -- schema ---------------------------------------------------------------------------

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> Any:
        """This thread's connection, made on its first statement (and again after a reopen)."""
        local = self._local
        if getattr(local, "gen", -1) == self._gen:
            return local.conn
        import kuzu

        if self._db is None:
            raise StoreError("the store is closed", store=self.name)
        me = threading.get_ident()
        with self._gate:
            alive = {t.ident for t in threading.enumerate()}
            for ident in [i for i in self._conns if i not in alive or i == me]:
                self._conns.pop(ident).close()  # a finished thread's, or a stale one of this ident
            conn = self._conns[me] = kuzu.Connection(self._db)
        local.conn, local.gen, local.prepared, local.schema = conn, self._gen, {}, self._schema_gen
        return conn

    @contextmanager
    def _using(self) -> Iterator[Any]:
        """This thread's connection for one statement; a reopen that is due runs first, when no
        thread is inside a statement or a transaction (nothing then points into the old database)."""
        with self._gate:
            if self._reopen_due and not self._running and not self._open_tx:
                self._reopen()
            self._running += 1
        try:
            yield self._connection()
        finally:
            with self._gate:
                self._running -= 1

    def _tx_state(self, text: str) -> None:
        """Note this thread entering or leaving a transaction (``text``: BEGIN, COMMIT or ROLLBACK)."""
        local = self._local
        inside = text == "BEGIN TRANSACTION"
        if getattr(local, "in_tx", False) != inside:
            local.in_tx = inside
            with self._gate:
                self._open_tx += 1 if inside else -1
        self._counts.clear()

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            raise StoreError("ensure_schema() must run before the store is used", store=self.name)
        return self._templates

    def ensure_schema(self, *, embedding_dim: int) -> None:
        self._schema_gen += 1  # plans made before a schema change may not fit it
        self._templates = Templates(self.dialect, embedding_dim=embedding_dim)
        self._vectors = SideIndexes(self.path / "vindex", embedding_dim, self._embeddings,
                                    writable=not self.read_only)
        if self.read_only:
            return
        existing = {row[1] for row in self._raw("CALL SHOW_INDEXES() RETURN *").rows}
        for stmt in self._templates.statements("schema"):
            found = _FTS_CALL.search(stmt)
            if found and found.group(2) in existing:
                continue  # CREATE_FTS_INDEX has no IF NOT EXISTS
            self._raw(stmt)
            table = _CREATE_TABLE.match(stmt.strip())
            if table:
                columns = _columns(table.group(2))
                self._add_missing_columns(table.group(1), columns)
                if "NODE TABLE" in table.group(0):  # what _load types its Arrow columns by
                    self._types[table.group(1)] = {"id": "STRING", **dict(columns)}
                else:
                    self._rel_ends[table.group(1)] = _REL_ENDS.search(table.group(2)).groups()

    def _add_missing_columns(self, table: str, columns: list[tuple[str, str]]) -> None:
        """Bring a table made by an older graphmem up to the schema: new properties are additive.
        Notes a rel table's properties in their stored order, the order ``COPY`` takes them in."""
        have = {row[1] for row in self._raw(f"CALL TABLE_INFO('{table}') RETURN *").rows}
        for name, type_ in columns:
            if name not in have:  # names and types come from cypher/kuzu/schema.cypher, never from users
                self._raw(f"ALTER TABLE {table} ADD {name} {type_}")
        if table in _COPIES.values():
            self._rel_columns[table] = [(r[1], r[2]) for r in self._raw(f"CALL TABLE_INFO('{table}') RETURN *").rows]

    # -- running statements ---------------------------------------------------------------

    def _raw(self, text: str, params: dict[str, Any] | None = None) -> Result:
        tx = text if not params and text in _TX_STATEMENTS else None
        if tx == "BEGIN TRANSACTION":  # noted before, so that no reopen comes between
            self._tx_state(tx)
        try:
            return self._execute(text, params)
        except StoreError:
            if tx == "BEGIN TRANSACTION":
                self._tx_state("ROLLBACK")  # none was opened
            raise
        finally:
            if tx is not None and tx != "BEGIN TRANSACTION":  # noted after: the reopen may not come first
                self._tx_state(tx)

    def _execute(self, text: str, params: dict[str, Any] | None) -> Result:
        with self._using() as conn:
            local = self._local
            plans = local.prepared
            if local.schema != self._schema_gen:
                plans.clear()
                local.schema = self._schema_gen
            try:
                if params:  # a parameterized statement runs again and again (one per written row): plan it once
                    key = (text, _signature(params))  # Kùzu types a plan by its parameters' values
                    prepared = plans.get(key)
                    if prepared is None:
                        if len(plans) >= _PREPARED_MAX:  # compiled queries vary; templates recur
                            plans.clear()
                        prepared = plans[key] = conn.prepare(text, params)
                    res = conn.execute(prepared, params)
                else:
                    res = conn.execute(text)
            except RuntimeError as exc:
                if params:
                    plans.pop((text, _signature(params)), None)
                raise StoreError(_refused(exc), store=self.name, statement=text) from exc
            cols = tuple(res.get_column_names())
            rows = tuple(tuple(r) for r in res.get_all())
        return Result(cols, rows)

    def run(self, statement: Statement) -> Result:
        if self.read_only or not writes(statement):  # a read-only store refuses writes by itself
            return self._raw(statement.text, dict(statement.params))
        return self.run_many([statement])[0]

    def run_many(self, statements: Sequence[Statement]) -> list[Result]:
        self._raw("BEGIN TRANSACTION")
        try:
            out = [self._raw(st.text, dict(st.params)) for st in statements]
            if not self.read_only and any(writes(st) for st in statements):
                for namespace in namespaces_of(statements):
                    self._bump_recall(namespace)  # no note: those views are built again
            self._raw("COMMIT")
        except BaseException:
            self._rollback()
            raise
        return out

    def _rollback(self) -> None:
        try:
            self._raw("ROLLBACK")
        except StoreError:
            pass

    def write_batch(self, batch: MemoryBatch) -> WriteReport:
        return self._commit(iter([batch]), frozenset())[0]

    def write_batches(self, batches: Sequence[MemoryBatch]) -> list[WriteReport]:
        """Write many documents in one transaction (a group commit), each as :meth:`write_batch`
        would, and a document's edges of one rel table with one ``COPY`` (:data:`COPY_MIN`).

        A COMMIT costs 20–30 ms, and more after COPYs (≈ 65 ms a rel table at 100k nodes): a group
        pays that once. All or nothing: when a document fails, nothing of the group is stored (the
        caller may write them one by one to store those before it).
        """
        if len(batches) < 2:
            return self._commit(iter(batches), frozenset())
        return self._commit(iter(batches), self._copied(batches), known=batches)

    def write_stream(self, batches: Iterable[MemoryBatch], *, expect_turns: int = 0) -> list[WriteReport]:
        """:meth:`write_batches` for documents that come one by one: each is written as it
        arrives, in one transaction committed after the last, so the writes overlap whatever
        makes the next documents (bulk ingest parses and embeds them meanwhile; only the last
        document, the group's ``COPY``s and its COMMIT are left once they are done). Which
        tables go in with ``COPY`` is chosen at the first document, as for a group of
        ``expect_turns`` turns like it. The same all-or-nothing; the same store as one document
        a transaction (``tests/test_store_conformance.py``)."""
        it = iter(batches)
        first = next(it, None)
        if first is None:
            return []
        turns = max(len(first.utterances), 1)
        copies = self._copied([first], scale=expect_turns / turns) if expect_turns > turns else frozenset()
        return self._commit(itertools.chain([first], it), copies)

    def _commit(self, batches: Iterator[MemoryBatch], copies: frozenset[str], *,
                known: Sequence[MemoryBatch] | None = None) -> list[WriteReport]:
        """Write ``batches`` in one transaction, the edges of ``copies`` with COPY; when a COPY is
        refused (an end missing), all of them again with statements, which skip such an edge as
        Neo4j's do. ``known``: the batches, when all were given at once."""
        seen: list[MemoryBatch] = []
        if copies:
            try:
                return self._commit_with(batches, copies, seen, known=known)
            except _CopyRefused:
                pass
        return self._commit_with(itertools.chain(seen, batches), frozenset(), [], known=known)

    def _commit_with(self, batches: Iterator[MemoryBatch], copies: frozenset[str], seen: list[MemoryBatch], *,
                     known: Sequence[MemoryBatch] | None = None) -> list[WriteReport]:
        """Write ``batches`` in one transaction as they come, each noted in ``seen`` (to be written
        again when a ``COPY`` is refused). ``known``: all of them, when given at once."""
        self._raw("BEGIN TRANSACTION")
        try:
            tx: _Tx | None = self._tx(known) if known is not None else None
            done = []
            for batch in batches:
                seen.append(batch)
                if tx is None:
                    tx = self._tx([batch])
                elif known is None:
                    self._admit(tx, batch)
                # A stream's first document goes without COPY, as one alone would: a stream that
                # ends there commits without the checkpoint a COPY brings.
                done.append(self._write(batch, copies if done or known is not None else frozenset(), tx))
            if tx is None or not any(report.written for report, _ in done):
                self._raw("ROLLBACK")
                return [report for report, _ in done]
            for name, rows in tx.at_end.items():
                self._copy(_COPIES[name], rows, tx)
            alone = len(done) == 1 and not tx.copied
            if alone:  # one document, no COPY: its aliases go with it (see entity_aliases.cypher)
                self._set_aliases(tx)
            self._raw("COMMIT")
        except BaseException:
            # KeyboardInterrupt included: nothing of a document may stay half-written.
            self._rollback()
            raise
        if not alone:
            self._add_aliases(tx, checkpointed=tx.copied)
        for batch, (_, vectors) in zip(seen, done):
            if vectors is not None and self._vectors is not None:  # only once committed
                old, added = vectors
                self._vectors.committed(batch.namespace, old, old + 1, added)
        return [report for report, _ in done]

    def existing(self, label: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored as ``label`` (Utterance or Fact): one ``IN`` read, or, in
        a table of more than :data:`KEY_LOOKUPS_ABOVE` nodes, a key lookup each."""
        if not ids:
            return set()
        if self._count(label) <= KEY_LOOKUPS_ABOVE:
            return {r[0] for r in self._raw(self.templates[EXISTING[label]], {"ids": list(ids)}).rows}
        lookup = _NODE_ID[label]  # labels are graphmem's own (NODE_LABELS), never from users
        return {i for i in dict.fromkeys(ids) if self._raw(lookup, {"id": i}).rows}

    def _copied(self, batches: Sequence[MemoryBatch], *, scale: float = 1.0) -> frozenset[str]:
        """The edge templates whose rows a group writes with ``COPY`` (see :data:`COPY_GROUP_MIN`);
        ``scale``: the group is that many times ``batches``."""
        edges: dict[str, float] = {}
        for batch in batches:  # before pruning: what is stored already is rarely re-sent in bulk
            for name, n in edge_rows(batch).items():
                edges[name] = edges.get(name, 0) + n * scale
        out = set()
        for name, n in edges.items():
            if n < COPY_GROUP_MIN:
                continue
            ends = self._rel_ends[_COPIES[name]]
            if n >= COPY_GROUP_MIN + max(self._count(ends[0]), self._count(ends[1])) / COPY_NODES_PER_EDGE:
                out.add(name)
        return frozenset(out)

    def _count(self, label: str) -> int:
        """The nodes of a table (a scan of node ids only: ≈ 1 ms at 1M warm), counted again once a
        transaction starts or ends: it only chooses between ways to read or write (72 counts for
        600 LoCoMo turns were 0.09 s). ``label`` is always graphmem's own (schema.cypher)."""
        if label not in self._counts:
            self._counts[label] = int(self._raw(f"MATCH (n:{label}) RETURN count(n)").scalar() or 0)
        return self._counts[label]

    def _write(self, batch: MemoryBatch, copies: frozenset[str], tx: _Tx) -> tuple[WriteReport, Any]:
        """One document's rows, inside the open transaction (``tx``: what it wrote so far); with the
        side index's version before the write and the vectors it added, for
        :meth:`SideIndexes.committed` after the COMMIT. The edges of the templates in ``copies`` go
        in with ``COPY`` (:meth:`_copied`); those of :data:`_COPY_AT_END` are kept in ``tx`` for the
        caller to copy before it commits."""
        t = self.templates
        existing = self.existing("Utterance", [u.id for u in batch.utterances])
        source_known = bool(self._raw(t["source_exists"], {"id": batch.source.id}).rows)
        known = self.existing("Fact", [f.id for f in batch.facts])
        todo = prune_existing(batch, existing, known)
        if source_known and not todo.utterances:
            return WriteReport(batch.source.id, written=False), None
        superseded: list[str] = []
        plan = batch_rows(todo)
        if not {"edge_subject", "edge_anchored"} <= copies:
            plan = _link_facts(plan)
        for name, rows in plan:
            if name == "supersede":
                made = {e.id for e in todo.entities} - tx.stored.keys() - tx.written
                superseded = self._supersede(rows, {f.id for f in todo.restated}, made, todo.facts)
            elif name == "write_fact_linked":
                self._write_linked(rows)
            elif name in copies and name in _COPY_AT_END:
                tx.at_end.setdefault(name, []).extend(rows)
            elif name in copies and len(rows) >= COPY_MIN:
                self._copy(_COPIES[name], rows, tx)
            elif name == "fact_evidence":
                self._recount([r["id"] for r in rows])
            elif name == "write_entity":
                self._write_entities(rows, tx)
            elif not self._loaded(name, rows):
                text = t[name]
                for row in rows:
                    self._raw(text, row)
        tx.written.update(e.id for e in todo.entities)
        added = new_vectors(todo)
        vectors = (self._bump_vectors(batch.namespace), added) if added else None
        self._bump_recall(batch.namespace, change_note(todo, superseded))
        report = WriteReport(batch.source.id, written=True, utterances=len(todo.utterances),
                             facts=len(todo.facts), entities=len(todo.entities))
        return report, vectors

    def _copy(self, table: str, rows: list[dict[str, Any]], tx: _Tx) -> None:
        """Create an edge of rel ``table`` for each row (ends ``a`` → ``b`` by primary key, the
        properties by name) with one ``COPY``, noted in ``tx`` (its COMMIT checkpoints). An end
        not found fails the statement, and with it the transaction (Kùzu rolls it back):
        :meth:`_commit` then writes the group again with statements, which skip such an edge."""
        import pyarrow as pa

        columns = {"from": pa.array([r["a"] for r in rows], pa.string()),
                   "to": pa.array([r["b"] for r in rows], pa.string())}
        for prop, type_ in self._rel_columns[table]:
            columns[prop] = _arrow_column([r.get(prop) for r in rows], type_)
        text = f"COPY {table} FROM $rows"  # the table name comes from _COPIES, never from users
        try:
            with self._using() as conn:
                conn.execute(text, {"rows": pa.table(columns)})
            tx.copied = True
        except RuntimeError as exc:
            self._tx_state("ROLLBACK")  # a failed COPY ends the transaction
            raise _CopyRefused(_refused(exc), store=self.name, statement=text) from exc

    def _load(self, template: str, label: str, rows: list[dict[str, Any]]) -> bool:
        """Create a node of ``label`` for each row (the first of an id) with the one ``LOAD FROM``
        statement ``template``, the rows handed over as an Arrow table typed as the schema says.
        False, nothing written, when a column cannot be typed so (a vector missing)."""
        import pyarrow as pa

        text = self.templates[template]
        types = self._types[label]
        first: dict[str, dict[str, Any]] = {}
        for r in rows:
            first.setdefault(r["id"], r)  # MERGE's rule: the first row of an id counts
        rows = list(first.values())
        columns = {}
        for prop, col in _LOAD_PAIR.findall(text.split("CREATE", 1)[1]):
            column = _arrow_column([r[col] for r in rows], types[prop])
            if column is None:
                return False
            columns[col] = column
        self._execute_table(text, pa.table(columns))
        return True

    def _tx(self, batches: Sequence[MemoryBatch]) -> _Tx:
        """What a transaction writing ``batches`` starts with: their entities' aliases, and the
        aliases stored entities gain (read first, before the transaction writes anything)."""
        tx = _Tx()
        for batch in batches:
            tx.take(batch)
        if tx.aliases:
            t = self.templates
            if self._count("Entity") <= KEY_LOOKUPS_ABOVE:
                tx.found(self._raw(t["existing_entities"], {"ids": list(tx.aliases)}).rows)
            else:
                tx.found([r for i in tx.aliases for r in self._raw(t["existing_entity"], {"id": i}).rows])
            for i in tx.stored:
                tx.grow(i)
        return tx

    def _admit(self, tx: _Tx, batch: MemoryBatch) -> None:
        """A document that joins a transaction already writing (:meth:`write_stream`): its
        entities' aliases join the transaction's. An entity it is the first to name is looked up
        by key (the transaction did not make it; Kùzu 0.11.3 read what a transaction made right
        by key only); one stored, or made by the transaction, that gains aliases gets them after
        the COMMIT (:meth:`_add_aliases`), as a stored one does in a group."""
        t = self.templates
        for i in tx.take(batch):
            tx.found(self._raw(t["existing_entity"], {"id": i}).rows)
        for i in dict.fromkeys(e.id for e in batch.entities):
            tx.grow(i)

    def _add_aliases(self, tx: _Tx, *, checkpointed: bool) -> None:
        """After a transaction's COMMIT: the aliases its documents gave stored entities (and, in a
        stream, entities it made before a later document named them anew), in a transaction of
        their own, checkpointed at once (see entity_aliases.cypher). The documents
        are stored by then; should this fail, stored entities miss the new aliases (logged), and
        their facts and mentions are whole."""
        if not tx.grown:
            return
        try:
            if not checkpointed:  # Kùzu checkpoints a transaction with a COPY at its COMMIT
                self._raw("CHECKPOINT")
            self._raw("BEGIN TRANSACTION")
            try:
                self._set_aliases(tx)
                self._raw("COMMIT")
            except BaseException:
                self._rollback()
                raise
            self._raw("CHECKPOINT")
        except StoreError as exc:
            logging.getLogger("graphmem").warning("%s: adding aliases to stored entities failed: %s", self.name, exc)

    def _set_aliases(self, tx: _Tx) -> None:
        for i, aliases in tx.grown.items():
            self._raw(self.templates["entity_aliases"], {"id": i, "aliases": aliases})

    def _write_entities(self, rows: list[dict[str, Any]], tx: _Tx) -> None:
        """Merge a document's entities with one ``LOAD FROM`` statement (load_entities.cypher).

        Each id goes once, as write_entity's MERGE a row at a time would leave it: the first row's
        name and type, the latest row's time as ``last_seen``. A new entity gets its aliases from
        every document of the transaction (``tx.aliases``; in a stream, those so far): a later
        write in the same transaction could not add to them (:meth:`_add_aliases` does, after).
        """
        import pyarrow as pa

        merged: dict[str, dict[str, Any]] = {}
        for r in rows:
            m = merged.get(r["id"])
            if m is None:
                aliases = list(tx.aliases.get(r["id"], r["aliases"]))
                merged[r["id"]] = {**r, "first_seen": r["seen"], "last_seen": r["seen"], "aliases": aliases}
                if r["id"] not in tx.stored and r["id"] not in tx.written:  # made now, with these
                    tx.made[r["id"]] = aliases
            else:
                m["last_seen"] = r["seen"]
        part = list(merged.values())
        self._execute_table(self.templates["load_entities"], pa.table({
            **{c: pa.array([r[c] for r in part], pa.string())
               for c in ("id", "namespace", "name", "type", "first_seen", "last_seen")},
            "aliases": pa.array([list(r["aliases"]) for r in part], pa.list_(pa.string())),
        }))

    def _loaded(self, name: str, rows: list[dict[str, Any]]) -> bool:
        """Whether the rows of template ``name`` went in with its one ``LOAD FROM`` statement
        (from :data:`LOAD_MIN` rows on); False, nothing written, when they are to go a row each."""
        if len(rows) < LOAD_MIN:
            return False
        return name in _LOADS and self._load(*_LOADS[name], rows)

    def _execute_table(self, text: str, table: Any) -> None:
        """Run a ``LOAD FROM $rows`` statement over an Arrow table."""
        try:
            with self._using() as conn:
                conn.execute(text, {"rows": table})
        except RuntimeError as exc:
            raise StoreError(_refused(exc), store=self.name, statement=text) from exc

    def _write_linked(self, rows: list[dict[str, Any]]) -> None:
        """Each new fact with its edges in one statement (see :func:`_link_facts`), or, for a
        batch of :data:`LOAD_MIN` or more, the facts in one statement and then each fact's edges
        in one; where an end was not found, its edges are written one statement each."""
        t = self.templates
        if self._loaded("write_fact", rows):
            for row in rows:
                text = t["link_fact_object" if "object_id" in row else "link_fact"]
                if not self._raw(text, _params_of(text, row)).rows:
                    for edge, edge_row in row["_edges"]:
                        self._raw(t[edge], edge_row)
            return
        for row in rows:
            text = t["write_fact_linked_object" if "object_id" in row else "write_fact_linked"]
            if self._raw(text, _params_of(text, row)).rows:
                continue
            self._raw(t["write_fact"], _params_of(t["write_fact"], row))
            for edge, edge_row in row["_edges"]:
                self._raw(t[edge], edge_row)

    def _recount(self, ids: list[str]) -> None:
        """Set each fact's ``evidence`` (its live anchors) and ``last_mentioned`` (the latest of their
        times) from its anchors as read now, a key lookup a fact (see fact_evidence.cypher)."""
        t = self.templates
        for i in ids:
            times = [r[0] for r in self._raw(t["fact_evidence"], {"id": i}).rows]
            last = max((x for x in times if x is not None), default=None)
            self._raw(t["fact_evidence_set"], {"id": i, "n": len(times), "last": last})

    def _supersede(self, rows: list[dict[str, Any]], restated: set[str], made: set[str],
                   facts: Sequence[Fact]) -> list[str]:
        """Supersede what the batch's facts replace: read candidates per subject, decide in Python
        (:func:`._rows.supersessions`, the same rule on every store), write only the pairs found.
        Returns the ids of the facts superseded.

        A subject the document made (``made``: an entity neither stored before the transaction nor
        written by an earlier document of it) has no facts but the document's new ``facts``: its
        candidates are those, not read back (55% of the subjects of 600 LoCoMo turns)."""
        if not rows:
            return []
        t = self.templates
        moved = {}
        for fid in sorted({r["id"] for r in rows} & restated):  # restated facts: their subject as stored now
            found = self._raw(t["fact_subject"], {"id": fid}).rows
            if found:
                moved[fid] = found[0][1]
        rows = [{**r, "subject_id": moved.get(r["id"], r["subject_id"])} for r in rows]
        ns = rows[0]["namespace"]
        queries = supersede_queries(rows)
        candidates = {}
        for entity, preds in queries.items():
            if entity in made:  # what supersede_candidates.cypher would find: the document's own facts
                candidates[entity] = [
                    {"id": f.id, "predicate": f.predicate, "object": f.object, "polarity": f.polarity,
                     "valid_from": f.valid_from} for f in facts
                    if f.subject_id == entity and f.mood == "asserted" and f.predicate in preds and f.namespace == ns]
            else:  # a key lookup a subject
                candidates[entity] = self._raw(t["supersede_candidates"], {
                    "entity": entity, "namespace": ns, "predicates": list(preds)}).dicts()
        pairs = supersessions(rows, candidates)
        for pair in pairs:
            self._raw(t["supersede_pair"], pair)
        return [pair["old"] for pair in pairs]

    # -- search ---------------------------------------------------------------------------

    def vector_search(self, label: str, namespace: str, vector: Sequence[float], k: int, *,
                      exact: bool = False) -> list[Hit]:
        name = search_template("vector", label)
        if exact or self._vectors is None:
            res = self._raw(self.templates[name], {"namespace": namespace, "vector": list(vector), "k": int(k)})
            return [Hit(r[0], float(r[1])) for r in res.rows]
        index = self._vectors.get(label, namespace, self._vectors_version(namespace))
        return [Hit(i, s) for i, s in index.search(vector, int(k))]

    # -- the vector side index (derived data, see vindex.py) --------------------------------

    def _vectors_version(self, namespace: str) -> int:
        value = self._raw(self.templates["meta_get"], {"key": VERSION_KEY + namespace}).scalar()
        return int(value) if value else 0

    def _bump_vectors(self, namespace: str) -> int:
        """Raise the namespace's vector counter inside the open transaction; the old value."""
        old = self._vectors_version(namespace)
        self._raw(self.templates["meta_set"], {"key": VERSION_KEY + namespace, "value": str(old + 1)})
        return old

    def vectors_changed(self, namespace: str) -> None:
        """Say that embeddings of ``namespace`` were written other than by :meth:`write_batch`
        (a bulk ``COPY``): its side indexes are rebuilt on their next search."""
        self._bump_vectors(namespace)
        self._bump_recall(namespace)

    # -- the recall view (derived data, see rview.py) ---------------------------------------

    # One counter per namespace, apart from the vector counter above: FORGET and entity merges
    # change what RECALL returns but no vector, and must not make the side index (an HNSW graph
    # of minutes at 100k) rebuild.

    def _recall_versions(self, namespace: str) -> tuple[int, int]:
        """(store-wide, namespace) recall counters."""
        get = self.templates["meta_get"]
        return (int(self._raw(get, {"key": RECALL_KEY}).scalar() or 0),
                int(self._raw(get, {"key": NS_KEY + namespace}).scalar() or 0))

    def _bump_recall(self, namespace: str | None, note: str | None = None) -> None:
        """Raise the recall counter of ``namespace`` (the store-wide one for ``None``) inside the
        open transaction, if any: every write that can change what RECALL returns calls this, so
        no process answers from a stale view. ``note`` (:func:`.rview.change_note`, from a
        document's write) says what changed, so views one version behind update in place;
        without one they are built again."""
        if self._templates is None:
            return
        t = self.templates
        key = RECALL_KEY if namespace is None else NS_KEY + namespace
        value = int(self._raw(t["meta_get"], {"key": key}).scalar() or 0) + 1
        self._raw(t["meta_set"], {"key": key, "value": str(value)})
        if namespace is None:
            return
        if note is not None:
            self._raw(t["meta_set"], {"key": f"{LOG_KEY}{namespace}/{value}", "value": note})
        if value > LOG_KEEP:
            self._raw(_META_DELETE, {"key": f"{LOG_KEY}{namespace}/{value - LOG_KEEP}"})

    def speaker_names(self, namespace: str) -> frozenset[str]:
        """Every speaker of the namespace (what RECALL embeds a cue in the first person for:
        :func:`graphmem.recall.cue_speakers`): the recall view's, which the RECALL reads next
        anyway; without one (a closed side index), read from the utterances."""
        view = self.recall_view(namespace)
        if view is not None:
            return frozenset(view.speakers)
        return frozenset(r[0] for r in self._raw(self.templates["speakers"], {"namespace": namespace}).rows)

    def recall_view(self, namespace: str) -> RecallView | None:
        """The namespace's recall view as of the store's counters: updated in place from the
        notes of the writes since, or built again when a change left no note."""
        if self._templates is None or self._vectors is None:
            return None
        version = self._recall_versions(namespace)
        return current_view(self._views, self.view_stats, namespace, version,
                            lambda have: self._notes(namespace, have, version), self._nodes,
                            lambda: build_view(self._rows, namespace, version, lambda: self._fact_index(namespace),
                                               text=self.view_text))

    def _reopen(self) -> None:
        """Close and open the database again (≈ 0.1 s), giving its page cache back to the system.

        A recall view's whole build reads every table of its namespace, and a side index's build
        every embedding; Kùzu keeps each page it read, and each result's frames, resident until
        the database closes (its cache never shrinks): ≈ 570 MB after a view build at 660k facts
        (``bench/README.md``). Such a read of :data:`REOPEN_AFTER_ROWS` rows or more sets
        ``_reopen_due``; the next statement outside a transaction opens it again (by then nothing
        points into the old database's memory). Prepared statements belong to the old connection."""
        import kuzu

        self._reopen_due = False
        for conn in self._conns.values():  # every thread's, prepared statements with them
            conn.close()
        self._conns.clear()
        self._db.close()
        self._db = kuzu.Database(str(self.path / DB_FILE), read_only=self.read_only, buffer_pool_size=self._pool_bytes)
        self._gen += 1
        conn = kuzu.Connection(self._db)  # not _using: the caller holds _gate
        _load_fts(conn)
        conn.close()
        self.reopened += 1

    def _fact_index(self, namespace: str) -> Any:
        """The side index of the namespace's fact vectors as of its counter (the recall view's
        entity step reads them there); None once the store is closed."""
        if self._vectors is None or self._templates is None:
            return None
        return self._vectors.get("Fact", namespace, self._vectors_version(namespace))

    def _rows(self, text: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """A result's rows as dicts, a part at a time (Python rows of a whole namespace would
        cost several times its recall view).

        A statement over a namespace of more than :data:`RANGE_ROWS` nodes (the node its
        ``WHERE x.namespace = $ns`` names) runs once per range of their ids, the database opened
        again between ranges: Kùzu holds a whole result, and the pages it read, until then, so
        ranges keep that bounded as a namespace grows (at 1M facts the peak fell by 70 MB; most
        of it is the view itself, bench/README.md)."""
        ranges = self._ranges(text, params)
        if ranges is None:
            yield from self._parts(text, params)
            return
        var, cuts = ranges
        where = f"WHERE {var}.namespace = $ns"
        part = text.replace(where, f"{where} AND {var}.id >= $lo AND {var}.id < $hi", 1)
        last = text.replace(where, f"{where} AND {var}.id >= $lo", 1)
        for lo, hi in zip(cuts, [*cuts[1:], None]):
            yield from self._parts(last, {**params, "lo": lo}) if hi is None else \
                self._parts(part, {**params, "lo": lo, "hi": hi})
            self._reopen_due = True  # the next range starts with the pages of this one given back

    def _parts(self, text: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        table = self._arrow(text, params)
        rows = table.num_rows
        for part in table.to_batches(max_chunksize=ROWS_PART):
            yield part.to_pylist()
        if rows >= REOPEN_AFTER_ROWS:
            self._reopen_due = True

    def _ranges(self, text: str, params: dict[str, Any]) -> tuple[str, list[str]] | None:
        """(variable, the first id of each range) to read ``text`` by, or None to read it whole."""
        found = _NS_FILTER.search(text)
        label = found and re.search(rf"\({found.group(1)}:(\w+)\)", text)
        if not found or not label or "ns" not in params:
            return None
        key = (label.group(1), params["ns"])
        version = self._recall_versions(params["ns"])
        if self._range_cuts.get(key, (None,))[0] != version:  # the view's statements share a label's cuts
            ids = f"MATCH (n:{label.group(1)}) WHERE n.namespace = $ns RETURN n.id AS id"
            self._range_cuts[key] = (version, self._id_cuts(ids, {"ns": params["ns"]}, RANGE_ROWS)[1])
        cuts = self._range_cuts[key][1]
        return (found.group(1), cuts) if cuts else None

    def _id_cuts(self, text: str, params: dict[str, Any], every: int) -> tuple[int, list[str] | None]:
        """How many ids ``text`` returns, and every ``every``-th of them in order: where a read
        by ranges of ids cuts (None when they fit in one)."""
        ids = self._arrow(text, params).column("id").to_pylist()
        if len(ids) <= every:
            return len(ids), None
        ids.sort()
        return len(ids), ids[::every]

    def _arrow(self, text: str, params: dict[str, Any]) -> Any:
        """A whole result as an Arrow table (a recall view's or side index's build reads), in
        record batches of :data:`ROWS_PART` rows: Kùzu's adaptive default (10M values a batch)
        sizes a batch of embeddings for millions of rows, ≈ 1.1 GB touched to read 65k of them."""
        try:
            with self._using() as conn:
                return conn.execute(text, params).get_as_arrow(ROWS_PART)
        except RuntimeError as exc:
            raise StoreError(_refused(exc), store=self.name, statement=text) from exc

    def _nodes(self, label: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Nodes by key, one statement each: Kùzu scans the table for ``id IN $ids``."""
        out = {}
        for i in ids:
            found = self._raw(_NODE[label], {"id": i}).rows
            if found and found[0][0] is not None:
                out[i] = found[0][0]
        return out

    def _notes(self, namespace: str, have: tuple[int, int], want: tuple[int, int]) -> list[str] | None:
        """The notes of the namespace's versions after ``have`` up to ``want``; None when one is
        missing (a change without a note, a pruned note, a store-wide change)."""
        if have[0] != want[0] or not 0 < want[1] - have[1] <= LOG_KEEP:
            return None
        notes = []
        for version in range(have[1] + 1, want[1] + 1):
            note = self._raw(self.templates["meta_get"], {"key": f"{LOG_KEY}{namespace}/{version}"}).scalar()
            if note is None:
                return None
            notes.append(note)
        return notes

    def _embeddings(self, label: str, namespace: str) -> Iterator[tuple[list[str], Any]]:
        """The ids and embeddings of a label's nodes in the namespace, in parts: a namespace of
        more than :data:`EMBEDDINGS_PART` vectors is read by ranges of ids, so Kùzu never holds
        all of them as one result (1.5 GB for 1M vectors, kept resident by its page cache; each
        part's frames are reused by the next). Each range scans the table's ids again."""
        import numpy as np

        name = search_template("embeddings", label)
        params: dict[str, Any] = {"namespace": namespace}
        total, cuts = self._id_cuts(self.templates[f"{name}_ids"], params, EMBEDDINGS_PART)
        reads: list[tuple[str, dict[str, Any]]] = [(name, params)]
        if cuts:
            reads = [(f"{name}_part", {**params, "lo": lo, "hi": hi}) for lo, hi in zip(cuts, cuts[1:])]
            reads.append((f"{name}_from", {**params, "lo": cuts[-1]}))
        for template, values in reads:
            table = self._arrow(self.templates[template], values)
            part = table.column("id").to_pylist()
            if part:
                emb = table.column("embedding").combine_chunks()
                yield part, emb.values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(len(part), -1)
            del table
        if total >= REOPEN_AFTER_ROWS:
            self._reopen_due = True

    def text_search(self, label: str, namespace: str, text: str, k: int) -> list[Hit]:
        name = search_template("text", label)
        if not text.strip():
            return []
        res = self._raw(self.templates[name], {"namespace": namespace, "text": text, "k": int(k)})
        return [Hit(r[0], float(r[1])) for r in res.rows]

    def close(self) -> None:
        vectors, self._vectors = getattr(self, "_vectors", None), None
        if vectors is not None and getattr(self, "_db", None) is not None:
            vectors.flush()
        db = getattr(self, "_db", None)
        self._db = None
        with getattr(self, "_gate", threading.Lock()):
            for conn in self._conns.values():
                conn.close()
            self._conns.clear()
            self._gen += 1
        if db is not None:
            db.close()

