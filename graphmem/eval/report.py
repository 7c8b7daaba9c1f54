"""The LoCoMo report as rich tables, and recall@k per system as a PNG chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from .locomo import CATEGORIES

__all__ = ["tables", "plot", "check_plotting"]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _recall(report: dict[str, Any], group: str, title: str) -> Table:
    ks = report["params"]["ks"]
    table = Table(title=title, title_justify="left", caption_justify="left")
    table.add_column("system", no_wrap=True)
    for k in ks:
        table.add_column(f"R@{k}", justify="right", no_wrap=True)
    table.add_column("MRR", justify="right", no_wrap=True)
    table.add_column("turns", justify="right", no_wrap=True)
    for s in report["systems"].values():
        g = s["metrics"][group]
        table.add_row(s["label"], *(_pct(g[f"recall@{k}"]) for k in ks), _num(g["mrr"], 3), _num(g["turns"], 1))
    g0 = next(iter(report["systems"].values()))["metrics"][group]
    table.caption = (f"{g0['n']} questions; recall = mean over questions of the share of their evidence "
                     f"turns in the top k; turns = turns returned (of {report['params']['recall_k']})")
    return table


def _by_category(report: dict[str, Any]) -> Table:
    ks = report["params"]["ks"]
    table = Table(title="Evidence recall (%) by LoCoMo category", title_justify="left")
    table.add_column("category", no_wrap=True)
    table.add_column("system", no_wrap=True)
    for k in ks:
        table.add_column(f"R@{k}", justify="right", no_wrap=True)
    table.add_column("MRR", justify="right", no_wrap=True)
    first = next(iter(report["systems"].values()))["metrics"]
    for code, name in CATEGORIES.items():
        if not first[str(code)]["n"]:
            continue
        for i, s in enumerate(report["systems"].values()):
            g = s["metrics"][str(code)]
            head = f"{code} {name}" if i == 0 else (f"  n={g['n']}" if i == 1 else "")
            table.add_row(head, s["label"], *(_pct(g[f"recall@{k}"]) for k in ks), _num(g["mrr"], 3))
        table.add_section()
    return table


def _context(report: dict[str, Any]) -> Table:
    ks = report["params"]["ks"]
    table = Table(title="Answer containment (%), tokens per query, latency (all questions)", title_justify="left",
                  caption_justify="left")
    table.add_column("system", no_wrap=True)
    for k in ks[:2]:
        table.add_column(f"ans@{k}", justify="right", no_wrap=True)
    for k in (ks[0], ks[-1]):
        table.add_column(f"tok@{k}", justify="right", no_wrap=True)
    table.add_column("ms p50", justify="right", no_wrap=True)
    table.add_column("ms p95", justify="right", no_wrap=True)
    for s in report["systems"].values():
        g, lat = s["metrics"]["all"], s["latency_ms"] or {}
        table.add_row(s["label"], *(_pct(g[f"answer@{k}"]) for k in ks[:2]),
                      *(_num(g[f"tokens@{k}"]) for k in (ks[0], ks[-1])),
                      _num(lat.get("p50"), 1), _num(lat.get("p95"), 1))
    g0 = next(iter(report["systems"].values()))["metrics"]["all"]
    table.caption = f"ans@k over the {g0['n_with_answer']} questions with a gold answer"
    return table


def tables(report: dict[str, Any]) -> list[Table]:
    """Recall (codes 1–5, 1–4, per category), context and cost, and notes on the method."""
    out = [
        _recall(report, "all", "LoCoMo evidence recall (%), all questions (codes 1–5)"),
        _recall(report, "no-adversarial", "LoCoMo evidence recall (%), without code 5 (adversarial)"),
        _by_category(report),
        _context(report),
    ]
    notes = Table(title="Method and run", title_justify="left", show_header=False)
    notes.add_column("what", style="bold", no_wrap=True)
    notes.add_column("value", overflow="fold")
    d, t, m = report["data"], report["timing_s"], report["method"]
    notes.add_row("data", f"{', '.join(report['params']['conversations'])}: {d['sessions']} sessions, "
                          f"{d['turns']:,} turns, {d['questions']} questions "
                          f"(by code: {', '.join(f'{k}: {v}' for k, v in d['by_category'].items())})")
    for s in report["systems"].values():
        notes.add_row(s["label"].lstrip("├ "), s["description"])
    notes.add_row("not yet available", "ablations " + ", ".join(report["not_yet_available"]))
    td = report.get("temporal_dates")
    if td and td["n"]:
        notes.add_row("temporal dates", f"{td['found']}/{td['n']} = {100 * td['share']:.1f}% of code-2 questions "
                                         f"with a relative date in the evidence have the answer's date on a "
                                         f"top-{td['top']} fact ({td['answers_not_dates']} answers not dates)")
    notes.add_row("evidence", f"{m['evidence_policy']}; dropped: " + ", ".join(f"{k} {v}" for k, v in d["dropped"].items()))
    for key in ("recall", "mrr", "answer", "tokens", "latency", "graphmem_units"):
        notes.add_row(key, m[key])
    stored = report["ingest"]["stored"]
    notes.add_row("ingest", f"{report['ingest']['seconds']:.0f} s ({report['ingest']['turns_per_s']} turns/s), "
                            "models loaded beforehand: " + ", ".join(f"{v:,} {k}" for k, v in stored.items()))
    qe = report.get("query_embedding_ms")
    if qe:
        notes.add_row("query embedding", f"{qe['p50']:.1f} / {qe['p95']:.1f} ms p50/p95 (one question)")
    notes.add_row("wall time", f"{t['total']:.0f} s (" + ", ".join(f"{k} {v:.0f}" for k, v in t.items()
                                                                    if k != "total") + ")")
    out.append(notes)
    return out


def check_plotting() -> None:
    """Raise ImportError with an install hint when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError("--plot needs matplotlib: pip install 'graphmem[bench]' (or pip install matplotlib)") from exc


def plot(report: dict[str, Any], path: str | Path) -> Path:
    """Recall@k per system (codes 1–5, and 1–4) as a PNG at ``path``."""
    check_plotting()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = report["params"]["ks"]
    fig, axes = plt.subplots(1, 2, figsize=(13.5, 4.8), sharey=True)
    palette = plt.get_cmap("tab20")  # one colour per system (tab10 repeats after ten)
    for ax, group, title in ((axes[0], "all", "all questions (codes 1–5)"),
                             (axes[1], "no-adversarial", "without adversarial (codes 1–4)")):
        for i, (key, s) in enumerate(report["systems"].items()):
            ys = [100 * (s["metrics"][group][f"recall@{k}"] or 0.0) for k in ks]
            style, marker = {"ablation": ("--", "."), "baseline": (":", "s")}.get(s["kind"], ("-", "o"))
            ax.plot(ks, ys, style, marker=marker, label=s["label"].lstrip("├└ "),
                    color="black" if key == "graphmem" else palette(i % 20),
                    linewidth=2.6 if key == "graphmem" else 1.4)
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set_xlabel("k (turns)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("evidence recall@k (%)")
    axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    convs = ", ".join(report["params"]["conversations"])
    fig.suptitle(f"LoCoMo evidence recall@k — {convs} ({report['data']['questions']} questions)")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
