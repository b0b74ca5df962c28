"""The four topics the plans are asked about most, by the words a passage about each uses. The staff
search filters by them; the dialogue core searches with a topic's first words when a question is sure of
its topic but names it in no plan word. Topic names are the intents' names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A topic: its name, its label for people, and the plan words that mark a passage as about it (the
    first `SEARCH_WORDS` of them say it best)."""

    name: str
    label: str
    words: tuple[str, ...]

    def about(self, text: str) -> bool:
        return any(word in text for word in self.words)

    @property
    def search_words(self) -> tuple[str, ...]:
        return self.words[:SEARCH_WORDS]


SEARCH_WORDS = 2

TOPICS: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        Topic("subsidy", "补贴津贴", ("高龄津贴", "护理补贴", "养老服务补贴", "补贴", "津贴", "消费券", "补助")),
        Topic("elder_university", "老年大学", ("老年大学", "老年教育", "老年学校", "老年开放大学")),
        Topic("station", "养老服务站", ("养老服务站", "日间照料", "幸福院", "养老服务中心", "互助养老", "驿站")),
        Topic("meal", "助餐点", ("助餐", "老年食堂", "老年餐桌", "配餐", "送餐", "食堂")),
    )
}
