"""A corrupted, truncated or missing index is rebuilt on warm-up (never served half-read); a broken plans
folder gives a clear error."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, CorpusError
from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings

QUERY = "高龄津贴"


@pytest.fixture(scope="module")
def good_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly built index, copied for each test to damage."""
    directory = tmp_path_factory.mktemp("good-index") / "index"
    KnowledgeBase(settings_at(directory)).warm_up()
    return directory


def settings_at(directory: Path) -> KnowledgeSettings:
    """BM25 only (an empty models folder), so a locally kept fine-tuned encoder cannot change the fingerprint."""
    return KnowledgeSettings(index_dir=directory, models_dir=directory.parent / "no-models")


def copy_of(good_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(good_index, target)
    return target


def files_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def truncate_all(directory: Path) -> None:
    for path in files_in(directory):
        if path.name != "fingerprint.json":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def scramble_all(directory: Path) -> None:
    for path in files_in(directory):
        if path.name != "fingerprint.json":
            path.write_bytes(b"\x00\xff garbage \x80" * 7)


def delete_passages(directory: Path) -> None:
    (directory / "passages.jsonl").unlink()


def delete_bm25(directory: Path) -> None:
    shutil.rmtree(directory / "bm25")


def empty_files(directory: Path) -> None:
    for path in files_in(directory):
        path.write_bytes(b"")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncate_all, "scrambled": scramble_all, "passages-missing": delete_passages,
    "bm25-missing": delete_bm25, "all-empty": empty_files,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_rebuilt(good_index: Path, tmp_path: Path, damage: str) -> None:
    reference = KnowledgeBase(settings_at(good_index)).search(QUERY, k=3)
    directory = copy_of(good_index, tmp_path)
    DAMAGE[damage](directory)
    index = KnowledgeBase(settings_at(directory)).warm_up()
    assert index.built, f"a {damage} index must be rebuilt, not served"
    hits = KnowledgeBase(settings_at(directory)).search(QUERY, k=3)
    assert [h.passage.chunk_id for h in hits] == [h.passage.chunk_id for h in reference]
    reopened = KnowledgeBase(settings_at(directory)).warm_up()
    assert not reopened.built, "the rebuilt index is whole again and simply loaded next time"


def test_missing_index_dir_is_built(tmp_path: Path) -> None:
    directory = tmp_path / "never" / "made"
    index = KnowledgeBase(settings_at(directory)).warm_up()
    assert index.built and len(index.store) > 0 and (directory / "fingerprint.json").is_file()


def test_index_dir_that_is_a_file_gives_a_clear_os_error(tmp_path: Path) -> None:
    blocker = tmp_path / "index"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OSError):
        KnowledgeBase(settings_at(blocker / "inner")).warm_up()


def test_plans_folder_without_manifest_is_a_clear_error(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    with pytest.raises(CorpusError, match="manifest.csv"):
        KnowledgeBase(KnowledgeSettings(plans_dir=plans, index_dir=tmp_path / "index")).warm_up()


def test_manifest_naming_a_missing_plan_is_a_clear_error(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(PACKAGED_PLANS_DIR, plans)
    first = sorted(plans.glob("*.txt"))[0]
    first.unlink()
    with pytest.raises(CorpusError, match=first.name):
        KnowledgeBase(KnowledgeSettings(plans_dir=plans, index_dir=tmp_path / "index")).warm_up()
