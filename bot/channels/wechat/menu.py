"""The 公众号's custom menu: big topic buttons whose click keys map to questions for the core.

WeChat shows at most 3 top buttons (4 Chinese characters each) and at most 5 sub-buttons under a top button
(8 characters each). The layout: the first topic (补贴) as a top button; 找服务 with the next topics
(老年大学, 养老服务站, 助餐点) and 附近的服务 (send a location); 转人工. A click sends its key; the key is
the topic's name, so the question always comes from the current `backend.topics()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.wechat import texts
from bot.dialogue.seam import TopicInfo

TOPIC_PREFIX = "topic:"
HANDOFF_KEY = "handoff"
NEARBY_KEY = "nearby"
TOP_NAME_BYTES = 16  # 4 Chinese characters
SUB_NAME_BYTES = 60
KEY_BYTES = 128
MAX_SUB_BUTTONS = 5


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes on a character boundary."""
    return text.encode()[:limit].decode(errors="ignore")


def topic_key(topic: TopicInfo) -> str:
    return fit(TOPIC_PREFIX + topic.name, KEY_BYTES)


def click(name: str, key: str, limit: int) -> dict[str, Any]:
    return {"type": "click", "name": fit(name, limit), "key": key}


def build_menu(topics: Sequence[TopicInfo]) -> dict[str, Any]:
    """The menu_data for client.menu.create."""
    buttons: list[dict[str, Any]] = []
    rest = list(topics)
    if rest:
        first = rest.pop(0)
        buttons.append(click(first.label, topic_key(first), TOP_NAME_BYTES))
    subs = [click(topic.label, topic_key(topic), SUB_NAME_BYTES) for topic in rest[: MAX_SUB_BUTTONS - 1]]
    subs.append({"type": "location_select", "name": texts.MENU_NEARBY, "key": NEARBY_KEY})
    buttons.append({"name": texts.MENU_SERVICES, "sub_button": subs})
    buttons.append(click(texts.MENU_HANDOFF, HANDOFF_KEY, TOP_NAME_BYTES))
    return {"button": buttons}


def click_question(key: str, topics: Sequence[TopicInfo]) -> str | None:
    """The question a click key stands for; None for a key this menu does not (or no longer) have."""
    if key == HANDOFF_KEY:
        return texts.HANDOFF_TEXT
    if key.startswith(TOPIC_PREFIX):
        return next((t.button_question for t in topics if topic_key(t) == key and t.button_question), None)
    return None
