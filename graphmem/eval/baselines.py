"""Baseline retrievers over the same turns graphmem ingested: BM25, dense, and their RRF.

* :class:`BM25` — ``bm25s`` (Lucene's BM25 variant, k1 1.5, b 0.75), lower-cased, English
  stop words removed, Snowball-stemmed when PyStemmer is installed. Turns that share no
  term with the question score 0 and are not returned (they would be a random order).
* :class:`Dense` — cosine over the turns' vectors from graphmem's own embedding model.
* :func:`rrf` — reciprocal-rank fusion of ranked lists, ``Σ 1 / (k + rank)`` (Cormack et al.,
  SIGIR 2009) with the constant graphmem's recall uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..query.compile import RRF_K as RECALL_RRF_K

__all__ = ["BM25", "Dense", "rrf", "RRF_K", "stemmer_name"]

#: The baselines fuse as RECALL does (its k, chosen on LoCoMo dev; BM25+dense R@5 at k = 60: 48.4,
#: at 10: 51.9), so neither side gains from a constant the other lacks.
RRF_K = RECALL_RRF_K


def _stemmer():
    try:
        import Stemmer  # PyStemmer, optional
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def stemmer_name() -> str | None:
    """``"snowball-english"`` when PyStemmer is installed (BM25 then stems), else ``None``."""
    return "snowball-english" if _stemmer() is not None else None


class BM25:
    """BM25 over one conversation's turns, through ``bm25s``.

    Raises:
        ImportError: bm25s is not installed (``pip install 'graphmem[bench]'``).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self._bm25s = bm25s
        self._stem = _stemmer()
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stem, show_progress=False)
        self._index = bm25s.BM25()
        self._index.index(tokens, show_progress=False)

    def rank(self, query: str) -> list[int]:
        """Indices of the turns, best first; turns with score 0 are left out."""
        import numpy as np

        q = self._bm25s.tokenize([query], stopwords="en", stemmer=self._stem, return_ids=False,
                                 show_progress=False)[0]
        if not q:
            return []
        scores = np.asarray(self._index.get_scores(q))
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order if scores[i] > 0]


class Dense:
    """Cosine similarity between unit vectors: ``vectors`` (turns) against a query vector."""

    def __init__(self, vectors: Sequence[Sequence[float]]) -> None:
        import numpy as np

        self._m = np.asarray(vectors, dtype=np.float32)

    def rank(self, vector: Sequence[float]) -> list[int]:
        """Indices of all turns, most similar first."""
        import numpy as np

        if not len(self._m):
            return []
        scores = self._m @ np.asarray(vector, dtype=np.float32)
        return [int(i) for i in np.argsort(-scores, kind="stable")]


def rrf(*rankings: Sequence[int], k: int = RRF_K) -> list[int]:
    """Reciprocal-rank fusion; ties broken by the smaller index.

    >>> rrf([0, 1, 2], [2, 0])
    [0, 2, 1]
    """
    score: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            score[item] = score.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(score, key=lambda i: (-score[i], i))
