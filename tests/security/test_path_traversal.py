"""No file outside the audio store or the static folder can be read through a URL, however it is encoded."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from security_secrets import FAKE_API_KEY

from bot.channels.http.audio_store import AudioStore

SECRET_MARKER = "root:x:0:0"
ATTACKS = [
    "/v1/audio/..%2F..%2Fetc%2Fpasswd",
    "/v1/audio/..%2F..%2F..%2F..%2Fetc%2Fpasswd.wav",
    "/v1/audio/%2e%2e%2f%2e%2e%2fetc%2fpasswd.wav",
    "/v1/audio/%252e%252e%252fetc%252fpasswd.wav",
    "/v1/audio/..%5C..%5Cetc%5Cpasswd.wav",
    "/v1/audio/../../../../etc/passwd",
    "/v1/audio/" + "a" * 64 + "/../../../../etc/passwd",
    "/v1/audio/" + "a" * 64 + "%00.wav",
    "/v1/audio/" + "a" * 63 + "%2F.wav",
    "/v1/audio/%2Fetc%2Fpasswd.wav",
    "/v1/audio/....//....//etc/passwd.wav",
    "/static/../../../../../../etc/passwd",
    "/static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2F..%2Fsettings.py",
    "/static/..%2F..%2F..%2Fpyproject.toml",
]


def raw_get(base: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """A GET with the path sent byte for byte (no client-side normalisation of dots or escapes)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        lines = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
                 *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("path", ATTACKS)
def test_traversal_attempts_get_4xx_and_no_file(live_server: tuple[str, Path], path: str) -> None:
    base, _ = live_server
    status, body = raw_get(base, path, {"X-API-Key": FAKE_API_KEY})
    assert 400 <= status < 500, f"{path} → {status}"
    assert SECRET_MARKER.encode() not in body
    assert b"[project]" not in body and b"BotSettings" not in body


def test_a_real_audio_id_is_still_served(live_server: tuple[str, Path]) -> None:
    base, audio_dir = live_server
    audio_id = AudioStore(audio_dir).put(b"RIFF-test-audio")
    status, body = raw_get(base, f"/v1/audio/{audio_id}.wav", {"X-API-Key": FAKE_API_KEY})
    assert (status, body) == (200, b"RIFF-test-audio")
    status, _ = raw_get(base, f"/v1/audio/{audio_id}.wav", {})
    assert status == 401, "audio needs the key too"


@pytest.mark.parametrize("audio_id", ["../../etc/passwd", "..", "/etc/passwd", "a" * 63 + "/", "A" * 64,
                                      "a" * 64 + "\x00", "a" * 64 + "/../x", ""])
def test_audio_store_never_resolves_a_path_outside(tmp_path: Path, audio_id: str) -> None:
    outside = tmp_path / "secret.wav"
    outside.write_bytes(b"secret")
    store = AudioStore(tmp_path / "audio")
    assert store.get(audio_id) is None
