"""``python -m bench.tail`` builds a store once through the bulk path, then reports each
RECALL stage per query and the recall view's size (a toy size here; figures in bench/README.md)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_tail_report_on_a_small_store(tmp_path, capsys):
    from bench.tail import main, run

    report = run(tmp_path / "store", facts=1500, queries=12, namespace="tail")
    assert report["facts"] >= 1500 and report["build_s"] >= 0
    stages = report["stages_ms"]
    assert {"embed", "side_index", "fusion", "fact_entity", "fact_text", "recall_view"} <= set(stages)
    assert all(s["max"] >= s["p95"] >= s["p50"] >= 0 for s in stages.values())
    assert report["total_ms"]["p99"] >= report["total_ms"]["p50"] > 0
    assert report["view"]["python_mb"] > 0 and report["rss_peak_mb"] > 0
    # Again on the same folder: nothing is built, the same facts are read.
    # Untraced (the memory figures' mode), with Kùzu's page cache capped.
    assert main(["--store", str(tmp_path / "store"), "--queries", "10", "--no-trace", "--buffer-pool-mb", "64",
                 "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert "build_s" not in again and again["facts"] == report["facts"] and again["buffer_pool_mb"] == 64
    assert again["view"]["python_mb"] == 0 and again["view"]["build_s"] >= 0  # nothing traced
    assert again["rss_peak_mb"] >= again["rss_end_mb"] > 0 and "rss_added_mb" in again["side_indexes"]


@pytest.mark.slow
def test_bench_stores_smoke_on_both_stores(neo4j_server, capsys):
    """``python -m bench stores --smoke`` on both stores: the tables print and the JSON carries
    what bench/README.md says (latency per path, the cold first RECALL, the view's work after a
    write)."""
    import json

    from bench.__main__ import main

    assert main(["stores", "--smoke", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {r["store"]: r for r in report["results"]}
    assert set(rows) == {"kuzu", "neo4j"}
    for r in rows.values():
        e2e = r["latency_ms"]["recall_e2e"]
        assert e2e["p99"] >= e2e["p50"] > 0 and "embed" in e2e["shares"]
        assert r["first_recall_s"] > 0 and r["after_write"]["view"]["updates"] >= 1
    assert main(["stores", "--smoke", "--stores", "kuzu"]) == 0  # the tables, as a terminal shows them
    assert "(cold)" in capsys.readouterr().out
