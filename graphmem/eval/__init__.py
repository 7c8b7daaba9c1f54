"""Evaluations of graphmem's recall on public benchmarks, with baselines in the same run.

``graphmem eval locomo --data PATH`` (or ``python -m bench locomo``) measures whether
recall brings back the dialogue turns that hold the evidence for LoCoMo's questions —
no LLM in the loop, so the figure is reproducible.

* :mod:`graphmem.eval.locomo` — read LoCoMo, ingest through ``Memory.ingest``, ask, score.
* :mod:`graphmem.eval.metrics` — recall@k, MRR, answer containment, token counts (pure).
* :mod:`graphmem.eval.baselines` — BM25 (bm25s), dense (same embedding model), their RRF.
* :mod:`graphmem.eval.report` — rich tables and the recall@k chart.
* :mod:`graphmem.eval.cli` — the ``graphmem eval`` click group.

Importing this package loads nothing heavy; models and stores open when a run starts.
"""

from __future__ import annotations

__all__: list[str] = []
