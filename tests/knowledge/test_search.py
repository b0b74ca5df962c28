"""BM25 search over the five plans: cited passages from the right region; bad queries never crash."""

from __future__ import annotations

import os
import random
from dataclasses import replace

import numpy as np
import pytest

from knowledge.retrieval.passages import Hit
from knowledge.retrieval.search import KnowledgeBase, QueryError
from knowledge.topics import TOPICS


def regions(hits: list[Hit]) -> set[str]:
    return {h.passage.region for h in hits}


def test_hits_are_cited_and_sorted(kb: KnowledgeBase) -> None:
    hits = kb.search("高龄津贴多大年纪可以领", k=5)
    assert 1 <= len(hits) <= 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        source = hit.to_source()
        assert set(source) == {"text", "title", "region", "section", "chunk_id", "score"}
        assert source["text"] and source["title"] and source["section"] and ":" in str(source["chunk_id"])
        assert hit.passage.citation.startswith("《")


@pytest.mark.parametrize(
    ("query", "region", "expected"),
    [("蔺市有没有医养结合的养老院", None, "重庆市涪陵区"), ("安岳县的敬老院", None, "四川省资阳市"),
     ("双桥区老年大学", None, "河北省承德市双桥区"), ("万州的时间银行", None, "重庆市万州区"),
     ("老年大学", "巫溪", "重庆市巫溪县"), ("助餐服务", "重庆市万州区", "重庆市万州区")],
)
def test_region_named_or_given_restricts_the_hits(
    kb: KnowledgeBase, query: str, region: str | None, expected: str
) -> None:
    hits = kb.search(query, region=region, k=5)
    assert hits and regions(hits) == {expected}


def test_search_finds_the_passage_that_answers(kb: KnowledgeBase) -> None:
    hits = kb.search("时间银行是怎么回事", region="万州", k=5)
    assert any("当下储存、未来支取" in h.passage.text for h in hits)
    hits = kb.search("长寿金", region="双桥", k=5)
    assert any("高龄津贴" in h.passage.text for h in hits)
    hits = kb.search("高灵补贴", region="万州", k=5)
    assert any("高龄" in h.passage.text for h in hits)


def test_synonym_added_words_weigh_less_than_the_users_own(kb: KnowledgeBase) -> None:
    """长寿金 adds 高龄津贴: its score is the user's words plus the expansion weight times the added words'."""
    bm25, text = kb.index.bm25, kb.index.text
    own, added = text.query_parts("长寿金怎么领")
    assert added and 0 < kb.settings.bm25_expansion_weight < 1

    def scores(expansion: float) -> np.ndarray:
        settings = replace(kb.settings, bm25_expansion_weight=expansion, bm25_character_weight=0.0)
        return KnowledgeBase(settings).query_scores("长寿金怎么领", with_dense=False).bm25

    assert scores(1.0) == pytest.approx(bm25.scores(text.terms(f"{own}、{added}")), rel=1e-5)
    assert scores(0.5) == pytest.approx(bm25.scores(text.terms(own)) + 0.5 * bm25.scores(text.terms(added)), rel=1e-5)


def test_single_characters_find_passages_when_no_word_matches(kb: KnowledgeBase) -> None:
    """浴室 is in no plan, 助浴 is: the characters reach it, and only when they weigh anything."""
    assert kb.settings.bm25_character_weight > 0
    hits = kb.search("浴室", k=2)
    assert len(hits) == 2 and all("助浴" in h.passage.text for h in hits)
    without = KnowledgeBase(replace(kb.settings, bm25_character_weight=0.0, dense_weight=0.0))
    assert without.search("浴室", k=3) == []


def test_traditional_query_finds_the_same_passages(kb: KnowledgeBase) -> None:
    simplified = [h.passage.chunk_id for h in kb.search("老年大学怎么报名", region="资阳")]
    traditional = [h.passage.chunk_id for h in kb.search("老年大學怎麼報名", region="資陽")]
    assert simplified and simplified == traditional


def test_several_regions_at_once(kb: KnowledgeBase) -> None:
    hits = kb.search("老年大学", region=["涪陵", "双桥"], k=10)
    assert regions(hits) <= {"重庆市涪陵区", "河北省承德市双桥区"} and len(regions(hits)) == 2


def test_unknown_region_is_a_clear_query_error(kb: KnowledgeBase) -> None:
    with pytest.raises(QueryError, match="不认识的地区：火星"):
        kb.search("高龄津贴", region="火星")


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_query_error(kb: KnowledgeBase, query: str) -> None:
    with pytest.raises(QueryError, match="空"):
        kb.search(query)


_RNG = random.Random(7)
LATIN1_JUNK = bytes(_RNG.randrange(256) for _ in range(300)).decode("latin-1")


def junk() -> list[object]:
    return [
        pytest.param("😀😀🎉👍", id="emoji"),
        pytest.param(LATIN1_JUNK, id="latin1-bytes-with-digits"),
        pytest.param(bytes(range(256)).decode("utf-8", errors="replace"), id="invalid-utf8"),
        pytest.param(os.urandom(64).hex(), id="hex"),
        pytest.param("\x00\x01\x02\x7f", id="control"),
        pytest.param("How do I apply for the old age allowance?", id="english"),
        pytest.param("？？？！！！", id="punctuation"),
    ]


@pytest.mark.parametrize("query", junk())
def test_junk_queries_return_nothing_or_a_clear_error(kb: KnowledgeBase, query: str) -> None:
    try:
        hits = kb.search(query)
    except QueryError as error:
        assert str(error)
    else:
        assert hits == []


def test_a_huge_query_is_answered_quickly_and_without_error(kb: KnowledgeBase) -> None:
    huge = "我想问一下高龄津贴怎么领取，" * 8000  # ~110 KB
    assert len(huge.encode()) > 100_000
    hits = kb.search(huge, k=3)
    assert len(hits) <= 3


def test_k_is_bounded(kb: KnowledgeBase) -> None:
    assert len(kb.search("养老服务", k=0)) == 1
    assert len(kb.search("养老服务", k=10_000)) <= 50


def test_search_by_topic_keeps_passages_about_it(kb: KnowledgeBase) -> None:
    hits = kb.search("建设", k=5, topic="meal")
    assert hits and all(TOPICS["meal"].about(hit.passage.text) for hit in hits)
    with pytest.raises(QueryError):
        kb.search("建设", topic="weather")
