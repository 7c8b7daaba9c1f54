"""Shared fixtures: models loaded once per session, a real Neo4j, stores per backend.

Neo4j: ``GRAPHMEM_TEST_NEO4J_URI`` (+ ``_USER``, ``_PASSWORD``) points at a server;
without it the session starts one with ``scripts/neo4j-server`` and stops it at the
end (one that was running already is reused and left running). If no server can be had,
Neo4j tests are skipped on a laptop but **fail** under ``CI=true``: a missing server is
never a silent skip in CI.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import shlex
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "scripts" / "neo4j-server"
STORES = ["kuzu", "neo4j"]


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def neo4j_server():
    """(uri, user, password) of a live Neo4j 5.26."""
    uri = os.environ.get("GRAPHMEM_TEST_NEO4J_URI")
    started = False
    if not uri:
        # A server this session did not start (another session's, a developer's) is left running.
        running = subprocess.run([str(SERVER), "status"], capture_output=True, timeout=60).returncode == 0
        proc = subprocess.run([str(SERVER), "start", "--env"], capture_output=True, text=True, timeout=400)
        if proc.returncode != 0:
            msg = f"could not start Neo4j with {SERVER}:\n{proc.stderr[-2000:]}"
            if _ci():
                pytest.fail(msg)
            pytest.skip(msg)
        for line in proc.stdout.splitlines():
            if line.startswith("export "):
                key, _, value = line[len("export ") :].partition("=")
                os.environ[key] = shlex.split(value)[0] if value else ""
        uri, started = os.environ["GRAPHMEM_TEST_NEO4J_URI"], not running
    creds = (uri, os.environ.get("GRAPHMEM_TEST_NEO4J_USER", "neo4j"), os.environ.get("GRAPHMEM_TEST_NEO4J_PASSWORD"))
    yield creds
    if started:
        subprocess.run([str(SERVER), "stop"], capture_output=True, timeout=120)


@pytest.fixture
def namespace() -> str:
    """A fresh namespace per test: tests on the shared Neo4j server cannot see each other."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=STORES, ids=STORES)
def store_kind(request) -> str:
    if request.param == "neo4j":
        request.applymarker(pytest.mark.neo4j)
    return request.param


@pytest.fixture
def store_location(store_kind, tmp_path, request) -> tuple[str, tuple[str, str] | None]:
    """Where a test's store lives, and its auth: a fresh folder, or the shared server."""
    if store_kind == "kuzu":
        return str(tmp_path / "store"), None
    uri, user, password = request.getfixturevalue("neo4j_server")
    return uri, (user, password)


@pytest.fixture
def memory(store_location, namespace):
    from graphmem import Memory

    location, auth = store_location
    with Memory(location, namespace=namespace, auth=auth) as mem:
        yield mem


def pytest_collection_modifyitems(config, items):
    # Parametrized Neo4j cases get the marker at collection time too, so `-m "not neo4j"` works.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and callspec.params.get("store_kind") == "neo4j":
            item.add_marker(pytest.mark.neo4j)
