"""The channel's small parts on their own: pace counter, buttons, slower voice, Redis store, the command."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.channels.cli.main import main
from bot.channels.cli.telegram import TokenRedactor
from bot.channels.telegram.app import file_url
from bot.channels.telegram.keyboards import (
    REGION_PREFIX,
    button_questions,
    is_slower_request,
    main_keyboard,
    region_keyboard,
    region_of_callback,
)
from bot.channels.telegram.ratelimit import ChatRateLimiter
from bot.channels.telegram.services import chat_tag, slower
from bot.dialogue.seam import topic_registry
from voice.settings import VoiceSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_admits_n_per_window_then_reports_the_wait() -> None:
    clock = Clock()
    limiter: ChatRateLimiter[str] = ChatRateLimiter(max_messages=2, window_s=10.0, clock=clock)
    assert limiter.admit(1) == 0.0
    clock.now += 4
    assert limiter.admit(1) == 0.0
    assert limiter.admit(1) == pytest.approx(6.0)
    assert limiter.admit(2) == 0.0, "chats are counted apart"
    clock.now += 6.5
    assert limiter.admit(1) == 0.0, "the first message left the window"


def test_limiter_keeps_only_the_newest_held_message() -> None:
    limiter: ChatRateLimiter[str] = ChatRateLimiter(max_messages=1, window_s=5.0, clock=Clock())
    assert limiter.hold(7, "first") is True
    assert limiter.hold(7, "second") is False
    assert limiter.holding(7)
    assert limiter.take(7) == "second" and not limiter.holding(7)
    limiter.release(42)
    assert limiter.was_released(42) and not limiter.was_released(42)


def test_limiter_counts_arrival_time_not_processing_time() -> None:
    clock = Clock()
    limiter: ChatRateLimiter[str] = ChatRateLimiter(max_messages=2, window_s=10.0, clock=clock)
    clock.now = 1100.0  # a backlog: messages sent a minute apart, processed now
    assert limiter.admit(1, at=1000.0) == 0.0
    assert limiter.admit(1, at=1040.0) == 0.0
    assert limiter.admit(1, at=1080.0) == 0.0


def test_limiter_sweep_does_not_forget_a_backlog_of_one_chat() -> None:
    """The sweep inside admit measures idleness in message time: a flood still queued is still counted."""
    clock = Clock()
    limiter: ChatRateLimiter[str] = ChatRateLimiter(max_messages=2, window_s=10.0, clock=clock)
    clock.now = 1030.0  # three messages sent at 1000, processed 30 s later (a slow backlog)
    assert limiter.admit(1, at=1000.0) == 0.0
    assert limiter.admit(1, at=1000.0) == 0.0
    clock.now = 1045.0  # past the sweep interval
    assert limiter.admit(1, at=1000.0) > 0, "the third message of the flood is over the limit"


def test_button_questions_come_from_the_registry() -> None:
    questions = button_questions(topic_registry())
    assert set(questions) == {"补贴津贴", "老年大学", "养老服务站", "助餐点"}
    assert all(len(q) > len(label) for label, q in questions.items()), "a tap asks a whole question"


def test_limiter_forgets_idle_chats() -> None:
    clock = Clock()
    limiter: ChatRateLimiter[str] = ChatRateLimiter(max_messages=2, window_s=10.0, clock=clock)
    limiter.admit(1)
    clock.now += 11
    limiter.forget_idle()
    assert limiter._arrivals == {}


def test_region_buttons_carry_names_and_reject_unknown_or_foreign_data() -> None:
    markup = region_keyboard(["涪陵", "资阳", "巫溪"])
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("涪陵", "region:涪陵"), ("资阳", "region:资阳")], [("巫溪", "region:巫溪")]]
    known = ["涪陵", "资阳"]
    assert region_of_callback(REGION_PREFIX + "资阳", known) == "资阳"
    assert region_of_callback(REGION_PREFIX + "北京", known) is None
    assert region_of_callback("other:涪陵", known) is None and region_of_callback(None, known) is None


def test_main_keyboard_is_big_persistent_and_asks_for_location() -> None:
    markup = main_keyboard(topic_registry())
    assert markup.resize_keyboard and markup.is_persistent
    assert [b.text for b in markup.keyboard[0] + markup.keyboard[1]] == ["补贴津贴", "老年大学", "养老服务站", "助餐点"]
    assert sum(len(row) for row in markup.keyboard) == 9
    assert [b.request_location for row in markup.keyboard for b in row].count(True) == 1


@pytest.mark.parametrize("text", ["慢一点", "慢一点！", " 说慢点。", "太快了"])
def test_slower_requests_are_recognised(text: str) -> None:
    assert is_slower_request(text)


@pytest.mark.parametrize("text", ["慢性病补贴", "一点", "慢一点的公交车怎么坐"])
def test_other_text_is_not_a_slower_request(text: str) -> None:
    assert not is_slower_request(text)


def test_slower_voice_settings_lower_every_engines_rate() -> None:
    base = VoiceSettings(espeak_speed_wpm=130, edge_rate="-20%", gtts_slow=False)
    slow = slower(base)
    assert slow.espeak_speed_wpm < base.espeak_speed_wpm
    assert slow.edge_rate == "-40%" and slow.gtts_slow
    assert slower(VoiceSettings(edge_rate="-45%")).edge_rate == "-50%"
    assert slower(VoiceSettings(edge_rate="+0%")).edge_rate == "-20%"


def test_file_url_of_a_local_bot_api_server() -> None:
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url("https://api.telegram.org/bot/") == "https://api.telegram.org/file/bot"


def test_chat_tag_hides_the_chat_id() -> None:
    assert "123456789" not in chat_tag(123456789) and len(chat_tag(123456789)) == 12
    assert chat_tag(1) != chat_tag(2) and chat_tag(None) == "-"


def test_token_redactor_removes_the_token_from_library_logs() -> None:
    token = "123456:ABC-secret"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s \"%s\"",
                               (f"https://api.telegram.org/bot{token}/getUpdates", "HTTP/1.1 200 OK"), None)
    assert TokenRedactor(token).filter(record)
    assert token not in record.getMessage() and "bot<token>/getUpdates" in record.getMessage()


def test_command_without_token_explains_botfather(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["telegram"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "BotFather" in err


async def test_redis_persistence_round_trip_with_fakeredis() -> None:
    fakeredis = pytest.importorskip("fakeredis")
    from bot.channels.telegram.persistence_redis import RedisPersistence

    server = fakeredis.FakeServer()
    first = RedisPersistence(fakeredis.aioredis.FakeRedis(server=server), prefix="t:")
    await first.update_chat_data(-100, {"region": "涪陵", "voice": False})
    await first.update_user_data(5, {"seen": True})
    await first.update_bot_data({"started": 1})
    await first.update_conversation("talk", (-100, 5), 2)
    await first.update_conversation("talk", (-100, 6), 1)
    await first.update_conversation("talk", (-100, 6), None)
    await first.flush()
    second = RedisPersistence(fakeredis.aioredis.FakeRedis(server=server), prefix="t:")
    assert await second.get_chat_data() == {-100: {"region": "涪陵", "voice": False}}
    assert await second.get_user_data() == {5: {"seen": True}}
    assert await second.get_bot_data() == {"started": 1}
    assert await second.get_conversations("talk") == {(-100, 5): 2}
    await second.drop_chat_data(-100)
    assert await second.get_chat_data() == {}
    other: Any = RedisPersistence(fakeredis.aioredis.FakeRedis(server=server), prefix="other:")
    assert await other.get_user_data() == {}


def test_command_reports_a_bad_backend_or_data_dir_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ELDERBOT_BACKEND", "nope")
    assert main(["telegram"]) == 2
    assert "unknown backend" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ELDERBOT_BACKEND", "embedded")
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(blocker / "data"))
    assert main(["telegram"]) == 1
    err = capsys.readouterr().err
    assert "ELDERBOT_DATA_DIR" in err and "123:abc" not in err
