"""Topic filters of the staff search: each topic's label and the words a passage about it uses."""

from __future__ import annotations

from dataclasses import dataclass

from bot.http.schemas import Topic


@dataclass(frozen=True)
class TopicFilter:
    """A topic as the page shows it and the words that mark a passage as being about it."""

    topic: Topic
    label: str
    words: tuple[str, ...]

    def matches(self, text: str) -> bool:
        return any(word in text for word in self.words)

    def query(self, question: str) -> str:
        """The question with the topic's main words added, so passages about the topic rank higher."""
        return f"{question} {' '.join(self.words[:3])}"


TOPIC_FILTERS: dict[Topic, TopicFilter] = {
    f.topic: f
    for f in (
        TopicFilter(Topic.SUBSIDY, "补贴津贴", ("高龄津贴", "护理补贴", "养老服务补贴", "补贴", "津贴", "消费券", "补助")),
        TopicFilter(Topic.ELDER_UNIVERSITY, "老年大学", ("老年大学", "老年教育", "老年学校", "老年开放大学")),
        TopicFilter(Topic.STATION, "养老服务站", ("养老服务站", "日间照料", "幸福院", "养老服务中心", "互助养老", "驿站")),
        TopicFilter(Topic.MEAL, "助餐点", ("助餐", "老年食堂", "老年餐桌", "配餐", "送餐", "食堂")),
    )
}
