"""Issue 19, item 7: /v1/speak runs a bounded number of syntheses at once (the rest wait briefly, then get 429 with
Retry-After), /v1/ask stays quick meanwhile, and a flood of new long texts cannot flush the voice cache."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fakes import free_port

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from voice.cache import AudioCache
from voice.formats import AudioFormat
from voice.speaker import SpeechResult


class SlowSpeaker:
    """Takes `seconds` per synthesis and records how many ran at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def synthesize(self, text: str, fmt: AudioFormat) -> SpeechResult:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        return SpeechResult(b"ID3" + text.encode("utf-8"), fmt, "slow", False, text)


@pytest.fixture
def served(bot_settings: BotSettings, embedded: EmbeddedBackend, tmp_path: Path):  # type: ignore[no-untyped-def]
    import uvicorn

    from bot.channels.http.server import uvicorn_options

    speaker = SlowSpeaker(1.0)
    settings = replace(bot_settings, data_dir=tmp_path, speak_concurrency=2, speak_wait_s=0.3)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, backend=embedded, speaker=speaker),  # type: ignore[arg-type]
                                           host="127.0.0.1", port=port, log_level="warning",
                                           **uvicorn_options(settings.request_read_timeout_s)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", speaker
    server.should_exit = True
    thread.join(timeout=10)


def test_concurrent_speak_is_bounded_and_the_rest_get_429(served) -> None:  # type: ignore[no-untyped-def]
    base, speaker = served
    text = "高龄津贴按月发放。" * 100

    def speak(n: int) -> httpx.Response:
        return httpx.post(base + "/v1/speak", json={"text": f"{n}{text}"[:1000], "format": "mp3"}, timeout=30)

    with ThreadPoolExecutor(16) as pool:
        flood = [pool.submit(speak, n) for n in range(16)]
        time.sleep(0.2)
        asked = time.monotonic()
        ask = httpx.post(base + "/v1/ask", json={"question": "涪陵高龄津贴怎么领"}, timeout=30)
        ask_seconds = time.monotonic() - asked
        responses = [f.result() for f in flood]
    codes = sorted(r.status_code for r in responses)
    assert speaker.most <= 2, f"{speaker.most} syntheses ran at once"
    assert codes.count(200) >= 2 and codes.count(429) >= 8, codes
    assert set(codes) <= {200, 429}
    for response in responses:
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) > 0 and "retry" in response.json()["detail"].lower()
    assert ask.status_code == 200 and ask_seconds < 2.0, f"/v1/ask took {ask_seconds:.2f} s during the flood"


def test_a_request_that_waits_briefly_gets_a_slot(served) -> None:  # type: ignore[no-untyped-def]
    base, speaker = served
    speaker.seconds = 0.1
    with ThreadPoolExecutor(3) as pool:
        codes = [f.result().status_code for f in [pool.submit(httpx.post, base + "/v1/speak",
                                                              json={"text": f"第{n}句。"}, timeout=30)
                                                  for n in range(3)]]
    assert codes == [200, 200, 200], "a third request waits for a slot rather than failing at once"


def test_a_flood_of_new_long_texts_cannot_flush_the_cache(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, max_bytes=4 * 1024 * 1024)
    kept = {f"answer-{n}": bytes([n]) * 40_000 for n in range(20)}  # the short answers people ask for again
    for key, audio in kept.items():
        cache.put(key, audio)
    for n in range(200):  # one client: a new 1,000-character text each time, about 600 kB of audio each
        cache.put(f"ad-hoc-{n}", bytes(600_000))
    assert all(cache.get(key) == audio for key, audio in kept.items()), "the reused answers are still cached"
    assert cache.size_bytes() <= 4 * 1024 * 1024
    cache.put("ad-hoc-7", bytes(600_000))  # the same long text asked again is worth keeping
    assert cache.get("ad-hoc-7") is not None
