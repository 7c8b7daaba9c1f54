"""``graphmem show ENTITY``: the entity's neighbourhood as a picture (PNG or SVG).

Nodes are the entity, the things it is related to and the literal values of its facts;
edges are labelled with the predicate (negated facts dashed). Drawn with networkx and
matplotlib, so the picture is a file any viewer opens.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError, InputError

__all__ = ["neighbourhood", "draw"]


def neighbourhood(memory, entity: str, *, limit: int = 60) -> list[dict]:
    """The current facts in which ``entity`` is subject or object, with their polarity."""
    rows = []
    for positive in (True, False):
        flag = {"e": entity, "n": limit, "pos": positive}
        for r in memory.query("MATCH ($e, ?p, ?o) WHERE polarity = $pos LIMIT $n", flag):
            rows.append({"subject": entity, "predicate": r["p"], "object": r["o"], "polarity": positive})
        for r in memory.query("MATCH (?s, ?p, $e) WHERE polarity = $pos LIMIT $n", flag):
            rows.append({"subject": r["s"], "predicate": r["p"], "object": entity, "polarity": positive})
    return rows


def draw(rows: list[dict], entity: str, path: str | Path) -> Path:
    """Write the picture of ``rows`` to ``path`` (.png or .svg)."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise InputError("the picture is written as .png or .svg", path=path)
    if not rows:
        raise InputError(f"no facts about {entity!r} in this namespace")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
        import networkx as nx
    except ImportError as exc:
        raise ConfigError("drawing needs matplotlib and networkx: pip install 'graphmem[show]'") from exc
    g = nx.MultiDiGraph()
    for r in rows:
        label = ("" if r.get("polarity", True) else "not ") + r["predicate"].replace("_", " ")
        g.add_edge(r["subject"], r["object"], label=label, negated=not r.get("polarity", True))
    pos = nx.spring_layout(g, seed=7, k=1.6 / max(1, len(g) ** 0.5))
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    colors = ["#f4a261" if n == entity else "#a8dadc" for n in g.nodes]
    nx.draw_networkx_nodes(g, pos, node_color=colors, node_size=1600, ax=ax, edgecolors="#264653")
    nx.draw_networkx_labels(g, pos, font_size=9, ax=ax)
    for negated, style, color in ((False, "solid", "#457b9d"), (True, "dashed", "#e63946")):
        edges = [(u, v) for u, v, d in g.edges(data=True) if d["negated"] == negated]
        nx.draw_networkx_edges(g, pos, edgelist=edges, ax=ax, arrows=True, arrowsize=14, edge_color=color,
                               style=style, connectionstyle="arc3,rad=0.08", node_size=1600)
    labels = {(u, v): d["label"] for u, v, d in g.edges(data=True)}
    nx.draw_networkx_edge_labels(g, pos, edge_labels=labels, font_size=8, ax=ax, label_pos=0.5)
    ax.set_title(f"{entity}: {len(rows)} facts", fontsize=11)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
