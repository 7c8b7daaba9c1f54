"""graphmem show: an entity's neighbourhood drawn to a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graphmem.cli import main

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"


def test_png_and_svg_pictures(tmp_path):
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    assert runner.invoke(main, ["ingest", str(EXAMPLES / "chat.jsonl"), *store]).exit_code == 0
    png, svg = tmp_path / "alice.png", tmp_path / "alice.svg"
    res = runner.invoke(main, ["show", "Alice", "-o", str(png), *store, "--json"])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert runner.invoke(main, ["show", "Alice", "-o", str(svg), *store]).exit_code == 0
    text = svg.read_text(encoding="utf-8")
    # matplotlib writes text as glyph paths with the string in a comment: look for the labels there
    for label in ("Airbus", "work at", "not learn", "Toulouse"):
        assert label in text, label


def test_unknown_entity_and_bad_suffix_are_clean_errors(tmp_path):
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    runner.invoke(main, ["ingest", str(EXAMPLES / "chat.jsonl"), *store])
    res = runner.invoke(main, ["show", "Nobody", "-o", str(tmp_path / "x.png"), *store])
    assert res.exit_code == 1 and "no facts about 'Nobody'" in res.output
    res = runner.invoke(main, ["show", "Alice", "-o", str(tmp_path / "x.gif"), *store])
    assert res.exit_code == 1 and ".png or .svg" in res.output
