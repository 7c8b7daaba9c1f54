"""The ``graphmem`` command: thin click commands over the same :class:`Memory` API.

Exit codes: 0 success; 1 a graphmem error (bad input, store unavailable …), or an
ingest where some files failed (the others are still ingested); 2 a usage error.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any

import click

__all__ = ["main"]


def _memory_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--store``, ``--namespace``, ``--read-only`` and ``--json``, shared by every command."""

    @click.option("--store", "store", metavar="PATH|URI", envvar="GRAPHMEM_STORE",
                  help="Embedded store folder or bolt:// / neo4j:// URI [env GRAPHMEM_STORE].")
    @click.option("--namespace", "-n", default="default", show_default=True, envvar="GRAPHMEM_NAMESPACE",
                  help="Whose memory [env GRAPHMEM_NAMESPACE].")
    @click.option("--read-only", "read_only_all", is_flag=True, help="Open the memory read-only: refuse writes.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs.pop("read_only_all", False):
            click.get_current_context().meta["graphmem.read_only"] = True
        return fn(*args, **kwargs)

    return wrapper


def _open(store: str | None, namespace: str, **kwargs: Any):
    from .errors import GraphmemError
    from .memory import Memory

    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("graphmem.read_only"):
        kwargs["read_only"] = True
    try:
        return Memory(store, namespace=namespace, **kwargs)
    except GraphmemError as exc:
        raise click.ClickException(str(exc)) from exc


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn graphmem errors into clean messages instead of tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import GraphmemError

        try:
            return fn(*args, **kwargs)
        except GraphmemError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="graphmem")
def main() -> None:
    """graphmem: a symbolic, graph-backed long-term memory.

    \b
    Example:
      graphmem ingest examples/data && graphmem recall "where does Alice work?"
    """


@main.command()
@_memory_options
@_guard
def init(store: str | None, namespace: str, as_json: bool) -> None:
    """Create the store (folder or Neo4j schema) if it does not exist, and say where it is.

    \b
    Example:
      graphmem init --store ./memory
    """
    with _open(store, namespace) as mem:
        info = {"store": mem.config.store_location, "dialect": mem.store.dialect, "namespace": namespace,
                **mem.stats()}
    _emit(info, as_json)


@main.command()
@click.option("--about", "entity", default=None, help="Forget the facts about this entity.")
@click.option("--before", default=None, metavar="DATE", help="Only facts stated before DATE (YYYY-MM-DD).")
@click.option("--fact", "fact_id", default=None, help="Forget one fact by its id.")
@click.option("--session", "sessions", multiple=True, help="Forget what a session said (repeatable).")
@click.option("--source", "sources", multiple=True, help="Forget what a document said: its path/uri or id.")
@click.option("--utterance", "utterances", multiple=True, help="Forget one utterance: its id or external id.")
@click.option("--reason", default=None, help="Why, recorded on each retracted fact.")
@_memory_options
@_guard
def forget(entity: str | None, before: str | None, fact_id: str | None, sessions: tuple[str, ...],
           sources: tuple[str, ...], utterances: tuple[str, ...], reason: str | None, store: str | None,
           namespace: str, as_json: bool) -> None:
    """Forget facts: they are retracted (hidden from every query), never deleted.

    --session, --source and --utterance forget what was said there: a fact is retracted only
    when nothing else said it, and records when and why; the others keep their other evidence.

    \b
    Example:
      graphmem forget --about Bob --before 2023-01-01
      graphmem forget --session s2 --reason "asked to forget"
    """
    said = bool(sessions or sources or utterances)
    if sum((entity is not None, fact_id is not None, said)) != 1:
        raise click.UsageError("give exactly one of --about ENTITY, --fact ID, or --session/--source/--utterance")
    if said:
        with _open(store, namespace) as mem:
            out = mem.forget(utterances=utterances, sessions=sessions, sources=sources, reason=reason)
        if as_json:
            _emit(out, True)
        else:
            _emit({"utterances forgotten": out["utterances"], "anchors forgotten": out["anchors"],
                   "facts retracted": len(out["retracted"]),
                   "facts kept (other evidence)": len(out["kept"]), "facts current again": len(out["restored"])},
                  False)
        return
    if entity is not None:
        statement = "FORGET FACTS ABOUT $e" + (" BEFORE $before" if before else "")
        params = {"e": entity, **({"before": before} if before else {})}
    else:
        statement, params = "FORGET FACT $id", {"id": fact_id}
    with _open(store, namespace) as mem:
        rows = mem.query(statement, params)
    _emit({"forgotten": rows[0]["forgotten"] if rows else 0}, as_json)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--stdin-format", type=click.Choice(["text", "jsonl", "csv"]), default="text", show_default=True,
              help="How to read '-' (standard input).")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Parser processes for many files (helps where cores are free; each document still "
              "written atomically).")
@_memory_options
@_guard
def ingest(paths: tuple[str, ...], stdin_format: str, workers: int, store: str | None, namespace: str,
           as_json: bool) -> None:
    """Ingest files, folders and globs: .txt/.md documents, .jsonl and .csv chat logs; '-' reads stdin.

    Each document is written atomically; content already stored is skipped; a file
    that cannot be read is reported and the others are still ingested.

    \b
    Example:
      graphmem ingest notes/ chats.jsonl 'logs/*.csv' --namespace alice
      graphmem ingest corpus/ --workers 4
      cat notes.txt | graphmem ingest -
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .errors import InputError
    from .readers import expand_paths

    err = Console(stderr=True)
    files, _ = expand_paths(paths)
    mem = _open(store, namespace)
    try:
        show = not as_json and err.is_terminal
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=not show, transient=True) as bar:
            task = bar.add_task("ingesting", total=len(files))
            done: set[str] = set()

            def seen(path) -> None:  # a file counts once its first document is parsed (or reported)
                if str(path) not in done:
                    done.add(str(path))
                    bar.update(task, advance=1, description=str(path.name)[:30])

            def tick(path, result) -> None:
                if isinstance(result, InputError) and show:  # else listed once at the end (or in --json)
                    err.print(f"[red]error[/] {result}", highlight=False)
                seen(path)

            files_only = [p for p in paths if p != "-"]
            report = (mem.ingest(files_only, on_document=tick, on_prepared=seen, workers=workers)
                      if files_only else None)
            if "-" in paths:
                piped = mem.ingest_text(click.get_text_stream("stdin").read(), format=stdin_format)
                if report is None:
                    report = piped
                else:
                    report.files += piped.files
                    report.written += piped.written
                    report.skipped += piped.skipped
                    report.errors += piped.errors
    finally:
        mem.close()
    summary = report.to_dict()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        if not err.is_terminal:  # errors were already printed live on a terminal
            for e in report.errors:
                click.echo(f"error: {e}", err=True)
        click.echo(
            f"{summary['documents_added']} documents added ({summary['utterances']} utterances, "
            f"{summary['facts']} facts), {summary['documents_skipped']} already stored, "
            f"{len(report.errors)} failed"
        )
    if report.errors:
        sys.exit(1)


@main.command()
@click.argument("text")
@click.option("-k", "--limit", "k", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many memories to return.")
@_memory_options
@_guard
def recall(text: str, k: int, store: str | None, namespace: str, as_json: bool) -> None:
    """Recall the memories most relevant to TEXT, each with the span it came from.

    \b
    Example:
      graphmem recall "where does Alice work?" -k 5
    """
    with _open(store, namespace, read_only=True) as mem:
        hits = mem.recall(text, k=k)
    _print_hits(hits, as_json)


@main.command()
@click.argument("statement")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A $parameter's value.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="How to print rows (--json is --format json).")
@_memory_options
@_guard
def query(statement: str, params: tuple[str, ...], fmt: str, store: str | None, namespace: str,
          as_json: bool) -> None:
    """Run one statement of graphmem's query language.

    RECALL, MATCH, WHY, TIMELINE and SOURCE OF read; REMEMBER and FORGET write;
    EXPLAIN shows the compiled Cypher without running it.

    \b
    Example:
      graphmem query 'RECALL "where does Alice work?" LIMIT 5'
      graphmem query 'MATCH (?p, work_at, ?org) RETURN ?p, ?org' --json
    """
    from .query import ast as A
    from .query import parse
    from .recall import RecallHit
    from .store.base import WriteReport

    as_json = as_json or fmt == "json"
    node = parse(statement)  # a syntax error is reported before any store is opened
    bound = _params(params)
    writes = isinstance(node, (A.Remember, A.ForgetAbout, A.ForgetFact))
    with _open(store, namespace, read_only=not writes) as mem:
        result = mem.query(statement, bound)
    if isinstance(result, WriteReport):
        _emit({"written": result.written, "utterances": result.utterances, "facts": result.facts}, as_json)
    elif hasattr(result, "describe"):
        _print_compiled(result, as_json)
    elif result and isinstance(result[0], RecallHit) or (not result and isinstance(node, A.Recall)):
        if fmt == "csv":
            _print_csv([{"score": h.score, "kind": h.kind, "memory": h.text, "speaker": h.provenance.speaker,
                         "time": h.provenance.time, "quote": h.provenance.quote} for h in result])
        else:
            _print_hits(result, as_json)
    elif fmt == "csv":
        _print_csv(result)
    else:
        _print_rows(result, as_json)


@main.command()
@click.argument("statement")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A $parameter's value.")
@_memory_options
@_guard
def explain(statement: str, params: tuple[str, ...], store: str | None, namespace: str, as_json: bool) -> None:
    """Show what a statement compiles to (Cypher, parameters, fusion) without running it.

    \b
    Example:
      graphmem explain 'RECALL "where does Alice work?" ABOUT Alice'
    """
    from .query import parse

    parse(statement)
    with _open(store, namespace, read_only=True) as mem:
        compiled = mem.explain(statement, _params(params))
    _print_compiled(compiled, as_json)


def _params(pairs: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--param")
        out[name.lstrip("$")] = int(value) if value.isdigit() else value
    return out


def _print_compiled(compiled, as_json: bool) -> None:
    if not as_json:
        click.echo(compiled.describe())
        return
    statements = {name: {"text": st.text, "params": dict(st.params)} for name, st in compiled.statements.items()}
    click.echo(json.dumps({"kind": compiled.kind, "dialect": compiled.dialect, "statements": statements}, indent=2))


def _emit(obj: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(obj))
    else:
        click.echo(", ".join(f"{k}: {v}" for k, v in obj.items()))


def _print_csv(rows: list[dict]) -> None:
    import csv

    if not rows:
        return
    writer = csv.DictWriter(click.get_text_stream("stdout"), fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _print_rows(rows: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("no rows")
        return
    from rich.console import Console

    from .render import rows_table

    console = Console()
    console.print(rows_table(rows, console.width))


def _print_hits(hits, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("nothing recalled")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("memory", overflow="fold")
    table.add_column("said by", overflow="fold")
    table.add_column("source", overflow="fold")
    table.add_column("quote", overflow="fold")
    for i, h in enumerate(hits, 1):
        p = h.provenance
        when = (p.time or "").replace("T", " ")  # "2023-05-08 13:56:00" wraps between date and time
        who = "\n".join(x for x in (p.speaker or "", when) if x) or "—"
        table.add_row(str(i), f"{h.score:.4f}", h.text, who, p.source or "—", f"“{p.quote}”")
    Console().print(table)


@main.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["turtle", "json-ld", "nt"]), default="turtle",
              show_default=True, help="RDF serialization.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
@_memory_options
@_guard
def export(fmt: str, output: str | None, store: str | None, namespace: str, as_json: bool) -> None:
    """Export a namespace as RDF (Turtle, JSON-LD or N-Triples), provenance in PROV-O.

    \b
    Example:
      graphmem export --format turtle -o memory.ttl --namespace demo
    """
    with _open(store, namespace, read_only=True) as mem:
        text = mem.export_rdf(fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        _emit({"written": output, "format": fmt, "bytes": len(text.encode("utf-8"))}, as_json)
    else:
        click.echo(text, nl=False)


@main.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False))
@_memory_options
@_guard
def import_(path: str, store: str | None, namespace: str, as_json: bool) -> None:
    """Import the statements of an RDF file (Turtle, JSON-LD, N-Triples, RDF/XML) as facts.

    \b
    Example:
      graphmem import memory.ttl --namespace copy
    """
    with _open(store, namespace) as mem:
        report = mem.import_rdf(path)
    _emit({"written": report.written, "facts": report.facts, "entities": report.entities}, as_json)


@main.command()
@click.option("--history", type=click.Path(dir_okay=False), default=None,
              help="History file (default: <GRAPHMEM_HOME>/shell_history).")
@_memory_options
@_guard
def shell(history: str | None, store: str | None, namespace: str, as_json: bool) -> None:
    """An interactive shell for the query language: highlighting, completion, history.

    Statements end with ';' (Enter on a complete statement runs it too); \\help lists
    the meta-commands (\\explain, \\dialect, \\namespace, \\quit).

    \b
    Example:
      graphmem shell --namespace demo
    """
    from .shell import run_shell

    with _open(store, namespace) as mem:
        path = Path(history) if history else mem.config.home / "shell_history"
        path.parent.mkdir(parents=True, exist_ok=True)
        run_shell(mem, history=path)


@main.command()
@click.option("--mcp", "use_mcp", is_flag=True, required=True, help="Serve the Model Context Protocol on stdio.")
@click.option("--writes", is_flag=True, help="Let the query tool run REMEMBER and FORGET too.")
@_memory_options
@_guard
def serve(use_mcp: bool, writes: bool, store: str | None, namespace: str, as_json: bool) -> None:
    """Serve the memory to agents over MCP (stdio): remember, recall, query, explain, source.

    \b
    Example:
      graphmem serve --mcp --namespace assistant
    """
    from .mcp_server import build_server

    with _open(store, namespace) as mem:
        build_server(mem, allow_writes=writes).run("stdio")


@main.command()
@click.argument("entity")
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True, help="Picture file: .png or .svg")
@click.option("--limit", default=60, show_default=True, type=click.IntRange(1, 500), help="Facts per direction.")
@_memory_options
@_guard
def show(entity: str, output: str, limit: int, store: str | None, namespace: str, as_json: bool) -> None:
    """Draw an entity's neighbourhood (its facts, both directions) as a PNG or SVG picture.

    \b
    Example:
      graphmem show Alice -o alice.png --namespace demo
    """
    from .show import draw, neighbourhood

    with _open(store, namespace, read_only=True) as mem:
        rows = neighbourhood(mem, entity, limit=limit)
    path = draw(rows, entity, output)
    _emit({"written": str(path), "facts": len(rows)}, as_json)


@main.command()
@_memory_options
@_guard
def stats(store: str | None, namespace: str, as_json: bool) -> None:
    """Count what a namespace holds: sources, utterances, entities, facts.

    \b
    Example:
      graphmem stats --namespace alice --json
    """
    with _open(store, namespace, read_only=True) as mem:
        counts = mem.stats()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        for name, value in counts.items():
            click.echo(f"{name:<11} {value}")


@main.group()
def entities() -> None:
    """Entity identity: merge two entities into one, list merges, undo a merge (nothing is lost).

    \b
    Example:
      graphmem entities merge "Alice Smith" "A. Smith" && graphmem entities unmerge "A. Smith"
    """


@entities.command(name="merge")
@click.argument("keep")
@click.argument("other")
@_memory_options
@_guard
def entities_merge(keep: str, other: str, store: str | None, namespace: str, as_json: bool) -> None:
    """Merge entity OTHER into KEEP (each an id, name or alias): OTHER's facts and mentions move to KEEP.

    The merge is recorded; `graphmem entities unmerge OTHER` undoes it.

    \b
    Example:
      graphmem entities merge "Alice Smith" "Smith" --namespace alice
    """
    with _open(store, namespace) as mem:
        _emit(mem.merge_entities(keep, other), as_json)


@entities.command(name="unmerge")
@click.argument("ref")
@_memory_options
@_guard
def entities_unmerge(ref: str, store: str | None, namespace: str, as_json: bool) -> None:
    """Undo a merge, named by its id or by the merged entity: what it moved goes back.

    \b
    Example:
      graphmem entities unmerge "Smith" --namespace alice
    """
    with _open(store, namespace) as mem:
        _emit(mem.unmerge_entities(ref), as_json)


@entities.command(name="merges")
@_memory_options
@_guard
def entities_merges(store: str | None, namespace: str, as_json: bool) -> None:
    """List the namespace's entity merges, oldest first (undone ones show when).

    \b
    Example:
      graphmem entities merges --json
    """
    with _open(store, namespace, read_only=True) as mem:
        _print_rows(mem.entity_merges(), as_json)


from .eval.cli import eval_group  # noqa: E402 - `graphmem eval …` lives with the evaluations

main.add_command(eval_group)
