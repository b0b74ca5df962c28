"""Place questions through the real core: facilities the plans name, each cited by its passage."""

from __future__ import annotations

from bot.admin.evaluation import norm
from bot.dialogue.core import DialogueCore
from bot.dialogue.seam import Action, Turn


def test_town_question_lists_facilities_with_their_plan_passages(core: DialogueCore) -> None:
    reply = core.respond(Turn("蔺市附近有养老院吗？", "place-1"))
    assert reply.action is Action.ANSWER and reply.region == "重庆市涪陵区"
    listed = [line for line in reply.answer.splitlines() if line.startswith("· ")]
    assert listed
    cited = norm("".join(hit.text for hit in reply.sources))
    for line in listed:
        name = line[2:].split("（")[0]
        assert name[:2] in cited
    assert "出处：" in reply.answer


def test_meal_points_of_a_region_are_named(core: DialogueCore) -> None:
    reply = core.respond(Turn("资阳哪些社区有老年助餐点？", "place-2"))
    assert reply.action is Action.ANSWER
    assert "雁中社区" in reply.answer


def test_a_place_without_listed_facilities_says_so_then_gives_the_plan(core: DialogueCore) -> None:
    reply = core.respond(Turn("安岳有没有老年食堂？", "place-3"))
    assert reply.action is Action.ANSWER
    assert "没有列出" in reply.answer and "出处：" in reply.answer


def test_a_place_the_plans_list_nothing_for_says_whose_plan_once_in_speech(core: DialogueCore) -> None:
    reply = core.respond(Turn("安岳县有没有老年大学？", "place-speech"))
    assert reply.action is Action.ANSWER
    assert reply.speech.startswith("规划里没有列出安岳县具体的点")
    assert "的规划里说：" not in reply.speech
