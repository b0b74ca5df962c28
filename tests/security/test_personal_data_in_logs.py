"""Logs keep no personal data: no words of the user, no name, phone or place they shared, no raw chat id —
only the hashed chat tag (bot.channels.telegram.services.chat_tag) when a chat must be named."""

from __future__ import annotations

import importlib.util
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fakes import RecordingBackend
from fastapi.testclient import TestClient

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.seam import Reply, Turn
from bot.settings import BotSettings
from voice.settings import VoiceSettings
from voice.speaker import Speaker

pytest.importorskip("telegram")
pytest.importorskip("aiohttp")

CHAT = 4_811_907_336
PRIVATE = ["张秀英", "13812345678", "幸福路18号", "身份证500102195001011234"]
QUESTION = f"我叫{PRIVATE[0]}，电话{PRIVATE[1]}，住{PRIVATE[2]}，{PRIVATE[3]}，涪陵高龄津贴怎么领？"


def fake_api_module() -> Any:
    name = "telegram_fake_api"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "telegram" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


class FailingOnce(RecordingBackend):
    """The real backend, except that the first question of a chat fails inside it."""

    failed = False

    def respond(self, turn: Turn) -> Reply:
        if not self.failed:
            self.failed = True
            raise RuntimeError("backend failure while answering")
        return super().respond(turn)


def assert_nothing_personal(text: str) -> None:
    for secret in PRIVATE:
        assert secret not in text, f"personal data in the logs: {secret}"
    assert str(CHAT) not in text, "raw chat id in the logs"
    assert QUESTION[:12] not in text


def production_log_levels(caplog: pytest.LogCaptureFixture) -> None:
    """What `elderbot telegram -v` logs: elderbot's own modules at DEBUG, libraries at INFO, httpx at WARNING."""
    caplog.set_level(logging.INFO)
    for name in ("bot", "voice", "knowledge"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.WARNING, logger="httpx")


async def test_a_telegram_conversation_logs_nothing_personal(embedded: EmbeddedBackend, security_settings: BotSettings,
                                                             tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.services import chat_tag

    fake = fake_api_module()
    production_log_levels(caplog)
    dead_voice = Speaker(VoiceSettings(engines=("espeak",), espeak_binary="/nonexistent/espeak-ng", cache_dir=None))
    api = await fake.FakeBotApi().start()
    try:
        settings = replace(security_settings, telegram_token=api.token, telegram_api_base_url=api.base_url,
                           data_dir=tmp_path, voice_replies=True)
        application = build_application(settings, backend=FailingOnce(embedded), speaker=dead_voice)
        async with fake.running(application):
            await api.send_text(CHAT, QUESTION)  # fails in the backend: logged, kind message sent
            await api.wait_calls("sendMessage", 1, chat_id=CHAT)
            await api.send_text(CHAT, QUESTION)  # answered; the voice note fails: logged
            await api.wait_calls("sendMessage", 2, chat_id=CHAT)
            await api.push({"message": api.user_message(CHAT, location={"latitude": 29.7031, "longitude": 107.3894})})
            await api.push({"message": api.user_message(CHAT, voice={"file_id": "v1", "file_unique_id": "u1",
                                                                     "duration": 3, "mime_type": "audio/ogg"})})
            await api.send_text(CHAT, "/help")
            await api.wait_for(lambda: len(api.sent("sendMessage", CHAT)) >= 5, timeout=60)
    finally:
        await api.close()
    logged = "\n".join(caplog.messages) + "\n" + caplog.text
    assert_nothing_personal(logged)
    assert "29.7031" not in logged and "107.3894" not in logged, "a shared location in the logs"
    assert chat_tag(CHAT) in logged, "failures name the chat by its hash"


def test_the_http_api_logs_nothing_personal(embedded: EmbeddedBackend, security_settings: BotSettings, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    production_log_levels(caplog)
    dead_voice = Speaker(VoiceSettings(engines=("espeak",), espeak_binary="/nonexistent/espeak-ng", cache_dir=None))
    app = create_app(replace(security_settings, data_dir=tmp_path), backend=embedded, speaker=dead_voice)
    with TestClient(app) as client:
        assert client.post("/v1/ask", json={"question": QUESTION, "conversation": f"tg:{CHAT}"}).status_code == 200
        assert client.post("/v1/hotline", json={"call_id": f"c{CHAT}", "text": QUESTION}).status_code == 200
        assert client.post("/v1/speak", json={"text": QUESTION}).status_code == 503
    assert_nothing_personal("\n".join(caplog.messages) + "\n" + caplog.text)
