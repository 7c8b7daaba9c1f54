"""``python -m bench query``: parse + compile time of the query language, per dialect.

The target (issue 7) is ≤ 1 ms median for a 20-token query. The baseline measured in
the same run is Lark's bare LALR parse of the same text with the same grammar (no AST,
no compile), so the table shows what graphmem adds on top of parsing.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ._common import latency, machine

__all__ = ["QUERIES", "run", "tables"]

#: Queries of about 20 tokens each, one per statement kind that compiles to Cypher.
QUERIES = {
    "recall": 'RECALL "where does Alice work now?" ABOUT Alice WHERE predicate IN (work_at, live_in) LIMIT 5',
    "match": "MATCH (Alice, brother, ?b), (?b, live_in, ?city) RETURN ?b, ?city LIMIT 10",
    "timeline": "TIMELINE Alice SINCE 2023-01-01 BEFORE 2024-01-01 CURRENT LIMIT 20",
}
TARGET_MS = 1.0


def run(*, repeat: int = 2000, smoke: bool = False) -> dict[str, Any]:
    from graphmem.query import compile_query, parse
    from graphmem.query.parser import _parser

    n = 50 if smoke else repeat
    lark = _parser()
    rows = []
    for kind, text in QUERIES.items():
        tokens = len(list(lark.lex(text)))
        row: dict[str, Any] = {"query": kind, "tokens": tokens,
                               "lark_parse_ms": latency(lark.parse, [text] * n),
                               "parse_ms": latency(parse, [text] * n)}
        for dialect in ("kuzu", "neo4j"):
            row[f"parse_compile_{dialect}_ms"] = latency(lambda t, d=dialect: compile_query(t, d), [text] * n)
        row["meets_target"] = max(row[f"parse_compile_{d}_ms"]["p50"] for d in ("kuzu", "neo4j")) <= TARGET_MS
        rows.append(row)
    return {"bench": "query", "repeat": n, "target_ms_p50": TARGET_MS, "rows": rows, "machine": machine()}


def tables(report: dict[str, Any]) -> list[Table]:
    t = Table(title=f"parse + compile, median (p95) ms over {report['repeat']} runs; target ≤ "
                    f"{report['target_ms_p50']} ms median")
    for col in ("query", "tokens", "Lark parse", "parse → AST", "→ Kùzu", "→ Neo4j", "target"):
        t.add_column(col, justify="right" if col not in ("query",) else "left")

    def ms(s: dict[str, float]) -> str:
        return f"{s['p50']:.3f} ({s['p95']:.3f})"

    for r in report["rows"]:
        t.add_row(r["query"], str(r["tokens"]), ms(r["lark_parse_ms"]), ms(r["parse_ms"]),
                  ms(r["parse_compile_kuzu_ms"]), ms(r["parse_compile_neo4j_ms"]), "met" if r["meets_target"] else "MISSED")
    return [t]
