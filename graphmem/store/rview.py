"""The recall view: derived, read-only columns of one namespace for RECALL, held in the process
(the embedded store's, and a Neo4j client's: :mod:`.neo4j` says why).

Kùzu 0.11 plans a join after ``WITH`` or an ``IN`` list as a scan of whole tables, so the
entity candidates and the hydration of a RECALL cost 0.5–1.5 s at 100k facts
(``bench/README.md``). This view holds, per namespace, what those statements read —
each fact's and utterance's hydration row, which facts and utterances may be recalled,
entity → facts, fact → anchor utterances, and BM25 indexes of the fact texts, utterance
texts and entity names — so the common RECALL answers them with dictionary look-ups, sparse
BM25 sums and one matrix product over the fact vectors the side index holds
(:mod:`.vindex`; :mod:`graphmem.query.execute`).

It is never the truth: it is built from the nodes and edges, and it is only used while it
reflects two counters in ``Meta``: the namespace's (:data:`NS_KEY` + namespace), which every
write into that namespace raises inside its transaction, and a store-wide one
(:data:`RECALL_KEY`) for a write whose namespace is not known
(:meth:`KuzuStore._bump_recall`). A write of a document also leaves, under the same
version, a note of what it touched (:data:`LOG_KEY`: its utterances, its new, restated
and superseded facts, its entities); a view one or a few versions behind reads exactly
those rows back from the database and updates itself in place (:func:`update_view`). Any
other change (FORGET, an entity merge or unmerge, a bulk load, a write of unknown
namespace, a note pruned away) has no note, and the view is built again from the database
(:func:`build_view`). Either way the next recall, in this process or any other, sees every
committed write; nothing is written to disk.

Full text (:class:`TextIndex`): BM25 through ``bm25s`` — Lucene's variant with Kùzu's fts
parameters (k1 = 1.2, b = 0.75), lower-cased, bm25s's English stop words, Snowball English
stems (Kùzu's fts default stemmer) — with statistics of the namespace alone (Kùzu's index
counts every namespace of the table). A bm25s index is static, so documents written after
it was built are kept beside it and scored with its statistics (a word it has never seen
takes its document frequency among them); once they pass a quarter of it, it is built
again from the cached tokens. Like the Cypher statements, a text list holds the documents
sharing a word with the cue that may be recalled, by score then id.
"""

from __future__ import annotations

import json
import marshal
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from ..model import MemoryBatch

__all__ = ["RECALL_KEY", "NS_KEY", "LOG_KEY", "LOG_KEEP", "RecallView", "TextIndex", "build_view", "update_view",
           "change_note", "new_vectors", "text_available", "writes", "namespaces_of", "ENTITY_SEARCH", "current_view", "keep_view"]

#: ``Meta`` key of the store-wide counter: raised by a write whose namespace is not known.
RECALL_KEY = "recall_version"
#: ``Meta`` key of a namespace's counter: this prefix + the namespace.
NS_KEY = "recall_version/"
#: ``Meta`` key of the note a document's write leaves: this prefix + namespace + "/" + version.
LOG_KEY = "recall_log/"
#: Notes kept per namespace; a view further behind is built again.
LOG_KEEP = 64

# Fixed statements: the namespace and ids are the only values and they are parameters.
_FACTS = """
MATCH (f:Fact) WHERE f.namespace = $ns
RETURN f.id AS id, f.mood AS mood, f.retracted AS retracted, f.superseded AS superseded, f.text AS text
"""
_UTTERANCES = """
MATCH (u:Utterance) WHERE u.namespace = $ns RETURN u.id AS id, u.retracted AS retracted, u.text AS text
"""
_ENTITIES = """
MATCH (e:Entity) WHERE e.namespace = $ns RETURN e.id AS id, e.name AS name
"""
# Filtered on the fact (a fact and its entities share a namespace): on Kùzu a large namespace is
# then read by ranges of fact ids like the other reads (KuzuStore._rows), not as one result of
# 1.7M rows at 1M facts.
_ENTITY_FACTS = """
MATCH (f:Fact)-[:SUBJECT|OBJECT]->(e:Entity) WHERE f.namespace = $ns RETURN DISTINCT e.id AS e, f.id AS f
"""
_ANCHORS = """
MATCH (g:Fact)-[:ANCHORED_IN]->(m:Utterance) WHERE g.namespace = $ns RETURN g.id AS f, m.id AS m
"""
# What a view update reads: nodes by their primary key. Kùzu 0.11 plans any hop from a node,
# even one found by its key, as a hash join over a scan of the edge and node tables (≈ 2 ms a
# fact at 100k facts, 0.4–0.7 s for a document), so the edges a document wrote come from its
# note and the rows are put together from nodes by the hydration templates' own columns. The
# store reads them (:data:`NodeReader`): one key at a time on Kùzu (an ``IN`` list is a scan
# there), all of a label in one round trip on Neo4j.
NODE_LABELS = ("Fact", "Utterance", "Source", "Entity")
#: (label, ids) → the properties of each node found, by id.
NodeReader = Callable[[str, Sequence[str]], Mapping[str, Mapping[str, Any]]]
#: (statement, parameters) → its rows as dicts, in parts (a whole namespace's rows at once
#: would cost more than the view they make).
RowReader = Callable[[str, dict[str, Any]], Iterable[list[dict[str, Any]]]]
#: The cue's five best entities by full-text score (the first step of ``fact_entity``), per
#: dialect: for a view that leaves full text to the database (``view.text`` false).
ENTITY_SEARCH = {
    "kuzu": """
CALL QUERY_FTS_INDEX('Entity', 'entity_name', $p1) WITH node AS e, score
WITH e, score AS es WHERE e.namespace = $ns
RETURN e.id AS id ORDER BY es DESC LIMIT 5
""",
    "neo4j": """
CALL db.index.fulltext.queryNodes('entity_name', $p1) YIELD node AS e, score
WITH e, score AS es WHERE e.namespace = $ns
RETURN e.id AS id ORDER BY es DESC LIMIT 5
""",
}

#: A statement that may change stored data (a false positive only makes a recall view rebuild).
_WRITE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|COPY|DROP|ALTER)\b", re.I)


def writes(statement: Any) -> bool:
    """Whether a :class:`~graphmem.store.base.Statement` may change what RECALL returns."""
    return not statement.read_only and bool(_WRITE.search(statement.text))


def namespaces_of(statements: Sequence[Any]) -> list[str | None]:
    """The namespaces a transaction's statements name (``$namespace`` / ``$ns``); ``[None]``
    (every namespace) when none does. One transaction touches the namespaces it names:
    statements that take only ids (an entity merge's edge moves) run beside one that names
    the namespace, and namespaces never leak."""
    found = {v for st in statements for k in ("namespace", "ns") if isinstance(v := st.params.get(k), str)}
    return sorted(found) or [None]


def _whole_namespace(template: str, id_filter: str) -> str:
    """The hydration template ``template`` (what RECALL's Cypher path runs) for every node of
    the namespace: its id filter and its ORDER BY taken out, ``$namespace`` spelled ``$ns``.
    One source for the columns, so the view and the Cypher path cannot drift apart."""
    from ..resources import cypher_text

    text = cypher_text("kuzu", template)
    if id_filter not in text:
        raise RuntimeError(f"{template}.cypher no longer filters with {id_filter!r}: update rview.py")
    return text.replace(id_filter, "").split("\nORDER BY")[0].replace("$namespace", "$ns")


_COLUMN = re.compile(r"^(\w+)\.(\w+) AS (\w+)$")


def _columns(template: str) -> list[tuple[str, str, str]]:
    """``(variable, property, column)`` of each item of the template's RETURN: how a view
    update puts a hydration row together from nodes and an edge read one by one."""
    from ..resources import cypher_text

    body = cypher_text("kuzu", template).split("RETURN", 1)[1].split("\nORDER BY")[0]
    items = [" ".join(i.split()) for i in body.split(",")]
    found = [_COLUMN.match(i) for i in items]
    if not all(found):
        raise RuntimeError(f"{template}.cypher returns an expression rview.py cannot put together: "
                           f"{[i for i, m in zip(items, found) if not m]}")
    return [m.groups() for m in found if m]


_FACT_FILTER, _UTTERANCE_FILTER = "f.id IN $ids AND ", "u.id IN $ids AND "
_FACT_COLUMNS, _UTTERANCE_COLUMNS = _columns("fact_details"), _columns("utterance_details")
#: A fact row's columns from its anchor utterance and source (u, s), which the view takes from
#: that utterance's row instead of holding them again per fact; the fact's own (f, a) and the
#: utterance's id are kept.
_BORROWED = tuple(c for var, _, c in _FACT_COLUMNS if var in ("u", "s") and c != "utterance_id")
if not set(_BORROWED) <= {c for *_, c in _UTTERANCE_COLUMNS}:
    raise RuntimeError("fact_details.cypher returns utterance columns utterance_details.cypher does not: "
                       f"{sorted(set(_BORROWED) - {c for *_, c in _UTTERANCE_COLUMNS})}")
_FACT_OWN = tuple(c for *_, c in _FACT_COLUMNS if c not in _BORROWED)


def _fact_own_rows() -> str:
    """fact_details for every fact of the namespace, returning only the columns a view keeps."""
    text = _whole_namespace("fact_details", _FACT_FILTER)
    head, body = text.split("RETURN", 1)
    items = [" ".join(i.split()) for i in body.split(",")]
    kept = [i for i in items if i.rsplit(" AS ", 1)[1] in _FACT_OWN]
    if len(kept) != len(_FACT_OWN):
        raise RuntimeError("fact_details.cypher's columns changed: update rview.py")
    return head + "RETURN " + ", ".join(kept)


def _time_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """fact_details.cypher's ORDER BY time, position, utterance_id (nulls last)."""
    time, position = row.get("time"), row.get("position")
    return (time is None, time or "", position is None, position or 0, row["utterance_id"])


#: BM25 as Kùzu's fts extension scores by default (https://docs.kuzudb.com/extensions/full-text-search/).
BM25_K1, BM25_B = 1.2, 0.75
#: Documents kept beside a built bm25s index (scored with its statistics) before it is built
#: again: a quarter of the index, and at least this many.
DELTA_MIN = 256


def _tokenize(texts: Sequence[str]) -> list[list[str]]:
    """bm25s's words of each text: lower-cased, English stop words out, Snowball English stems."""
    import bm25s

    return bm25s.tokenize(list(texts), lower=True, stopwords="en", stemmer=_stemmer(), return_ids=False,
                          show_progress=False)


_STEMMER: list[Any] = []


def _stemmer() -> Any:
    if not _STEMMER:
        import Stemmer

        _STEMMER.append(Stemmer.Stemmer("english"))
    return _STEMMER[0]


def _idf(df: np.ndarray | float, n: float) -> np.ndarray | float:
    """Lucene's BM25 idf (bm25s ``method="lucene"``)."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


class Rows(MutableMapping[str, dict[str, Any]]):
    """Hydration rows by node id. Each is kept as one ``marshal`` string of its values but the
    key, in one column order; reading a row builds its dict. A tuple of the values took
    ≈ 2.5× less than a dict, and one string takes 20–45% less than the tuple with its text,
    number and float objects (``bench/README.md``, the recall view at 1M facts); a recall
    reads a few hundred rows (≈ 1 µs each)."""

    def __init__(self, columns: Sequence[str], key: str) -> None:
        self.columns = tuple(columns)
        self._names = frozenset(self.columns)
        self._rest = tuple(c for c in self.columns if c != key)  # the columns kept in a row's string
        # each column's place in (key, *the string's values)
        self._order = tuple((c, 0 if c == key else 1 + self._rest.index(c)) for c in self.columns)
        self._rows: dict[str, bytes] = {}

    def values_of(self, key: str) -> tuple[Any, ...] | None:
        """The row's values but the key, in :attr:`_rest` order; None without a row."""
        row = self._rows.get(key)
        return None if row is None else marshal.loads(row)

    def __getitem__(self, key: str) -> dict[str, Any]:
        values = (key, *marshal.loads(self._rows[key]))
        return {c: values[i] for c, i in self._order}

    def _check(self, row: Mapping[str, Any]) -> None:
        if row.keys() != self._names:
            raise RuntimeError(f"a hydration row with columns {sorted(row)}, the view keeps {sorted(self.columns)}")

    def __setitem__(self, key: str, row: Mapping[str, Any]) -> None:
        self._check(row)
        self._rows[key] = marshal.dumps(tuple(row[c] for c in self._rest))

    def __delitem__(self, key: str) -> None:
        del self._rows[key]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class FactRows(Rows):
    """A fact's hydration rows: its own columns kept, its anchor utterance's columns
    (:data:`_BORROWED`) read from that utterance's row when the row is read."""

    def __init__(self, utterances: Rows) -> None:
        super().__init__(_FACT_OWN, "id")
        self._utterances = utterances
        self._at = self._rest.index("utterance_id")
        self._none = (None,) * len(utterances._rest)  # an anchor without a row (never, by the joins)
        # each column of fact_details, in its order: (name, where: 0 own, 1 the utterance's, 2 the key; position)
        self._plan = [(c, 2, 0) if c == "id" else (c, 1, utterances._rest.index(c)) if c in _BORROWED
                      else (c, 0, self._rest.index(c)) for *_, c in _FACT_COLUMNS]

    def __getitem__(self, key: str) -> dict[str, Any]:
        own = marshal.loads(self._rows[key])
        utterance = self._utterances.values_of(own[self._at]) or self._none
        parts = (own, utterance, (key,))
        return {c: parts[where][i] for c, where, i in self._plan}

    def _check(self, row: Mapping[str, Any]) -> None:  # a whole fact_details row, or only the kept columns
        if not self._names <= row.keys():
            raise RuntimeError(f"a fact row without the columns {sorted(self._names - row.keys())}")

    def anchor_key(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """:func:`_time_key` of a row's anchor, its time and position taken from the utterance's row."""
        utterance = self._utterances.values_of(row["utterance_id"])
        if utterance is None:
            return _time_key({"utterance_id": row["utterance_id"]})
        return _time_key({**dict(zip(self._utterances._rest, utterance)), "utterance_id": row["utterance_id"]})

    def stored_key(self, key: str) -> tuple[Any, ...]:
        return self.anchor_key({"utterance_id": marshal.loads(self._rows[key])[self._at]})


class _Documents(Sequence[list[int]]):
    """Each document's word ids, made as bm25s reads them from the flat arrays: a list per
    document for the whole build took 280 MB at 1M facts, more than the index it builds."""

    def __init__(self, words: array, starts: array, n: int) -> None:
        self._words, self._starts, self._n = words, starts, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, doc: int) -> list[int]:  # type: ignore[override]
        if not 0 <= doc < self._n:
            raise IndexError(doc)
        return self._words[self._starts[doc] : self._starts[doc + 1]].tolist()

    def __iter__(self) -> Iterator[list[int]]:
        words, starts = self._words, self._starts
        for doc in range(self._n):
            yield words[starts[doc] : starts[doc + 1]].tolist()


class TextIndex:
    """BM25 over the texts of one kind of node (facts, utterances, entity names) of one namespace.

    A ``bm25s`` index holds documents ``[0, built)``; documents added since are kept as
    postings beside it and scored with its statistics (see the module's notes).
    """

    def __init__(self) -> None:
        self.ids: list[str] = []  # document → node id
        self._seen: set[str] = set()  # the node ids indexed
        # Every document's word ids end to end (cached for rebuilds), document d's from
        # _starts[d] to _starts[d + 1]: flat arrays, not a list per document (≈ 100 bytes less each).
        self._words = array("i")
        self._starts = array("q", [0])
        self._vocab: dict[str, int] = {}
        self._index: Any = None  # bm25s.BM25 over documents [0, built)
        self.built = 0
        self.builds = 0  # times a bm25s index was built (tests, bench)
        self._known = 0  # words the index knows: ids [0, known)
        self._df = np.zeros(0, dtype=np.float64)  # their document frequencies when it was built
        self._avgdl = 1.0
        self._delta: dict[int, dict[int, int]] = {}  # word → {document ≥ built: count}
        self._waiting: int | None = None  # the first document added with build=False, not indexed yet

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[str], texts: Sequence[str | None], *, build: bool = True) -> None:
        """Index the nodes not indexed yet (a node's text never changes). ``build=False`` (a
        whole view read in parts) leaves them out of the search until :meth:`finish`."""
        new = [(i, t or "") for i, t in dict(zip(ids, texts)).items() if i not in self._seen]
        if not new:
            return
        start = len(self.ids) if self._waiting is None else self._waiting
        self._waiting = None
        vocab, flat, starts = self._vocab, self._words, self._starts
        for (node, _), words in zip(new, _tokenize([t for _, t in new])):
            self._seen.add(node)
            self.ids.append(node)
            flat.extend(vocab.setdefault(w, len(vocab)) for w in words)
            starts.append(len(flat))
        if not build:
            self._waiting = start
            return
        self._index_from(start)

    def finish(self) -> None:
        """Index the documents added with ``build=False``, as one :meth:`add` of them all would."""
        if self._waiting is not None:
            start, self._waiting = self._waiting, None
            self._index_from(start)

    def _index_from(self, start: int) -> None:
        """Documents ``[start, n)`` join the search: in a new bm25s index, or beside it."""
        flat, starts = self._words, self._starts
        if len(self.ids) - self.built > max(DELTA_MIN, self.built // 4):
            self._build()
            return
        for doc in range(start, len(self.ids)):
            for word in flat[starts[doc] : starts[doc + 1]]:
                postings = self._delta.setdefault(word, {})
                postings[doc] = postings.get(doc, 0) + 1

    def _lengths(self, start: int = 0) -> np.ndarray:
        """Words of each document from ``start`` on."""
        return np.diff(np.frombuffer(self._starts[start:], dtype=np.int64)).astype(np.float64)  # a copy: _starts grows

    def _build(self) -> None:
        import bm25s

        self._delta, self.built, self._index = {}, len(self.ids), None
        self._known = len(self._vocab)
        self._avgdl = float(self._lengths().mean()) if self.ids else 1.0
        self.builds += 1
        if not self._vocab:
            self._df = np.zeros(0, dtype=np.float64)
            return
        from bm25s.tokenization import Tokenized

        index = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
        docs = _Documents(self._words, self._starts, len(self.ids))
        index.index(Tokenized(ids=docs, vocab=dict(self._vocab)), show_progress=False)  # bm25s adds a word to the dict
        indptr = np.asarray(index.scores["indptr"])
        self._df = np.diff(indptr)[: self._known].astype(np.float64)  # lucene scores are never 0
        self._index = index

    def scores(self, query: str) -> np.ndarray:
        """Each document's BM25 score for ``query`` (each of its words once)."""
        n = len(self.ids)
        out = np.zeros(n, dtype=np.float64)
        words = [self._vocab[w] for w in dict.fromkeys(_tokenize([query])[0]) if w in self._vocab]
        if not words or not n:
            return out
        old = [w for w in words if w < self._known]
        if old and self._index is not None:
            out[: self.built] = self._index.get_scores_from_ids(old)
        if self._delta:
            length = self._lengths(self.built)
            avgdl = self._avgdl if self.built else float(length.mean() or 1.0)
            for w in words:
                postings = self._delta.get(w)
                if not postings:
                    continue
                docs = np.fromiter(postings.keys(), dtype=np.int64, count=len(postings))
                tf = np.fromiter(postings.values(), dtype=np.float64, count=len(postings))
                idf = _idf(self._df[w], self.built) if w < self._known else _idf(len(postings), n)
                norm = BM25_K1 * (1 - BM25_B + BM25_B * length[docs - self.built] / avgdl)
                out[docs] += idf * tf / (tf + norm)
        return out

    def search(self, query: str, ok: set[str] | None, k: int) -> list[str]:
        """The ``k`` best ids sharing a word with ``query`` (and in ``ok``), by score then id."""
        scores = self.scores(query)
        found = np.flatnonzero(scores > 0)
        ids, m = self.ids, 4 * k + 16
        while True:
            part = found if m >= len(found) else found[np.argpartition(-scores[found], m - 1)[:m]]
            kept = sorted(((-float(scores[d]), ids[d]) for d in part if ok is None or ids[d] in ok))
            if m >= len(found) or (len(kept) >= k and float(scores[part].min()) < -kept[k - 1][0]):
                return [i for _, i in kept[:k]]
            m *= 4  # too few kept, or ties of the k-th score may lie outside the part


class RecallView:
    """What a RECALL reads of one namespace, as of one ``(store-wide, namespace)`` version."""

    def __init__(self, namespace: str, version: Any, *, text: bool = True) -> None:
        self.namespace, self.version = namespace, version
        self.text = text  # ranks full text itself (fact_text, utterance_text, the entity search)
        self.fact_ok: set[str] = set()  # not a question, not retracted, not superseded
        self.utterance_ok: set[str] = set()  # not retracted
        #: Hydration rows (a fact's: the anchor with the latest time).
        self.utterances = Rows([c for *_, c in _UTTERANCE_COLUMNS], "utterance_id")
        self.facts = FactRows(self.utterances)
        self.entity_facts: dict[str, list[str]] = {}
        self.entity_df: dict[str, int] = {}  # distinct utterances anchoring the entity's facts
        self._entity_utts: dict[str, set[str]] = {}  # those utterances, so a write only adds to them
        self.anchors: dict[str, tuple[str, ...]] = {}  # fact → its anchor utterances (see _add)
        self.fact_entities: dict[str, tuple[str, ...]] = {}  # fact → its subject and object entities
        self.entity_ids: set[str] = set()  # every entity of the namespace
        self.utterance_ids: set[str] = set()  # every utterance of the namespace
        self.speakers: set[str] = set()  # every speaker of them (the cue's first person: graphmem.recall)
        #: The namespace's fact vectors: the store's side index of them (:mod:`.vindex`), whose
        #: rows the entity step reads in place; None when there is none.
        self.vectors: Callable[[], Any] = lambda: None
        self.fact_text, self.utterance_text, self.entity_text = TextIndex(), TextIndex(), TextIndex()
        self._rows: dict[str, tuple[tuple[int, int, int], np.ndarray, list[str], int]] = {}  # see _entity_rows

    @property
    def n_utterances(self) -> int:
        return len(self.utterance_ids)

    def entity_candidates(self, entities: Sequence[str], vector: Sequence[float], fetch: int,
                          k: int) -> list[str]:
        """``fact_entity``: the facts of the cue's entities by idf × cosine to the cue."""
        q = np.asarray(vector, dtype=np.float64)
        norm = float(np.linalg.norm(q))
        index = self.vectors()
        scores: list[np.ndarray] = []
        names: list[str] = []  # the fact of each score, entity by entity
        for e in dict.fromkeys(entities):
            facts = self.entity_facts.get(e)
            if not facts or index is None:
                continue
            idf = math.log((self.n_utterances + 1.0) / (self.entity_df.get(e, 0) + 0.5))
            rows, kept = self._entity_rows(e, facts, index)
            if index.kind == "hnsw" and len(rows) >= max(TOP_BY_INDEX, 4 * fetch):
                # Only the entity's best ``fetch`` can be among the first ``fetch`` of all
                # (idf is the entity's): faiss scans its codes for them (VectorIndex.top).
                at, products = index.top(rows, q, fetch)
                scores.append(idf * (products / (norm or 1.0)))
                names += [kept[i] for i in at]
                continue
            scores.append(idf * (index.dot(rows, q) / (norm or 1.0)))
            names += kept
        if not names:
            return []
        # The first ``fetch`` by score, ties in entity order (what a stable sort of them all gives),
        # sorting only those at or above the fetch-th score: a popular entity has thousands of facts.
        score = np.concatenate(scores)
        part = np.arange(len(score))
        if len(score) > fetch:
            part = np.flatnonzero(score >= np.partition(score, len(score) - fetch)[len(score) - fetch])
        top = part[np.argsort(-score[part], kind="stable")][:fetch]
        best = dict.fromkeys((float(score[i]), names[i]) for i in top if names[i] in self.fact_ok)
        return [f for s, f in sorted(best, key=lambda p: (-p[0], p[1]))[:k]]

    def _entity_rows(self, entity: str, facts: list[str], index: Any) -> tuple[np.ndarray, list[str]]:
        """The entity's facts that have a vector and their rows in ``index``, in the entity's
        order. Kept until the entity gains a fact or the index a vector; then, if every fact had
        a row, only the new facts are looked up (an index only grows, and its rows never move);
        else, or in another index, all of them are."""
        key = (len(facts), index.serial, len(index))
        cached = self._rows.get(entity)
        if cached is not None and cached[0] != key and cached[0][1] == index.serial and not cached[3]:
            (n, _, _), rows, kept, _ = cached
            more, at = index.rows_of(facts[n:])
            cached = self._rows[entity] = (key, np.concatenate([rows, at]), kept + more, len(facts) - n - len(more))
        if cached is None or cached[0] != key:
            kept, rows = index.rows_of(facts)
            cached = self._rows[entity] = (key, rows, kept, len(facts) - len(kept))
        return cached[1], cached[2]

    def filtered(self, ids: Sequence[str], scores: Sequence[float], ok: set[str], k: int) -> list[str]:
        """A vector list: the side index's ids that may be recalled, by score then id."""
        kept = dict.fromkeys((float(s), i) for i, s in zip(ids, scores) if i in ok)
        return [i for s, i in sorted(kept, key=lambda p: (-p[0], p[1]))[:k]]

    def entity_search(self, cue: str) -> list[str]:
        """The cue's five best entities by BM25 over their names (``fact_entity``'s first step)."""
        return self.entity_text.search(cue, None, 5)

    # -- filling ------------------------------------------------------------------------------

    def _facts(self, status: Sequence[dict[str, Any]], details: Iterable[dict[str, Any]], ids: Sequence[str], *,
               build: bool = True) -> None:
        for r in status:
            ok = r["mood"] is not None and r["mood"] != "question" and r["retracted"] is None and r["superseded"] is None
            (self.fact_ok.add if ok else self.fact_ok.discard)(r["id"])
        if self.text and status:
            self.fact_text.add([r["id"] for r in status], [r["text"] for r in status], build=build)
        for i in ids:
            self.facts.pop(i, None)
        # A fact's row is its anchor's with the latest (time, position, utterance), the later row
        # on a tie: what fact_details.cypher's ORDER BY puts last.
        facts = self.facts
        for r in details:
            if r["id"] not in facts or facts.anchor_key(r) >= facts.stored_key(r["id"]):
                facts[r["id"]] = r

    def _utterances(self, status: Sequence[dict[str, Any]], details: Iterable[dict[str, Any]], *,
                    build: bool = True) -> None:
        for r in status:
            self.utterance_ids.add(r["id"])
            (self.utterance_ok.add if r["retracted"] is None else self.utterance_ok.discard)(r["id"])
        if self.text and status:
            self.utterance_text.add([r["id"] for r in status], [r["text"] for r in status], build=build)
        for r in details:
            self.utterances[r["utterance_id"]] = r
            if r.get("speaker"):
                self.speakers.add(r["speaker"])

    def _entity_df(self, entities: Any) -> None:
        for e in entities:
            utts = self._entity_utts[e] = {m for f in self.entity_facts.get(e, ()) for m in self.anchors.get(f, ())}
            self.entity_df[e] = len(utts)

    def _entity_links(self, anchors: Sequence[tuple[str, str]], links: Sequence[tuple[str, str]]) -> None:
        """Count the utterances new ``ANCHORED_IN`` edges (fact, utterance) and new ``SUBJECT`` /
        ``OBJECT`` links (fact, entity) bring to their entities: what :meth:`_entity_df` would find
        again over every fact of the entity (a speaker's thousands at 100k facts: 20–50 ms a write)."""
        touched: set[str] = set()
        for f, m in anchors:
            for e in self.fact_entities.get(f, ()):
                self._entity_utts.setdefault(e, set()).add(m)
                touched.add(e)
        for f, e in links:
            self._entity_utts.setdefault(e, set()).update(self.anchors.get(f, ()))
            touched.add(e)
        for e in touched:
            self.entity_df[e] = len(self._entity_utts[e])


def _add(links: dict[str, tuple[str, ...]], key: str, value: str) -> bool:
    """Put ``value`` among ``key``'s distinct values, a sorted tuple (the same however they
    came; a fact has one to a few, and a set costs four times a tuple); whether it is new."""
    have = links.get(key, ())
    if value in have:
        return False
    links[key] = tuple(sorted((*have, value)))
    return True


def text_available() -> bool:
    """Whether bm25s and PyStemmer are installed (the view then ranks full text itself)."""
    try:
        import bm25s  # noqa: F401
        import Stemmer  # noqa: F401
    except ImportError:
        return False
    return True


#: Facts of one entity from which the entity step asks the side index for the entity's best
#: (faiss scans their float16 codes) instead of converting every row to score it here.
TOP_BY_INDEX = 4_096


def build_view(rows: RowReader, namespace: str, version: Any, vectors: Callable[[], Any], *,
               text: bool = True) -> RecallView:
    """Read one namespace's recall view through ``rows`` (one scan per table, the same
    statements on Kùzu and Neo4j); with ``text``, its BM25 indexes too. ``vectors`` gives the
    side index of the namespace's fact vectors when the entity step needs them.

    Each statement returns the ids again as new strings; they are made one object per id here
    (a fact's id is in six of the view's structures: ≈ 400 bytes a fact at 25 characters)."""
    ns = {"ns": namespace}
    canon: dict[str, str] = {}

    def read(statement: str, *keys: str) -> Iterator[list[dict[str, Any]]]:
        one = canon.setdefault
        for part in rows(statement, ns):
            for r in part:
                for key in keys:
                    if type(v := r.get(key)) is str:
                        r[key] = one(v, v)
            yield part

    view = RecallView(namespace, version, text=text)
    view.vectors = vectors
    for part in read(_UTTERANCES, "id"):
        view._utterances(part, (), build=False)
    for part in read(_whole_namespace("utterance_details", _UTTERANCE_FILTER), "utterance_id"):
        view._utterances((), part)
    for part in read(_FACTS, "id"):  # after the utterances: a fact's row borrows its anchor's
        view._facts(part, (), (), build=False)
    for part in read(_fact_own_rows(), "id", "utterance_id"):
        view._facts((), part, ())
    for part in read(_ENTITIES, "id"):
        view.entity_ids.update(r["id"] for r in part)
        if text:
            view.entity_text.add([r["id"] for r in part], [r["name"] for r in part], build=False)
    for part in read(_ANCHORS, "f", "m"):
        for r in part:
            _add(view.anchors, r["f"], r["m"])
    for part in read(_ENTITY_FACTS, "e", "f"):
        for r in part:
            view.entity_facts.setdefault(r["e"], []).append(r["f"])
            _add(view.fact_entities, r["f"], r["e"])
    view._entity_df(view.entity_facts)
    for index in (view.fact_text, view.utterance_text, view.entity_text):
        index.finish()
    return view


def change_note(written: MemoryBatch, superseded: Sequence[str]) -> str:
    """What a document's write touched, as :func:`update_view` reads it: ``written`` is the part
    of the batch that was new (``_rows.prune_existing``), ``superseded`` the facts it superseded.
    Kept: its new utterances, its new, restated and superseded facts, its entities, the
    ``ANCHORED_IN`` edges it wrote (fact, utterance, start, end) and the ``SUBJECT`` / ``OBJECT``
    edges (fact, entity)."""
    return json.dumps({
        "u": [u.id for u in written.utterances],
        "f": [f.id for f in (*written.facts, *written.restated)] + list(superseded),
        "e": [e.id for e in written.entities],
        "a": [[a.fact_id, a.utterance_id, a.start, a.end] for a in written.anchors],
        "l": [[f.id, e] for f in written.facts for e in (f.subject_id, f.object_id) if e],
    }, separators=(",", ":"))


def new_vectors(written: MemoryBatch) -> list[tuple[str, str, Any]]:
    """(label, id, embedding) of each node a write added with an embedding: what the side
    indexes take once the write is committed (:meth:`.vindex.SideIndexes.committed`)."""
    return [(label, n.id, n.embedding) for label, nodes in (("Utterance", written.utterances), ("Fact", written.facts))
            for n in nodes if n.embedding is not None]


def update_view(read: NodeReader, view: RecallView, version: Any, notes: Sequence[str]) -> RecallView:
    """Bring ``view`` up to ``version`` in place from the ``notes`` (:func:`change_note`, one
    per version since the view's): each node they name is read again by its key through
    ``read``, the sources of their utterances after them; the edges are the notes'."""
    changed = [json.loads(n) for n in notes]
    ns = view.namespace
    anchors = [tuple(x) for c in changed for x in c["a"]]
    links = [tuple(x) for c in changed for x in c["l"]]
    nodes: dict[tuple[str, str], Mapping[str, Any] | None] = {}

    def load(label: str, ids: Any) -> None:
        want = sorted({i for i in ids if i is not None and (label, i) not in nodes})
        found = read(label, want) if want else {}
        for i in want:
            n = found.get(i)
            nodes[label, i] = n if n is not None and n.get("namespace") == ns else None

    def node(label: str, i: str | None) -> Mapping[str, Any] | None:
        return None if i is None else nodes.get((label, i))

    def put(columns: list[tuple[str, str, str]], parts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        return {column: parts[var].get(prop) for var, prop, column in columns}

    utts = sorted({i for c in changed for i in c["u"]} | {u for _, u, _, _ in anchors})
    facts = sorted({i for c in changed for i in c["f"]} | {f for f, _, _, _ in anchors})
    entities = sorted({i for c in changed for i in c["e"]} | {e for _, e in links} - view.entity_ids)
    load("Utterance", utts)
    load("Fact", facts)
    load("Entity", entities)
    load("Source", [u.get("source_id") for i in utts if (u := node("Utterance", i)) is not None])
    status, details = [], []
    for i in utts:
        u = node("Utterance", i)
        if u is None:
            continue
        status.append({"id": i, "retracted": u.get("retracted"), "text": u.get("text")})
        s = node("Source", u.get("source_id"))
        if s is not None and i not in view.utterances:
            details.append(put(_UTTERANCE_COLUMNS, {"u": u, "s": s}))
    view._utterances(status, details)

    for i in entities:
        e = node("Entity", i)
        if e is not None and i not in view.entity_ids:
            view.entity_ids.add(i)
            if view.text:
                view.entity_text.add([i], [e.get("name")])

    status, rows = [], []
    for i in facts:
        f = node("Fact", i)
        if f is None:
            continue
        status.append({k: f.get(k) for k in ("id", "mood", "retracted", "superseded", "text")})
        old = view.facts.get(i)
        if old is not None:  # its anchor as before, the fact's own columns as now
            rows.append({**old, **{column: f.get(prop) for var, prop, column in _FACT_COLUMNS if var == "f"}})
    for fid, uid, start, end in anchors:
        f, u = node("Fact", fid), node("Utterance", uid)
        s = node("Source", u.get("source_id")) if u is not None else None
        if f is not None and s is not None:
            edge = {"char_start": start, "char_end": end, "retracted": None}
            rows.append(put(_FACT_COLUMNS, {"f": f, "u": u, "a": edge, "s": s}))
        _add(view.anchors, fid, uid)
    view._facts(status, rows, [r["id"] for r in status])
    added = []
    for fid, eid in links:
        if eid in view.entity_ids and _add(view.fact_entities, fid, eid):
            view.entity_facts.setdefault(eid, []).append(fid)
            added.append((fid, eid))
    view._entity_links([(fid, uid) for fid, uid, _, _ in anchors], added)
    view.version = version
    return view


#: Views one store holds: past this many namespaces the least recently recalled one is dropped
#: (a client of a server with many tenants would otherwise grow without bound).
MAX_VIEWS = 16


def current_view(views: dict[str, RecallView], stats: dict[str, int], namespace: str, version: Any,
                 notes_since: Callable[[Any], Sequence[str] | None], read: NodeReader,
                 build: Callable[[], RecallView]) -> RecallView:
    """The view of ``namespace`` among a store's ``views`` as of ``version`` (the counters just
    read): the one held if current; else updated in place from the notes of the writes since
    (``notes_since(held version)``: None when one is missing), or built again (``build``).
    Counts each in ``stats`` (``builds`` / ``updates``); keeps :data:`MAX_VIEWS` at most, the
    most recently recalled last."""
    view = views.pop(namespace, None)
    if view is not None:
        views[namespace] = view
    if view is not None and view.version == version:
        return view
    notes = notes_since(view.version) if view is not None else None
    if view is not None and notes is not None:
        try:
            update_view(read, view, version, notes)
        except BaseException:
            del views[namespace]  # half updated: built again next time
            raise
        stats["updates"] += 1
        return view
    view = build()
    keep_view(views, view)
    stats["builds"] += 1
    return view


def keep_view(views: dict[str, RecallView], view: RecallView) -> None:
    """Hold ``view`` as the most recently recalled, dropping the least recent past :data:`MAX_VIEWS`."""
    views.pop(view.namespace, None)
    views[view.namespace] = view
    while len(views) > MAX_VIEWS:
        del views[next(iter(views))]
