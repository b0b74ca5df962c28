"""Sentence scoring and the extractive composer, on hand-made passages (no index needed)."""

from __future__ import annotations

from bot.dialogue.clauses import clauses
from bot.dialogue.composer import AnswerComposer
from bot.dialogue.relevance import AskedFor
from bot.dialogue.scoring import (
    TOPIC_FACTOR,
    SentenceScorer,
    average_sentence_length,
    figures_said,
    term_weights,
)
from knowledge.retrieval.passages import Hit, Passage

RARITY = {"学费": 6.0, "老年大学": 4.0, "大学": 3.5, "老年": 0.5, "补贴": 2.5, "护理员": 3.5, "养老护理员": 3.8, "护理": 1.9}


def weigh(word: str) -> float:
    return RARITY.get(word, 0.0)


def passage(text: str, chunk_id: str = "c1") -> Passage:
    return Passage(
        chunk_id=chunk_id, text=text, doc="plan.txt", title="某区养老规划", region="重庆市某区",
        short_region="某区", section="第一章 › 第一节", start=0, end=len(text),
    )


def test_bigrams_weigh_a_share_of_a_word() -> None:
    weights = term_weights(["老年大学", "_大学"], weigh)
    assert weights["老年大学"] == 4.0
    assert weights["大学"] == 0.3 * 3.5


def test_a_rare_word_beats_a_long_sentence_of_common_ones() -> None:
    scorer = SentenceScorer(["老年大学", "学费", "老年"], weigh, average_length=20)
    fee = "对70周岁以上老年人入学，免收学费。"
    long_general = "推动老年大学向基层延伸，优先发展社区老年教育，支持社会力量举办老年大学，扩大老年教育资源供给。"
    assert scorer.score(fee) > scorer.score(long_general)


def test_length_norm_penalises_long_sentences_but_gives_fragments_no_bonus() -> None:
    scorer = SentenceScorer(["补贴"], weigh, b=0.5, average_length=10)
    assert scorer.score("落实补贴。") == scorer.score("落实护理员补贴制度。")
    assert scorer.score("落实补贴。") > scorer.score("落实补贴，并按规定对新进入机构的学生分别发放入职补贴。")


def test_a_sentence_stating_the_asked_kind_of_fact_scores_more() -> None:
    asked = SentenceScorer(["补贴"], weigh, AskedFor.LIST, average_length=30)
    plain = SentenceScorer(["补贴"], weigh, AskedFor.NONE, average_length=30)
    listing = "建立入职补贴、工龄补贴、培训补贴等制度。"
    assert asked.score(listing) == 1.5 * plain.score(listing)


def test_a_word_inside_a_longer_matched_word_counts_once_for_quoting_but_adds_for_ranking() -> None:
    scorer = SentenceScorer(["养老护理员", "护理员", "护理", "补贴"], weigh, average_length=30)
    assert scorer.matched_weights("促进养老护理员工资合理增长。") == {"养老护理员": 3.8}
    nested = "促进养老护理员工资合理增长。"
    both = "落实护理员补贴。"
    # quoting: the sentence naming both things the question asks beats the one naming one thing at length
    assert scorer.score(both) > scorer.score(nested)
    # ranking: the exact long phrase still weighs as its parts too
    assert scorer.ranking_score(nested) > scorer.ranking_score(both)
    assert scorer.ranking_score(nested) == scorer.score(nested) * (3.8 + 3.5 + 1.9) / 3.8


def test_average_sentence_length() -> None:
    assert average_sentence_length(["一二三。一二三四五。"]) == 5.0  # sentences keep their closing 。
    assert average_sentence_length([]) == 40.0


def test_composer_answers_best_sentence_first_cites_and_drops_repeats() -> None:
    first = passage("推动老年大学向基层延伸。对70周岁以上老年人入学，免收学费。", "a")
    second = passage("对70周岁以上老年人入学，免收学费，鼓励社会力量参与。", "b")
    scorer = SentenceScorer(["老年大学", "学费"], weigh, AskedFor.FEE, average_length=20)
    composed = AnswerComposer().compose(scorer, [Hit(first, 2.0), Hit(second, 1.0)])
    assert composed is not None
    assert composed.sentences[0] == "对70周岁以上老年人入学，免收学费。"
    assert sum("免收学费" in s for s in composed.sentences) == 1
    assert "出处：《某区规划》" in composed.text  # seniors: short plan name and section numbers
    assert composed.speech.startswith("某区的规划里说")


def test_composer_says_nothing_when_no_sentence_shares_a_word() -> None:
    scorer = SentenceScorer(["火车票"], weigh)
    assert AnswerComposer().compose(scorer, [Hit(passage("推动老年大学向基层延伸。"), 1.0)]) is None


def test_each_part_of_a_two_part_question_gets_its_best_sentence() -> None:
    hit = Hit(passage("时间银行借鉴银行存兑模式，当下储存。志愿者攒的时间可以兑物品、兑服务。时间银行试点在全区推开。"), 1.0)
    rarity = {"时间银行": 5.0, "兑物品": 4.0, "志愿者": 3.0, "时间": 1.0}
    weigh = rarity.get
    whole = SentenceScorer(["时间银行", "志愿者", "时间"], lambda w: weigh(w, 0.0), average_length=15)
    second = SentenceScorer(["志愿者", "时间"], lambda w: weigh(w, 0.0), AskedFor.LIST, average_length=15,
                            context_terms=["时间银行"])
    composer = AnswerComposer(max_sentences=2)
    alone = composer.compose(whole, [hit])
    both = composer.compose(whole, [hit], facets=[second])
    assert alone is not None and both is not None
    assert not any("兑物品" in s for s in alone.sentences)
    assert any("兑物品" in s for s in both.sentences)


def test_a_heading_brings_the_sentence_it_introduces() -> None:
    hit = Hit(passage("5.关停并撤一批农村敬老院。对入住率低的17所农村敬老院进行关停并撤。推进城乡养老服务一体化。"), 1.0)
    scorer = SentenceScorer(["敬老院", "关停"], lambda w: {"敬老院": 3.0, "关停": 4.0}.get(w, 0.0),
                            average_length=40)
    composed = AnswerComposer(max_sentences=1).compose(scorer, [hit])
    assert composed is not None
    assert composed.sentences == ("关停并撤一批农村敬老院。", "对入住率低的17所农村敬老院进行关停并撤。")


def test_a_topics_plan_words_added_to_the_search_weigh_less_than_the_questions_own_words() -> None:
    weights = {"养老院": 3.5, "养老服务站": 3.5}
    scorer = SentenceScorer(["养老院"], lambda w: weights.get(w, 0.0), context_terms=["养老服务站"],
                            context_factor=TOPIC_FACTOR)
    own = "全县共有养老院47家，床位2340张。"
    topic = "已建成社区养老服务站37个，覆盖全部城镇社区。"
    assert scorer.score(own) > 2 * scorer.score(topic) > 0


def test_a_figure_the_question_says_picks_the_sentence_with_it() -> None:
    question = "我们镇上住了2万多人，会不会多建养老服务站"
    assert figures_said(question) == ["2万"]
    assert figures_said("每月发100元吗") == []  # a bare amount is not a figure with its magnitude
    rarity = {"养老服务站": 3.0, "2万": 5.0}
    scorer = SentenceScorer(["养老服务站", *figures_said(question)], lambda w: rarity.get(w, 0.0), average_length=30)
    with_figure = "常住人口2万人以上的镇，增设养老服务站。"
    without = "各镇建成养老服务站，提供助餐服务。"
    assert scorer.score(with_figure) > scorer.score(without)


def test_a_comma_inside_quotation_marks_or_brackets_closes_no_clause() -> None:
    sentence = "按照“一镇一中心，一村一站”标准，建设服务设施（含助餐，助浴），覆盖所有村。"
    assert clauses(sentence) == ["按照“一镇一中心，一村一站”标准，", "建设服务设施（含助餐，助浴），", "覆盖所有村。"]


def test_parts_of_a_word_count_no_more_than_the_word_itself() -> None:
    rarity = {"互助养老点": 5.0, "互助": 2.7, "助养": 3.4, "养老": 0.1, "上门来": 0.0, "上门": 3.0}
    scorer = SentenceScorer(["互助养老点", "互助", "助养", "养老"], lambda w: rarity.get(w, 0.0), average_length=20)
    whole = "每个村设置1个互助养老点。"
    part = "发展特色可持续的互助养老服务。"
    assert scorer.score(whole) > scorer.score(part) > 0
    assert abs(sum(scorer.matched_weights(part).values()) - 5.0 * 4 / 5) < 1e-9  # 互助养老: 4 of its 5 characters
    # a word no plan uses (a guess of segmentation) does not hold back the plan word inside it
    guessed = SentenceScorer(["上门来", "上门"], lambda w: rarity.get(w, 0.0), average_length=20)
    assert guessed.matched_weights("为老年人提供上门服务。") == {"上门": 3.0}
