"""The channel's buttons: the big main reply keyboard and the district (region) buttons."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

SUBSIDY = "补贴"
UNIVERSITY = "老年大学"
STATION = "养老服务站"
MEAL = "助餐点"
SEND_LOCATION = "📍发送位置"
HANDOFF = "转人工"
MORE = "还有呢"
REPEAT = "再说一遍"
SLOWER = "慢一点"

# A tap on a topic button asks the core a whole question, not a bare word.
BUTTON_QUESTIONS: dict[str, str] = {
    SUBSIDY: "老年人有哪些补贴",
    UNIVERSITY: "老年大学怎么上",
    STATION: "养老服务站有哪些",
    MEAL: "助餐点在哪里",
}
SLOWER_WORDS = frozenset({SLOWER, "慢点", "慢些", "慢一些", "说慢点", "说慢一点", "慢一点说", "慢点说", "太快了"})
REGION_PREFIX = "region:"
_CALLBACK_LIMIT = 64  # bytes Telegram allows in callback_data


def main_keyboard() -> ReplyKeyboardMarkup:
    """Four rows of large buttons, always shown; the location button asks the phone for its position."""
    rows = [
        [KeyboardButton(SUBSIDY), KeyboardButton(UNIVERSITY)],
        [KeyboardButton(STATION), KeyboardButton(MEAL)],
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
