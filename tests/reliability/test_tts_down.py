"""Every TTS engine down: speech fails with a kind SpeechError, and the text answer still goes out
(HTTP /v1/hotline and /v1/speak, Telegram)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.seam import Turn
from bot.settings import BotSettings
from voice.speaker import AudioFormat, Speaker, SpeechUnavailableError

QUESTION = "涪陵的高龄津贴怎么领？"


def test_speaker_says_kindly_that_no_engine_works(dead_speaker: Speaker, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="voice.speaker"), pytest.raises(SpeechUnavailableError) as failed:
        dead_speaker.synthesize("请拨打12345热线。", AudioFormat.WAV_8K)
    assert failed.value.user_message.strip()
    assert {"gtts", "edge", "espeak"} <= {word for r in caplog.records for word in r.getMessage().split()}
    with pytest.raises(SpeechUnavailableError):  # resting engines get a last try; still nothing, still no crash
        dead_speaker.synthesize("再说一遍。", AudioFormat.OGG_OPUS)


@pytest.fixture
def mute_client(bot_settings: BotSettings, embedded: EmbeddedBackend, dead_speaker: Speaker,
                tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(replace(bot_settings, data_dir=tmp_path), backend=embedded, speaker=dead_speaker)
    with TestClient(app) as client:
        yield client


def test_hotline_answers_in_text_without_audio(mute_client: TestClient, embedded: EmbeddedBackend) -> None:
    response = mute_client.post("/v1/hotline", json={"call_id": "tts-down-1", "text": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert body["audio_url"] is None
    expected = embedded.respond(Turn(QUESTION, conversation="tts-down-reference"))
    assert body["answer"] == expected.answer and body["answer"].strip()
    assert body["speech"] == expected.speech


def test_speak_says_503_with_a_reason(mute_client: TestClient) -> None:
    response = mute_client.post("/v1/speak", json={"text": "请拨打12345热线。", "format": "wav8k"})
    assert response.status_code == 503
    assert "语音" in response.json()["detail"]


def test_ask_is_untouched_by_dead_voices(mute_client: TestClient) -> None:
    response = mute_client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200 and response.json()["answer"].strip()


async def test_telegram_sends_the_text_and_no_voice_note(dead_speaker: Speaker, embedded: EmbeddedBackend,
                                                         bot_settings: BotSettings, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from telegram_fake import FakeBotApi, running

    from bot.channels.telegram.app import build_application

    api = await FakeBotApi().start()
    try:
        settings = replace(bot_settings, telegram_token=api.token, telegram_api_base_url=api.base_url,
                           data_dir=tmp_path, voice_replies=True)
        with caplog.at_level(logging.WARNING):
            async with running(build_application(settings, backend=embedded, speaker=dead_speaker)):
                await api.send_text(555001, QUESTION)
                [answer] = await api.wait_calls("sendMessage", chat_id=555001)
                await api.send_text(555001, "/help")
                await api.wait_calls("sendMessage", 2, chat_id=555001)
    finally:
        await api.close()
    assert answer.text.strip() and answer.text == answer.text.strip()
    assert embedded.respond(Turn(QUESTION, conversation="tts-down-tg")).answer.strip() in answer.text
    assert api.sent("sendVoice", 555001) == []
    assert any("no voice note" in r.getMessage() for r in caplog.records)
