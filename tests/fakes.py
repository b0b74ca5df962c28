"""Test doubles shared by every test folder (import as `from fakes import ...`; tests/ is on sys.path)."""

from __future__ import annotations

import socket
from typing import Any

from bot.dialogue.seam import DialogueBackend, Reply, Turn


class RecordingBackend:
    """A real backend with every turn it was asked kept for inspection; every other call goes through."""

    def __init__(self, inner: DialogueBackend) -> None:
        self.inner = inner
        self.turns: list[Turn] = []

    def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        return self.inner.respond(turn)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
