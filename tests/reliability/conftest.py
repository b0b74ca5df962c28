"""Shared fixtures of the reliability tests: the real embedded core, closed loopback ports, dead TTS engines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from reliability_ports import closed_port

from bot.settings import BotSettings
from voice.settings import VoiceSettings
from voice.speaker import Speaker


@pytest.fixture(scope="session")
def reliability_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="session")
def bot_settings(reliability_root: Path, session_settings: BotSettings) -> BotSettings:
    """The session's settings with a data folder of the reliability tests' own."""
    return replace(session_settings, data_dir=reliability_root / "data")


@pytest.fixture
def dead_speaker() -> Speaker:
    """The real engines, every one of them down: gTTS and edge-tts aimed at closed loopback ports,
    espeak-ng at a binary that does not exist."""
    settings = VoiceSettings(engines=("gtts", "edge", "espeak"), timeout_s=2.0, cache_dir=None,
                             gtts_base_url=f"http://127.0.0.1:{closed_port()}",
                             edge_url=f"ws://127.0.0.1:{closed_port()}",
                             espeak_binary="/nonexistent/espeak-ng")
    return Speaker(settings)
