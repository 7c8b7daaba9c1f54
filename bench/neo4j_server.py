"""A Neo4j server for the stores bench: the one the environment names, or a private one.

``GRAPHMEM_TEST_NEO4J_URI`` (+ ``_USER``, ``_PASSWORD``) wins when set. Otherwise the
bench starts ``scripts/neo4j-server`` with its *own* state folder (so it never shares,
reuses or stops the server that the test suite starts from ``.neo4j/``), and stops it
when done. The private server's folder is ``$GRAPHMEM_BENCH_NEO4J_HOME``, default
``~/.cache/graphmem-bench/neo4j``; its data folder is removed after each run.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ._common import stderr

__all__ = ["Server", "neo4j_server"]

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-server"
# Sized for 100k facts with 384-d embeddings (≈ 150k nodes carrying vectors); the
# script's own defaults (512m heap, 128m page cache) suit the tests' small graphs.
PRIVATE_SETTINGS = {"GRAPHMEM_NEO4J_HEAP": "1g", "GRAPHMEM_NEO4J_PAGECACHE": "1g"}


@dataclass(frozen=True, slots=True)
class Server:
    uri: str
    user: str
    password: str | None
    origin: str  # "environment" | "started by the bench"
    settings: dict[str, str]


def _home() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graphmem-bench" / "neo4j"
    return Path(os.environ.get("GRAPHMEM_BENCH_NEO4J_HOME") or default)


@contextmanager
def neo4j_server() -> Iterator[Server]:
    """Yield a live server; stop it afterwards only if this function started it."""
    uri = os.environ.get("GRAPHMEM_TEST_NEO4J_URI")
    if uri:
        yield Server(uri, os.environ.get("GRAPHMEM_TEST_NEO4J_USER", "neo4j"),
                     os.environ.get("GRAPHMEM_TEST_NEO4J_PASSWORD"), "environment", {})
        return
    home = _home()
    env = {**os.environ, **PRIVATE_SETTINGS, "GRAPHMEM_NEO4J_HOME": str(home)}
    env.pop("GRAPHMEM_NEO4J_PASSWORD", None)  # the script's default test password
    stderr.print(f"bench: starting a private Neo4j in {home} (scripts/neo4j-server) …")
    proc = subprocess.run([str(SCRIPT), "start", "--env"], capture_output=True, text=True, env=env, timeout=400)
    if proc.returncode != 0:
        raise RuntimeError(f"could not start Neo4j with {SCRIPT}:\n{proc.stderr[-2000:]}")
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            found[key] = shlex.split(value)[0] if value else ""
    try:
        yield Server(found["GRAPHMEM_TEST_NEO4J_URI"], found.get("GRAPHMEM_TEST_NEO4J_USER", "neo4j"),
                     found.get("GRAPHMEM_TEST_NEO4J_PASSWORD"), "started by the bench", dict(PRIVATE_SETTINGS))
    finally:
        stderr.print("bench: stopping the private Neo4j …")
        subprocess.run([str(SCRIPT), "stop"], capture_output=True, env=env, timeout=120)
        shutil.rmtree(home / "data", ignore_errors=True)
