"""Labelled queries for measuring retrieval: the eval file's hit rule, its item filter, and section-title
queries made from the plans; figures for BM25 alone on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from small_plans import write_small_plans

from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings
from knowledge.tuning.calibration import (
    collect_scores,
    eval_file_queries,
    evidence_in,
    retrieval_report,
    section_title_queries,
)
from knowledge.tuning.finetune import domain_pairs, section_title


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("calibration")
    settings = KnowledgeSettings(
        plans_dir=write_small_plans(root / "plans"), index_dir=root / "index", models_dir=root / "models"
    )
    base = KnowledgeBase(settings)
    base.warm_up()
    return base


def test_evidence_rule_ignores_spaces_and_accepts_long_overlaps() -> None:
    passage = "对80周岁以上老年人按月发放高龄津贴，90周岁以上老年人提高发放标准。"
    assert evidence_in("按月发放 高龄津贴", passage)
    assert evidence_in("对80周岁以上老年人按月发放高龄补贴和护理补贴", passage)  # long shared run
    assert not evidence_in("老年大学", passage)
    assert not evidence_in("", passage)


def test_eval_file_keeps_answerable_region_free_items(kb: KnowledgeBase, tmp_path: Path) -> None:
    items = [
        {"question": "涪陵高龄津贴怎么发", "intent": "subsidy", "answerable": True, "needs_region": False,
         "evidence": ["按月发放高龄津贴"]},
        {"question": "高龄津贴怎么发", "intent": "subsidy", "answerable": True, "needs_region": True,
         "evidence": ["按月发放高龄津贴"]},
        {"question": "天气怎么样", "intent": "out_of_scope", "answerable": False, "needs_region": False,
         "evidence": []},
        {"question": "你好", "intent": "greet", "answerable": True, "needs_region": False, "evidence": []},
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    queries = eval_file_queries(path, kb.index.store)
    assert [q.question for q in queries] == ["涪陵高龄津贴怎么发"]
    (row,) = queries[0].relevant
    assert "按月发放高龄津贴" in kb.index.store.passages[row].text
    report = retrieval_report(collect_scores(kb, queries), queries, 0.0)
    assert report.queries == 1 and report.bm25.recall_at_1 == 1.0 and (report.dense is None) == (kb.index.dense is None)


def test_section_titles_become_queries_for_their_passages(kb: KnowledgeBase) -> None:
    queries = section_title_queries(kb.index.store, every=1)
    store = kb.index.store
    assert queries
    for query in queries:
        assert query.relevant and query.region in store.regions
        assert all(section_title(store.passages[row].section) == query.question for row in query.relevant)
        assert not query.question.startswith(("一、", "（", "第"))


def test_domain_pairs_come_from_nlu_synonyms_and_plans(kb: KnowledgeBase) -> None:
    pairs = domain_pairs(kb.index.store)
    kinds = {p.source for p in pairs}
    assert {"nlu", "synonym", "heading"} <= kinds
    assert all(p.anchor.strip() and p.positive.strip() for p in pairs)
    assert not any("](" in p.anchor for p in pairs if p.source == "nlu")  # entity markup removed
    assert domain_pairs(kb.index.store) == pairs  # seeded: the same pairs every build
