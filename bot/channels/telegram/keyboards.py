"""The channel's buttons: the big main reply keyboard and the district (region) buttons."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.dialogue.seam import TopicInfo

SEND_LOCATION = "📍发送位置"
HANDOFF = "转人工"
MORE = "还有呢"
REPEAT = "再说一遍"
SLOWER = "慢一点"

SLOWER_WORDS = frozenset({SLOWER, "慢点", "慢些", "慢一些", "说慢点", "说慢一点", "慢一点说", "慢点说", "太快了"})
REGION_PREFIX = "region:"
_CALLBACK_LIMIT = 64  # bytes Telegram allows in callback_data


def button_questions(topics: Sequence[TopicInfo]) -> dict[str, str]:
    """A tap on a topic button asks the core a whole question, not a bare word: label → question."""
    return {topic.label: topic.button_question for topic in topics if topic.is_intent and topic.button_question}


def main_keyboard(topics: Sequence[TopicInfo]) -> ReplyKeyboardMarkup:
    """Rows of large buttons, always shown: the topics two a row, then location and 转人工, then 还有呢/再说一遍/
    慢一点; the location button asks the phone for its position."""
    labels = list(button_questions(topics))
    rows = [[KeyboardButton(label) for label in labels[i : i + 2]] for i in range(0, len(labels), 2)]
    rows += [
        [KeyboardButton(SEND_LOCATION, request_location=True), KeyboardButton(HANDOFF)],
        [KeyboardButton(MORE), KeyboardButton(REPEAT), KeyboardButton(SLOWER)],
    ]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True,
                               input_field_placeholder="打字问我，或点按钮")


def region_keyboard(names: Sequence[str], per_row: int = 2) -> InlineKeyboardMarkup:
    """One button per district, two a row, each carrying `region:<name>`."""
    buttons = [InlineKeyboardButton(name, callback_data=REGION_PREFIX + name) for name in names
               if len((REGION_PREFIX + name).encode("utf-8")) <= _CALLBACK_LIMIT]
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def region_of_callback(data: object, known: Sequence[str]) -> str | None:
    """The district a region button carries, if it is one the plans still cover."""
    if not isinstance(data, str) or not data.startswith(REGION_PREFIX):
        return None
    name = data[len(REGION_PREFIX) :]
    return name if name in known else None


def is_slower_request(text: str) -> bool:
    """慢一点 and its spoken variants (punctuation and spaces ignored)."""
    core = "".join(ch for ch in text if ch.isalnum())
    return core in SLOWER_WORDS
