"""``graphmem eval``: benchmarks of recall, run the way users run graphmem."""

from __future__ import annotations

import json
import os

import click

from .args import int_list

__all__ = ["eval_group", "locomo"]


def _ks(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        return int_list(value, minimum=1, what="k values")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _indices(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return int_list(value, minimum=0, what="indices", keep_order=True)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(name="eval")
def eval_group() -> None:
    """Measure recall on public benchmarks, with baselines in the same run.

    \b
    Example:
      graphmem eval locomo --data ../shared/data/locomo --conversations 0,1
    """


@eval_group.command()
@click.option("--data", "data", required=True, type=click.Path(exists=True),
              help="A LoCoMo JSON file, or a folder with locomo_dev.json (else every *.json in it).")
@click.option("--k", "ks", default="5,10,25,50", show_default=True, callback=_ks,
              help="Cut-offs in turns, comma-separated.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write a PNG chart of recall@k per system (needs matplotlib).")
@click.option("--limit-questions", type=click.IntRange(1), default=None,
              help="Ask only the first N questions of each conversation.")
@click.option("--conversations", default=None, callback=_indices, metavar="0,1,…",
              help="Indices of the conversations to run (default all).")
@click.option("--workdir", type=click.Path(file_okay=False), default=None,
              help="Keep the store and the session files here (default: a temporary folder). A second run "
                   "on the same folder skips the turns already ingested.")
@click.option("--ingest-ablations", is_flag=True,
              help="Also ingest each conversation without coreference and without discourse (two more "
                   "ingests, own namespaces) and ask there: the '- coreference' and '- discourse' rows.")
@click.option("--store", "store", default=None, metavar="DIR|URI",
              help="Ingest and ask here instead: a folder, or a Neo4j bolt:// / neo4j:// URI (user and "
                   "password from GRAPHMEM_NEO4J_USER / GRAPHMEM_NEO4J_PASSWORD). Default: an embedded "
                   "store in the workdir.")
@click.option("--namespace-prefix", default="", show_default=False,
              help="Put this before each conversation's id to name its namespace (runs sharing a database).")
def locomo(data: str, ks: list[int], as_json: bool, plot_path: str | None, limit_questions: int | None,
           conversations: list[int] | None, workdir: str | None, ingest_ablations: bool, store: str | None,
           namespace_prefix: str) -> None:
    """Evidence recall on LoCoMo: are the turns that hold each answer recalled in the top k?

    Each conversation is ingested through Memory.ingest into its own namespace of a fresh
    embedded store (in a temporary folder or --workdir), or of --store; every question goes
    through RECALL.
    BM25, dense retrieval with the same embedding model and their RRF run on the same turns,
    with ablations of graphmem's signals. Reports recall@k per category, MRR, answer
    containment, tokens per query and latency. Progress goes to stderr.

    \b
    Example:
      graphmem eval locomo --data ../shared/data/locomo --k 5,10 --json > locomo.json
    """
    from ..errors import GraphmemError
    from . import report as rep
    from .locomo import run

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from installed packages only
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if plot_path:
        try:
            rep.check_plotting()
        except ImportError as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        result = run(data, ks=ks, conversations=conversations, limit_questions=limit_questions, workdir=workdir,
                     ingest_ablations=ingest_ablations, store=store, namespace_prefix=namespace_prefix)
    except GraphmemError as exc:
        raise click.ClickException(str(exc)) from exc
    except ImportError as exc:  # bm25s
        raise click.ClickException(f"{exc}; the baselines need: pip install 'graphmem[bench]'") from exc
    if plot_path:
        result["plot"] = str(rep.plot(result, plot_path))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    from rich.console import Console

    console = Console()
    for table in rep.tables(result):
        console.print(table)
    if plot_path:
        click.echo(f"chart written to {plot_path}")
