"""An index is reused only when it was built from the same plans, lexicon, settings and model; a stale
or damaged index is rebuilt, never served."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from small_plans import write_small_plans

from knowledge.retrieval.index import FINGERPRINT_FILE, index_fingerprint, open_index
from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings


@pytest.fixture()
def settings(tmp_path: Path) -> KnowledgeSettings:
    return KnowledgeSettings(
        plans_dir=write_small_plans(tmp_path / "plans"),
        index_dir=tmp_path / "index",
        models_dir=tmp_path / "models",
    )


def test_a_fresh_index_is_built_then_loaded(settings: KnowledgeSettings) -> None:
    first = open_index(settings)
    again = open_index(settings)
    assert first.built and not again.built
    assert [p.chunk_id for p in again.store.passages] == [p.chunk_id for p in first.store.passages]
    assert (settings.index_dir / FINGERPRINT_FILE).is_file()
    assert not settings.index_dir.with_name("index.building").exists()


def test_changed_plan_text_is_detected_and_rebuilt(settings: KnowledgeSettings) -> None:
    open_index(settings)
    plan = settings.plans_dir / "ziyang.txt"
    plan.write_text(plan.read_text(encoding="utf-8") + "（四）建设老年助浴点。每个街道建成一个助浴点。\n", encoding="utf-8")
    index = open_index(settings)
    assert index.built
    assert any("助浴点" in p.text for p in index.store.passages)
    hits = KnowledgeBase(settings).search("资阳的助浴点", k=1)
    assert hits and "助浴点" in hits[0].passage.text


def test_changed_manifest_is_detected(settings: KnowledgeSettings) -> None:
    open_index(settings)
    manifest = settings.plans_dir / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("2023-04", "2023-05"), encoding="utf-8")
    assert open_index(settings).built


@pytest.mark.parametrize(
    "change",
    [{"bm25_k1": 1.5}, {"bm25_b": 0.5}, {"bm25_section_weight": 1}, {"embedding_model": "some/other-model"}],
)
def test_settings_that_change_the_content_change_the_fingerprint(
    settings: KnowledgeSettings, change: dict[str, object]
) -> None:
    assert index_fingerprint(replace(settings, **change)) != index_fingerprint(settings)


def test_where_the_index_lives_and_the_fusion_weight_do_not(settings: KnowledgeSettings, tmp_path: Path) -> None:
    moved = replace(settings, index_dir=tmp_path / "elsewhere", dense_weight=0.4)
    assert index_fingerprint(moved) == index_fingerprint(settings)


def test_a_kept_domain_encoder_changes_the_fingerprint(settings: KnowledgeSettings) -> None:
    before = index_fingerprint(settings)
    encoder = settings.domain_encoder_dir
    encoder.mkdir(parents=True)
    (encoder / "config.json").write_text("{}", encoding="utf-8")
    assert settings.effective_embedding_model() == str(encoder)
    assert index_fingerprint(settings) != before
    (encoder / "config.json").write_text('{"retrained": true}', encoding="utf-8")
    assert index_fingerprint(settings) != before


def test_an_index_built_with_other_settings_is_rebuilt(settings: KnowledgeSettings) -> None:
    open_index(replace(settings, bm25_section_weight=1))
    index = open_index(settings)
    assert index.built
    assert index.bm25.section_weight == settings.bm25_section_weight


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "passages.jsonl").write_text('{"chunk_id": broken', encoding="utf-8"),
        lambda d: (d / "passages.jsonl").unlink(),
        lambda d: [f.write_bytes(b"\x00garbage") for f in (d / "bm25").iterdir()],
        lambda d: (d / FINGERPRINT_FILE).write_text("not json", encoding="utf-8"),
        lambda d: (d / FINGERPRINT_FILE).write_text(json.dumps({"fingerprint": "0" * 16}), encoding="utf-8"),
    ],
    ids=["passages-corrupt", "passages-missing", "bm25-corrupt", "fingerprint-corrupt", "fingerprint-other"],
)
def test_a_damaged_index_is_rebuilt_and_searchable(settings: KnowledgeSettings, damage) -> None:  # noqa: ANN001
    open_index(settings)
    damage(settings.index_dir)
    messages: list[str] = []
    index = open_index(settings, progress=lambda message, done, total: messages.append(message))
    assert index.built
    hits = KnowledgeBase(settings).search("涪陵高龄津贴", k=3)
    assert hits and "高龄津贴" in hits[0].passage.text


def test_a_leftover_staging_folder_does_not_block_a_build(settings: KnowledgeSettings) -> None:
    staging = settings.index_dir.with_name(settings.index_dir.name + ".building")
    staging.mkdir(parents=True)
    (staging / "junk").write_text("half-written", encoding="utf-8")
    assert open_index(settings).built
    assert not staging.exists()
