"""Local fakes of the Google Translate TTS endpoint and the Edge read-aloud websocket, on 127.0.0.1 only.

The real gTTS and edge-tts libraries talk to them; only the host is changed (VoiceSettings.gtts_base_url,
VoiceSettings.edge_url), everything else — request building, the batchexecute answer parsing, the websocket
protocol with its speech.config / ssml / turn.start / audio / turn.end messages — is the libraries' own code.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from optional_models import need_hearing, need_neural_voice

from voice.settings import VoiceSettings

TONE_SECONDS = 0.5


def _need(binary: str) -> None:
    if shutil.which(binary) is None:
        pytest.skip(f"{binary} not installed (scripts/install-system.sh installs it)")


@pytest.fixture(scope="session")
def tone_mp3() -> bytes:
    """Half a second of a 440 Hz tone as MP3: what the fakes send back as 'speech'."""
    _need("ffmpeg")
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
           f"sine=frequency=440:duration={TONE_SECONDS}:sample_rate=24000", "-ac", "1", "-c:a", "libmp3lame",
           "-b:a", "48k", "-f", "mp3", "pipe:1"]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


@dataclass
class FakeService:
    """What a fake saw and how it should behave next: 'ok', 'slow' (0.5 s late), 'http429', 'http403', 'hang'."""

    mode: str = "ok"
    requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


# ---------------------------------------------------------------- gTTS: HTTP POST batchexecute


def _gtts_handler(service: FakeService, audio: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
            freq = urllib.parse.parse_qs(body)["f.req"][0]
            rpc = json.loads(freq)[0][0]
            text, lang, speed, _ = json.loads(rpc[1])
            service.requests.append({"path": self.path, "rpc": rpc[0], "text": text, "lang": lang,
                                     "speed": str(speed), "host": self.headers.get("Host", "")})
            service.enter()
            try:
                if service.mode in ("hang", "slow"):
                    time.sleep(3 if service.mode == "hang" else 0.5)
            finally:
                service.leave()
            if service.mode.startswith("http"):
                self.send_response(int(service.mode[4:]))
                self.end_headers()
                return
            payload = base64.b64encode(audio).decode("ascii")
            answer = ")]}'\n\n" + json.dumps([["wrb.fr", "jQ1olc", json.dumps([payload], separators=(",", ":")), None, None, None,
                                                "generic"]], separators=(",", ":")) + "\n"
            data = answer.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def fake_gtts(tone_mp3: bytes) -> Iterator[FakeService]:
    service = FakeService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _gtts_handler(service, tone_mp3))
    server.daemon_threads = True
    service.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- edge-tts: websocket read-aloud protocol


def _edge_app(service: FakeService, audio: bytes):  # type: ignore[no-untyped-def]
    from aiohttp import WSMsgType, web

    async def synthesize(request: web.Request) -> web.StreamResponse:
        record = {"path": request.path, "query": request.query_string, "ssml": "", "config": ""}
        service.requests.append(record)
        if service.mode.startswith("http"):
            return web.Response(status=int(service.mode[4:]), text="refused")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            if "Path:speech.config" in message.data:
                record["config"] = message.data
                continue
            if "Path:ssml" not in message.data:
                continue
            record["ssml"] = message.data
            if service.mode == "hang":
                continue
            request_id = re.search(r"X-RequestId:(\w+)", message.data).group(1)  # type: ignore[union-attr]
            await ws.send_str(f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
                              'Path:turn.start\r\n\r\n{"context":{"serviceTag":"fake"}}')
            header = f"X-RequestId:{request_id}\r\nContent-Type:audio/mpeg\r\nPath:audio\r\n"
            await ws.send_bytes(len(header).to_bytes(2, "big") + header.encode() + audio)
            end = f"X-RequestId:{request_id}\r\nPath:audio\r\n"
            await ws.send_bytes(len(end).to_bytes(2, "big") + end.encode())
            await ws.send_str(f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
                              'Path:turn.end\r\n\r\n{}')
        return ws

    app = web.Application()
    app.router.add_get("/consumer/speech/synthesize/readaloud/edge/v1", synthesize)
    return app


@pytest.fixture
def fake_edge(tone_mp3: bytes) -> Iterator[FakeService]:
    from aiohttp import web

    service = FakeService()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(_edge_app(service, tone_mp3))
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.base_url = f"ws://127.0.0.1:{port}"
    yield service
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


@pytest.fixture
def voice_settings(tmp_path: Path) -> VoiceSettings:
    """Offline-safe settings: short timeouts, a private cache directory."""
    return VoiceSettings(timeout_s=1.0, cache_dir=tmp_path / "cache", sentence_pause_ms=300)


@pytest.fixture
def needs_espeak() -> None:
    _need("espeak-ng")
    _need("ffmpeg")


# ---------------------------------------------------------------- neural voice and hearing (real models)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private voice model cache for the session (patched FastSpeech2, joined Whisper base)."""
    return tmp_path_factory.mktemp("voice-models")


@pytest.fixture(scope="session")
def neural_engine(model_dir: Path):  # type: ignore[no-untyped-def]
    need_neural_voice()
    from voice.engines.neural_engine import NeuralEngine

    engine = NeuralEngine(model_dir=model_dir)
    engine.warm_up()
    return engine


@pytest.fixture(scope="session")
def recognizer(model_dir: Path):  # type: ignore[no-untyped-def]
    need_hearing()
    from voice.hearing import Recognizer

    heard = Recognizer(VoiceSettings(model_dir=model_dir, cache_dir=None))
    heard.warm_up()
    yield heard
    heard.close()
