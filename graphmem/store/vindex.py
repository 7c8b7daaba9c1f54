"""The vector side index (the embedded store's, and a Neo4j client's with its recall view):
derived data, rebuilt from the nodes' embeddings.

The embedding stored on each ``Fact`` / ``Utterance`` node is the truth. For each
(label, namespace) this module keeps an index beside it, in memory and in files next to
the database, that answers "which nodes are nearest to this vector" in about a
millisecond (Kùzu's own HNSW index slows inserts a hundredfold, PERF-NOTES.md):

* below :data:`BRUTE_FORCE_BELOW` vectors, exact cosine by one numpy matrix product;
* from there on, an HNSW graph over the vectors stored as 8-bit codes (faiss ``IndexHNSWSQ``
  with ``QT_8bit``, inner product over unit vectors): ≈ 0.5 KB a vector, where float16 codes
  took 0.9 KB and hnswlib's float32 graph 1.8 KB (``bench/README.md``). Each dimension is
  quantized over its own range, trained on the first vectors of the graph (at least
  :data:`BRUTE_FORCE_BELOW`) and widened by :data:`SQ_MARGIN`; a later component outside it is
  clipped to it. On all-MiniLM-L6-v2's unit vectors of LoCoMo's turns a cosine is off by 4e-4
  on average and 4e-3 at most, and LoCoMo recall is unchanged with every index on the graph
  (``bench/README.md``).

An index also hands out its vectors by row (:meth:`VectorIndex.rows_of`,
:meth:`VectorIndex.vectors`), read in place: the recall view scores an entity's facts with
them instead of holding a second copy.

Consistency: the store keeps a counter per namespace in ``Meta`` (:data:`VERSION_KEY`)
that every write of vectors raises *inside* its transaction. An index remembers the counter it
reflects; a search first reads the counter and rebuilds a stale index from the stored
embeddings. The store feeds a committed batch's vectors to the loaded indexes only
after ``COMMIT`` (a rolled-back write never reaches them), and only to an index that was
current before the write — anything else is rebuilt on its next search.

Parameters (``bench/README.md``, ``python -m bench stores``): M = 16, ef_construction =
100, ef at search = max(2·k, 64); recall@10 against exact cosine measured there. Files of an
older kind (hnswlib's) are not read: the index is built again from the embeddings.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SideIndexes", "VectorIndex", "VERSION_KEY", "BRUTE_FORCE_BELOW"]

#: ``Meta`` key of a namespace's vector counter: this prefix + the namespace.
VERSION_KEY = "vectors_version/"
#: Exact numpy search below this many vectors (≈ 2 ms at 20k × 384 on one core), HNSW above.
BRUTE_FORCE_BELOW = 20_000
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
HNSW_EF_MIN = 64
#: Vectors added to an HNSW graph at a time (unit-scaled part by part).
ADD_PART = 65_536
#: What :meth:`VectorIndex.save` writes for an HNSW index (older kinds are built again).
HNSW_KIND = "hnsw-sq8"
#: Each dimension's 8-bit range: the training vectors' range widened by this share of it on
#: each side, so that later vectors are seldom clipped (on LoCoMo's turns with 1,000 training
#: vectors, 0.05 clipped 7e-4 of later components and 0.25 3e-6, for the same mean error).
SQ_MARGIN = 0.25
#: The most vectors about to be added that train a new graph's 8-bit ranges (with those held).
SQ_TRAIN = 65_536
#: Indexes one store holds (two labels per namespace: rview.MAX_VIEWS namespaces).
MAX_INDEXES = 32

_SERIAL = itertools.count()

#: Loads the (ids, unit-or-not float32 matrix) of one (label, namespace) from the store, in
#: one part or several (a large namespace's are read a part at a time).
Loader = Callable[[str, str], Iterable[tuple[list[str], np.ndarray]]]


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if matrix.size:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        matrix = matrix / norms
    return matrix


class IdTable:
    """Node ids by row and rows by id, without a Python object per id (a string and a dict entry
    cost ≈ 170 bytes an id, 250 MB for the 1.5M vectors of 1M facts): the ids' UTF-8 bytes in
    one numpy array, a sorted copy for look-ups, and a dict for the ids added since it was
    sorted (sorted again past an eighth of the table)."""

    def __init__(self, ids: Sequence[str] = ()) -> None:
        self._bytes = np.zeros(0, dtype="S1")  # row → id (capacity may exceed the rows used)
        self._n = 0
        self._keys = np.zeros(0, dtype="S1")  # rows [0, sorted) by id ...
        self._order = np.zeros(0, dtype=np.intp)  # ... and their rows
        self._recent: dict[str, int] = {}  # id → row, rows [sorted, n)
        self.extend(ids)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, row: int) -> str:
        return self._bytes[row].decode("utf-8")

    def tolist(self) -> list[str]:
        return [b.decode("utf-8") for b in self._bytes[: self._n].tolist()]

    def extend(self, ids: Sequence[str]) -> None:
        """Append ``ids`` (new ones: the caller checks) as the next rows."""
        if not ids:
            return
        new = np.array([i.encode("utf-8") for i in ids])
        width = max(new.dtype.itemsize, self._bytes.dtype.itemsize)
        need = self._n + len(new)
        if need > len(self._bytes) or width > self._bytes.dtype.itemsize:
            grown = np.zeros(max(need, self._n + self._n // 4 + 1024), dtype=f"S{width}")
            grown[: self._n] = self._bytes[: self._n]
            self._bytes = grown
        self._bytes[self._n : need] = new
        start, self._n = self._n, need
        if len(self._recent) + len(ids) > max(4096, need // 8):
            self._sort()
            return
        for n, node_id in enumerate(ids, start=start):
            self._recent[node_id] = n

    def _sort(self) -> None:
        held = self._bytes[: self._n]
        self._order = np.argsort(held, kind="stable")
        self._keys = held[self._order]
        self._recent = {}

    def unique(self) -> bool:
        """Whether no id is held twice."""
        self._sort()
        return not bool(np.any(self._keys[1:] == self._keys[:-1]))

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        """The row of each of ``ids``, -1 where it is not held."""
        out = np.full(len(ids), -1, dtype=np.intp)
        if not len(ids) or not self._n:
            return out
        recent = self._recent
        rest = list(range(len(ids)))
        if recent:
            rest = []
            for n, node_id in enumerate(ids):
                row = recent.get(node_id)
                if row is None:
                    rest.append(n)
                else:
                    out[n] = row
        if rest and len(self._keys):
            want = [ids[n].encode("utf-8") for n in rest]
            width = self._keys.dtype.itemsize
            fits = np.fromiter((len(w) <= width for w in want), dtype=bool, count=len(want))
            where = np.asarray(rest, dtype=np.intp)[fits]
            keys = np.array([w for w, ok in zip(want, fits) if ok], dtype=self._keys.dtype)
            by = np.argsort(keys)  # sorted probes walk the table in order: ≈ 4× faster at 1M ids
            pos = np.empty(len(keys), dtype=np.intp)
            pos[by] = np.minimum(np.searchsorted(self._keys, keys[by]), len(self._keys) - 1)
            found = self._keys[pos] == keys
            out[where[found]] = self._order[pos[found]]
        return out


def _locked(method: Any) -> Any:
    """Run under the index's lock: a search, or a read of the 8-bit codes, must not meet an add
    that moves them (a store may be used from several threads)."""

    @functools.wraps(method)
    def run(self: VectorIndex, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class VectorIndex:
    """Nearest neighbours among the vectors of one (label, namespace)."""

    def __init__(self, label: str, namespace: str, dim: int, version: int) -> None:
        self.label, self.namespace, self.dim, self.version = label, namespace, dim, version
        self.ids = IdTable()  # row → node id, and back
        self._matrix = np.zeros((0, dim), dtype=np.float32)  # brute force: rows [0, len(ids))
        self._hnsw: Any = None
        self.dirty = False  # holds vectors its files do not
        self.serial = next(_SERIAL)  # tells indexes apart whose rows may differ (a cache's key)
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def kind(self) -> str:
        return "hnsw" if self._hnsw is not None else "exact"

    @_locked
    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        held = self.ids.rows(ids) >= 0
        keep, seen = [], set()
        for i, node_id in enumerate(ids):
            if not held[i] and node_id not in seen:  # a repeated id in ``ids``: its first vector
                seen.add(node_id)
                keep.append(i)
        if not keep:
            return
        keep = np.asarray(keep, dtype=np.intp)
        ids = [ids[i] for i in keep]
        given = np.asarray(vectors, dtype=np.float32)  # not copied when it is float32 already
        start = len(self.ids)
        self.ids.extend(ids)
        self.dirty = True
        if self._hnsw is None and len(self.ids) >= BRUTE_FORCE_BELOW:
            self._to_hnsw(start, _unit(given[keep[:SQ_TRAIN]]))
        if self._hnsw is not None:  # in parts: a whole build never holds a second float32 copy
            for lo in range(0, len(keep), ADD_PART):
                self._hnsw.add(_unit(given[keep[lo : lo + ADD_PART]]))  # faiss numbers rows in order
            return
        vectors = _unit(given[keep])
        if len(self.ids) > self._matrix.shape[0]:
            grown = np.zeros((max(len(self.ids), 2 * self._matrix.shape[0], 1024), self.dim), dtype=np.float32)
            grown[:start] = self._matrix[:start]
            self._matrix = grown
        self._matrix[start : len(self.ids)] = vectors

    def _to_hnsw(self, n: int, coming: np.ndarray) -> None:
        """From exact search to an HNSW graph holding the ``n`` rows of the matrix so far, its
        8-bit ranges trained on them and on ``coming`` (unit vectors about to be added)."""
        import faiss

        index = faiss.IndexHNSWSQ(self.dim, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        sample = np.concatenate([self._matrix[:n], coming]) if n else coming
        low, high = sample.min(axis=0), sample.max(axis=0)
        width = np.maximum(high - low, 1e-6)
        low, width = low - SQ_MARGIN * width, width * (1 + 2 * SQ_MARGIN)
        # faiss's trained ranges: each dimension's minimum, then its width (ScalarQuantizer, QT_8bit)
        storage = faiss.downcast_index(index.storage)
        faiss.copy_array_to_vector(np.concatenate([low, width]).astype(np.float32), storage.sq.trained)
        storage.is_trained = index.is_trained = True
        if n:
            index.add(self._matrix[:n])
        self._hnsw = index
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)

    @_locked
    def rows_of(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The ``ids`` this index holds, in their order, and their rows."""
        rows = self.ids.rows(ids)
        found = rows >= 0
        return [i for i, ok in zip(ids, found) if ok], rows[found]

    @_locked
    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The unit vectors of ``rows`` as float32 (decoded from the graph's 8-bit codes)."""
        if self._hnsw is None:
            return self._matrix[rows]
        return self._decode(rows)

    @_locked
    def dot(self, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The inner products of ``rows`` with ``q`` (float64): exact below the HNSW threshold,
        float32 arithmetic over the decoded 8-bit vectors above it (a popular entity's tens of
        thousands of facts in a few milliseconds)."""
        if self._hnsw is None:
            return self.vectors(rows).astype(np.float64) @ np.asarray(q, dtype=np.float64)
        return (self.vectors(rows) @ np.asarray(q, dtype=np.float32)).astype(np.float64)

    @_locked
    def top(self, rows: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` of ``rows`` (distinct) with the largest inner products with ``q``: their
        positions in ``rows`` and the products (float64), best first, equal products in the
        order of ``rows``. Above the HNSW threshold faiss scans the 8-bit codes itself, the
        rows marked in a bitmap (17 ms for 40k of 660k rows, against 34–59 ms to convert them
        for :meth:`dot`); below it, :meth:`dot` and a sort."""
        if self._hnsw is None or not len(rows):
            products = self.dot(rows, q)
            at = np.argsort(-products, kind="stable")[:k]
            return at, products[at]
        import faiss

        storage = faiss.downcast_index(self._hnsw.storage)
        n = storage.ntotal
        bits = np.zeros((n + 7) // 8, dtype=np.uint8)
        np.bitwise_or.at(bits, rows >> 3, (1 << (rows & 7)).astype(np.uint8))
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits)))
        found, got = storage.search(np.asarray(q, dtype=np.float32).reshape(1, -1), min(k, len(rows)), params=params)
        keep = got[0] >= 0
        found, got = found[0][keep].astype(np.float64), got[0][keep]
        order = np.argsort(rows, kind="stable")
        at = order[np.searchsorted(rows[order], got)]
        best = np.lexsort((at, -found))  # faiss leaves ties in no particular order
        return at[best], found[best]

    def _decode(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of ``rows``, decoded by faiss from the graph's 8-bit codes."""
        import faiss

        storage = faiss.downcast_index(self._hnsw.storage)
        codes = storage.codes  # moves as the index grows: read it each time
        table = faiss.rev_swig_ptr(codes.data(), codes.size()).reshape(-1, storage.code_size)
        return storage.sa_decode(np.ascontiguousarray(table[rows]))

    @_locked
    def search(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest ids with their cosine, best first."""
        n = len(self.ids)
        if n == 0 or k <= 0:
            return []
        q = _unit(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]
        k = min(k, n)
        if self._hnsw is not None:
            self._hnsw.hnsw.efSearch = max(2 * k, HNSW_EF_MIN)
            scores, labels = self._hnsw.search(q.reshape(1, -1), k)
            return [(self.ids[int(i)], float(s)) for i, s in zip(labels[0], scores[0]) if i >= 0]
        scores = self._matrix[:n] @ q
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.lexsort((top, -scores[top]))]
        return [(self.ids[int(i)], float(scores[i])) for i in top]

    # -- files --------------------------------------------------------------------------------

    @_locked
    def save(self, stem: Path) -> None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        meta = {"label": self.label, "namespace": self.namespace, "dim": self.dim, "version": self.version,
                "kind": HNSW_KIND if self._hnsw is not None else "exact", "ids": self.ids.tolist()}
        data = stem.with_suffix(".faiss" if self._hnsw is not None else ".npy")
        mine = f".{os.getpid()}.{threading.get_ident()}.tmp"  # several clients of one Neo4j may save at once
        tmp = data.with_name(data.name + mine)
        if self._hnsw is not None:
            import faiss

            faiss.write_index(self._hnsw, str(tmp))
        else:
            with tmp.open("wb") as fh:
                np.save(fh, self._matrix[: len(self.ids)])
        tmp.replace(data)
        tmp_meta = stem.with_suffix(".json" + mine)
        tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
        tmp_meta.replace(stem.with_suffix(".json"))  # last: the files are current once this lands
        for other in (".hnsw", ".npy", ".faiss"):  # what an older kind of this index left (hnswlib's graph)
            if other != data.suffix:
                stem.with_suffix(other).unlink(missing_ok=True)
        self.dirty = False

    @classmethod
    def load(cls, stem: Path, dim: int) -> VectorIndex | None:
        try:
            meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            if int(meta["dim"]) != dim:
                return None
            index = cls(meta["label"], meta["namespace"], dim, int(meta["version"]))
            index.ids = IdTable(meta["ids"])
            if not index.ids.unique():
                return None
            if meta["kind"] == HNSW_KIND:
                import faiss

                h = faiss.read_index(str(stem.with_suffix(".faiss")))
                if h.ntotal != len(index.ids) or h.d != dim:
                    return None
                index._hnsw = h
            elif meta["kind"] != "exact":
                return None  # an older kind of file (hnswlib's): built again
            else:
                index._matrix = np.load(stem.with_suffix(".npy"))
                if index._matrix.shape != (len(index.ids), dim):
                    return None
            return index
        except (OSError, ValueError, KeyError, RuntimeError):
            return None  # missing or torn files: derived data, rebuild


class SideIndexes:
    """The side indexes of one embedded store, kept current by a version counter.

    Args:
        folder: where the index files live (``None``: memory only).
        dim: the embedding dimension.
        load: reads the ids and embeddings of one (label, namespace) from the store.
        writable: whether files may be written (not for a read-only store).
        min_saved: the fewest vectors an index must hold to be written to files (a small one
            is rebuilt from the embeddings as fast as it is read back).
    """

    def __init__(self, folder: Path | None, dim: int, load: Loader, *, writable: bool, min_saved: int = 0) -> None:
        self.folder, self.dim, self._load, self.writable = folder, dim, load, writable
        self.min_saved = min_saved
        self._indexes: dict[tuple[str, str], VectorIndex] = {}
        self._lock = threading.Lock()

    def _stem(self, label: str, namespace: str) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256(namespace.encode("utf-8")).hexdigest()[:20]
        return self.folder / f"{label.lower()}-{digest}"

    def get(self, label: str, namespace: str, version: int) -> VectorIndex:
        """The index of (label, namespace) as of ``version``, loaded or rebuilt as needed."""
        key = (label, namespace)
        with self._lock:
            index = self._indexes.pop(key, None)
            if index is not None:
                self._indexes[key] = index  # the most recently searched last
            if index is not None and index.version == version:
                return index
            index = self._fresh(label, namespace, version)
            self._install(index)
            return index

    def held(self, label: str, namespace: str) -> VectorIndex | None:
        """The index of (label, namespace) held now, current or not (nothing is read)."""
        with self._lock:
            return self._indexes.get((label, namespace))

    def prepare(self, label: str, namespace: str, version: int,
                loaded: tuple[list[str], np.ndarray] | None = None) -> None:
        """Load or build the index of (label, namespace) as of ``version`` without holding the
        lock (searches of other namespaces go on meanwhile), then put it in place unless a
        current one got there first; ``loaded``: its ids and vectors, already read."""
        key = (label, namespace)
        with self._lock:
            have = self._indexes.get(key)
            if have is not None and have.version == version:
                return
        index = self._fresh(label, namespace, version, loaded)
        with self._lock:
            have = self._indexes.get(key)
            if have is None or have.version != version:
                self._install(index)

    def _fresh(self, label: str, namespace: str, version: int,
               loaded: tuple[list[str], np.ndarray] | None = None) -> VectorIndex:
        """The index as of ``version``: from its files when they are current, else built."""
        stem = self._stem(label, namespace)
        index = VectorIndex.load(stem, self.dim) if stem is not None else None
        if index is None or index.version != version or index.namespace != namespace:
            index = VectorIndex(label, namespace, self.dim, version)
            for ids, matrix in [loaded] if loaded is not None else self._load(label, namespace):
                index.add(ids, matrix)
            if stem is not None and self.writable and len(index) >= self.min_saved:
                index.save(stem)
        return index

    def _install(self, index: VectorIndex) -> None:
        """Hold ``index`` (lock held), the least recently searched leaving past :data:`MAX_INDEXES`."""
        self._indexes.pop((index.label, index.namespace), None)
        self._indexes[index.label, index.namespace] = index
        while len(self._indexes) > MAX_INDEXES:  # saved first if changed
            (old_label, old_ns), old = next(iter(self._indexes.items()))
            del self._indexes[old_label, old_ns]
            self._save(old_label, old_ns, old)

    def committed(self, namespace: str, old: int, new: int,
                  added: Iterable[tuple[str, str, Sequence[float]]]) -> None:
        """A write moved ``namespace``'s counter from ``old`` to ``new``, adding (label, id, vector)s.

        Indexes of the namespace current at ``old`` take the new vectors and become current
        at ``new``; a stale one stays stale and is rebuilt when next searched.
        """
        grouped: dict[str, tuple[list[str], list[Sequence[float]]]] = {}
        for label, node_id, vector in added:
            ids, vecs = grouped.setdefault(label, ([], []))
            ids.append(node_id)
            vecs.append(vector)
        with self._lock:
            for (label, ns), index in self._indexes.items():
                if ns != namespace or index.version != old:
                    continue
                if label in grouped:
                    ids, vecs = grouped[label]
                    index.add(ids, np.asarray(vecs, dtype=np.float32).reshape(len(ids), self.dim))
                index.version, index.dirty = new, True

    def flush(self) -> None:
        """Write the indexes that changed since they were last saved."""
        if self.folder is None or not self.writable:
            return
        with self._lock:
            for (label, namespace), index in self._indexes.items():
                self._save(label, namespace, index)

    def _save(self, label: str, namespace: str, index: VectorIndex) -> None:
        stem = self._stem(label, namespace)
        if stem is not None and self.writable and index.dirty and len(index) >= self.min_saved:
            index.save(stem)
