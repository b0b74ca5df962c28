"""/v1/hotline with the caller's voice: base64 WAV (8 kHz or more) → the real recogniser → repair → the core; `heard`
beside the answer; an unsure hearing read back (您是问……吗？) and the caller's 是 / 不是; bad audio refused kindly.
The audio is made here by the offline neural voice (no mocks of the models)."""

from __future__ import annotations

import base64
import io
import time
import wave
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from fakes import RecordingBackend
from fastapi.testclient import TestClient
from phone_audio import spoken, wav_bytes

from bot.channels.http.app import create_app
from bot.channels.http.hotline_hearing import READ_BACK_MAX_AGE_S, HotlineHearing
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.state import ConversationState, MemoryConversations
from bot.settings import BotSettings
from voice.speaker import Speaker


@pytest.fixture
def backend(embedded: EmbeddedBackend) -> RecordingBackend:
    return RecordingBackend(embedded)


@pytest.fixture
def client(http_settings: BotSettings, backend: RecordingBackend, speaker: Speaker,
           recognizer: Any) -> Iterator[TestClient]:
    app = create_app(http_settings, backend=backend, speaker=speaker)
    app.state.hotline_hearing = HotlineHearing(recognizer, app.state.services.conversations)
    with TestClient(app) as test_client:
        yield test_client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def assert_phone_audio(client: TestClient, url: str | None) -> None:
    assert url
    audio = client.get(url)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(audio.content), "rb") as handle:
        assert handle.getframerate() == 8000 and handle.getnframes() > 4000


def test_a_spoken_question_is_heard_repaired_and_answered_as_typed(
        client: TestClient, neural: Any, backend: RecordingBackend) -> None:
    question = "双桥的养老服务站在哪里？"
    response = client.post("/v1/hotline", json={"call_id": "voice-1", "audio": b64(spoken(neural, question))})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["heard"] == question, body
    assert backend.turns[-1].text == body["heard"]
    assert body["action"] == "answer" and "双桥" in body["answer"]
    assert_phone_audio(client, body["audio_url"])
    typed = client.post("/v1/hotline", json={"call_id": "typed-1", "text": body["heard"]}).json()
    assert typed["heard"] is None
    assert (typed["answer"], typed["action"]) == (body["answer"], body["action"])


def test_an_unsure_hearing_is_read_back_and_a_yes_answers_it(
        client: TestClient, neural: Any, backend: RecordingBackend) -> None:
    noisy = spoken(neural, "高龄津贴怎么领？", snr_db=-3)
    first = client.post("/v1/hotline", json={"call_id": "noisy-1", "audio": b64(noisy)}).json()
    assert first["action"] == "confirm", first
    assert first["heard"] and first["speech"].startswith(f"您是问“{first['heard'].rstrip('。？')}”吗？")
    assert not backend.turns, "nothing goes to the core before the caller says yes"
    assert_phone_audio(client, first["audio_url"])
    yes = client.post("/v1/hotline", json={"call_id": "noisy-1", "audio": b64(spoken(neural, "是的，没错。"))}).json()
    assert yes["heard"] == "是的，没错。"
    assert [turn.text for turn in backend.turns] == [first["heard"]]
    assert yes["action"] != "confirm" and yes["answer"]


def test_a_no_asks_again_and_a_new_question_replaces_the_read_back(
        client: TestClient, neural: Any, backend: RecordingBackend) -> None:
    noisy = b64(spoken(neural, "高龄津贴怎么领？", snr_db=-3))
    assert client.post("/v1/hotline", json={"call_id": "noisy-2", "audio": noisy}).json()["action"] == "confirm"
    no = client.post("/v1/hotline", json={"call_id": "noisy-2", "audio": b64(spoken(neural, "不是，不对。"))}).json()
    assert no["action"] == "repeat" and "再说一遍" in no["speech"] and not backend.turns
    assert client.post("/v1/hotline", json={"call_id": "noisy-2", "audio": noisy}).json()["action"] == "confirm"
    new = client.post("/v1/hotline", json={"call_id": "noisy-2", "text": "双桥的养老服务站在哪里"}).json()
    assert new["action"] == "answer" and [turn.text for turn in backend.turns] == ["双桥的养老服务站在哪里"]


def test_silence_asks_the_caller_to_say_it_again(client: TestClient, backend: RecordingBackend) -> None:
    body = client.post("/v1/hotline", json={"call_id": "quiet-1", "audio": b64(wav_bytes(np.zeros(16000), 8000))})
    assert body.status_code == 200
    assert body.json()["action"] == "repeat" and body.json()["heard"] == "" and not backend.turns


@pytest.mark.parametrize(("payload", "status"), [
    ({"call_id": "bad-1", "text": "高龄津贴", "audio": "UklGRg=="}, 422),  # both
    ({"call_id": "bad-2"}, 422),  # neither
    ({"call_id": "bad-3", "audio": "this is not base64!!"}, 422),
    ({"call_id": "bad-4", "audio": b64(b"ID3" + b"\0" * 500)}, 422),  # not WAV
    ({"call_id": "bad-5", "audio": b64(wav_bytes(np.zeros(4000), 4000))}, 422),  # below 8 kHz
])
def test_bad_audio_is_refused_with_a_message(client: TestClient, payload: dict[str, str], status: int) -> None:
    response = client.post("/v1/hotline", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_too_much_audio_is_refused_before_hearing(client: TestClient, backend: RecordingBackend) -> None:
    from bot.channels.http.schemas import MAX_HOTLINE_AUDIO_BYTES

    huge = b64(wav_bytes(np.zeros(MAX_HOTLINE_AUDIO_BYTES // 2 + 8000), 16000))
    response = client.post("/v1/hotline", json={"call_id": "big-1", "audio": huge})
    assert response.status_code in (413, 422) and not backend.turns


def test_a_read_back_waits_in_redis_for_the_yes_on_another_replica(
    http_settings: BotSettings, backend: RecordingBackend, speaker: Speaker, recognizer: Any, neural: Any,
    redis_url: str,
) -> None:
    """Two API replicas over one Redis: the caller's 是 reaches the question the other replica read back."""
    settings = replace(http_settings, redis_url=redis_url)
    replicas = [create_app(settings, backend=backend, speaker=speaker) for _ in range(2)]
    for app in replicas:
        app.state.hotline_hearing = HotlineHearing(recognizer, app.state.services.conversations)
    with TestClient(replicas[0]) as first_replica, TestClient(replicas[1]) as second_replica:
        noisy = b64(spoken(neural, "高龄津贴怎么领？", snr_db=-3))
        first = first_replica.post("/v1/hotline", json={"call_id": "replicas-1", "audio": noisy}).json()
        assert first["action"] == "confirm", first
        yes = second_replica.post("/v1/hotline", json={"call_id": "replicas-1", "text": "是的"}).json()
    assert [turn.text for turn in backend.turns] == [first["heard"]]
    assert yes["action"] != "confirm" and yes["answer"]


@pytest.mark.parametrize(("age_s", "answered"), [(10.0, True), (READ_BACK_MAX_AGE_S + 1, False)])
def test_a_yes_answers_a_read_back_for_five_minutes(age_s: float, answered: bool, backend: RecordingBackend) -> None:
    conversations = MemoryConversations()
    conversations.put("call-1", ConversationState(read_back="高龄津贴怎么领", read_back_at=time.time() - age_s))
    caller = HotlineHearing(conversations=conversations).turn(backend, "call-1", "是", None)
    assert caller.question == ("高龄津贴怎么领" if answered else "是")
    assert not conversations.get("call-1").read_back, "a read-back is answered once, or not at all when stale"
