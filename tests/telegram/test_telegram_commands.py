"""Commands, stale buttons, edits and the webhook switch, through the real Application."""

from __future__ import annotations

from typing import Any

import pytest
from telegram_fake_api import FakeBotApi, running

from bot.channels.telegram import texts
from bot.channels.telegram.app import WEBHOOK_PATH, run_application
from bot.dialogue import replies

CHAT = 801


async def test_help_voice_and_region_commands(api: FakeBotApi, make_app: Any, core: Any) -> None:
    async with running(make_app(speaker=None)):
        for command in ("/help", "/voice", "/voice off", "/voice", "/voice on", "/region", "/region 资阳", "/region"):
            await api.send_text(CHAT, command)
        messages = await api.wait_calls("sendMessage", 8, chat_id=CHAT)
    assert messages[0].text == texts.HELP
    assert messages[1].text == texts.VOICE_USAGE.format(state="开")
    assert messages[2].text == texts.VOICE_OFF
    assert messages[3].text == texts.VOICE_USAGE.format(state="关")
    assert messages[4].text == texts.VOICE_ON
    assert messages[5].text == texts.REGION_ASK
    assert [t for t, _ in messages[5].buttons()] == core.region_names()
    assert messages[6].text == replies.region_remembered("资阳"), "/region 资阳 is said to the core"
    assert messages[7].text == texts.REGION_ASK
    assert [t for t, _ in messages[7].buttons()] == core.region_names()
    assert core.conversations.get(f"tg:{CHAT}").region == "四川省资阳市"


async def test_unknown_or_stale_buttons_are_answered_kindly(api: FakeBotApi, make_app: Any, backend: Any) -> None:
    async with running(make_app(speaker=None)):
        await api.tap(CHAT + 1, "region:北京")
        await api.tap(CHAT + 1, "something-old")
        messages = await api.wait_calls("sendMessage", 2, chat_id=CHAT + 1)
    assert [m.text for m in messages] == [texts.STALE_BUTTON] * 2
    assert len(api.sent("answerCallbackQuery")) == 2 and not backend.turns


async def test_edited_messages_are_not_asked_again(api: FakeBotApi, make_app: Any, backend: Any) -> None:
    async with running(make_app(speaker=None)):
        edited = api.user_message(CHAT + 2, text="涪陵的老年大学怎么上", edit_date=1)
        await api.push({"edited_message": edited})
        await api.send_text(CHAT + 2, "/help")
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT + 2)
    assert message.text == texts.HELP and not backend.turns


def test_webhook_url_switches_to_webhook_mode(make_app: Any, bot_settings: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    application = make_app(speaker=None)
    seen: dict[str, Any] = {}
    monkeypatch.setattr(type(application), "run_webhook", lambda self, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(type(application), "run_polling", lambda self, **kwargs: seen.update(polling=True))
    run_application(application, bot_settings)
    assert seen == {"polling": True}
    seen.clear()
    run_application(application, replace(bot_settings, telegram_webhook_url="https://bot.example.org/"), port=8443)
    assert seen["webhook_url"] == f"https://bot.example.org/{WEBHOOK_PATH}" and seen["url_path"] == WEBHOOK_PATH
    assert seen["port"] == 8443 and bot_settings.telegram_token not in seen["secret_token"]
    assert len(seen["secret_token"]) >= 32
