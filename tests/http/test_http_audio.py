"""/v1/speak formats, /v1/hotline (per-call state, handoff, 8 kHz WAV by URL) and /v1/audio/{id}.wav."""

from __future__ import annotations

import hashlib
import io
import wave
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

SPEAK_TEXT = "高龄津贴按月发放，请带上身份证到社区办理。"


def read_wav(data: bytes) -> wave.Wave_read:
    return wave.open(io.BytesIO(data), "rb")


def assert_phone_wav(data: bytes) -> None:
    """WAV, 8 kHz, mono, 16-bit, with real sound in it."""
    with read_wav(data) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        frames = wav.getnframes()
        assert frames > 8000 * 0.5  # at least half a second
        samples = wav.readframes(frames)
    assert max(samples) > 0  # not all silence


def audio_path(url: str) -> str:
    return urlparse(url).path


@pytest.mark.usefixtures("speech_tools")
def test_speak_wav8k_is_phone_audio(client: TestClient) -> None:
    response = client.post("/v1/speak", json={"text": SPEAK_TEXT, "format": "wav8k"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert_phone_wav(response.content)


@pytest.mark.usefixtures("speech_tools")
def test_speak_ogg_is_ogg_opus(client: TestClient) -> None:
    response = client.post("/v1/speak", json={"text": SPEAK_TEXT, "format": "ogg"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/ogg"
    assert response.content.startswith(b"OggS")
    assert b"OpusHead" in response.content[:200]


@pytest.mark.usefixtures("speech_tools")
def test_speak_mp3_is_the_default(client: TestClient) -> None:
    response = client.post("/v1/speak", json={"text": SPEAK_TEXT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    data = response.content
    assert data.startswith(b"ID3") or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    assert len(data) > 2000


@pytest.mark.parametrize("body", [
    {"text": ""}, {"text": "   "}, {"text": "字" * 5000}, {"text": 42}, {}, {"text": "你好", "format": "flac"},
    {"text": "你好", "format": None}, {"text": "你好", "voice": "x"},
])
def test_speak_bad_input_is_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/speak", json=body)
    assert response.status_code == 422, response.text
    assert "/" in response.json()["detail"]


@pytest.mark.usefixtures("speech_tools")
def test_speak_nothing_speakable_is_422(client: TestClient) -> None:
    response = client.post("/v1/speak", json={"text": "😀🎉★", "format": "wav8k"})
    assert response.status_code == 422
    assert "朗读" in response.json()["detail"]


@pytest.mark.usefixtures("speech_tools")
def test_hotline_answers_with_phone_audio_by_url(client: TestClient) -> None:
    response = client.post("/v1/hotline", json={"call_id": "call-audio-1", "text": "涪陵的高龄津贴怎么领"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"heard", "speech", "answer", "action", "audio_url"}
    assert body["heard"] is None and body["speech"].strip() and body["answer"].strip()  # typed: nothing was heard
    path = audio_path(body["audio_url"])
    audio_id = path.removeprefix("/v1/audio/").removesuffix(".wav")
    audio = client.get(path)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert hashlib.sha256(audio.content).hexdigest() == audio_id  # ids are content hashes
    assert_phone_wav(audio.content)


@pytest.mark.usefixtures("speech_tools")
def test_hotline_keeps_state_per_call(client: TestClient, recording_core) -> None:
    client.post("/v1/hotline", json={"call_id": "call-A", "text": "我是巫溪的，想问高龄津贴"})
    assert recording_core.turns[-1].conversation == "http-hotline:call-A"
    same_call = client.post("/v1/hotline", json={"call_id": "call-A", "text": "老年大学呢"}).json()
    other_call = client.post("/v1/hotline", json={"call_id": "call-B", "text": "老年大学呢"}).json()
    assert recording_core.turns[-1].conversation == "http-hotline:call-B"
    assert same_call["action"] != "clarify_region"  # the call already named its county
    assert other_call["action"] == "clarify_region"


@pytest.mark.usefixtures("speech_tools")
def test_hotline_transfer_request_is_a_handoff(client: TestClient) -> None:
    body = client.post("/v1/hotline", json={"call_id": "call-H", "text": "转人工"}).json()
    assert body["action"] == "handoff"
    assert body["audio_url"]


@pytest.mark.parametrize("body", [
    {"call_id": "c1", "text": ""}, {"call_id": "", "text": "你好"}, {"call_id": "../etc", "text": "你好"},
    {"call_id": "c" * 200, "text": "你好"}, {"call_id": "c1", "text": "字" * 1000}, {"call_id": 7, "text": "你好"},
    {"text": "你好"}, {"call_id": "c1"}, {"call_id": "c1", "text": "你好", "extra": True},
])
def test_hotline_bad_input_is_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/v1/hotline", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize("path", [
    "/v1/audio/" + "0" * 64 + ".wav",            # well-formed, never made
    "/v1/audio/..%2F..%2F..%2Fetc%2Fpasswd.wav",
    "/v1/audio/%2e%2e%2fsecret.wav",
    "/v1/audio/" + "A" * 64 + ".wav",            # upper case is not an id
    "/v1/audio/" + "0" * 63 + ".wav",
    "/v1/audio/abc.mp3",
])
def test_audio_ids_are_validated(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert response.headers["content-type"].startswith("application/json")


def test_audio_store_names_files_by_hash_and_prunes(tmp_path) -> None:
    from bot.channels.http.audio_store import AudioStore

    store = AudioStore(tmp_path / "audio", max_files=2)
    ids = [store.put(bytes([n]) * 100) for n in range(3)]
    assert ids[0] == hashlib.sha256(b"\x00" * 100).hexdigest()
    assert store.put(b"\x02" * 100) == ids[2]  # same bytes, same id
    assert sorted(p.name for p in (tmp_path / "audio").iterdir()) == sorted(f"{i}.wav" for i in ids[1:])
    assert store.get(ids[2]) == b"\x02" * 100
    (tmp_path / "secret.wav").write_bytes(b"secret")
    assert store.get("../secret") is None and store.get(ids[0]) is None
