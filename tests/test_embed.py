"""Embedding backends: ONNX Runtime must give torch's vectors; configuration picks the backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graphmem.config import DEFAULT_EMBEDDING_BACKEND, EMBEDDING_BACKENDS, Config
from graphmem.errors import ConfigError

TEXTS = [
    "I work at Airbus.",
    "hi",
    "",
    "What did Melanie paint last year, and who went with her to the lake?",
    "Ünïcödé naïve café — 東京で寿司を食べた ☕ 🎨",
    "Caroline said the LGBTQ support group was powerful. " * 40,  # past max_seq_length: truncated alike
    "Alice work at Airbus",
    "   leading and trailing spaces   ",
    "1984-03-02 12:30 $4,000.50 #42 @bob http://example.com/a?b=c",
]


def test_backend_is_configured():
    assert Config.from_env({}).embedding_backend == DEFAULT_EMBEDDING_BACKEND
    for backend in EMBEDDING_BACKENDS:
        assert Config.from_env({"GRAPHMEM_EMBEDDING_BACKEND": backend}).embedding_backend == backend
    c = Config.from_env({"GRAPHMEM_EMBEDDING_THREADS": "1", "GRAPHMEM_CACHE_DIR": "/tmp/x"})
    assert (c.embedding_threads, str(c.cache_dir)) == (1, "/tmp/x")


@pytest.mark.parametrize("env", [{"GRAPHMEM_EMBEDDING_BACKEND": "tensorflow"},
                                 {"GRAPHMEM_EMBEDDING_THREADS": "two"},
                                 {"GRAPHMEM_KUZU_BUFFER_POOL_MB": "32"}, {"GRAPHMEM_KUZU_BUFFER_POOL_MB": "1GB"},
                                 {"GRAPHMEM_FACT_VECTORS": "sentence"}])
def test_bad_configuration_is_refused(env):
    with pytest.raises(ConfigError) as err:
        Config.from_env(env)
    assert err.value.code and next(iter(env)) in str(err.value)


def test_fact_vectors_are_configured():
    assert Config.from_env({}).fact_vectors == "span"
    assert Config.from_env({"GRAPHMEM_FACT_VECTORS": "text"}).fact_vectors == "text"


SPAN_TEXT = "I work at Airbus in Toulouse, and my sister Carol moved to Berlin last year."


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_token_states_pool_a_span_from_the_text_s_own_run(backend, vectors):
    """A fact's vector is the mean of its span's token vectors from the run that embedded its turn."""
    from graphmem.embed import Embedder

    emb = Embedder(backend=backend, batch_size=4)
    got, states = emb.encode_states(TEXTS + [SPAN_TEXT])
    assert np.allclose(got[: len(TEXTS)], vectors[backend], atol=1e-5)  # the very vectors encode gives
    st = states[-1]
    whole = np.asarray(st.span(0, len(SPAN_TEXT)))
    assert abs(np.linalg.norm(whole) - 1) < 1e-5 and whole @ np.asarray(got[-1]) > 0.99  # mean pooling, as the model
    first = np.asarray(st.span(0, SPAN_TEXT.index(",")))
    second = np.asarray(st.span(SPAN_TEXT.index("my sister"), len(SPAN_TEXT)))
    moved = np.asarray(emb.encode(["Where did Carol move?"])[0])
    assert moved @ second > moved @ first + 0.2  # each clause keeps its own meaning
    assert first @ second < 0.9
    # Tokens are found by character offsets, special tokens and padding left out.
    airbus = SPAN_TEXT.index("Airbus")
    assert np.allclose(st.span(airbus, airbus + 6), st.span(airbus + 2, airbus + 3), atol=1e-6)  # one token
    assert st.span(5, 5) is None and st.span(len(SPAN_TEXT) + 5, len(SPAN_TEXT) + 9) is None
    long = states[TEXTS.index(next(t for t in TEXTS if len(t) > 1000))]
    assert long.span(1500, 1600) is None and long.span(0, 20) is not None  # truncated past the model's length
    assert states[TEXTS.index("")].span(0, 1) is None


@pytest.mark.slow
def test_onnx_and_torch_pool_the_same_spans():
    from graphmem.embed import Embedder

    spans = [(0, 4), (2, 16), (SPAN_TEXT.index("Carol"), len(SPAN_TEXT))]
    pooled = {}
    for backend in ("onnx", "torch"):
        st = Embedder(backend=backend).encode_states([SPAN_TEXT])[1][0]
        pooled[backend] = np.asarray([st.span(a, b) for a, b in spans])
    assert ((pooled["onnx"] * pooled["torch"]).sum(axis=1) > 0.9999).all()


def test_unknown_backend_is_refused_by_the_embedder():
    from graphmem.embed import Embedder

    with pytest.raises(ConfigError):
        Embedder(backend="onnx-fp16")


@pytest.fixture(scope="module")
def vectors():
    from graphmem.embed import Embedder

    return {b: np.asarray(Embedder(backend=b, batch_size=4).encode(TEXTS)) for b in EMBEDDING_BACKENDS}


@pytest.mark.slow
def test_onnx_fp32_gives_torch_vectors(vectors):
    torch_v, onnx_v = vectors["torch"], vectors["onnx"]
    assert onnx_v.shape == torch_v.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(onnx_v, axis=1), 1.0, atol=1e-5)
    cosine = (torch_v * onnx_v).sum(axis=1)
    assert cosine.min() > 0.9999, dict(zip(TEXTS, cosine))
    # Not trivially equal: different texts get different vectors, in input order.
    sims = onnx_v @ onnx_v.T
    np.fill_diagonal(sims, -1)
    assert sims[0].argmax() == 6 and sims.max() < 0.99


@pytest.mark.slow
def test_int8_drifts_but_stays_close(vectors):
    """Per-channel weight scales: one scale per weight matrix gave a cosine of 0.95 on average,
    and LoCoMo recall a point lower."""
    cosine = (vectors["torch"] * vectors["onnx-int8"]).sum(axis=1)
    assert 0.985 < cosine.mean() < 0.9999 and cosine.min() > 0.97, dict(zip(TEXTS, cosine))


@pytest.mark.slow
def test_batching_and_order_do_not_change_vectors(vectors):
    from graphmem.embed import Embedder

    one_by_one = np.asarray([Embedder(backend="onnx", batch_size=1).encode([t])[0] for t in reversed(TEXTS)])[::-1]
    assert np.allclose(one_by_one, vectors["onnx"], atol=1e-5)


@pytest.mark.slow
def test_int8_vector_depends_on_the_text_only(vectors):
    """Dynamic quantization scales activations by the whole input: int8 embeds each text alone,
    so batch size, neighbours and order give the very same vector (ingest and a cue agree)."""
    from graphmem.embed import Embedder

    alone = [Embedder(backend="onnx-int8", batch_size=64).encode([t])[0] for t in reversed(TEXTS)][::-1]
    assert np.array_equal(np.asarray(alone, dtype=np.float32), vectors["onnx-int8"].astype(np.float32))
    assert np.allclose(np.linalg.norm(vectors["onnx-int8"], axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_beside_other_work_the_model_takes_the_cores_left(vectors, monkeypatch):
    """Bulk ingest embeds while its parser keeps a core busy (graphmem.bulk): inside ``beside``
    the int8 session has the other cores' threads, at least one, and gives the same vectors; a
    ``threads`` set by the user stays."""
    from graphmem import embed

    monkeypatch.setattr(embed, "_threads", lambda threads: threads or 4)
    emb = embed.Embedder(backend="onnx-int8")
    threads = lambda: emb.model.session.get_session_options().intra_op_num_threads  # noqa: E731
    assert threads() == 4
    with emb.beside(1):
        assert threads() == 3
        with emb.beside(6):
            assert threads() == 1
        assert threads() == 3
        beside = np.asarray(emb.encode(TEXTS), dtype=np.float32)
    assert threads() == 4
    assert np.allclose(beside, vectors["onnx-int8"], atol=1e-6)
    fixed = embed.Embedder(backend="onnx-int8", threads=2)
    with fixed.beside(1):
        assert fixed.model.session.get_session_options().intra_op_num_threads == 2
    fp32 = embed.Embedder(backend="onnx")  # batches, which two threads split well: left as is
    with fp32.beside(1):
        assert fp32.model.session.get_session_options().intra_op_num_threads == 4


@pytest.mark.slow
def test_export_is_cached_on_disk(tmp_path):
    from graphmem.embed import onnx_model_path

    first = onnx_model_path("all-MiniLM-L6-v2", cache_dir=tmp_path)
    stamp = first.stat().st_mtime_ns
    again = onnx_model_path("all-MiniLM-L6-v2", cache_dir=tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp  # reused, not exported again
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary files left behind
    # An int8 graph of an older quantization is replaced by the current one, not kept beside it.
    old = tmp_path / first.name.replace(".onnx", "-int8pc1.onnx")
    old.write_bytes(b"an older int8 graph")
    int8 = onnx_model_path("all-MiniLM-L6-v2", int8=True, cache_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, int8.name])
    assert int8 != old and first.stat().st_mtime_ns == stamp


def test_the_export_cache_key_follows_the_model_s_content_not_its_file_times(tmp_path):
    """A fresh install of the same model (new files, new times) finds the graph exported before;
    a changed file gives another key."""
    import os
    import shutil

    from graphmem.embed import _cache_key, _local_folder, _st_layout, resolve_model

    folder = _local_folder(resolve_model("all-MiniLM-L6-v2"))
    copy = Path(shutil.copytree(folder, tmp_path / folder.name))
    for f in copy.rglob("*"):
        os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    layout = _st_layout(folder)
    assert _cache_key(copy, layout) == _cache_key(folder, layout)
    config = copy / "config.json"
    config.write_text(config.read_text(encoding="utf-8").replace("384", "385"), encoding="utf-8")
    assert _cache_key(copy, layout) != _cache_key(folder, layout)


def test_onnx_needs_a_local_sentence_transformers_folder(tmp_path):
    from graphmem.embed import onnx_model_path
    from graphmem.errors import ModelError

    with pytest.raises(ModelError, match="GRAPHMEM_EMBEDDING_BACKEND=torch"):
        onnx_model_path(str(tmp_path), cache_dir=tmp_path / "cache")


def test_blas_limit_is_set_once_until_modules_are_imported(monkeypatch):
    """limit_blas_threads leaves one BLAS thread, and asks threadpoolctl again (≈ 1 ms, each
    cue's embedding calls it) only after new modules were imported."""
    import sys

    import threadpoolctl

    from graphmem import embed

    calls = []
    real = threadpoolctl.threadpool_limits
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    monkeypatch.setattr(embed, "_BLAS_LIMITED_AT", [-1])
    embed.limit_blas_threads()
    embed.limit_blas_threads()
    assert len(calls) == 1
    assert all(i["num_threads"] == 1 for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
    monkeypatch.setitem(sys.modules, "graphmem_test_new_module", object())  # as if a module loaded a BLAS
    embed.limit_blas_threads()
    assert len(calls) == 2
