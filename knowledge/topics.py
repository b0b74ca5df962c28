"""The topic registry: the things the plans are asked about most. One entry per topic holds its name (the
intent's name), its label and button question for people, the plan words that mark a passage as about it (the
first `SEARCH_WORDS` say it best), the words a question uses for it, and the facility types of the directory
that serve it. The staff search filters by topics, the core searches with a topic's plan words, channels make
their buttons and the facility directory its type groups from here: adding a topic is one edit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """A topic: its name, its label for people, and the plan words that mark a passage as about it."""

    name: str
    label: str
    words: tuple[str, ...]
    button_question: str = ""
    asked_by: tuple[str, ...] = ()  # words a question about its facilities uses (饭堂, 上老年…)
    facility_types: tuple[str, ...] = ()
    is_intent: bool = True  # the NLU has an intent of this name

    def about(self, text: str) -> bool:
        return any(word in text for word in self.words)

    @property
    def search_words(self) -> tuple[str, ...]:
        return self.words[:SEARCH_WORDS]


SEARCH_WORDS = 2

TOPICS: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        Topic("subsidy", "补贴津贴", ("高龄津贴", "护理补贴", "养老服务补贴", "补贴", "津贴", "消费券", "补助"),
              button_question="老年人有哪些补贴"),
        Topic("elder_university", "老年大学", ("老年大学", "老年教育", "老年学校", "老年开放大学"),
              button_question="老年大学怎么上",
              asked_by=("老年大学", "老年学校", "老年教育", "上老年", "学习点"), facility_types=("老年大学",)),
        Topic("station", "养老服务站", ("养老服务站", "日间照料", "幸福院", "养老服务中心", "互助养老", "驿站"),
              button_question="养老服务站有哪些",
              asked_by=("服务站", "服务中心", "日间照料", "日照", "托老", "幸福院", "互助", "驿站"),
              facility_types=("养老服务中心", "养老服务站", "日间照料中心", "幸福院", "农村互助养老点")),
        Topic("meal", "助餐点", ("助餐", "老年食堂", "老年餐桌", "配餐", "送餐", "食堂"),
              button_question="助餐点在哪里",
              asked_by=("助餐", "食堂", "饭堂", "吃饭", "送餐", "配餐", "餐桌", "老年餐"),
              facility_types=("助餐点", "老年食堂")),
        Topic("institution", "养老机构", ("养老机构", "养老院", "敬老院", "特困供养", "护理院"),
              button_question="养老院有哪些",
              asked_by=("养老院", "敬老院", "福利院", "养老机构", "养护院", "护理院", "住养老", "康养"),
              facility_types=("养老机构", "敬老院", "养老院"), is_intent=False),
    )
}
