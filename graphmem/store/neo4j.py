"""The Neo4j store (Bolt): the same protocol and model as the embedded store.

Every Neo4j detail lives here and in ``cypher/neo4j/``:

* One managed write transaction per document (``session.execute_write``): the
  driver retries transient errors (leader switches, deadlocks) and the document is
  committed whole or not at all. Nodes and edges go in batched ``UNWIND`` writes.
* Vector search uses the HNSW vector index with headroom and a namespace filter,
  falling back to an exact scan when the filter leaves too few rows. Neo4j reports
  cosine as ``(1 + cos) / 2`` (https://neo4j.com/docs/cypher-manual/5/indexes/semantic-indexes/vector-indexes/);
  it is mapped back to plain cosine so both stores score alike.
* Full-text search goes through Lucene, whose query syntax is escaped here so a cue
  is always searched as plain words.
* ``neo4j://`` URIs route (clusters, Aura); ``bolt://`` talks to one server; both have
  ``+s``/``+ssc`` TLS variants. The password is never logged or put in messages.
* A plain RECALL reads a **recall view** of the namespace held in this client (:mod:`.rview`,
  as on the embedded store) and a vector side index beside it (:mod:`.vindex`): on a 2-core
  server Neo4j's own HNSW search alone took 33–63 ms p50 at 100k vectors (``bench/README.md``),
  and full text over the whole database ranked a namespace's turns by every namespace's
  statistics. Both are derived data, kept current by counters in ``Meta`` that every graphmem
  write raises inside its transaction (and a note of what a document's write touched), so a
  view in any client process follows every committed write. Writes made outside graphmem do
  not raise them: turn the view off (``recall_view=False``, ``GRAPHMEM_NEO4J_RECALL_VIEW=0``)
  where other programs write graphmem's nodes, and RECALL runs as Cypher against the
  database's own indexes.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, StoreUnavailable
from ..model import MemoryBatch
from ._rows import batch_rows, prune_existing, supersede_queries, supersessions
from .base import EXISTING, Capabilities, Hit, Result, Statement, Templates, WriteReport, search_template
from .rview import (LOG_KEEP, LOG_KEY, NODE_LABELS, NS_KEY, RECALL_KEY, RecallView, build_view, change_note,
                    current_view, new_vectors, keep_view, namespaces_of, text_available, writes)
from .vindex import BRUTE_FORCE_BELOW, VERSION_KEY, SideIndexes

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["Neo4jStore", "lucene_escape"]

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_LUCENE_WORDS = re.compile(r"\b(AND|OR|NOT|TO)\b")
_START_HINT = "start one with `scripts/neo4j-server start` (or `docker compose -f docker/compose.yaml up -d`)"


def lucene_escape(text: str) -> str:
    """Make ``text`` a plain-words Lucene query.

    >>> lucene_escape('where (does) "Alice" work? AND')
    'where \\\\(does\\\\) \\\\"Alice\\\\" work\\\\? and'
    """
    text = _LUCENE_SPECIAL.sub(r"\\\1", text)
    return _LUCENE_WORDS.sub(lambda m: m.group(1).lower(), text)


class Neo4jStore:
    """graphmem's model in a Neo4j 5 database.

    Args:
        uri: ``bolt://``, ``neo4j://`` or their ``+s``/``+ssc`` variants.
        user, password: credentials (``None`` password: no auth).
        database: the database to use (server default when ``None``).
        recall_view: answer plain RECALLs from a recall view and a vector side index held in
            this process (see the module's notes); ``False``: every RECALL runs as Cypher.
        cache_dir: where the side index's HNSW graphs are kept between processes, under
            ``neo4j/<store id>/`` (a random id the database keeps in ``Meta``, so a wiped or
            other database never reads them); ``None``: in memory only.
    """

    name = "neo4j"
    dialect = "neo4j"
    capabilities = Capabilities(vector_index=True, fulltext_index=True, transactions=True, server=True)

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        connection_timeout: float = 10.0,
        recall_view: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        import neo4j
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.uri = uri
        self.database = database
        auth = (user, password) if password is not None else None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                connection_timeout=connection_timeout,
                max_transaction_retry_time=15.0,
                notifications_min_severity="OFF",  # schema-less warnings are expected here
            )
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise StoreUnavailable(
                f"Neo4j at {uri} refused the credentials for user {user!r} "
                "(set GRAPHMEM_NEO4J_USER / GRAPHMEM_NEO4J_PASSWORD)",
                uri=uri,
                store=self.name,
            ) from exc
        except (ServiceUnavailable, OSError, ValueError) as exc:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {uri}: {type(exc).__name__}; {_START_HINT}",
                uri=uri,
                store=self.name,
            ) from exc
        self._templates: Templates | None = None
        self._sizes: dict[tuple[str, str], tuple[float, int]] = {}  # see prefers_exact
        self.use_view = recall_view
        self.cache_dir = cache_dir
        #: Plain RECALL's full-text lists from the view's BM25 (bm25s) instead of Lucene's
        #: (whose statistics are the whole database's); set before the first recall.
        self.view_text = text_available()
        self._vectors: SideIndexes | None = None
        self._views: dict[str, RecallView] = {}  # namespace → recall view (derived, see rview.py)
        self._vector_seen: dict[str, tuple[float, int]] = {}  # namespace → (when, vector counter): see recall_view
        self._building: dict[str, Any] = {}  # namespace → the thread building its view (BUILD_INLINE_BELOW)
        self._lock = threading.RLock()  # the views, against a thread that built one
        self.view_stats = {"builds": 0, "updates": 0}  # recall views built whole / updated in place

    @classmethod
    def from_config(cls, location: str, config: Config) -> Neo4jStore:
        from ..embed import default_cache_dir

        return cls(location, user=config.neo4j_user, password=config.neo4j_password, database=config.neo4j_database,
                   recall_view=config.neo4j_recall_view, cache_dir=config.cache_dir or default_cache_dir())

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r})"  # no credentials, ever

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            raise StoreError("ensure_schema() must run before the store is used", store=self.name)
        return self._templates

    # -- plumbing -------------------------------------------------------------------------

    def _session(self):
        # The driver's bookmark manager, shared with execute_query (_execute): on a cluster each
        # read of this client sees its own earlier writes (causal consistency).
        bookmarks = self._driver.execute_query_bookmark_manager
        if self.database:
            return self._driver.session(database=self.database, bookmark_manager=bookmarks)
        return self._driver.session(bookmark_manager=bookmarks)

    def _wrap(self, exc: Exception, text: str | None = None) -> StoreError:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
            return StoreUnavailable(f"lost the connection to Neo4j at {self.uri}: {type(exc).__name__}; {_START_HINT}",
                                    uri=self.uri, store=self.name)
        return StoreError(f"Neo4j refused a statement: {exc}", store=self.name, statement=text)

    def _execute(self, text: str, params: dict[str, Any], *, write: bool) -> Result:
        """One statement in its own managed transaction (retried on transient errors) through
        ``execute_query``: a RECALL's counter read took 1.3 / 1.7 ms p50 / p95 this way against
        1.4 / 6.6 ms through a new session's ``execute_read`` (10k facts, loopback)."""
        from neo4j import RoutingControl
        from neo4j.exceptions import Neo4jError, DriverError

        try:
            records, _, keys = self._driver.execute_query(
                text, params, database_=self.database, routing_=RoutingControl.WRITE if write else RoutingControl.READ)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc, text) from exc
        return Result(tuple(keys), tuple(tuple(rec.values()) for rec in records))

    # -- protocol -------------------------------------------------------------------------

    def ensure_schema(self, *, embedding_dim: int) -> None:
        self._templates = Templates(self.dialect, embedding_dim=embedding_dim)
        self._views.clear()
        for stmt in self._templates.statements("schema"):
            self._execute(stmt, {}, write=True)
        self._vectors = None
        if self.use_view:
            folder = None
            if self.cache_dir is not None:
                store_id = self._execute(self._templates["store_id"], {"id": uuid.uuid4().hex}, write=True).scalar()
                folder = Path(self.cache_dir) / "neo4j" / str(store_id) / "vindex"
            # Only HNSW graphs are kept: an exact index is rebuilt as fast as it is read back.
            self._vectors = SideIndexes(folder, embedding_dim, self._embeddings, writable=True,
                                        min_saved=BRUTE_FORCE_BELOW)
        self._execute("CALL db.awaitIndexes(300)", {}, write=False)
        # IF NOT EXISTS keeps an index made for another model: refuse it rather than fail later.
        for name, dims in self._execute(self._templates["vector_index_dims"], {}, write=False).rows:
            if dims is not None and int(dims) != embedding_dim:
                raise StoreError(
                    f"the Neo4j database at {self.uri} has vector index {name!r} for {dims}-dimensional "
                    f"embeddings, but the embedding model makes {embedding_dim}; use another database "
                    "or drop graphmem's indexes",
                    store=self.name,
                )

    def run(self, statement: Statement) -> Result:
        if writes(statement):  # with the recall counters it raises, in one transaction
            return self.run_many([statement])[0]
        return self._execute(statement.text, dict(statement.params), write=not statement.read_only)

    def run_many(self, statements: Sequence[Statement]) -> list[Result]:
        from neo4j.exceptions import DriverError, Neo4jError

        def work(tx) -> list[Result]:
            out = []
            for st in statements:
                res = tx.run(st.text, dict(st.params))
                out.append(Result(tuple(res.keys()), tuple(tuple(rec.values()) for rec in res)))
            if any(writes(st) for st in statements):
                for namespace in namespaces_of(statements):
                    self._bump_recall(tx, namespace)  # no note: those views are built again
            return out

        try:
            with self._session() as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc) from exc

    def existing(self, label: str, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return {r[0] for r in self.run(self.templates.stmt(EXISTING[label], ids=list(ids))).rows}

    def write_batch(self, batch: MemoryBatch) -> WriteReport:
        return self._write([batch])[0]

    def write_batches(self, batches: Sequence[MemoryBatch]) -> list[WriteReport]:
        return self._write(batches)

    def write_stream(self, batches: Iterable[MemoryBatch], *, expect_turns: int = 0) -> list[WriteReport]:
        # All taken first: a managed transaction is retried whole on a transient error, so it
        # must be able to run its batches again.
        return self._write(list(batches))

    def _write(self, batches: Sequence[MemoryBatch]) -> list[WriteReport]:
        """The batches in order in one managed transaction (retried whole on a transient error)."""
        from neo4j.exceptions import Neo4jError, DriverError

        t = self.templates

        def one(tx, batch: MemoryBatch) -> tuple[WriteReport, Any]:
            ids = [u.id for u in batch.utterances]
            existing = {r["id"] for r in tx.run(t["existing_utterances"], ids=ids)} if ids else set()
            source_known = tx.run(t["source_exists"], id=batch.source.id).single() is not None
            fids = [f.id for f in batch.facts]
            known = {r["id"] for r in tx.run(t["existing_facts"], ids=fids)} if fids else set()
            todo = prune_existing(batch, existing, known)
            if source_known and not todo.utterances:
                return WriteReport(batch.source.id, written=False), None
            superseded: list[str] = []
            for name, rows in batch_rows(todo):
                if name == "supersede":
                    superseded = _supersede(tx, t, rows, {f.id for f in todo.restated})
                elif rows:
                    tx.run(t[name], rows=rows).consume()
            added = new_vectors(todo)
            new = self._bump(tx, VERSION_KEY + batch.namespace) if added else None
            self._bump_recall(tx, batch.namespace, change_note(todo, superseded))
            report = WriteReport(batch.source.id, True, len(todo.utterances), len(todo.facts), len(todo.entities))
            return report, (new, added)

        try:
            with self._session() as session:
                done = session.execute_write(lambda tx: [one(tx, b) for b in batches])
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc) from exc
        for batch, (_, vectors) in zip(batches, done):
            self._vector_seen.pop(batch.namespace, None)
            if vectors is not None and vectors[0] is not None and self._vectors is not None:  # only once committed
                self._vectors.committed(batch.namespace, vectors[0] - 1, vectors[0], vectors[1])
        return [report for report, _ in done]

    #: Below this many nodes of a label in a namespace, vector search is an exact scan: the HNSW
    #: index is shared by every namespace, so a small one's nearest are found after the index's
    #: best of all namespaces (a 369-turn conversation beside 12k other nodes: the exact first,
    #: third, fifth and sixth missing from its best 180), while a scan costs ≈ 27 µs a node
    #: (369 turns: 10 ms against the index's 7 ms; 2,000 ≈ 55 ms).
    EXACT_BELOW = 2_000
    #: Seconds a namespace's size is trusted: it only chooses between two correct searches.
    SIZE_TTL = 30.0

    def prefers_exact(self, label: str, namespace: str) -> bool:
        """Whether vector search over ``label`` in ``namespace`` should scan exactly."""
        if label not in ("Fact", "Utterance"):
            raise ValueError(f"no vector search over {label!r}")
        return self._size(label, namespace) < self.EXACT_BELOW

    def _size(self, label: str, namespace: str) -> int:
        """How many ``label`` nodes the namespace holds, as read at most :data:`SIZE_TTL` ago."""
        import time

        now, key = time.monotonic(), (label, namespace)
        seen = self._sizes.get(key)
        if seen is None or now - seen[0] > self.SIZE_TTL:
            count = self._execute(f"MATCH (n:{label}) WHERE n.namespace = $namespace RETURN count(n)",
                                  {"namespace": namespace}, write=False).scalar()
            seen = self._sizes[key] = (now, int(count or 0))
        return seen[1]

    def vector_search(self, label: str, namespace: str, vector: Sequence[float], k: int, *,
                      exact: bool = False) -> list[Hit]:
        """Through the side index held here (with the recall view), else Neo4j's HNSW index, or
        an exact scan with ``exact=True`` or where the namespace is small
        (:meth:`prefers_exact`)."""
        name = search_template("vector", label)
        if not exact and self._vectors is not None:
            index = self._vectors.get(label, namespace, self._vectors_version(namespace))
            return [Hit(i, s) for i, s in index.search(vector, int(k))]
        params = {"namespace": namespace, "vector": [float(x) for x in vector], "k": int(k), "fetch": max(10 * k, 100)}
        exact = exact or self.prefers_exact(label, namespace)
        rows = () if exact else self._execute(self.templates[name], params, write=False).rows
        if len(rows) < k:  # the namespace filter ate the index's answers (or exact=True): scan exactly
            rows = self._execute(self.templates[name + "_exact"], params, write=False).rows
        return [Hit(r[0], 2.0 * float(r[1]) - 1.0) for r in rows]

    def text_search(self, label: str, namespace: str, text: str, k: int) -> list[Hit]:
        name = search_template("text", label)
        query = lucene_escape(text).strip()
        if not query:
            return []
        rows = self._execute(self.templates[name], {"namespace": namespace, "text": query, "k": int(k)}, write=False)
        return [Hit(r[0], float(r[1])) for r in rows.rows]

    # -- the recall view and the vector side index (derived data, see rview.py, vindex.py) ------

    def _bump(self, tx: Any, key: str, *, note: str | None = None, log: str | None = None) -> int:
        """Raise the counter ``key`` inside ``tx``; its new value."""
        rec = tx.run(self.templates["counter_bump"], key=key, note=note, log=log, keep=LOG_KEEP).single()
        return int(rec["value"])

    def _bump_recall(self, tx: Any, namespace: str | None, note: str | None = None) -> None:
        """Raise the recall counter of ``namespace`` (the store-wide one for ``None``) inside
        ``tx``; ``note`` (:func:`.rview.change_note`) lets views one version behind update in place."""
        if self._templates is None:
            return
        if namespace is None:
            self._bump(tx, RECALL_KEY)
        else:
            self._bump(tx, NS_KEY + namespace, note=note, log=f"{LOG_KEY}{namespace}/")

    def _meta(self, keys: Sequence[str]) -> dict[str, str | None]:
        rows = self._execute(self.templates["meta_many"], {"keys": list(keys)}, write=False).rows
        return {k: v for k, v in rows}

    #: Seconds the vector counter read with a recall view serves that RECALL's vector searches.
    VECTOR_SEEN_TTL = 1.0

    def _vectors_version(self, namespace: str) -> int:
        import time

        seen = self._vector_seen.get(namespace)
        if seen is not None and time.monotonic() - seen[0] < self.VECTOR_SEEN_TTL:
            return seen[1]
        value = self._meta([VERSION_KEY + namespace])[VERSION_KEY + namespace]
        return int(value) if value else 0

    def vectors_changed(self, namespace: str) -> None:
        """Say that embeddings of ``namespace`` were written other than by :meth:`write_batch`
        (a bulk load): its side indexes and recall view are built again on their next use."""

        def work(tx) -> None:
            self._bump(tx, VERSION_KEY + namespace)
            self._bump_recall(tx, namespace)

        from neo4j.exceptions import DriverError, Neo4jError

        try:
            with self._session() as session:
                session.execute_write(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc) from exc
        self._vector_seen.pop(namespace, None)

    def speaker_names(self, namespace: str) -> frozenset[str] | None:
        """Every speaker of the namespace, from its recall view; ``None`` without one (the
        cue's speakers are then looked up by the index on (namespace, speaker))."""
        view = self.recall_view(namespace)
        return frozenset(view.speakers) if view is not None else None

    #: A namespace of at least this many facts has its view built whole on a background thread
    #: (with its side indexes), RECALL running as Cypher on Neo4j's own indexes meanwhile: at
    #: 100k facts the first build took 27 s and the side index 52 s more, where a Cypher RECALL
    #: takes about half a second. Below it, the view is built in the RECALL that needs it.
    BUILD_INLINE_BELOW = 20_000

    def _versions(self, namespace: str, *, recall: bool = True) -> tuple[tuple[int, int], int]:
        """The namespace's (store-wide, namespace) recall version and its vector counter, in one
        round trip; with ``recall``, the vector searches of this RECALL go by the same read
        (``_vector_seen``)."""
        import time

        keys = [RECALL_KEY, NS_KEY + namespace, VERSION_KEY + namespace]
        got = self._meta(keys)
        vectors = int(got[keys[2]] or 0)
        if recall:
            self._vector_seen[namespace] = (time.monotonic(), vectors)
        return (int(got[keys[0]] or 0), int(got[keys[1]] or 0)), vectors

    def recall_view(self, namespace: str) -> RecallView | None:
        """The namespace's recall view as of the database's counters (one round trip): updated
        in place from the notes of the writes since, or built again when a change left none.
        ``None`` when the view is off, or while a large namespace's is being built behind
        (:data:`BUILD_INLINE_BELOW`): RECALL then runs as Cypher."""
        if self._templates is None or self._vectors is None:
            return None
        version, _ = self._versions(namespace)
        held = self._views.get(namespace)
        notes = self._notes(namespace, held.version, version) if held is not None and held.version != version else None
        whole = held is None or (held.version != version and notes is None)
        if whole and self._size("Fact", namespace) >= self.BUILD_INLINE_BELOW:
            self._build_behind(namespace)
            return None

        def notes_since(have: tuple[int, int]) -> list[str] | None:  # read above for the view held then
            return notes if held is not None and have == held.version else self._notes(namespace, have, version)

        with self._lock:
            return current_view(self._views, self.view_stats, namespace, version, notes_since, self._nodes,
                                lambda: build_view(self._rows, namespace, version,
                                                   lambda: self._fact_index(namespace), text=self.view_text))

    def _fact_index(self, namespace: str) -> Any:
        """The side index of the namespace's fact vectors as of its counter (the recall view's
        entity step reads them there); None once the store is closed."""
        if self._vectors is None or self._templates is None:
            return None
        return self._vectors.get("Fact", namespace, self._vectors_version(namespace))

    def _build_behind(self, namespace: str) -> None:
        """Start building the namespace's view and side indexes on a thread, unless one is."""
        with self._lock:
            if namespace in self._building:
                return
            self._views.pop(namespace, None)  # stale and not updatable: the thread's replaces it
            thread = threading.Thread(target=self._build, args=(namespace,), daemon=True,
                                      name=f"graphmem-view-{namespace}")
            self._building[namespace] = thread
        thread.start()

    def _build(self, namespace: str) -> None:
        import logging

        try:
            version, vectors = self._versions(namespace, recall=False)
            view = build_view(self._rows, namespace, version, lambda: self._fact_index(namespace),
                              text=self.view_text)
            if self._vectors is not None:
                self._vectors.prepare("Fact", namespace, vectors)
                self._vectors.prepare("Utterance", namespace, vectors)
            with self._lock:
                keep_view(self._views, view)
                self.view_stats["builds"] += 1
        except Exception as exc:  # noqa: BLE001 - the next RECALL tries again; until then Cypher answers
            if self._driver is not None:
                logging.getLogger("graphmem").warning("building the recall view of %r failed: %s", namespace, exc)
        finally:
            with self._lock:
                self._building.pop(namespace, None)

    def wait_for_views(self, timeout: float | None = None) -> None:
        """Wait for the views being built behind (a benchmark's warm-up, tests)."""
        for thread in list(self._building.values()):
            thread.join(timeout)

    def _rows(self, text: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        yield self._execute(text, params, write=False).dicts()

    def _notes(self, namespace: str, have: tuple[int, int], want: tuple[int, int]) -> list[str] | None:
        """The notes of the namespace's versions after ``have`` up to ``want``, in one round
        trip; None when one is missing (a change without a note, a pruned note, a store-wide change)."""
        if have[0] != want[0] or not 0 < want[1] - have[1] <= LOG_KEEP:
            return None
        keys = [f"{LOG_KEY}{namespace}/{v}" for v in range(have[1] + 1, want[1] + 1)]
        got = self._meta(keys)
        notes = [got.get(k) for k in keys]
        return None if any(n is None for n in notes) else notes  # type: ignore[return-value]

    def _nodes(self, label: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Nodes of ``label`` by key, in one round trip (the label is one of the fixed four)."""
        if label not in NODE_LABELS:
            raise ValueError(f"no node label {label!r}")
        rows = self._execute(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS n",
                             {"ids": list(ids)}, write=False).rows
        return {i: n for i, n in rows}

    def _embeddings(self, label: str, namespace: str) -> list[tuple[list[str], Any]]:
        """The ids and embeddings of a label's nodes in the namespace (a side index's build), in one part."""
        import numpy as np

        rows = self._execute(self.templates[search_template("embeddings", label)], {"namespace": namespace},
                             write=False).rows
        dim = self.templates.constants["embedding_dim"]
        if not rows:
            return [([], np.zeros((0, dim), dtype=np.float32))]
        return [([r[0] for r in rows], np.asarray([r[1] for r in rows], dtype=np.float32).reshape(len(rows), dim))]

    def close(self) -> None:
        vectors, self._vectors = getattr(self, "_vectors", None), None
        if vectors is not None:
            vectors.flush()
        driver, self._driver = getattr(self, "_driver", None), None
        if driver is not None:
            driver.close()


def _supersede(tx: Any, t: Templates, rows: list[dict[str, Any]], restated: set[str]) -> list[str]:
    """Supersede what the batch's facts replace: candidates read per subject, the decision made by
    :func:`._rows.supersessions` (the same rule on every store), only the pairs found written.
    Returns the ids of the facts superseded."""
    if not rows:
        return []
    again = sorted({r["id"] for r in rows} & restated)
    moved = {rec["id"]: rec["entity"] for rec in tx.run(t["fact_subject"], ids=again)} if again else {}
    rows = [{**r, "subject_id": moved.get(r["id"], r["subject_id"])} for r in rows]
    queries = [{"entity": e, "predicates": p} for e, p in supersede_queries(rows).items()]
    candidates: dict[str, list[dict[str, Any]]] = {}
    for rec in tx.run(t["supersede_candidates"], rows=queries, namespace=rows[0]["namespace"]):
        candidates.setdefault(rec["entity"], []).append(dict(rec))
    pairs = supersessions(rows, candidates)
    if pairs:
        tx.run(t["supersede_pair"], rows=pairs).consume()
    return [pair["old"] for pair in pairs]
