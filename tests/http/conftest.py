"""The HTTP app over the real embedded dialogue core (index built once per session) and espeak-ng speech."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import RecordingBackend
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.channels.http.app import create_app
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from voice.settings import VoiceSettings
from voice.speaker import Speaker

API_KEY = "test-key-3f9a1c"


@pytest.fixture(scope="session")
def api_key() -> str:
    return API_KEY


@pytest.fixture
def speech_tools() -> None:
    """Skip when espeak-ng or ffmpeg is missing (scripts/install-system.sh installs both)."""
    missing = [name for name in ("espeak-ng", "ffmpeg") if shutil.which(name) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/install-system.sh installs it)")


@pytest.fixture(scope="session")
def http_settings(tmp_path_factory: pytest.TempPathFactory, session_settings: BotSettings) -> BotSettings:
    """The session's settings with a data folder of the HTTP tests' own (hotline audio)."""
    return replace(session_settings, data_dir=tmp_path_factory.mktemp("http") / "data")


@pytest.fixture(scope="session")
def speaker(tmp_path_factory: pytest.TempPathFactory) -> Speaker:
    """Offline speech only: espeak-ng, with its own cache."""
    return Speaker(VoiceSettings(engines=("espeak",), cache_dir=tmp_path_factory.mktemp("voice-cache")))


@pytest.fixture(scope="session")
def recording_core(embedded: EmbeddedBackend) -> RecordingBackend:
    """The session's embedded backend, every turn it was asked kept."""
    return RecordingBackend(embedded)


@pytest.fixture(scope="session")
def app(http_settings: BotSettings, recording_core: RecordingBackend, speaker: Speaker) -> FastAPI:
    return create_app(http_settings, backend=recording_core, speaker=speaker)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def keyed_client(http_settings: BotSettings, embedded: EmbeddedBackend, speaker: Speaker) -> Iterator[TestClient]:
    """The app with ELDERBOT_API_KEY configured."""
    app = create_app(replace(http_settings, api_key=API_KEY), backend=embedded, speaker=speaker)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
