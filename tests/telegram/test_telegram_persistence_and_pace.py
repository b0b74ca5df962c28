"""Per-chat settings surviving a restart (pickle file, Redis), the per-chat pace, the error handler."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import pytest
from fakes import RecordingBackend
from telegram_fake_api import FakeBotApi, running

from bot.channels.telegram import texts
from bot.channels.telegram.app import PERSISTENCE_FILE
from bot.channels.telegram.ratelimit import ChatRateLimiter
from bot.channels.telegram.services import chat_tag
from bot.dialogue import replies
from bot.dialogue.seam import Reply, Turn

CHAT = 987654321


async def set_region_and_voice_off(api: FakeBotApi, chat: int, region: str) -> None:
    """/region → tap a district → /voice off, as a user would."""
    await api.send_text(chat, "/region")
    [ask] = await api.wait_calls("sendMessage", chat_id=chat)
    await api.tap(chat, dict(ask.buttons())[region])
    remembered = await api.wait_calls("sendMessage", 2, chat_id=chat)
    assert remembered[1].text == replies.region_remembered(region)  # the core remembers it, not the chat
    await api.send_text(chat, "/voice off")
    await api.wait_calls("sendMessage", 3, chat_id=chat)


async def ask_after_restart(api: FakeBotApi, chat: int, question: str) -> None:
    """Ask, then /help: updates are handled in order, so once help is answered the question is done."""
    since = len(api.calls)
    await api.send_text(chat, question)
    await api.send_text(chat, "/help")
    await api.wait_for(lambda: any(c.text == texts.HELP for c in api.sent("sendMessage", chat, since)))


async def test_region_and_voice_survive_restart_in_pickle_file(api: FakeBotApi, make_app: Any, backend: Any,
                                                               bot_settings: Any) -> None:
    async with running(make_app()):
        await set_region_and_voice_off(api, CHAT, "万州")
    assert (bot_settings.data_dir / PERSISTENCE_FILE).is_file()
    since = len(api.calls)
    async with running(make_app()):  # a new Application reading the same file
        await ask_after_restart(api, CHAT, "老年大学怎么上")
    assert backend.turns[-1] == Turn("老年大学怎么上", f"tg:{CHAT}")
    answer = api.sent("sendMessage", CHAT, since)[0]
    assert not answer.buttons(), "the district is known: no clarification"
    assert "万州" in answer.text
    assert not api.sent("sendVoice", CHAT, since), "voice was switched off before the restart"


async def test_region_and_voice_survive_restart_in_redis(api: FakeBotApi, make_app: Any, backend: Any,
                                                         bot_settings: Any, redis_url: str) -> None:
    settings = replace(bot_settings, redis_url=redis_url)
    async with running(make_app(settings=settings)):
        await set_region_and_voice_off(api, CHAT + 1, "巫溪")
    assert not (settings.data_dir / PERSISTENCE_FILE).exists(), "Redis replaces the pickle file"
    import redis

    stored = redis.Redis.from_url(redis_url).hgetall("elderbot:telegram:chat_data")
    assert str(CHAT + 1).encode() in stored
    since = len(api.calls)
    async with running(make_app(settings=settings)):
        await ask_after_restart(api, CHAT + 1, "助餐点在哪里")
    assert backend.turns[-1] == Turn("助餐点在哪里", f"tg:{CHAT + 1}")
    answer = api.sent("sendMessage", CHAT + 1, since)[0]
    assert not answer.buttons(), "the district is known: no clarification"
    assert not api.sent("sendVoice", CHAT + 1, since)


async def test_flood_is_paced_and_the_last_question_still_answered(api: FakeBotApi, make_app: Any,
                                                                   backend: Any) -> None:
    questions = ["涪陵的老年大学怎么上", "资阳的助餐点在哪里", "万州有哪些补贴",
                 "巫溪的养老服务站在哪", "双桥的老年食堂", "涪陵的助餐点在哪里"]
    limiter: ChatRateLimiter[Any] = ChatRateLimiter(max_messages=3, window_s=3.0)
    async with running(make_app(speaker=None, limiter=limiter)):
        started = time.monotonic()
        for question in questions:
            await api.send_text(CHAT + 2, question)
        messages = await api.wait_calls("sendMessage", 5, chat_id=CHAT + 2, timeout=30)
        await ask_after_restart(api, CHAT + 2, "/start")  # nothing else was queued behind
    assert [t.text for t in backend.turns] == [*questions[:3], questions[5]]
    assert [m.text for m in messages].count(texts.SLOW_DOWN) == 1
    assert messages[3].text == texts.SLOW_DOWN
    assert messages[4].at - started >= 1.5, "the held question waits for the window to free"
    assert all(m.text != texts.SLOW_DOWN for m in api.sent("sendMessage", CHAT + 2)[5:])


class BrokenBackend(RecordingBackend):
    """A backend that fails on every question."""

    def respond(self, turn: Turn) -> Reply:
        raise RuntimeError("index files unreadable")


async def test_error_handler_answers_kindly_and_logs_no_token_or_personal_data(
        api: FakeBotApi, make_app: Any, embedded: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    async with running(make_app(backend=BrokenBackend(embedded))):
        await api.send_text(CHAT + 3, "我住在幸福路8号，高龄津贴怎么领")
        [message] = await api.wait_calls("sendMessage", chat_id=CHAT + 3)
    assert message.text == texts.ERROR
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert any(r.levelno == logging.ERROR and chat_tag(CHAT + 3) in r.getMessage() for r in ours)
    for record in ours:
        logged = record.getMessage() + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        assert api.token not in logged and str(CHAT + 3) not in logged and "幸福路" not in logged
