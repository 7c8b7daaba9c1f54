"""The shell, driven with real keystrokes through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pygments.token import Keyword, Name, String
from rich.console import Console

from graphmem.shell.completer import GraphmemCompleter, next_keywords
from graphmem.shell.lexer import GraphmemLexer, keywords

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"


def test_keywords_come_from_the_grammar():
    kws = keywords()
    assert {"RECALL", "MATCH", "WHY", "TIMELINE", "REMEMBER", "FORGET", "LIMIT"} <= set(kws)


def test_lexer_highlights_keywords_names_and_strings():
    toks = [(t, v) for t, v in GraphmemLexer().get_tokens('recall "jazz" about Bob')]
    assert (Keyword, "recall") in toks and (String.Double, '"jazz"') in toks and (Name, "Bob") in toks


def test_completion_follows_the_grammar():
    assert "LIMIT" in next_keywords('RECALL "x" ') and "MATCH" not in next_keywords('RECALL "x" ')
    assert "speaker" in next_keywords('RECALL "x" WHERE ')
    completer = GraphmemCompleter(lambda: ["Alice Smith", "Airbus", "work_at"])
    got = [c.text for c in completer.get_completions(Document('RECALL "x" LI'), None)]
    assert got == ["LIMIT"]
    names = [c.text for c in completer.get_completions(Document("TIMELINE Al"), None)]
    assert names == ['"Alice Smith"']


@pytest.mark.slow
def test_typing_statements_into_the_shell(tmp_path):
    from graphmem import Memory
    from graphmem.shell import run_shell

    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    keys = (
        'RECALL "where does Alice\r'       # not a complete statement yet: Enter adds a line
        ' work?" LIMIT 2;\r'
        "MATCH (?p, work_at, Airbus)\r"     # complete: Enter runs it
        "\\dialect\r"
        "RECALL where\r;\r"                 # a syntax error is reported, the shell goes on
        "\\namespace other\r"
        "MATCH (?p, work_at, Airbus);\r"
        "\\quit\r"
    )
    with Memory(tmp_path / "s", namespace="demo") as mem:
        mem.ingest([EXAMPLES])
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text(keys)
            run_shell(mem, history=tmp_path / "history", input=pipe, output=DummyOutput(), console=console)
    text = out.getvalue()
    assert "I just started working at Airbus" in text   # the RECALL table
    assert "│ Alice │" in text                           # the MATCH table
    assert "kuzu" in text and "GM500" in text and "namespace: other" in text
    assert "(no rows)" in text                          # namespaces do not leak
    assert "MATCH (?p, work_at, Airbus)" in (tmp_path / "history").read_text(encoding="utf-8")


@pytest.mark.slow
def test_read_only_shell_refuses_writes(tmp_path):
    from graphmem import Memory
    from graphmem.shell import run_shell

    Memory(tmp_path / "s").close()
    out = io.StringIO()
    with Memory(tmp_path / "s", read_only=True) as mem:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text('REMEMBER "I moved to Rome." AS Bob;\r\\q\r')
            run_shell(mem, input=pipe, output=DummyOutput(), console=Console(file=out, width=200))
    assert "GM302" in out.getvalue()
