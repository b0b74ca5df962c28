"""Body limits per route: 64 KB for questions, room for a caller's recorded speech on /v1/hotline only."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from bot.channels.http.schemas import MAX_HOTLINE_AUDIO_BASE64


def test_recorded_speech_of_several_seconds_reaches_the_hotline(client: TestClient) -> None:
    """200 kB of (not decodable) audio passes the body limit and is refused by the audio check, not with 413."""
    audio = base64.b64encode(b"RIFF" + b"\x00" * 150_000).decode()
    response = client.post("/v1/hotline", json={"call_id": "limits-1", "audio": audio})
    assert response.status_code != 413, response.text
    assert response.status_code in (200, 422)


def test_the_same_body_on_ask_is_too_large(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "高龄津贴" * 50_000})
    assert response.status_code == 413


def test_the_hotline_still_has_a_limit(client: TestClient) -> None:
    audio = "A" * (MAX_HOTLINE_AUDIO_BASE64 + 10_000)
    response = client.post("/v1/hotline", json={"call_id": "limits-2", "audio": audio})
    assert response.status_code == 413
