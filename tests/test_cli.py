"""The command line, as a user types it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphmem.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "data"


def store_args(store_location, namespace):
    location, auth = store_location
    env = {}
    if auth:
        env = {"GRAPHMEM_NEO4J_USER": auth[0], "GRAPHMEM_NEO4J_PASSWORD": auth[1]}
    return ["--store", location, "--namespace", namespace], env


def test_ingest_then_recall_the_work_fact(store_location, namespace):
    args, env = store_args(store_location, namespace)
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", str(EXAMPLES), *args, "--json"], env=env)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["documents_added"] == 3 and summary["errors"] == []
    res = runner.invoke(main, ["recall", "where does Alice work", "-k", "5", *args, "--json"], env=env)
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    work = next(h for h in hits if h["fact"] and h["fact"]["predicate"] == "work_at")
    assert work["provenance"]["quote"] == "I just started working at Airbus"
    assert work["provenance"]["speaker"] == "Alice" and work["provenance"]["session"] == "s1"
    res = runner.invoke(main, ["stats", *args, "--json"], env=env)
    assert json.loads(res.stdout)["sources"] == 3


def test_table_output_shows_the_quote(tmp_path):
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    assert runner.invoke(main, ["ingest", str(EXAMPLES / "chat.jsonl"), *store]).exit_code == 0
    res = runner.invoke(main, ["recall", "jazz band", "-k", "3", *store], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "I still play the violin in a jazz band" in res.output


def test_ingest_reports_bad_files_and_exits_1(tmp_path):
    (tmp_path / "ok.txt").write_text("Carol teaches biology at the University of Oslo.", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"speaker": "A"}\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["ingest", str(tmp_path), str(tmp_path / "gone.md"), "--store", str(tmp_path / "s")])
    assert res.exit_code == 1
    assert f"{tmp_path / 'bad.jsonl'}:1" in res.output and "gone.md" in res.output
    assert res.output.count(f"{tmp_path / 'bad.jsonl'}:1") == 1  # once, not live and again at the end
    assert "1 documents added" in res.output


def test_unreachable_neo4j_is_a_clean_error(tmp_path):
    res = CliRunner().invoke(main, ["stats", "--store", "bolt://127.0.0.1:9"])
    assert res.exit_code == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in res.output and "scripts/neo4j-server start" in res.output
    assert "Traceback" not in res.output


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in main.commands:
        res = runner.invoke(main, [name, "--help"])
        assert res.exit_code == 0 and "Example:" in res.output, name


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"graphmem {name}" in readme, name


_CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from graphmem import Memory
    location, ns, files, kill_after = sys.argv[1], sys.argv[2], sys.argv[3:-1], int(sys.argv[-1])
    auth = (os.environ["U"], os.environ["P"]) if os.environ.get("P") else None
    mem = Memory(location, namespace=ns, auth=auth)
    module = sys.modules[type(mem.store).__module__]
    full = module.batch_rows
    calls = {"n": 0}

    def half(b, **kw):
        # Called once a document, inside its write's transaction: die in the middle of the
        # kill_after-th document, after some of its rows went in.
        calls["n"] += 1
        out = full(b, **kw)
        if calls["n"] < kill_after:
            yield from out
            return
        yield from out[:4]
        os.kill(os.getpid(), signal.SIGKILL)

    module.batch_rows = half
    mem.ingest(files)
    """
)


def test_killed_ingest_leaves_no_partial_document(store_location, namespace, tmp_path):
    from graphmem import Memory

    location, auth = store_location
    files = []
    for i, person in enumerate(["Alice", "Bob", "Carol"]):
        f = tmp_path / f"{i}.txt"
        f.write_text(f"{person} works at Airbus.\n\n{person} lives in Toulouse.", encoding="utf-8")
        files.append(str(f))
    env = dict(os.environ, U=auth[0] if auth else "", P=auth[1] if auth else "")
    proc = subprocess.run([sys.executable, "-c", _CRASHER, location, namespace, *files, "2"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    with Memory(location, namespace=namespace, auth=auth) as mem:
        # Bulk ingest commits documents in groups: the first may have gone with the second's.
        stats = mem.stats()
        n = stats["sources"]
        assert n < 2 and stats["utterances"] == stats["facts"] == 2 * n  # whole documents or none
        report = mem.ingest(files)
        assert len(report.written) == 3 - n and len(report.skipped) == n
        full = mem.stats()
        assert full["sources"] == 3 and full["utterances"] == 6
        assert mem.ingest(files).written == [] and mem.stats() == full


def test_init_forget_and_read_only(tmp_path):
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    res = runner.invoke(main, ["init", *store, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["facts"] == 0 and (tmp_path / "s").is_dir()
    runner.invoke(main, ["ingest", str(EXAMPLES / "chat.jsonl"), *store])
    res = runner.invoke(main, ["forget", "--about", "Bob", *store, "--read-only"])
    assert res.exit_code == 1 and "GM302" in res.output
    res = runner.invoke(main, ["forget", "--about", "Bob", *store, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["forgotten"] >= 2
    res = runner.invoke(main, ["query", "MATCH (Bob, ?p, ?o)", *store, "--json"])
    assert json.loads(res.stdout) == []
    assert runner.invoke(main, ["forget", *store]).exit_code == 2  # neither --about nor --fact


def test_stdin_and_csv_chat_logs(tmp_path):
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    csv_log = 'speaker,text,time,session\nDan,"I moved to Lisbon, finally.",2024-01-02T10:00:00,s9\n'
    res = runner.invoke(main, ["ingest", "-", "--stdin-format", "csv", *store, "--json"], input=csv_log)
    assert res.exit_code == 0 and json.loads(res.stdout)["facts"] == 1
    res = runner.invoke(main, ["ingest", "-", *store, "--json"], input="Eve works at Nokia.")
    assert json.loads(res.stdout)["documents_added"] == 1
    res = runner.invoke(main, ["query", "MATCH (?p, ?r, ?o) RETURN ?p, ?o", *store, "--format", "csv"])
    assert res.stdout.splitlines()[0] == "p,o" and "Dan,Lisbon" in res.stdout and "Eve,Nokia" in res.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\nA,B\n", encoding="utf-8")
    res = runner.invoke(main, ["ingest", str(bad), *store])
    assert res.exit_code == 1 and f"{bad}:1" in res.output and '"text" column' in res.output


def test_a_graphmem_home_given_as_the_store_means_the_store_inside_it(tmp_path):
    # `graphmem ingest` writes ./.graphmem/store; Memory(".graphmem") must open that store,
    # not create a new, empty database beside it.
    from graphmem.config import Config
    from graphmem.store import open_store

    home = tmp_path / "home"
    store = open_store(Config.from_env({"GRAPHMEM_HOME": str(home)}))
    store.ensure_schema(embedding_dim=8)
    store.close()
    assert Config.from_env({"GRAPHMEM_STORE": str(home)}).store_location == str(home / "store")
    own = tmp_path / "own"  # a folder that is itself a store stays one
    store = open_store(Config.from_env({"GRAPHMEM_STORE": str(own)}))
    store.ensure_schema(embedding_dim=8)
    store.close()
    assert Config.from_env({"GRAPHMEM_STORE": str(own)}).store_location == str(own)
    for given in (str(tmp_path / "new"), "bolt://127.0.0.1:7687"):
        assert Config.from_env({"GRAPHMEM_STORE": given}).store_location == given
