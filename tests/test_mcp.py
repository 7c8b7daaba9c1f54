"""graphmem as an MCP server, exercised by the SDK's in-process client."""

from __future__ import annotations

import asyncio
import json

import pytest

pytestmark = pytest.mark.slow


def call(server, tool: str, args: dict):
    from mcp import Client

    async def go():
        async with Client(server) as client:
            return await client.call_tool(tool, args)

    return asyncio.run(go())


def payload(result):
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content)
    return json.loads(result.content[0].text)


def test_tools_are_listed(tmp_path):
    from mcp import Client

    from graphmem import Memory
    from graphmem.mcp_server import build_server

    async def names(server):
        async with Client(server) as client:
            return {t.name for t in (await client.list_tools()).tools}

    with Memory(tmp_path / "s") as mem:
        assert asyncio.run(names(build_server(mem))) == {"remember", "recall", "query", "explain", "source"}


def test_remember_recall_query_source(tmp_path):
    from graphmem import Memory
    from graphmem.mcp_server import build_server

    with Memory(tmp_path / "s", namespace="agent") as mem:
        server = build_server(mem)
        assert payload(call(server, "remember", {"text": "I just started working at Airbus.", "speaker": "Alice",
                                                 "session": "s1", "at": "2023-05-08T13:56:00"}))["facts"] >= 1
        hits = payload(call(server, "recall", {"cue": "where does Alice work?", "k": 3}))
        work = next(h for h in hits if h.get("fact", {}).get("predicate") == "work_at")
        assert work["quote"] == "I just started working at Airbus" and work["speaker"] == "Alice"
        rows = payload(call(server, "query", {"statement": 'MATCH (?p, work_at, "Airbus")'}))
        assert rows == [{"p": "Alice"}]
        (src,) = payload(call(server, "source", {"fact_id": work["id"]}))
        assert src["utterance"] == "I just started working at Airbus."
        assert "MATCH" in payload(call(server, "explain", {"statement": "TIMELINE Alice"}))


def test_query_writes_need_permission(tmp_path):
    from graphmem import Memory
    from graphmem.mcp_server import build_server

    with Memory(tmp_path / "s") as mem:
        refused = call(build_server(mem), "query", {"statement": 'REMEMBER "I moved to Rome." AS Bob'})
        assert refused.is_error and "read-only" in refused.content[0].text
        assert mem.stats()["utterances"] == 0
        allowed = call(build_server(mem, allow_writes=True), "query",
                       {"statement": 'REMEMBER "I moved to Rome." AS Bob'})
        assert not allowed.is_error and mem.stats()["utterances"] == 1
        bad = call(build_server(mem), "query", {"statement": "RECALL where"})
        assert bad.is_error and "GM500" in bad.content[0].text
