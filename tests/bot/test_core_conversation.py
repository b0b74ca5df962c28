"""Conversations through the real core: region memory, follow-ups, 还有呢, 再说一遍, 转人工, clarification."""

from __future__ import annotations

import itertools

from bot.dialogue.core import DialogueCore, with_topic_words
from bot.dialogue.seam import Action, Turn

_ids = itertools.count()


def new_conversation() -> str:
    return f"test-{next(_ids)}"


def test_topic_question_without_region_asks_for_it_then_answers(core: DialogueCore) -> None:
    conv = new_conversation()
    first = core.respond(Turn("老年大学怎么报名？", conv))
    assert first.action is Action.CLARIFY_REGION
    assert set(first.options) == {"涪陵", "资阳", "巫溪", "双桥", "万州"}
    second = core.respond(Turn("资阳", conv))
    assert second.action is Action.ANSWER
    assert second.region == "四川省资阳市"
    assert all(hit.region == "四川省资阳市" for hit in second.sources)
    assert "出处：《资阳规划》" in second.answer


def test_region_given_once_is_remembered(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("我是万州的", conv))
    reply = core.respond(Turn("社区养老服务站有哪些服务？", conv))
    assert reply.action is Action.ANSWER
    assert reply.region == "重庆市万州区"
    assert reply.sources and reply.sources[0].short_region == "万州"


def test_a_greeting_that_names_a_region_remembers_it(core: DialogueCore) -> None:
    conv = new_conversation()
    hello = core.respond(Turn("你好，我是巫溪的，想问点事", conv))
    assert hello.action is Action.SMALLTALK
    reply = core.respond(Turn("老年大学怎么报名？", conv))
    assert reply.action is Action.ANSWER
    assert reply.region == "重庆市巫溪县"


def test_region_from_a_town_name(core: DialogueCore) -> None:
    reply = core.respond(Turn("安岳县的敬老院有哪些？", new_conversation()))
    assert reply.region == "四川省资阳市"


def test_follow_up_inherits_topic_and_region(core: DialogueCore) -> None:
    conv = new_conversation()
    first = core.respond(Turn("双桥的老年大学有几所？", conv))
    assert first.intent == "elder_university"
    follow = core.respond(Turn("那能在网上学吗？", conv))
    assert follow.intent == "elder_university"
    assert follow.region == "河北省承德市双桥区"
    assert follow.action is Action.ANSWER


def test_ask_more_gives_the_next_passage_and_repeat_the_last_answer(core: DialogueCore) -> None:
    conv = new_conversation()
    answer = core.respond(Turn("万州的助餐服务怎么搞的？", conv))
    assert answer.action is Action.ANSWER
    more = core.respond(Turn("还有呢", conv))
    assert more.action is Action.ANSWER
    assert more.sources[0].chunk_id not in {h.chunk_id for h in answer.sources[:1]}
    again = core.respond(Turn("再说一遍", conv))
    assert again.answer == more.answer or again.answer == answer.answer


def test_handoff_is_an_action(core: DialogueCore) -> None:
    reply = core.respond(Turn("我要转人工", new_conversation()))
    assert reply.action is Action.HANDOFF
    assert "12345" in reply.answer


def test_out_of_scope_falls_back_honestly(core: DialogueCore) -> None:
    reply = core.respond(Turn("万州明天下不下雨？", new_conversation()))
    assert reply.action is Action.FALLBACK
    assert "12345" in reply.answer and not reply.sources


def test_staff_mode_compares_regions(core: DialogueCore) -> None:
    reply = core.respond(Turn("老年大学建设有什么目标？", new_conversation(), staff=True))
    assert reply.action is Action.ANSWER
    assert reply.answer.count("【") >= 2
    assert len({hit.region for hit in reply.sources}) >= 2


def test_greetings_are_short_and_kind(core: DialogueCore) -> None:
    for text, intent in (("你好", "greet"), ("谢谢你", "thanks"), ("再见", "goodbye")):
        reply = core.respond(Turn(text, new_conversation()))
        assert reply.intent == intent and reply.action is Action.SMALLTALK and len(reply.answer) < 80


def test_a_question_naming_a_region_is_answered_not_taken_for_saying_where(core: DialogueCore) -> None:
    for question in ("巫溪有没有给老人煮饭的？", "涪陵有没有管老人一日三餐的？"):
        reply = core.respond(Turn(question, new_conversation()))
        assert reply.intent != "set_region"
        assert reply.action in (Action.ANSWER, Action.FALLBACK)


def test_a_topic_named_in_no_plan_word_is_searched_by_its_plan_word() -> None:
    question = "万州有没有给老人煮饭吃的？"
    assert with_topic_words(question, question, "meal", 0.9) == f"{question} 助餐 老年食堂"
    assert with_topic_words(question, question, "meal", 0.3) == question
    assert with_topic_words(question, question, "subsidy", 0.9) == question
    assert with_topic_words("老人食堂在哪？", "老人食堂在哪？、老年食堂", "meal", 0.9) == "老人食堂在哪？"


def test_a_detail_the_plans_never_give_is_said_plainly_not_guessed(core: DialogueCore) -> None:
    for question, detail in (("资阳的老年大学几点上课？", "开放时间"), ("双桥的养老服务站电话是多少？", "电话号码")):
        reply = core.respond(Turn(question, new_conversation()))
        assert reply.action is Action.FALLBACK
        assert detail in reply.answer and "12345" in reply.answer


def test_a_question_of_a_covered_region_the_model_is_unsure_is_out_of_scope_is_read_as_a_topic(
        core: DialogueCore, monkeypatch) -> None:
    from bot.dialogue.nlu.intent import IntentPrediction

    core.warm_up()
    ranking = [("out_of_scope", 0.6), ("station", 0.3), ("greet", 0.1)]
    monkeypatch.setattr(core._classifier, "predict", lambda text: IntentPrediction("out_of_scope", 0.6, ranking))
    unsure = core.respond(Turn("万州的社区养老服务站有哪些服务？", new_conversation()))
    assert unsure.action is Action.ANSWER and unsure.intent == "station"
    sure = [("out_of_scope", 0.95), ("station", 0.05)]
    monkeypatch.setattr(core._classifier, "predict", lambda text: IntentPrediction("out_of_scope", 0.95, sure))
    assert core.respond(Turn("万州的社区养老服务站有哪些服务？", new_conversation())).action is Action.FALLBACK


def test_a_question_asked_of_a_place_outside_the_plans_is_asked_again_of_a_covered_one(core: DialogueCore) -> None:
    conv = new_conversation()
    outside = core.respond(Turn("成都的老年大学怎么报名", conv))
    assert outside.action is Action.FALLBACK and "成都" in outside.answer
    again = core.respond(Turn("那资阳呢", conv))
    assert again.action is Action.ANSWER and again.intent == "elder_university"
    assert again.region == "四川省资阳市" and "老年大学" in again.answer
    assert "成都" not in (again.understood or "")  # the place outside is not asked again


def test_a_question_whose_yes_word_the_model_hears_is_still_a_question(core: DialogueCore) -> None:
    """那六项是哪六项 holds 是, which the intent model reads as a yes; it asks which six they are."""
    conv = new_conversation()
    core.respond(Turn("双桥社区日间照料有哪些基本功能", conv))
    which = core.respond(Turn("那六项是哪六项", conv))
    assert which.action is Action.ANSWER and "生活照料" in which.answer
    for said in ("是的", "好的", "不是", "谢谢你"):
        assert core.respond(Turn(said, conv)).action is Action.SMALLTALK


def test_who_runs_it_asks_of_the_last_subject(core: DialogueCore) -> None:
    """是哪家公司来办 names nothing of its own: it asks who runs what was just asked about."""
    conv = new_conversation()
    core.respond(Turn("涪陵雨台山的康养养老院要建多少床位", conv))
    who = core.respond(Turn("是哪家公司来办", conv))
    assert who.action is Action.ANSWER and who.region == "重庆市涪陵区"
    assert "百年健康有限公司" in who.answer
