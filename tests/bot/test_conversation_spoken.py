"""Follow-ups as people say them: dialect sentence-final particles in a region switch, Traditional characters,
an acknowledgement or hotline fillers before the question, a follow-up naming only an aspect or a relative —
phrasings of our own."""

from __future__ import annotations

import itertools

import pytest

from bot.dialogue.core import DialogueCore
from bot.dialogue.seam import Action, Turn
from knowledge.text.spoken_forms import SpokenForms

_ids = itertools.count()


def new_conversation() -> str:
    return f"spoken-{next(_ids)}"


@pytest.mark.parametrize(
    ("switch", "region"),
    [("那巫溪嘞", "重庆市巫溪县"), ("那资阳咧？", "四川省资阳市"), ("那双桥喃", "河北省承德市双桥区"),
     ("涪陵噻？", "重庆市涪陵区")],
)
def test_a_region_switch_ending_in_a_dialect_particle_keeps_the_question(
        core: DialogueCore, switch: str, region: str) -> None:
    conv = new_conversation()
    core.respond(Turn("万州的老年大学开了哪些课？", conv))
    switched = core.respond(Turn(switch, conv))
    assert switched.region == region and "老年大学" in switched.understood, switched.understood
    assert switched.action is not Action.SMALLTALK


def test_a_switch_in_traditional_characters_keeps_the_subject(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("巫溪的養老服務站有幾個？", conv))
    switched = core.respond(Turn("那萬州是哪幾個？", conv))
    assert switched.region == "重庆市万州区" and "养老服务站" in switched.understood, switched.understood


def test_an_acknowledgement_before_a_question_is_not_the_turn(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("万州有没得护理补贴？", conv))
    asked = core.respond(Turn("要得，那咋个申请嘛", conv))
    assert asked.action is not Action.SMALLTALK and "护理补贴" in asked.understood, asked
    thanked = core.respond(Turn("好的，谢谢你", conv))
    assert thanked.action is Action.SMALLTALK  # agreement and thanks alone are still smalltalk


def test_hotline_fillers_before_a_question_of_aspect_words_alone(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("涪陵的社区养老服务站有多少个？", conv))
    asked = core.respond(Turn("喂 嗯 就是那个 一年建几个嘛", conv))
    assert asked.intent == "station" and "养老服务站" in asked.understood, asked


@pytest.mark.parametrize("follow_up", ["要准备啥子材料", "俺老伴也能领不", "啥时候开始发"])
def test_a_follow_up_naming_only_an_aspect_or_a_relative_takes_the_last_subject(
        core: DialogueCore, follow_up: str) -> None:
    conv = new_conversation()
    core.respond(Turn("资阳的高龄津贴是啥子？", conv))
    asked = core.respond(Turn(follow_up, conv))
    assert asked.intent == "subsidy" and "高龄津贴" in asked.understood, asked
    assert asked.region == "四川省资阳市"


def test_a_new_subject_containing_an_aspect_word_is_read_alone(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("双桥的护理补贴怎么领？", conv))
    asked = core.respond(Turn("老年大学在哪里报名？", conv))
    assert "护理补贴" not in asked.understood, asked.understood  # 老年大学 is a subject, not 老年 + 大学


def test_a_near_sound_typo_of_a_plan_word_is_understood(core: DialogueCore) -> None:
    reply = core.respond(Turn("万州的老年食谈在哪里？", new_conversation()))
    assert "老年食堂" in reply.understood and reply.intent == "meal", reply


@pytest.mark.parametrize("switch", ["双桥又是啥情况", "那资阳那边咋样？"])
def test_how_about_a_region_asks_the_last_question_there(core: DialogueCore, switch: str) -> None:
    conv = new_conversation()
    core.respond(Turn("涪陵的日间照料中心有哪些服务？", conv))
    switched = core.respond(Turn(switch, conv))
    assert switched.region in ("河北省承德市双桥区", "四川省资阳市")
    assert "日间照料中心" in switched.understood and "情况" not in switched.understood, switched.understood


def test_a_switch_drops_the_clause_that_only_said_where_someone_was(core: DialogueCore) -> None:
    conv = new_conversation()
    core.respond(Turn("我妈在万州，她想去老年大学，怎么报名？", conv))
    switched = core.respond(Turn("那巫溪的呢？", conv))
    assert switched.region == "重庆市巫溪县" and "老年大学" in switched.understood
    assert "我妈在" not in switched.understood, switched.understood


@pytest.mark.parametrize(
    ("said", "written"),
    [("问一哈，助餐点相因不", "问一下，助餐点便宜不"),  # 重庆/四川
     ("我老妈儿腿脚不利索，晌午饭咋子弄", "我母亲行动不便，午饭怎么弄"),
     ("俺老伴儿搁家不得劲，想找个大夫", "我老伴在家不舒服，想找个医生")],  # northern
)
def test_dialect_words_are_read_as_mandarin(said: str, written: str) -> None:
    assert SpokenForms.load().written(said)[0] == written
