"""Issue 19, item 2: a real `elderbot serve` on loopback is killed -9 and started again; a caller's region and last
answer survive (再说一遍 gives it back), on /v1/ask and on the hotline alike, so does the audio behind a hotline
`audio_url`, a question the hotline read back
(您是问……吗？) still waits for the caller's 是 after the restart, and a partial request line is closed within the
read timeout by the served protocol."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import free_port
from phone_audio import spoken

from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[2]


class Served:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(self.port),
                                         "--log-level", "warning"], env=self.env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("elderbot serve did not become healthy")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def served(session_settings: BotSettings, embedded: object, voice_model_dir: Path, tmp_path: Path) -> Iterator[Served]:
    """`elderbot serve` over the session's (built) index, its own data folder, no Redis."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ELDERBOT_DATA_DIR": str(tmp_path / "data"),
           "ELDERBOT_INDEX_DIR": str(session_settings.knowledge.index_dir), "ELDERBOT_REQUEST_TIMEOUT_S": "2",
           "ELDERBOT_TTS_ENGINES": "espeak", "ELDERBOT_TTS_CACHE_DIR": "off",
           "ELDERBOT_VOICE_MODEL_DIR": str(voice_model_dir)}
    for name in ("REDIS_URL", "ELDERBOT_API_KEY", "ELDERBOT_HOST", "ELDERBOT_PORT", "ELDERBOT_BACKEND"):
        env.pop(name, None)
    server = Served(env, free_port())
    server.start()
    yield server
    server.stop()


def test_region_and_last_answer_survive_a_kill_9(served: Served) -> None:
    ask = httpx.post(served.base + "/v1/ask", json={"question": "高龄津贴怎么领", "region": "涪陵",
                                                    "conversation": "restart-1"}, timeout=30).json()
    call = httpx.post(served.base + "/v1/hotline", json={"call_id": "restart-call-1", "text": "我在巫溪，老年大学怎么报名"},
                      timeout=60).json()
    assert ask["answer"] and call["answer"]

    served.kill()
    served.start()

    again = httpx.post(served.base + "/v1/ask", json={"question": "再说一遍", "conversation": "restart-1"},
                       timeout=30).json()
    assert again["answer"] == ask["answer"], "the last answer survives the kill"
    follow = httpx.post(served.base + "/v1/ask", json={"question": "养老服务补贴呢", "conversation": "restart-1"},
                        timeout=30).json()
    assert follow["region"] == ask["region"] == "重庆市涪陵区", "the region survives the kill"
    heard = httpx.post(served.base + "/v1/hotline", json={"call_id": "restart-call-1", "text": "再说一遍"},
                       timeout=60).json()
    assert heard["answer"] == call["answer"], "the caller's last answer survives the kill"
    assert call["audio_url"], "espeak-ng spoke the answer"
    audio = httpx.get(call["audio_url"], timeout=30)
    assert audio.status_code == 200 and audio.content.startswith(b"RIFF"), "the audio handed out survives the kill"
    stranger = httpx.post(served.base + "/v1/ask", json={"question": "再说一遍", "conversation": "restart-call-1"},
                          timeout=30).json()
    assert stranger["answer"] != call["answer"], "an /v1/ask conversation id never reaches a call's state"


def test_a_question_read_back_still_waits_for_the_yes_after_a_kill_9(served: Served, neural: Any,
                                                                       recognizer: Any) -> None:
    noisy = spoken(neural, "高龄津贴怎么领？", snr_db=-3)  # heard, but not surely: read back first
    first = httpx.post(served.base + "/v1/hotline", timeout=120,
                       json={"call_id": "restart-call-2", "audio": base64.b64encode(noisy).decode()}).json()
    assert first["action"] == "confirm", first

    served.kill()
    served.start()

    stranger = httpx.post(served.base + "/v1/ask", json={"question": "是", "conversation": "restart-call-2"},
                          timeout=30).json()
    assert first["heard"].rstrip("。？") not in stranger["answer"], "an /v1/ask id never answers a call's read-back"
    yes = httpx.post(served.base + "/v1/hotline", json={"call_id": "restart-call-2", "text": "是的"},
                     timeout=60).json()
    assert yes["action"] != "confirm" and yes["answer"], yes
    typed = httpx.post(served.base + "/v1/hotline", json={"call_id": "restart-call-3", "text": first["heard"]},
                       timeout=60).json()
    assert yes["answer"] == typed["answer"], "the yes is answered with the question read back before the kill"


def test_the_served_protocol_closes_a_partial_request_line(served: Served) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(b"POST /v1/ask HTT")
        sock.settimeout(10)
        assert sock.recv(4096) == b""
    assert time.monotonic() - started < 5
