"""Fixtures: the real embedded dialogue core (built once), a fake Bot API on 127.0.0.1, the real Application."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("telegram")
pytest.importorskip("aiohttp")

from fakes import RecordingBackend  # noqa: E402
from telegram_fake_api import FakeBotApi  # noqa: E402

from bot.channels.telegram.app import build_application  # noqa: E402
from bot.channels.telegram.ratelimit import ChatRateLimiter  # noqa: E402
from bot.dialogue.embedded import EmbeddedBackend  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402
from voice.speaker import Speaker  # noqa: E402


@pytest.fixture(scope="session")
def speaker(tmp_path_factory: pytest.TempPathFactory) -> Speaker:
    """espeak-ng only (offline), OGG/Opus through ffmpeg."""
    for binary in ("espeak-ng", "ffmpeg"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} not installed (scripts/install-system.sh installs it)")
    return Speaker(VoiceSettings(engines=("espeak",), cache_dir=tmp_path_factory.mktemp("telegram-voice")))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = await FakeBotApi().start()
    yield fake
    await fake.close()


@pytest.fixture
def backend(embedded: EmbeddedBackend) -> RecordingBackend:
    """The session's embedded backend, every turn it was asked kept."""
    return RecordingBackend(embedded)


@pytest.fixture
def bot_settings(api: FakeBotApi, session_settings: BotSettings, tmp_path: Path) -> BotSettings:
    return replace(session_settings, data_dir=tmp_path / "data", telegram_token=api.token,
                   telegram_api_base_url=api.base_url)


@pytest.fixture
def make_app(bot_settings: BotSettings, backend: RecordingBackend, speaker: Speaker) -> Callable[..., Any]:
    """build_application with the test's fake API, the real core and espeak; keywords override."""
    def make(**overrides: Any) -> Any:
        settings = overrides.pop("settings", bot_settings)
        kwargs: dict[str, Any] = {"backend": backend, "speaker": speaker, "limiter": ChatRateLimiter(20, 10.0)}
        kwargs.update(overrides)
        return build_application(settings, **kwargs)

    return make
