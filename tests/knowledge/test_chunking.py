"""Passages: offsets into the cleaned text, stable and unique chunk ids, sentence windows of sensible size."""

from __future__ import annotations

import re

import pytest

from knowledge.ingest.chunking import ChunkingSettings, chunk_plan, sentence_windows, split_sentences
from knowledge.ingest.corpus import PlanText
from knowledge.retrieval.passages import Passage

PLANS = ["涪陵", "资阳", "巫溪", "双桥", "万州"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", PLANS)
def test_offsets_point_at_the_passage_text(name: str, chunked: dict[str, tuple[str, list[Passage]]]) -> None:
    cleaned, passages = chunked[name]
    assert passages
    for passage in passages:
        assert 0 <= passage.start < passage.end <= len(cleaned)
        assert squeeze(passage.text) in squeeze(cleaned[passage.start : passage.end])


@pytest.mark.parametrize("name", PLANS)
def test_chunk_ids_are_unique_and_stable_across_builds(name: str, plan_texts: dict[str, PlanText]) -> None:
    plan = plan_texts[name]
    first = [p.chunk_id for p in chunk_plan(plan.plan, plan.raw)[1]]
    second = [p.chunk_id for p in chunk_plan(plan.plan, plan.raw)[1]]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(cid.startswith(plan.plan.file.removesuffix(".txt") + ":") for cid in first)


def test_chunk_id_of_a_passage_survives_an_edit_elsewhere(plan_texts: dict[str, PlanText]) -> None:
    plan = plan_texts["巫溪"]
    before = {p.text: p.chunk_id for p in chunk_plan(plan.plan, plan.raw)[1]}
    edited = plan.raw.replace("（十八）营造友好环境。", "（十八）营造友好环境。新增一句话。")
    after = {p.text: p.chunk_id for p in chunk_plan(plan.plan, edited)[1]}
    unchanged = [text for text in before if text in after]
    assert len(unchanged) >= len(before) - 2
    assert all(before[text] == after[text] for text in unchanged)


@pytest.mark.parametrize("name", PLANS)
def test_passages_carry_citation_fields(name: str, chunked: dict[str, tuple[str, list[Passage]]]) -> None:
    settings = ChunkingSettings()
    for passage in chunked[name][1]:
        assert passage.title and passage.region and passage.section
        assert passage.kind in ("paragraph", "table_row")
        if passage.kind == "paragraph":
            assert len(passage.text) <= settings.max_chars or "。" not in passage.text[: settings.max_chars]


def test_table_rows_are_passages_of_their_own(chunked: dict[str, tuple[str, list[Passage]]]) -> None:
    rows = [p for p in chunked["巫溪"][1] if p.kind == "table_row"]
    assert len(rows) == 22
    assert all(p.section == "附件 养老托育服务健康发展主要指标" for p in rows)


def test_sentence_windows_cover_long_paragraphs_with_overlap() -> None:
    settings = ChunkingSettings(target_chars=40, max_chars=60, min_chars=10)
    text = "".join(f"第{n}句话讲的是一件养老服务的事情。" for n in range(1, 9))
    spans = list(sentence_windows(text, settings))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(end - start <= 60 for start, end in spans)
    assert all(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))
    assert split_sentences("一句。二句！三句？“四句。”") == ["一句。", "二句！", "三句？", "“四句。”"]
