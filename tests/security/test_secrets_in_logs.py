"""Tokens and keys come only from the environment and never reach a log, an error body or the console."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from security_secrets import FAKE_API_KEY, FAKE_TOKEN

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[2]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert FAKE_TOKEN not in text, "the Telegram token leaked"
        assert FAKE_API_KEY not in text, "the API key leaked"
        assert FAKE_TOKEN.split(":", 1)[1] not in text, "the secret half of the token leaked"


def test_settings_read_secrets_from_the_environment_and_hide_them(secret_env: dict[str, str],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    settings = BotSettings.from_env()
    assert (settings.telegram_token, settings.api_key) == (FAKE_TOKEN, FAKE_API_KEY)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("elderbot.test").info("settings: %s / %r", settings, settings)
    assert_no_secret(caplog.text, repr(settings), str(settings), f"{settings}")
    assert BotSettings().telegram_token == "" and BotSettings().api_key == "", "no secret has a default"


def test_no_secret_is_written_in_the_code_or_config() -> None:
    """Only the environment holds them: no token- or key-shaped literal in the sources or deployment files."""
    import re

    token_shape = re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")
    paths = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("knowledge/**/*.py"), *ROOT.glob("voice/**/*.py"),
             ROOT / "docker-compose.yml", ROOT / ".env.example", *ROOT.glob("deploy/*"), *ROOT.glob("nlu_data/*.yml")]
    for path in paths:
        if path.is_file():
            assert not token_shape.search(path.read_text(encoding="utf-8", errors="replace")), path
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith(("TELEGRAM_BOT_TOKEN=", "ELDERBOT_API_KEY=")):
            assert line.endswith("="), line


@pytest.fixture
def keyed_client(security_settings: BotSettings, embedded: EmbeddedBackend, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(replace(security_settings, api_key=FAKE_API_KEY, data_dir=tmp_path), backend=embedded)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_http_errors_never_echo_the_key(keyed_client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    right = {"X-API-Key": FAKE_API_KEY}
    near_miss = {"X-API-Key": FAKE_API_KEY[:-1]}
    requests = [
        ("POST", "/v1/ask", {"question": "高龄津贴"}, near_miss),
        ("POST", "/v1/ask", {"question": ""}, right),
        ("POST", "/v1/ask", {"question": "x", "api_key": FAKE_API_KEY}, right),
        ("POST", "/v1/ask", {"question": "x" * 100_000}, right),
        ("GET", "/v1/search?q=", None, right),
        ("GET", "/v1/nowhere", None, right),
        ("GET", "/v1/audio/" + "0" * 64 + ".wav", None, right),
    ]
    with caplog.at_level(logging.DEBUG):
        for method, path, body, headers in requests:
            response = keyed_client.request(method, path, json=body, headers=headers)
            assert 400 <= response.status_code < 500, path
            assert_no_secret(response.text, json.dumps(dict(response.headers)))
    assert_no_secret(caplog.text)


class _RejectingBotApi(BaseHTTPRequestHandler):
    """A Bot API that rejects the token (401), as Telegram does for a revoked one."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rejecting_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RejectingBotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("verbose", [False, True])
def test_telegram_startup_failure_keeps_the_token_out_of_the_output(rejecting_api: str, tmp_path: Path,
                                                                    verbose: bool) -> None:
    """`elderbot telegram` with a token Telegram rejects: it fails clearly, and the token appears nowhere."""
    pytest.importorskip("telegram")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "TELEGRAM_API_BASE_URL": rejecting_api,
           "ELDERBOT_DATA_DIR": str(tmp_path / "data"), "ELDERBOT_INDEX_DIR": str(tmp_path / "index"),
           "ELDERBOT_BACKEND": "rasa", "RASA_URL": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "bot", "telegram", *(["-v"] if verbose else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert done.returncode != 0
    assert_no_secret(done.stdout, done.stderr)
    assert "TELEGRAM_BOT_TOKEN" in done.stderr, done.stderr[-2000:]


def test_telegram_network_logs_never_carry_the_token(caplog: pytest.LogCaptureFixture) -> None:
    """Libraries log request URLs (which hold the token); the command's log filter removes it."""
    from bot.channels.cli.telegram import TokenRedactor

    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s \"%s\"",
                               (f"https://api.telegram.org/bot{FAKE_TOKEN}/getMe", "HTTP/1.1 401"), None)
    TokenRedactor(FAKE_TOKEN).filter(record)
    assert_no_secret(record.getMessage())
    assert "<token>" in record.getMessage()


def test_api_key_is_not_sent_anywhere_by_the_rasa_backend(secret_env: dict[str, str]) -> None:
    """The Rasa REST payload holds the sender and the words, never a configured secret."""
    from bot.dialogue.rasa_backend import RasaBackend
    from bot.dialogue.seam import Turn

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"text": "好的"}])

    backend = RasaBackend("http://127.0.0.1:5005", local=None, answer_when_down=False)  # type: ignore[arg-type]
    backend._client = httpx.Client(transport=httpx.MockTransport(handler))
    backend.respond(Turn("高龄津贴", conversation="tg:1", region="万州", staff=True))
    [request] = seen
    assert_no_secret(request.content.decode(), str(request.url), json.dumps(dict(request.headers)))
