"""Fixtures of the facility directory tests: fixture CSVs, a copy of the shipped folder, a real gazetteer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.facilities.store import PACKAGED_FACILITIES_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged facilities folder."""
    target = tmp_path / "facilities"
    shutil.copytree(PACKAGED_FACILITIES_DIR, target)
    return target


@pytest.fixture(scope="session")
def gazetteer():
    """The knowledge core's real gazetteer (regions from the manifest, places from the lexicon)."""
    from knowledge.text.gazetteer import Gazetteer

    return Gazetteer.load()


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def folder_bytes():
    """Every file of a folder with its bytes, to check that nothing changed."""
    return _folder_bytes
