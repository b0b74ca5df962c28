"""Issue 19, items 11 and 12 (and /healthz of item 1): hostile but plausible HTTP input.

URLs come from configuration, never from the Host header; a chunked body over the limit is a 413; a request whose
headers or body trickle in is closed or answered 408 within the read timeout; with a key configured the key is
checked before the body is parsed; "staff" takes true or false only; `elderbot serve` says what is wrong in one
line; /healthz is 503 when the core cannot answer and never waits on Rasa."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import free_port
from fastapi.testclient import TestClient
from security_secrets import FAKE_API_KEY

from bot.channels.cli.main import build_parser
from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from voice.formats import AudioFormat
from voice.speaker import SpeechResult

ROOT = Path(__file__).resolve().parents[2]
EVIL = "evil.example"


class FakeSpeaker:
    """Instant 'audio' (the text's bytes), so that these tests do not depend on a speech engine."""

    def synthesize(self, text: str, fmt: AudioFormat) -> SpeechResult:
        return SpeechResult(b"RIFF" + text.encode("utf-8"), fmt, "fake", False, text)


@pytest.fixture
def make_client(security_settings: BotSettings, embedded: EmbeddedBackend,
                tmp_path: Path) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        settings = replace(security_settings, data_dir=tmp_path, **changes)
        client = TestClient(create_app(settings, backend=embedded, speaker=FakeSpeaker()))  # type: ignore[arg-type]
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


# --- item 11: the Host header -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "expected"), [
    ({"public_url": "https://elderbot.example.org"}, "https://elderbot.example.org/v1/audio/"),
    ({"host": "127.0.0.1", "port": 8123}, "http://127.0.0.1:8123/v1/audio/"),
    ({"host": "0.0.0.0", "port": 8123, "api_key": FAKE_API_KEY}, "/v1/audio/"),
])
def test_audio_url_is_built_from_configuration_not_the_host_header(make_client: Any, changes: dict[str, Any],
                                                                   expected: str) -> None:
    client = make_client(**changes)
    headers = {"Host": EVIL, "X-Forwarded-Host": EVIL, "Forwarded": f"host={EVIL}", "X-API-Key": FAKE_API_KEY}
    response = client.post("/v1/hotline", json={"call_id": "host-1", "text": "高龄津贴怎么领"}, headers=headers)
    assert response.status_code == 200, response.text
    audio_url = response.json()["audio_url"]
    assert audio_url.startswith(expected) and EVIL not in audio_url
    assert client.get(audio_url.replace("https://elderbot.example.org", "").replace("http://127.0.0.1:8123", ""),
                      headers={"X-API-Key": FAKE_API_KEY}).status_code == 200


@pytest.mark.parametrize("path", ["/v1/regions/", "/v1/ask/", "/static", "//evil.example/v1/regions"])
def test_no_redirect_is_built_from_the_host_header(make_client: Any, path: str) -> None:
    client = make_client()
    response = client.get(path, headers={"Host": EVIL}, follow_redirects=False)
    assert EVIL not in response.headers.get("location", "")
    assert EVIL not in response.text


# --- item 12: bodies, keys, strict types ------------------------------------------------------------------------

def test_a_chunked_body_over_the_limit_is_413(live_server: tuple[str, Path]) -> None:
    base, _ = live_server

    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = httpx.post(base + "/v1/ask", content=chunks(), timeout=10,
                          headers={"X-API-Key": FAKE_API_KEY, "Content-Type": "application/json"})
    assert response.status_code == 413 and "too large" in response.json()["detail"]


def test_a_chunked_body_under_the_limit_is_answered(live_server: tuple[str, Path]) -> None:
    base, _ = live_server
    response = httpx.post(base + "/v1/ask", content=iter([b'{"question": ', '"高龄津贴"}'.encode()]), timeout=30,
                          headers={"X-API-Key": FAKE_API_KEY, "Content-Type": "application/json"})
    assert response.status_code == 200


@pytest.mark.parametrize("body", [b"not json", b'{"question": 5}', b"\xff\xfe", b'{"staff": "no"}'])
@pytest.mark.parametrize("key", [None, FAKE_API_KEY[:-1], f" {FAKE_API_KEY}"])
def test_the_key_is_checked_before_the_body(make_client: Any, body: bytes, key: str | None) -> None:
    client = make_client(api_key=FAKE_API_KEY)
    headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key is not None else {})}
    response = client.post("/v1/ask", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert "errors" not in response.json(), "no validation detail before the key is checked"
    assert client.post("/v1/ask", content=body,
                       headers={"Content-Type": "application/json", "X-API-Key": FAKE_API_KEY}).status_code in (400, 422)


@pytest.mark.parametrize("staff", ["no", "false", "0", 0, 1, "yes", None, []])
def test_staff_takes_true_or_false_only(make_client: Any, staff: object) -> None:
    response = make_client().post("/v1/ask", json={"question": "高龄津贴", "staff": staff})
    assert response.status_code == 422, f"staff={staff!r} was accepted"


def test_staff_true_and_false_work(make_client: Any) -> None:
    client = make_client()
    for staff in (True, False):
        assert client.post("/v1/ask", json={"question": "高龄津贴", "staff": staff}).status_code == 200


# --- item 12: request-read timeout on a real server with the serve command's options ---------------------------

@pytest.fixture
def deadline_server(security_settings: BotSettings, embedded: EmbeddedBackend, tmp_path: Path) -> Iterator[int]:
    """uvicorn with `elderbot serve`'s options (its protocol class), a 1 s read timeout."""
    import uvicorn

    from bot.channels.http.server import uvicorn_options

    settings = replace(security_settings, data_dir=tmp_path, request_read_timeout_s=1.0)
    port = free_port()
    config = uvicorn.Config(create_app(settings, backend=embedded), host="127.0.0.1", port=port, log_level="warning",
                            **uvicorn_options(settings.request_read_timeout_s))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """(whether the server closed the connection within `seconds`, what it sent before)."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return True, received


@pytest.mark.parametrize("partial", [b"GET /healthz HT", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "])
def test_partial_headers_are_not_held(deadline_server: int, partial: bytes) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", deadline_server)) as sock:
        sock.sendall(partial)
        closed, _ = closed_within(sock, 6)
    assert closed and time.monotonic() - started < 5


def test_partial_headers_on_a_kept_alive_connection_are_not_held(deadline_server: int) -> None:
    with socket.create_connection(("127.0.0.1", deadline_server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(10)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        closed, _ = closed_within(sock, 6)
    assert closed and time.monotonic() - started < 5


def test_a_trickling_body_gets_408(deadline_server: int) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", deadline_server)) as sock:
        sock.sendall(b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 200\r\n\r\n{\"question\": ")
        closed, received = closed_within(sock, 6)
    assert received.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5


def test_a_prompt_client_is_served_as_before(deadline_server: int) -> None:
    response = httpx.post(f"http://127.0.0.1:{deadline_server}/v1/ask", json={"question": "高龄津贴"}, timeout=30)
    assert response.status_code == 200 and response.json()["answer"]


# --- item 12: `elderbot serve` says what is wrong in one line ----------------------------------------------------

def serve_in_process(monkeypatch: pytest.MonkeyPatch, argv: list[str] | None = None) -> tuple[int, list[Any]]:
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: started.append(app))
    args = build_parser().parse_args(["serve", *(argv or [])])
    return args.run(args), started


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize(("name", "value", "named"), [
    ("ELDERBOT_PORT", "abc", "ELDERBOT_PORT"), ("ELDERBOT_PORT", "70000", "ELDERBOT_PORT"),
    ("ELDERBOT_PUBLIC_URL", "elderbot.example", "ELDERBOT_PUBLIC_URL"),
    ("ELDERBOT_REQUEST_TIMEOUT_S", "-1", "ELDERBOT_REQUEST_TIMEOUT_S"),
])
def test_a_bad_setting_is_one_line_exit_2(tmp_path: Path, name: str, value: str, named: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ELDERBOT_DATA_DIR": str(tmp_path), name: value,
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], capture_output=True, text=True, env=env,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert named in one_line(done.stderr)


@pytest.mark.parametrize("module", ["uvicorn", "fastapi"])
def test_a_missing_api_extra_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                module: str) -> None:
    monkeypatch.delenv("ELDERBOT_API_KEY", raising=False)
    for name in list(sys.modules):
        if name == module or name.startswith(module + ".") or name.startswith("bot.channels.http"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)
    args = build_parser().parse_args(["serve"])
    assert args.run(args) == 2
    line = one_line(capsys.readouterr().err)
    assert module in line and "elderbot[api]" in line


def test_a_core_that_cannot_start_refuses_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.delenv("ELDERBOT_API_KEY", raising=False)
    monkeypatch.setenv("ELDERBOT_INDEX_DIR", str(blocker / "index"))
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(tmp_path / "data"))
    code, started = serve_in_process(monkeypatch)
    assert code == 2 and started == [], "nothing is served"
    line = one_line(capsys.readouterr().err)
    assert line.startswith("elderbot serve: cannot start") and "ELDERBOT_INDEX_DIR" in line


# --- item 1: /healthz tells whether the core can answer, cheaply ------------------------------------------------

class BrokenSearch:
    """The embedded backend with a broken index under it (as served half-read before): every search fails."""

    def __init__(self, inner: EmbeddedBackend) -> None:
        self.inner = inner

    def search(self, *args: object, **kwargs: object) -> list[object]:
        raise ValueError("operands could not be broadcast together with shapes (300,) (532,)")

    def respond(self, turn: object) -> object:
        raise ValueError("operands could not be broadcast together with shapes (300,) (532,)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_healthz_is_503_when_the_core_cannot_answer(security_settings: BotSettings, embedded: EmbeddedBackend,
                                                    tmp_path: Path) -> None:
    app = create_app(replace(security_settings, data_dir=tmp_path), backend=BrokenSearch(embedded))  # type: ignore[arg-type]
    with TestClient(app) as client:
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["status"] == "unavailable"
        assert "(300,)" not in response.text, "no internals in the health answer"


def test_healthz_is_503_after_turns_fail(security_settings: BotSettings, embedded: EmbeddedBackend,
                                         tmp_path: Path) -> None:
    class FailingTurns(BrokenSearch):
        def search(self, *args: object, **kwargs: object) -> list[object]:
            return self.inner.search(*args, **kwargs)  # type: ignore[arg-type]

    app = create_app(replace(security_settings, data_dir=tmp_path), backend=FailingTurns(embedded))  # type: ignore[arg-type]
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        for _ in range(3):
            assert client.post("/v1/ask", json={"question": "高龄津贴"}).status_code == 503
        assert client.get("/healthz").status_code == 503


def test_healthz_is_503_when_warm_up_failed(security_settings: BotSettings, embedded: EmbeddedBackend,
                                            tmp_path: Path) -> None:
    class NoWarmUp(BrokenSearch):
        def warm_up(self) -> None:
            raise OSError("index folder gone")

    app = create_app(replace(security_settings, data_dir=tmp_path), backend=NoWarmUp(embedded))  # type: ignore[arg-type]
    with pytest.raises(OSError):
        app.state.services.warm_up()
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 503


def test_healthz_never_waits_on_a_hanging_rasa(security_settings: BotSettings, embedded: EmbeddedBackend,
                                               tmp_path: Path) -> None:
    from bot.dialogue.rasa_backend import RasaBackend

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts, never answers
    try:
        backend = RasaBackend(f"http://127.0.0.1:{listener.getsockname()[1]}", embedded, timeout=10.0)
        app = create_app(replace(security_settings, data_dir=tmp_path, backend="rasa"), backend=backend)
        with TestClient(app) as client:
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert time.monotonic() - started < 1.0
    finally:
        listener.close()
