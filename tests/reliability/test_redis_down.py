"""Redis down: the Telegram bot keeps chat settings in memory with a warning and answers as usual; Redis
dying while the bot runs costs no answer. (The voice cache is on disk, not in Redis: nothing to degrade.)"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from reliability_ports import closed_port

from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.seam import Turn
from bot.redis_fallback import redis_available, redis_location
from bot.settings import BotSettings

pytest.importorskip("redis")
pytest.importorskip("telegram")

QUESTION = "万州的助餐点在哪里？"
PASSWORD = "s3cret-redis-pass"


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_closed_redis_is_reported_without_its_password(caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://user:{PASSWORD}@127.0.0.1:{closed_port()}/3"
    with caplog.at_level(logging.WARNING, logger="bot.redis_fallback"):
        assert redis_available(url, "chat settings", timeout_s=1.0) is False
    [warning] = warnings_of(caplog)
    assert "unreachable" in warning and "in memory" in warning and "chat settings" in warning
    assert PASSWORD not in caplog.text and "user" not in warning
    assert redis_location(url).endswith(":" + url.rsplit(":", 1)[1]) and PASSWORD not in redis_location(url)


def test_unparsable_url_counts_as_down(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.redis_fallback"):
        assert redis_available("redis://127.0.0.1:notaport/0", "chat settings", timeout_s=1.0) is False
    assert warnings_of(caplog)


def test_persistence_falls_back_to_memory(bot_settings: BotSettings, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    from telegram.ext import DictPersistence

    from bot.channels.telegram.app import build_persistence

    settings = replace(bot_settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0", data_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        persistence = build_persistence(settings)
    assert isinstance(persistence, DictPersistence)
    assert persistence.store_data.chat_data and not persistence.store_data.user_data
    assert any("in memory" in message for message in warnings_of(caplog))
    assert not list(tmp_path.iterdir()), "memory means memory: no file written"


async def ask(api: Any, chat: int, text: str) -> Any:
    """Send a question and return the bot's first message after it."""
    since = len(api.calls)
    await api.send_text(chat, text)
    [answer] = await api.wait_calls("sendMessage", chat_id=chat, since=since)
    return answer


async def test_bot_answers_and_remembers_the_region_in_memory_when_redis_is_down(
        embedded: EmbeddedBackend, bot_settings: BotSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from telegram_fake import FakeBotApi, running

    from bot.channels.telegram.app import build_application

    api = await FakeBotApi().start()
    try:
        settings = replace(bot_settings, telegram_token=api.token, telegram_api_base_url=api.base_url,
                           redis_url=f"redis://127.0.0.1:{closed_port()}/0", data_dir=tmp_path, voice_replies=False)
        with caplog.at_level(logging.WARNING):
            async with running(build_application(settings, backend=embedded, speaker=None)):
                first = await ask(api, 777001, "/region 万州")
                answer = await ask(api, 777001, "助餐点在哪里？")
    finally:
        await api.close()
    assert "万州" in first.text
    expected = embedded.respond(Turn("助餐点在哪里？", conversation="redis-down-ref", region="万州"))
    assert expected.answer.strip() in answer.text
    assert not answer.buttons(), "the region was remembered in memory: no district question"
    assert any("in memory" in message for message in warnings_of(caplog))


async def test_redis_dying_mid_run_costs_no_answer(embedded: EmbeddedBackend, bot_settings: BotSettings, tmp_path: Path,
                                                   redis_server: tuple[str, subprocess.Popen[bytes]],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from telegram_fake import FakeBotApi, running

    from bot.channels.telegram.app import build_application

    url, server = redis_server
    api = await FakeBotApi().start()
    try:
        settings = replace(bot_settings, telegram_token=api.token, telegram_api_base_url=api.base_url,
                           redis_url=url, data_dir=tmp_path, voice_replies=False)
        application = build_application(settings, backend=embedded, speaker=None)
        assert type(application.persistence).__name__ == "RedisPersistence"
        with caplog.at_level(logging.WARNING):
            async with running(application):
                before = await ask(api, 777002, "/region 涪陵")
                server.kill()
                server.wait(timeout=10)
                await application.update_persistence()  # what the 10-second timer does: fails, is logged
                after = await ask(api, 777002, "老年大学怎么上？")
    finally:
        await api.close()
    assert "涪陵" in before.text
    expected = embedded.respond(Turn("老年大学怎么上？", conversation="redis-dies-ref", region="涪陵"))
    assert expected.answer.strip() in after.text
    assert any(r.levelno >= logging.WARNING and r.exc_info for r in caplog.records), "the lost write is logged"
