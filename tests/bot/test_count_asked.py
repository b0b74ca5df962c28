"""A question asking how many of something is answered only by a sentence counting that kind of thing."""

from __future__ import annotations

from bot.dialogue.core import DialogueCore
from bot.dialogue.relevance import counts_what_is_asked, states_the_count_asked
from bot.dialogue.seam import Action, Turn


def test_people_are_not_counted_by_a_number_of_buildings() -> None:
    assert not counts_what_is_asked("建好了能住多少人？", ["为3所敬老院购置设施设备"])


def test_beds_count_for_how_many_people_a_place_takes() -> None:
    assert counts_what_is_asked("建好了能住多少人？", ["护理区设置床位80张"])


def test_households_are_counted_by_households() -> None:
    assert counts_what_is_asked("要改几户？", ["完成改造1200户"])
    assert not counts_what_is_asked("要改几户？", ["建成3个示范点"])


def test_a_question_asking_no_count_is_not_checked() -> None:
    assert counts_what_is_asked("老年食堂在哪里？", ["在社区设置助餐点"])


def test_a_table_row_states_the_count_in_the_unit_its_header_names() -> None:
    row = "主要发展指标：分类：居家社区养老；指标：新增改造户数（户）；2025年目标值：1200；指标属性：预期性"
    assert states_the_count_asked("要改好多户？", row)
    assert not states_the_count_asked("要改好多户？", "指标：床位数（张）；2025年目标值：300")
    assert not states_the_count_asked("要改好多户？", "完成改造，惠及更多家庭，2025年实现愿改尽改")


def test_a_count_only_an_indicator_table_gives_is_found_there(core: DialogueCore) -> None:
    """The sentences about 适老化改造 give no number of households; the plan's table of indicators does."""
    reply = core.respond(Turn("资阳打算给好多户老年人家庭搞适老化改造", "count-table"))
    assert reply.action is Action.ANSWER and "10000" in reply.answer


def test_a_count_no_passage_gives_is_still_said_to_be_missing(core: DialogueCore) -> None:
    reply = core.respond(Turn("涪陵老年大学一个班收好多人", "count-missing"))
    assert reply.action is Action.FALLBACK
