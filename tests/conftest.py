"""Fixtures shared by every test folder: one index and one embedded core per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.backends import build_embedded_core
from bot.dialogue.core import DialogueCore
from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="session")
def shared_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder built once for the session (the plans and settings are the packaged defaults)."""
    return tmp_path_factory.mktemp("shared-index")


@pytest.fixture(scope="session")
def core(shared_index_dir: Path) -> DialogueCore:
    """The real embedded core over the packaged plans, warmed up once."""
    core = build_embedded_core(BotSettings(knowledge=KnowledgeSettings(index_dir=shared_index_dir)))
    core.warm_up()
    return core
