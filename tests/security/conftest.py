"""Security fixtures: a fake token and key in the environment, the real core, a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import free_port
from security_secrets import FAKE_API_KEY, FAKE_TOKEN

from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("ELDERBOT_API_KEY", FAKE_API_KEY)
    return {"TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "ELDERBOT_API_KEY": FAKE_API_KEY}


@pytest.fixture(scope="session")
def security_settings(tmp_path_factory: pytest.TempPathFactory, session_settings: BotSettings) -> BotSettings:
    """The session's settings with a data folder of the security tests' own."""
    return replace(session_settings, data_dir=tmp_path_factory.mktemp("security") / "data")


@pytest.fixture(scope="session")
def live_server(security_settings: BotSettings, embedded: EmbeddedBackend,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The API under a real uvicorn on 127.0.0.1 with the fake key; yields (base URL, audio folder)."""
    uvicorn = pytest.importorskip("uvicorn")
    from bot.channels.http.app import create_app

    data_dir = tmp_path_factory.mktemp("security-data")
    settings = replace(security_settings, api_key=FAKE_API_KEY, data_dir=data_dir)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, backend=embedded), host="127.0.0.1", port=port,
                                           log_level="info", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", data_dir / "hotline-audio"
    server.should_exit = True
    thread.join(timeout=10)
