"""``python -m bench <name> [options]`` — see bench/README.md.

Benches: ``ingest`` (ingest throughput against bare spaCy and bare embedding),
``stores`` (write throughput and recall latency on Kùzu and Neo4j, with a numpy baseline),
``carb`` (extraction quality on the CaRB Open IE benchmark), ``locomo`` (evidence recall on
LoCoMo against BM25 and dense baselines, as ``graphmem eval locomo``), ``coref`` (coreference
on GAP, with a baseline, and its share of pipeline time) and ``discourse`` (explicit discourse
connectives and their senses on TED-MDB, next to plain lexicon matching).
Every bench prints tables sized to the terminal, or its report as JSON with ``--json``;
``--smoke`` runs it at toy sizes in seconds (for tests).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graphmem.eval.args import int_list

# Models are loaded from installed packages; never reach for a model hub from a bench.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _sizes(text: str) -> list[int]:
    try:
        return int_list(text, minimum=1, what="sizes")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _stores(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [n for n in names if n not in ("kuzu", "neo4j")]
    if not names or bad:
        raise argparse.ArgumentTypeError(f"stores are kuzu and/or neo4j, got {text!r}")
    return list(dict.fromkeys(names))


def _indices(text: str) -> list[int]:
    try:
        return int_list(text, minimum=0, what="indices", keep_order=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    sub = p.add_subparsers(dest="bench", required=True, metavar="{ingest,stores,carb,locomo,coref|gap,discourse,query}")

    def common(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
        cmd.add_argument("--smoke", action="store_true", help="toy sizes, a few seconds (for tests)")

    ing = sub.add_parser("ingest", help="ingest throughput vs bare spaCy and bare embedding",
                         description="Memory.ingest into a fresh Kùzu store, next to nlp.pipe and Embedder.encode "
                         "over the same turns. Example: python -m bench ingest --limit 600")
    ing.add_argument("--data", type=Path, default=None,
                     help="a LoCoMo-style folder, or any folder of .jsonl/.md/.txt "
                     "(default: ../shared/data/locomo if present, else examples/data)")
    ing.add_argument("--limit", type=_positive, default=None, help="number of turns (default 600)")
    ing.add_argument("--repeat", type=_positive, default=1, help="runs of each measurement; medians reported")
    ing.add_argument("--backends", default="torch,onnx,onnx-int8",
                     help="embedding backends to compare, comma-separated (torch, onnx, onnx-int8)")
    ing.add_argument("--workers", type=_positive, default=1,
                     help="also ingest with N parse worker processes (the last backend)")
    common(ing)

    st = sub.add_parser("stores", help="write throughput and recall latency, Kùzu vs Neo4j",
                        description="Synthetic batches through store.write_batch, then latency of recall(), "
                        "vector_search and text_search (and numpy brute force over the same embeddings). "
                        "Example: python -m bench stores --sizes 10000,100000")
    st.add_argument("--sizes", type=_sizes, default=None, help="fact counts to measure at (default 10000,100000)")
    st.add_argument("--stores", type=_stores, default=["kuzu", "neo4j"], help="kuzu,neo4j (default both)")
    st.add_argument("--queries", type=_positive, default=None, help="queries per latency figure (default 200)")
    st.add_argument("--k", type=_positive, default=10, help="results per query (default 10)")
    st.add_argument("--max-write-s", type=float, default=None,
                    help="seconds of write_batch growth per store (default 30); past it the rest of each size is "
                    "bulk-loaded for the latency figures, or, with --no-fill, the store stops at the size reached")
    st.add_argument("--max-query-s", type=float, default=None,
                    help="seconds per latency figure (default 60): a slower path is timed on fewer queries "
                    "(at least 10), and the report says so")
    st.add_argument("--no-fill", action="store_true", help="never bulk-load: stop at the size write_batch reached")
    st.add_argument("--probe-docs", type=_positive, default=None,
                    help="documents timed through write_batch at each size (default 20)")
    st.add_argument("--seed", type=int, default=7, help="seed of the synthetic data and queries (default 7)")
    common(st)

    qy = sub.add_parser("query", help="parse + compile time of the query language, per dialect",
                        description="Median parse + compile of ~20-token queries next to Lark's bare parse. "
                        "Example: python -m bench query --repeat 2000")
    qy.add_argument("--repeat", type=_positive, default=2000, help="runs per figure (default 2000)")
    common(qy)

    cb = sub.add_parser("carb", help="extraction quality on the CaRB Open IE benchmark (P, R, F1, AUC)",
                        description="Parse each CaRB sentence, extract facts with graphmem's rules, score them with "
                        "the CaRB scorer (binary lenient); recall by construction; parse vs extraction time. "
                        "Example: python -m bench carb --split dev --out /tmp/carb_dev.tsv")
    cb.add_argument("--data", type=Path, default=None,
                    help="folder with <split>.txt and <split>_gold.tsv (default: ../shared/data/carb if present)")
    cb.add_argument("--split", choices=("dev", "test"), default="dev", help="which split (default dev)")
    cb.add_argument("--limit", type=_positive, default=None, help="first N sentences only (default all)")
    cb.add_argument("--out", type=Path, default=None, help="write the extractions here, CaRB's tabbed format")
    common(cb)

    lm = sub.add_parser("locomo", help="evidence recall on LoCoMo vs BM25 / dense baselines (graphmem eval locomo)",
                        description="Ingest each conversation through Memory.ingest, ask every question through "
                        "Memory.recall, score recall@k per category against BM25, dense and RRF baselines. "
                        "Example: python -m bench locomo --conversations 0,1 --plot /tmp/locomo.png")
    lm.add_argument("--data", type=Path, default=None,
                    help="a LoCoMo JSON file or folder (default: ../shared/data/locomo if present)")
    lm.add_argument("--k", type=_sizes, default=[5, 10, 25, 50], help="cut-offs in turns (default 5,10,25,50)")
    lm.add_argument("--conversations", type=_indices, default=None, help="indices to run, e.g. 0,1 (default all)")
    lm.add_argument("--limit-questions", type=_positive, default=None, help="first N questions per conversation")
    lm.add_argument("--plot", type=Path, default=None, help="write a PNG chart of recall@k per system")
    lm.add_argument("--ingest-ablations", action="store_true",
                    help="also ingest without coreference and without discourse, and ask there (two more ingests)")
    lm.add_argument("--store", default=None, metavar="DIR|URI",
                    help="ingest and ask here: a folder or a Neo4j bolt:// URI (default: a temporary embedded store)")
    lm.add_argument("--namespace-prefix", default="", help="put before each conversation's namespace")
    common(lm)

    co = sub.add_parser("coref", aliases=["gap"], help="coreference on GAP (F1 overall, M, F, bias) vs a baseline, and its cost",
                        description="Parse each GAP snippet, resolve it with graphmem's coreference rules, read "
                        "A/B predictions off the pronoun's cluster, score per the GAP definitions next to a "
                        "nearest-name baseline; coreference time against parse + extraction. "
                        "Example: python -m bench coref --split development")
    co.add_argument("--data", type=Path, default=None,
                    help="folder with gap-<split>.tsv (default: ../shared/data/gap beside the repository)")
    co.add_argument("--split", choices=("dev", "development", "validation", "test"), default="development",
                    help="which split: gap-<split>.tsv, dev meaning development (default development; the "
                    "test split is kept for release checks and is not in ../shared/data/gap)")
    co.add_argument("--limit", type=_positive, default=None, help="first N examples only (default all)")
    common(co)

    dc = sub.add_parser("discourse", help="discourse connectives (P, R, F1) and senses on TED-MDB vs lexicon matching",
                        description="Parse each TED-MDB sentence, find explicit connectives with graphmem's table and "
                        "the parse, score spans against Conn= labels and PDTB-3 senses (level 1 and 2) against the "
                        "explicit relations, next to plain lexicon matching. "
                        "Example: python -m bench discourse --split dev")
    dc.add_argument("--data", type=Path, default=None,
                    help="folder laid out like TED-MDB in DISRPT format (default: ../shared/data/tedm beside the "
                    "repository; with --smoke, tests/data/tedm_tiny)")
    dc.add_argument("--split", choices=("dev", "test"), default="dev", help="which split (default dev)")
    common(dc)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ._common import emit

    if args.bench == "ingest":
        from . import ingest

        limit = args.limit if args.limit is not None else (None if args.smoke else ingest.DEFAULT_LIMIT)
        report = ingest.run(data=args.data, limit=limit, repeat=args.repeat, smoke=args.smoke,
                            backends=[b.strip() for b in args.backends.split(",") if b.strip()], workers=args.workers)
        emit(report, ingest.tables(report), as_json=args.json)
    elif args.bench == "query":
        from . import query

        report = query.run(repeat=args.repeat, smoke=args.smoke)
        emit(report, query.tables(report), as_json=args.json)
    elif args.bench == "carb":
        from . import carb

        try:
            report = carb.run(data=args.data, split=args.split, limit=args.limit or (20 if args.smoke else None),
                              out=args.out)
        except FileNotFoundError as exc:
            raise SystemExit(f"bench carb: {exc}") from None
        emit(report, carb.tables(report), as_json=args.json)
    elif args.bench in ("coref", "gap"):
        from . import coref

        try:
            split = "development" if args.split == "dev" else args.split
            report = coref.run(data=args.data, split=split, limit=args.limit or (20 if args.smoke else None))
        except FileNotFoundError as exc:
            raise SystemExit(f"bench coref: {exc}") from None
        emit(report, coref.tables(report), as_json=args.json)
    elif args.bench == "discourse":
        from . import discourse

        try:
            report = discourse.run(data=args.data, split=args.split, smoke=args.smoke)
        except FileNotFoundError as exc:
            raise SystemExit(f"bench discourse: {exc}") from None
        emit(report, discourse.tables(report), as_json=args.json)
    elif args.bench == "locomo":
        from graphmem.errors import GraphmemError

        from . import locomo

        try:
            report = locomo.run(data=args.data, ks=args.k, conversations=args.conversations,
                                limit_questions=args.limit_questions or (2 if args.smoke else None), plot=args.plot,
                                smoke=args.smoke, ingest_ablations=args.ingest_ablations, store=args.store,
                                namespace_prefix=args.namespace_prefix)
        except (FileNotFoundError, ImportError, GraphmemError) as exc:
            raise SystemExit(f"bench locomo: {exc}") from None
        emit(report, locomo.tables(report), as_json=args.json)
    else:
        from . import stores

        budget = stores.DEFAULT_MAX_WRITE_S if args.max_write_s is None else args.max_write_s
        query_budget = stores.DEFAULT_MAX_QUERY_S if args.max_query_s is None else args.max_query_s
        report = stores.run(sizes=args.sizes, stores=args.stores, queries=args.queries, k=args.k,
                            max_write_s=budget, max_query_s=query_budget, fill_rest=not args.no_fill,
                            probe_docs=args.probe_docs,
                            seed=args.seed, smoke=args.smoke)
        emit(report, stores.tables(report), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
