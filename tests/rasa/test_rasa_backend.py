"""RasaBackend against fake Rasa servers on 127.0.0.1: metadata, one sender per anonymous turn, circuit breaker."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fakes import RecordingBackend

from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.rasa_backend import CircuitBreaker, RasaBackend
from bot.dialogue.seam import Action, Reply, Turn


class _RecordingRasa(BaseHTTPRequestHandler):
    """The REST webhook: records each payload and answers with a reply attached as custom JSON."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.payloads.append(payload)  # type: ignore[attr-defined]
        reply = Reply("subsidy", 0.9, Action.ANSWER, f"answer to {payload['message']}", "speech")
        body = json.dumps([{"recipient_id": payload["sender"], "text": reply.answer},
                           {"recipient_id": payload["sender"], "custom": reply.to_dict()}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recording_rasa() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingRasa)
    server.payloads = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.payloads  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_rasa() -> Iterator[str]:
    """Accepts connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_region_and_staff_go_as_metadata_and_the_reply_round_trips(
        recording_rasa: tuple[str, list[dict[str, Any]]], embedded: EmbeddedBackend) -> None:
    url, payloads = recording_rasa
    reply = RasaBackend(url, embedded).respond(Turn("高龄津贴怎么领", "tg:1", region="万州", staff=True))
    assert payloads == [{"sender": "tg:1", "message": "高龄津贴怎么领", "metadata": {"staff": True, "region": "万州"}}]
    assert (reply.action, reply.answer, reply.intent) == (Action.ANSWER, "answer to 高龄津贴怎么领", "subsidy")


def test_turns_without_a_conversation_get_a_sender_each(recording_rasa: tuple[str, list[dict[str, Any]]],
                                                        embedded: EmbeddedBackend) -> None:
    url, payloads = recording_rasa
    backend = RasaBackend(url, embedded)
    for _ in range(3):
        backend.respond(Turn("高龄津贴怎么领"))
    backend.respond(Turn("还有呢", "call:7"))
    backend.respond(Turn("再说一遍", "call:7"))
    senders = [p["sender"] for p in payloads]
    assert len(set(senders[:3])) == 3, "anonymous turns must not share Rasa's tracker"
    assert all(s.startswith("anonymous-") for s in senders[:3])
    assert senders[3:] == ["call:7", "call:7"]


def test_an_open_breaker_answers_from_the_local_backend_at_once(silent_rasa: str, embedded: EmbeddedBackend) -> None:
    local = RecordingBackend(embedded)
    backend = RasaBackend(silent_rasa, local, timeout=0.5, breaker=CircuitBreaker(failures=2, rest_s=60.0))
    question = Turn("万州的高龄津贴怎么领", "breaker-1")
    expected = embedded.respond(Turn(question.text, "breaker-reference"))
    for _ in range(2):  # each waits out the timeout, then the local backend answers
        started = time.monotonic()
        assert backend.respond(question).answer == expected.answer
        assert time.monotonic() - started >= 0.4
    assert backend.breaker.is_open
    started = time.monotonic()
    reply = backend.respond(question)
    assert time.monotonic() - started < 0.2, "an open breaker does not wait on Rasa"
    assert reply.answer == expected.answer and len(local.turns) == 3
