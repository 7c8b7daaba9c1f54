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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, StoreUnavailable
from ..model import MemoryBatch
from ._rows import batch_rows, prune_existing, supersede_queries, supersessions
from .base import Capabilities, Hit, Result, Statement, Templates, WriteReport, search_template

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

    @classmethod
    def from_config(cls, location: str, config: Config) -> Neo4jStore:
        return cls(location, user=config.neo4j_user, password=config.neo4j_password, database=config.neo4j_database)

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r})"  # no credentials, ever

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            raise StoreError("ensure_schema() must run before the store is used", store=self.name)
        return self._templates

    # -- plumbing -------------------------------------------------------------------------

    def _session(self):
        return self._driver.session(database=self.database) if self.database else self._driver.session()

    def _wrap(self, exc: Exception, text: str | None = None) -> StoreError:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
            return StoreUnavailable(f"lost the connection to Neo4j at {self.uri}: {type(exc).__name__}; {_START_HINT}",
                                    uri=self.uri, store=self.name)
        return StoreError(f"Neo4j refused a statement: {exc}", store=self.name, statement=text)

    def _execute(self, text: str, params: dict[str, Any], *, write: bool) -> Result:
        from neo4j.exceptions import Neo4jError, DriverError

        def work(tx):
            res = tx.run(text, params)
            keys = tuple(res.keys())
            return Result(keys, tuple(tuple(rec.values()) for rec in res))

        try:
            with self._session() as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc, text) from exc

    # -- protocol -------------------------------------------------------------------------

    def ensure_schema(self, *, embedding_dim: int) -> None:
        self._templates = Templates(self.dialect, embedding_dim=embedding_dim)
        for stmt in self._templates.statements("schema"):
            self._execute(stmt, {}, write=True)
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
        return self._execute(statement.text, dict(statement.params), write=not statement.read_only)

    def run_many(self, statements: Sequence[Statement]) -> list[Result]:
        from neo4j.exceptions import DriverError, Neo4jError

        def work(tx) -> list[Result]:
            out = []
            for st in statements:
                res = tx.run(st.text, dict(st.params))
                out.append(Result(tuple(res.keys()), tuple(tuple(rec.values()) for rec in res)))
            return out

        try:
            with self._session() as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc) from exc

    def write_batch(self, batch: MemoryBatch) -> WriteReport:
        from neo4j.exceptions import Neo4jError, DriverError

        t = self.templates

        def work(tx) -> WriteReport:
            ids = [u.id for u in batch.utterances]
            existing = {r["id"] for r in tx.run(t["existing_utterances"], ids=ids)} if ids else set()
            known = tx.run(t["source_exists"], id=batch.source.id).single() is not None
            fids = [f.id for f in batch.facts]
            known = {r["id"] for r in tx.run(t["existing_facts"], ids=fids)} if fids else set()
            todo = prune_existing(batch, existing, known)
            if known and not todo.utterances:
                return WriteReport(batch.source.id, written=False)
            for name, rows in batch_rows(todo):
                if name == "supersede":
                    _supersede(tx, t, rows, {f.id for f in todo.restated})
                elif rows:
                    tx.run(t[name], rows=rows).consume()
            return WriteReport(batch.source.id, True, len(todo.utterances), len(todo.facts), len(todo.entities))

        try:
            with self._session() as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._wrap(exc) from exc

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
        import time

        if label not in ("Fact", "Utterance"):
            raise ValueError(f"no vector search over {label!r}")
        now, key = time.monotonic(), (label, namespace)
        seen = self._sizes.get(key)
        if seen is None or now - seen[0] > self.SIZE_TTL:
            count = self._execute(f"MATCH (n:{label}) WHERE n.namespace = $namespace RETURN count(n)",
                                  {"namespace": namespace}, write=False).scalar()
            seen = self._sizes[key] = (now, int(count or 0))
        return seen[1] < self.EXACT_BELOW

    def vector_search(self, label: str, namespace: str, vector: Sequence[float], k: int, *,
                      exact: bool = False) -> list[Hit]:
        name = search_template("vector", label)
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

    def close(self) -> None:
        driver, self._driver = getattr(self, "_driver", None), None
        if driver is not None:
            driver.close()


def _supersede(tx: Any, t: Templates, rows: list[dict[str, Any]], restated: set[str]) -> None:
    """Supersede what the batch's facts replace: candidates read per subject, the decision made by
    :func:`._rows.supersessions` (the same rule on every store), only the pairs found written."""
    if not rows:
        return
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
