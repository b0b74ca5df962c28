"""Follow-ups resolved against the conversation into a standalone question (`Reply.understood`), places by any
name, and spoken or dialect text — phrasings of our own."""

from __future__ import annotations

import itertools

from bot.dialogue.core import DialogueCore
from bot.dialogue.seam import Action, Turn
from knowledge.text.spoken_forms import SpokenForms

_ids = itertools.count()


def new_conversation() -> str:
    return f"follow-{next(_ids)}"


def test_region_switch_asks_the_last_question_there(core: DialogueCore) -> None:
    conv = new_conversation()
    first = core.respond(Turn("万州的养老服务站有哪些服务？", conv))
    assert first.action is Action.ANSWER and first.region == "重庆市万州区"
    switched = core.respond(Turn("那资阳呢？", conv))
    assert switched.region == "四川省资阳市"
    assert "养老服务站" in switched.understood and "资阳" in switched.understood
    assert switched.action is not Action.SMALLTALK, "the question is kept, not dropped"


def test_group_switch_puts_the_new_group_in_place_of_the_old(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("资阳六十五岁以上的老人有多少？", conv))
    switched = core.respond(Turn("七十岁以上的呢？", conv))
    assert "70岁以上" in switched.understood and "65岁" not in switched.understood
    assert switched.region == "四川省资阳市"


def test_question_about_the_subject_of_the_last_answer(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("涪陵的互助养老点是怎么回事？", conv))
    about = core.respond(Turn("这个都提供些啥？", conv))
    assert "互助养老" in about.understood, about.understood
    assert about.region == "重庆市涪陵区"


def test_region_after_clarification_answers_the_waiting_question(core: DialogueCore) -> None:
    conv = new_conversation()
    assert core.respond(Turn("护理补贴怎么申请？", conv)).action is Action.CLARIFY_REGION
    answered = core.respond(Turn("我在巫溪", conv))
    assert answered.region == "重庆市巫溪县" and "护理补贴" in answered.understood


def test_more_then_repeat_repeats_the_more(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("双桥的养老服务中心有哪些服务？", conv))
    more = core.respond(Turn("还有吗", conv))
    again = core.respond(Turn("没听清楚，再讲一次", conv))
    assert again.intent == "repeat" and again.answer == more.answer


def test_a_city_with_several_regions_asks_among_them(core: DialogueCore) -> None:
    reply = core.respond(Turn("重庆的高龄津贴怎么领？", new_conversation()))
    assert reply.action is Action.CLARIFY_REGION
    assert set(reply.options) == {"涪陵", "巫溪", "万州"}


def test_a_place_outside_the_plans_is_said_so(core: DialogueCore) -> None:
    reply = core.respond(Turn("西安的老年食堂在哪里？", new_conversation()))
    assert reply.action is Action.FALLBACK and "西安" in reply.answer and "万州" in reply.answer


def test_a_place_written_by_sound_is_the_region(core: DialogueCore) -> None:
    reply = core.respond(Turn("万洲的老年大学在哪里？", new_conversation()))
    assert reply.region == "重庆市万州区"


def test_a_word_that_only_sounds_like_a_place_names_no_region(core: DialogueCore) -> None:
    reply = core.respond(Turn("福利院的床位怎么申请？", new_conversation()))
    assert reply.region is None


def test_hotline_text_loses_its_fillers_and_greeting() -> None:
    written, greeted = SpokenForms.load().written("喂 您好 我想问一下 那个 嗯 老年大学 怎么报名")
    assert greeted and "嗯" not in written and "那个" not in written and "老年大学" in written


def test_dialect_words_become_written_ones() -> None:
    written, _ = SpokenForms.load().written("俺屋头老汉儿想晓得养老院咋个收费")
    assert written == "我家里父亲想知道养老院怎么收费"


def test_a_greeting_alone_stays_a_greeting(core: DialogueCore) -> None:
    assert core.respond(Turn("喂 您好", new_conversation())).intent == "greet"


def test_hotline_question_after_a_greeting_is_answered_not_greeted(core: DialogueCore) -> None:
    reply = core.respond(Turn("喂 你好 我问一下 万州 老年食堂 在哪里", new_conversation()))
    assert reply.intent != "greet" and reply.region == "重庆市万州区"


def test_a_follow_up_that_finds_nothing_alone_is_read_with_the_last_subject(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("双桥的日间照料中心怎么收费？", conv))
    count = core.respond(Turn("哦 计划是要建好多家呀", conv))
    assert "日间照料" in count.understood and count.region == "河北省承德市双桥区", count.understood
    # 双桥's plan counts the stations it has (58个) and sets a standard (一社区一站), but plans no number: an
    # answer, or the honest "no number" — never smalltalk or a question about something else
    assert count.action is Action.ANSWER or "没有写具体的数目" in count.answer, count.answer


def test_a_follow_up_about_something_else_is_not_answered_from_the_last_subject(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("万州高龄津贴怎么领？", conv))
    weather = core.respond(Turn("顺带问一下明天下不下雨，要不要带伞", conv))
    assert weather.action is Action.FALLBACK


def test_a_follow_up_asking_only_who_pays_is_about_the_last_subject(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("涪陵的日间照料中心是干啥的？", conv))
    cost = core.respond(Turn("费用哪个出？", conv))
    assert "日间照料中心" in cost.understood, cost.understood
    assert cost.region == "重庆市涪陵区"


def test_a_follow_up_asking_who_gets_it_first_is_about_the_last_subject(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("资阳家里搞室老化改造有补贴没？", conv))
    first = core.respond(Turn("哪些人家能先排上？要自己掏钱不？", conv))
    assert "适老化改造" in first.understood, first.understood
    assert first.action is Action.ANSWER and "适老化" in first.answer


def test_a_group_switch_is_put_in_place_of_the_old_group(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("巫溪公办养老院有多少床位？", conv))
    switched = core.respond(Turn("民办的呢", conv))
    assert "民办养老院" in switched.understood and "公办" not in switched.understood
    assert "呢" not in switched.understood, "the fragment says nothing more than the group: it is not added"


def test_whether_it_charges_is_answered_only_by_what_the_plan_says_of_charges(core: DialogueCore) -> None:
    stated = core.respond(Turn("资阳的老年大学收不收学费？", new_conversation()))
    assert stated.action is Action.ANSWER and "免" in stated.answer
    unsaid = core.respond(Turn("巫溪的老年大学免不免费？", new_conversation()))
    assert unsaid.action is Action.FALLBACK


def test_a_follow_up_naming_its_own_thing_is_read_alone_when_the_subject_hides_it(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("巫溪的养老服务信息平台是干啥的？", conv))
    call = core.respond(Turn("那种摔倒了一按就能呼叫的设备有没有？", conv))
    assert call.action is Action.ANSWER and "呼叫" in call.answer


def test_a_switch_to_another_kind_of_operator_is_asked_not_taken_for_agreement(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("涪陵私立养老院的收费谁说了算？", conv))
    switched = core.respond(Turn("公立的呢", conv))
    assert switched.action is Action.ANSWER and "公立" in switched.understood and "私立" not in switched.understood
    assert "政府定价" in switched.answer, "公立 is read as the plans' 政府运营"
    assert core.respond(Turn("好的呢", conv)).intent == "affirm"


def test_a_region_alone_after_an_answer_asks_the_last_question_there(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("万州的老年大学怎么报名？", conv))
    corrected = core.respond(Turn("我是问巫溪的", conv))
    assert corrected.region == "重庆市巫溪县" and corrected.action is not Action.SMALLTALK
    assert "老年大学" in corrected.understood and "巫溪" in corrected.understood
    by_sound = core.respond(Turn("双乔有没有？", conv))
    assert by_sound.region == "河北省承德市双桥区" and "老年大学" in by_sound.understood


def test_a_switch_said_with_huan_cheng_keeps_the_question(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("资阳的日间照料中心有哪些服务？", conv))
    switched = core.respond(Turn("换成万州的话呢？", conv))
    assert switched.region == "重庆市万州区"
    assert "日间照料中心" in switched.understood and "换成" not in switched.understood


def test_a_switch_to_another_subsidy_replaces_the_subsidy_asked_about(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("万州九十岁的老人，高龄津贴怎么申请？", conv))
    switched = core.respond(Turn("好的，那护理补贴呢？", conv))
    assert "护理补贴" in switched.understood and "高龄津贴" not in switched.understood
    assert "好的" not in switched.understood and switched.region == "重庆市万州区"
