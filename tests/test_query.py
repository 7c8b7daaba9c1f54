"""The query language's first statement, from text to recalled memories."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from graphmem.errors import QuerySyntaxError
from graphmem.query import Recall, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('RECALL "where does Alice work?"', Recall("where does Alice work?", None, (0, 31))),
        ("recall 'jazz' limit 3;", Recall("jazz", 3, (0, 21))),
        ('-- a comment\n  Recall "a \\"quoted\\" cue" LIMIT 1', Recall('a "quoted" cue', 1, (15, 48))),
    ],
)
def test_parse(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        ("RECALL where", 1, 8, ["STRING"]),
        ('RECALL "x" LIMIT many', 1, 18, ["INT"]),
        ('\nFORGET "x"', 2, 1, ["RECALL"]),
    ],
)
def test_syntax_errors_say_where_and_what(text, line, column, expected):
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column, err.expected) == (line, column, expected)
    caret_line = err.context.splitlines()[-1]
    assert caret_line.index("^") == column - 1
    assert f"line {line}, column {column}" in str(err)


def test_empty_cue_is_an_error():
    with pytest.raises(QuerySyntaxError, match="non-empty cue"):
        parse('RECALL "  "')


def test_cli_reports_syntax_errors_without_a_store(tmp_path):
    from graphmem.cli import main

    res = CliRunner().invoke(main, ["query", "RECALL where", "--store", str(tmp_path / "never")])
    assert res.exit_code == 1 and "GM500" in res.output and "^" in res.output
    assert not (tmp_path / "never").exists()


@pytest.mark.slow
def test_query_runs_recall(memory):
    memory.add("I play the violin in a jazz band.", speaker="Bob", session="s1")
    memory.add("I work at Airbus.", speaker="Alice", session="s1")
    hits = memory.query('RECALL "jazz band" LIMIT 1')
    assert len(hits) == 1 and hits[0].provenance.speaker == "Bob"
