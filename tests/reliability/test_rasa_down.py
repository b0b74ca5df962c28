"""Rasa down, broken or hanging: the embedded fallback answers, or the user gets a clear message — never a crash."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_ports import closed_port

from bot.channels.http.app import create_app
from bot.dialogue import replies
from bot.dialogue.backends import build_backend
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.rasa_backend import RasaBackend
from bot.dialogue.seam import Action, Turn
from bot.settings import BotSettings

QUESTION = "资阳的老年大学怎么报名？"


class _BrokenRasa(BaseHTTPRequestHandler):
    """Answers the REST webhook with a server error, or with something that is not JSON."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.mode == "500":  # type: ignore[attr-defined]
            self.send_response(500)
            body = b"Internal Server Error"
        else:
            self.send_response(200)
            body = b"<html>not json</html>"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=["500", "not-json"])
def broken_rasa(request: pytest.FixtureRequest) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BrokenRasa)
    server.mode = request.param  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hanging_rasa() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def assert_clear_message(reply: object) -> None:
    assert reply.action is Action.FALLBACK  # type: ignore[attr-defined]
    assert replies.WHERE_TO_ASK.strip() in reply.answer  # type: ignore[attr-defined]
    assert reply.speech.strip()  # type: ignore[attr-defined]


def test_closed_port_without_fallback_gives_a_clear_message(embedded: EmbeddedBackend,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    backend = RasaBackend(f"http://127.0.0.1:{closed_port()}", embedded, answer_when_down=False)
    with caplog.at_level(logging.WARNING, logger="bot.dialogue.rasa_backend"):
        reply = backend.respond(Turn(QUESTION, conversation="rasa-down-1"))
    assert_clear_message(reply)
    assert any("Rasa unreachable" in r.getMessage() for r in caplog.records)
    assert backend.regions() == embedded.regions() and backend.regions(), "the region buttons still work"


def test_closed_port_with_fallback_answers_from_the_embedded_core(embedded: EmbeddedBackend) -> None:
    backend = RasaBackend(f"http://127.0.0.1:{closed_port()}", embedded)
    reply = backend.respond(Turn(QUESTION, conversation="rasa-down-2"))
    expected = embedded.respond(Turn(QUESTION, conversation="rasa-down-reference"))
    assert (reply.action, reply.answer) == (expected.action, expected.answer)
    assert reply.sources and reply.action is not Action.FALLBACK
    assert backend.regions() == embedded.regions()


def test_broken_rasa_is_treated_like_a_down_one(broken_rasa: str, embedded: EmbeddedBackend) -> None:
    down = RasaBackend(broken_rasa, embedded, answer_when_down=False)
    assert_clear_message(down.respond(Turn(QUESTION, conversation="rasa-broken")))
    fallback_reply = RasaBackend(broken_rasa, embedded).respond(Turn(QUESTION, conversation="rasa-broken-2"))
    assert fallback_reply.answer == embedded.respond(Turn(QUESTION, conversation="rasa-broken-ref")).answer


def test_hanging_rasa_times_out_into_the_clear_message(hanging_rasa: str, embedded: EmbeddedBackend) -> None:
    started = time.monotonic()
    reply = RasaBackend(hanging_rasa, embedded, answer_when_down=False, timeout=1.0).respond(Turn(QUESTION, conversation="rasa-hang"))
    assert time.monotonic() - started < 10
    assert_clear_message(reply)


def test_http_api_with_rasa_down_still_answers_200(bot_settings: BotSettings, tmp_path: Path) -> None:
    settings = replace(bot_settings, backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port()}", data_dir=tmp_path,
                       rasa_fallback=False)
    backend = build_backend(settings)
    assert isinstance(backend, RasaBackend)
    with TestClient(create_app(settings, backend=backend)) as client:
        response = client.post("/v1/ask", json={"question": QUESTION, "conversation": "rasa-http"})
    assert response.status_code == 200
    assert response.json()["action"] == Action.FALLBACK.value
    assert replies.WHERE_TO_ASK.strip() in response.json()["answer"]


def test_http_api_with_rasa_down_answers_from_the_embedded_core_by_default(
    bot_settings: BotSettings, tmp_path: Path
) -> None:
    settings = replace(bot_settings, backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port()}", data_dir=tmp_path)
    backend = build_backend(settings)
    with TestClient(create_app(settings, backend=backend)) as client:
        response = client.post("/v1/ask", json={"question": QUESTION, "conversation": "rasa-http-fallback"})
    assert response.status_code == 200
    assert response.json()["action"] != Action.FALLBACK.value
    assert response.json()["sources"]
