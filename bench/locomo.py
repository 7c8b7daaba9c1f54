"""``python -m bench locomo``: the LoCoMo evidence-recall evaluation, as ``graphmem eval locomo``.

A thin wrapper over :func:`graphmem.eval.locomo.run` (the method is documented there);
``--smoke`` runs it on the small hand-written fixture in ``tests/data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from ._common import machine

__all__ = ["DEFAULT_DATA", "SMOKE_DATA", "run", "tables"]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo"  # ../shared beside the repo
SMOKE_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "locomo_tiny.json"


def run(*, data: Path | None, ks: list[int], conversations: list[int] | None, limit_questions: int | None,
        plot: Path | None, smoke: bool = False, ingest_ablations: bool = False, store: str | None = None,
        namespace_prefix: str = "") -> dict[str, Any]:
    from graphmem.eval import report as rep
    from graphmem.eval.locomo import run as run_locomo

    if plot:
        rep.check_plotting()  # fail before the long part
    data = SMOKE_DATA if smoke and data is None else data or DEFAULT_DATA
    if not Path(data).exists():
        raise FileNotFoundError(f"no LoCoMo data at {data} (pass --data)")
    report = run_locomo(data, ks=ks, conversations=conversations, limit_questions=limit_questions,
                        ingest_ablations=ingest_ablations, store=store, namespace_prefix=namespace_prefix)
    report["meta"] = machine()
    if plot:
        report["plot"] = str(rep.plot(report, plot))
    return report


def tables(report: dict[str, Any]) -> list[Table]:
    from graphmem.eval.report import tables as locomo_tables

    return locomo_tables(report)
