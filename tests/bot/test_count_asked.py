"""A question asking how many of something is answered only by a sentence counting that kind of thing."""

from __future__ import annotations

from bot.dialogue.relevance import counts_what_is_asked


def test_people_are_not_counted_by_a_number_of_buildings() -> None:
    assert not counts_what_is_asked("建好了能住多少人？", ["为3所敬老院购置设施设备"])


def test_beds_count_for_how_many_people_a_place_takes() -> None:
    assert counts_what_is_asked("建好了能住多少人？", ["护理区设置床位80张"])


def test_households_are_counted_by_households() -> None:
    assert counts_what_is_asked("要改几户？", ["完成改造1200户"])
    assert not counts_what_is_asked("要改几户？", ["建成3个示范点"])


def test_a_question_asking_no_count_is_not_checked() -> None:
    assert counts_what_is_asked("老年食堂在哪里？", ["在社区设置助餐点"])
