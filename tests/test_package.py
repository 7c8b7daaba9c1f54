"""The package itself: inert import, explicit public API, shipped data found both ways."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import graphmem

ROOT = Path(__file__).resolve().parents[1]

_INERT = r"""
import os, sys
reads = []
real = os.environ
class Env(dict):
    def __getitem__(self, k): reads.append(k); return real[k]
    def get(self, k, d=None): reads.append(k); return real.get(k, d)
    def __contains__(self, k): reads.append(k); return k in real
os.environ = Env(real)
os.getenv = lambda k, d=None: (reads.append(k), real.get(k, d))[1]
before = set(os.listdir("."))
import graphmem
heavy = [m for m in ("spacy", "torch", "sentence_transformers", "kuzu", "neo4j", "lark", "numpy") if m in sys.modules]
print(repr((heavy, [r for r in reads if r.startswith("GRAPHMEM")], sorted(set(os.listdir(".")) - before))))
"""


def test_import_is_inert(tmp_path):
    out = subprocess.run([sys.executable, "-c", _INERT], cwd=tmp_path, capture_output=True, text=True, check=True)
    heavy, env_reads, new_files = eval(out.stdout.strip())  # noqa: S307 - our own repr
    assert heavy == [], f"import graphmem loaded {heavy}"
    assert env_reads == [], f"import graphmem read {env_reads}"
    assert new_files == [], f"import graphmem created {new_files}"


def test_public_api_is_explicit():
    public = {n for n in dir(graphmem) if not n.startswith("_")} | {"__version__"}
    assert set(graphmem.__all__) == public
    for name in graphmem.__all__:
        assert getattr(graphmem, name) is not None


def test_errors_render_their_code():
    from graphmem.errors import InputError

    err = InputError('message has no "text"', path="chat.jsonl", line=3)
    assert str(err) == '[GM200] chat.jsonl:3: message has no "text"'
    assert (err.path, err.line) == ("chat.jsonl", 3)


def test_data_found_from_the_checkout():
    from graphmem.resources import cypher_text, data_dir, grammar_text

    assert data_dir("cypher") == ROOT / "cypher"
    assert "CREATE NODE TABLE" in cypher_text("kuzu", "schema")
    assert "CREATE VECTOR INDEX" in cypher_text("neo4j", "schema")
    assert "RECALL" in grammar_text()


@pytest.mark.slow
def test_data_shipped_inside_the_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(tmp_path.glob("graphmem-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "graphmem/grammar/graphmem.lark" in names
    assert "graphmem/cypher/kuzu/schema.cypher" in names and "graphmem/cypher/neo4j/schema.cypher" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import graphmem.resources as r; print(r.data_dir('cypher')); print(r.data_dir('grammar')); "
             "print(len(r.cypher_text('kuzu', 'stats')) > 0)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(site / "graphmem" / "cypher"), str(site / "graphmem" / "grammar"), "True"]
