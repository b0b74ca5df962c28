"""Two forms of an answer (seniors: the clauses that answer, a short citation; staff: whole sentences, full path),
plain table rows, no stray heading numbers."""

from __future__ import annotations

from bot.dialogue.clauses import answering_span, clean_sentence, table_row_sentences
from bot.dialogue.composer import AnswerComposer
from bot.dialogue.core import DialogueCore
from bot.dialogue.relevance import AskedFor, holds
from bot.dialogue.scoring import SentenceScorer
from bot.dialogue.seam import Action, Turn
from knowledge.retrieval.passages import Hit, Passage, section_numbers, short_plan_name


def passage(text: str, kind: str = "paragraph") -> Passage:
    return Passage("p:1", text, "p.txt", "重庆市万州区居家和社区养老服务改革试点工作实施方案", "重庆市万州区", "万州",
                   "二、试点工作任务 › （二）关爱困境老人 › 5. 健全养老服务补贴和高龄补贴制度", 0, len(text), kind)


def test_short_citation_is_plan_name_and_section_numbers() -> None:
    assert passage("文字。").short_citation == "《万州方案》二、(二)5."
    assert short_plan_name("重庆市涪陵区养老事业发展“十四五”规划（2021—2025年）", "涪陵") == "涪陵规划"
    assert section_numbers("第四章 优化 › 第二节 提高 › 专栏2 养老 › 5. 关停") == "第四章第二节专栏2 5."


def test_heading_numbers_are_left_out() -> None:
    assert clean_sentence("5.\n健全养老服务补贴和高龄补贴制度。") == "健全养老服务补贴和高龄补贴制度。"
    assert clean_sentence("到2025年，建成1所老年大学。") == "到2025年，建成1所老年大学。"
    assert clean_sentence("加强监管（责任单位：区民政局）。") == "加强监管。"
    assert "责任单位" in clean_sentence("加强监管（责任单位：区民政局）。", staff=True)


def test_table_rows_read_as_plain_sentences() -> None:
    row = "养老托育服务健康发展主要指标：序号：16；指标：老年大学覆盖面；2021年目标值：1；指标性质：预期性；2025年完成值：1"
    assert table_row_sentences(row) == ["老年大学覆盖面，2021年目标值：1，2025年完成值：1。"]
    prose = "任务分工表：序号：5；工作任务：关爱困境老人。；具体内容：健全补贴制度。将90周岁及以上的低收入老年人纳入高龄津贴发放范围。；完成时限：2020年"
    assert "将90周岁及以上的低收入老年人纳入高龄津贴发放范围。" in table_row_sentences(prose)
    assert not any("序号" in s for s in table_row_sentences(prose))


def test_a_long_sentence_is_cut_to_the_clauses_that_answer() -> None:
    sentence = ("将城乡低保对象、特困人员中年满60周岁且生活不能自理的失能失智老年人和城乡低保对象、特困人员中年满80周岁的"
                "老年人纳入基本公共养老服务保障范围，将90周岁及以上的低收入老年人纳入高龄津贴发放范围。")
    scorer = SentenceScorer(["高龄津贴", "岁数"], lambda w: {"高龄津贴": 5.0}.get(w, 0.0), AskedFor.AGE,
                            average_length=40)
    span = answering_span(sentence, scorer.score, 60)
    assert span == "将90周岁及以上的低收入老年人纳入高龄津贴发放范围。"


def test_the_clause_stating_the_fact_next_to_the_one_naming_the_subject_leads() -> None:
    sentence = ("鼓励各街道培育一批助餐志愿者队伍，为就餐的人提供送餐、代买代购、陪同就医等帮扶，"
                "对行动不便的老人开展助浴、助洁、理发、修脚等上门服务，并逐步建立服务评价和回访制度。")
    weights = {"志愿者": 5.0, "上门": 1.0}
    scorer = SentenceScorer(["志愿者", "上门", "啥"], lambda w: weights.get(w, 0.0), AskedFor.LIST, average_length=40)
    span = answering_span(sentence, scorer.score, 60, lambda text: holds(AskedFor.LIST, text))
    assert span.startswith("鼓励各街道培育一批助餐志愿者队伍，为就餐的人提供送餐、代买代购、陪同就医等帮扶")


def test_staff_get_whole_sentences_and_the_full_path() -> None:
    text = "将生活不能自理特困人员每月200-300元的照料护理补贴，调整为通过发放居家社区养老消费券的方式，用于购买居家养老服务。"
    scorer = SentenceScorer(["护理补贴", "每月"], lambda w: {"护理补贴": 5.0, "每月": 2.0}.get(w, 0.0), AskedFor.MONEY, average_length=40)
    hit = Hit(passage(text), 1.0)
    senior = AnswerComposer().compose(scorer, [hit])
    staff = AnswerComposer().compose(scorer, [hit], staff=True)
    assert senior is not None and staff is not None
    assert "出处：《万州方案》二、(二)5." in senior.text
    assert "出处：《重庆市万州区居家和社区养老服务改革试点工作实施方案》 · 二、试点工作任务" in staff.text
    assert staff.sentences == (text,)
    assert "200-300元" in senior.text and len(senior.speech) <= 80


def test_core_staff_flag_gives_the_full_section_path(core: DialogueCore) -> None:
    senior = core.respond(Turn("万州高龄津贴多大岁数能领？"))
    staff = core.respond(Turn("万州高龄津贴多大岁数能领？", staff=True))
    if senior.action is Action.ANSWER and staff.action is Action.ANSWER and not senior.answer.startswith("规划里提到"):
        assert " › " not in senior.answer and " › " in staff.answer
        assert len(senior.speech) <= 80


def test_a_detail_the_plans_do_not_give_is_said_first_then_what_they_do_say(core: DialogueCore) -> None:
    reply = core.respond(Turn("涪陵申请养老服务补贴要带哪些证件，去哪个窗口办？"))
    if reply.region is not None:
        assert reply.action is Action.FALLBACK
        first, *rest = reply.answer.split("\n")
        assert "没有写" in first and "12345" in first
        assert any(line.startswith("出处：") for line in rest)
        assert "规划里相关" not in reply.speech


def test_words_segmentation_only_guessed_weigh_little() -> None:
    from bot.dialogue.relevance import GUESSED_WORD_WEIGHT, TermRarity

    rarity = TermRarity(["互助点有五个", "养老", "助餐", "互助"], known=lambda w: w != "点有")
    assert rarity.weight("点有") <= GUESSED_WORD_WEIGHT < TermRarity(["互助点有五个", "养老", "助餐"]).weight("点有")
