"""One embedded core for the Rasa action tests, over an index built in a temporary folder."""

from __future__ import annotations

import pytest

from bot.backends import build_embedded_core
from bot.core import DialogueCore
from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="session")
def core(tmp_path_factory: pytest.TempPathFactory) -> DialogueCore:
    index_dir = tmp_path_factory.mktemp("index")
    core = build_embedded_core(BotSettings(knowledge=KnowledgeSettings(index_dir=index_dir)))
    core.warm_up()
    return core
