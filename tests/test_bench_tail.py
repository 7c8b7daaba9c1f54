"""``python -m bench.tail`` builds a store once through the bulk path, then reports each
RECALL stage per query and the recall view's size (a toy size here; figures in bench/README.md)."""

from __future__ import annotations

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
    assert main(["--store", str(tmp_path / "store"), "--queries", "10", "--json"]) == 0
    again = capsys.readouterr().out
    assert '"build_s"' not in again and f'"facts": {report["facts"]}' in again
