"""``graphmem serve --mcp``: graphmem as an MCP server, so agents can use it as their memory.

Tools: ``remember`` (write one utterance), ``recall`` (hybrid recall with provenance),
``query`` (the query language — read-only unless the server was started with writes),
``explain`` (the compiled Cypher) and ``source`` (the anchored text of a fact). Built on
the official MCP Python SDK; every tool calls the same :class:`~graphmem.Memory` API.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_server"]

INSTRUCTIONS = (
    "graphmem is a long-term memory. Call `remember` with what a user says (speaker, session, time), "
    "`recall` with a question to get facts and the exact quotes they came from, and `query` for the "
    'query language, e.g. MATCH (?p, work_at, "Airbus") or TIMELINE Alice.'
)


def _hit(h) -> dict[str, Any]:
    p = h.provenance
    out = {"kind": h.kind, "id": h.id, "text": h.text, "score": round(h.score, 6), "speaker": p.speaker,
           "session": p.session, "time": p.time, "source": p.source, "quote": p.quote}
    if h.fact is not None:
        out["fact"] = {"subject": h.fact.subject, "predicate": h.fact.predicate, "object": h.fact.object,
                       "polarity": h.fact.polarity, "modality": h.fact.modality}
    return out


def build_server(memory, *, allow_writes: bool = False):
    """An MCPServer over ``memory``; ``query`` may write only when ``allow_writes``."""
    from .errors import ConfigError, GraphmemError

    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError as exc:
        raise ConfigError("the MCP server needs the official SDK: pip install 'graphmem[mcp]'") from exc

    from .query import ast as A
    from .query import parse
    from .recall import RecallHit
    from .store.base import WriteReport

    server = MCPServer("graphmem", instructions=INSTRUCTIONS)

    def clean_errors(fn):
        """graphmem's own errors reach the agent as their message (the SDK hides others)."""
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (GraphmemError, PermissionError, ValueError) as exc:
                raise ToolError(str(exc)) from exc

        return wrapper

    @server.tool(description="Remember one utterance: who said it, in which session, when (ISO date-time).")
    @clean_errors
    def remember(text: str, speaker: str | None = None, session: str | None = None,
                 at: str | None = None) -> dict[str, Any]:
        report = memory.add(text, speaker=speaker, session=session, at=at)
        return {"written": report.written, "facts": report.facts, "utterances": report.utterances}

    @server.tool(description="Recall the memories most relevant to a cue, each with the exact quote it came from.")
    @clean_errors
    def recall(cue: str, k: int = 5) -> list[dict[str, Any]]:
        return [_hit(h) for h in memory.recall(cue, k=k)]

    @server.tool(description="Run one statement of graphmem's query language (RECALL, MATCH, WHY, TIMELINE, "
                             "SOURCE OF; REMEMBER and FORGET only if the server allows writes).")
    @clean_errors
    def query(statement: str) -> list[dict[str, Any]] | dict[str, Any]:
        node = parse(statement)
        if isinstance(node, (A.Remember, A.ForgetAbout, A.ForgetFact)) and not allow_writes:
            raise PermissionError("this graphmem server is read-only for queries; start it with --writes")
        result = memory.query(statement)
        if isinstance(result, WriteReport):
            return {"written": result.written, "facts": result.facts}
        if hasattr(result, "describe"):
            return {"explain": result.describe()}
        return [_hit(r) if isinstance(r, RecallHit) else r for r in result]

    @server.tool(description="Show the Cypher a statement compiles to, without running it.")
    @clean_errors
    def explain(statement: str) -> str:
        return memory.explain(statement).describe()

    @server.tool(description="The source text span(s) a fact was extracted from.")
    @clean_errors
    def source(fact_id: str) -> list[dict[str, Any]]:
        return memory.query("SOURCE OF FACT $id", {"id": fact_id})

    return server
