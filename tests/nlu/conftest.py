"""Shared fixtures for the embedded NLU tests: the real nlu_data/ files and the project's Chinese text handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.nlu.intent import IntentClassifier
from knowledge.text.chinese import ChineseText
from knowledge.text.nlu_data import DEFAULT_DATA_DIR, TrainingData, load_training_data


@pytest.fixture(scope="session")
def chinese() -> ChineseText:
    text = ChineseText()
    text.warm_up()
    return text


@pytest.fixture(scope="session")
def training_data() -> TrainingData:
    return load_training_data(DEFAULT_DATA_DIR)


@pytest.fixture(scope="session")
def classifier(training_data: TrainingData, chinese: ChineseText) -> IntentClassifier:
    return IntentClassifier(chinese).fit(training_data)


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    """An empty Rasa data folder for tests that write their own files."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
