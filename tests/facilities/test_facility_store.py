"""The directory folder: merging imports, atomic writes, a bad file changing nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from knowledge.facilities import schema as facility_schema
from knowledge.facilities.schema import FacilityFileError, read_facility_file
from knowledge.facilities.store import (
    LOCAL_FILE_NAME,
    combined,
    facilities_dir_from_env,
    import_facility_file,
    read_directory,
)


def test_import_into_an_empty_folder_creates_local_csv(tmp_path: Path, fixtures: Path) -> None:
    report = import_facility_file(fixtures / "good.csv", tmp_path)
    assert len(report.added) == 6 and not report.updated
    assert report.written == [tmp_path / LOCAL_FILE_NAME]
    assert read_facility_file(tmp_path / LOCAL_FILE_NAME) == read_facility_file(fixtures / "good.csv")
    again = import_facility_file(fixtures / "good.csv", tmp_path)
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 6)
    assert again.written == []


def test_import_updates_known_rows_in_the_file_that_holds_them(shipped_copy: Path, tmp_path: Path) -> None:
    update = tmp_path / "update.csv"
    update.write_text(
        "name,type,region,address,phone,source\n"
        "江北街道医养结合项目,养老机构,重庆市涪陵区,江北街道北坪社区云海路800号,023-0000 1234,测试名录\n"
        "示例新助餐点,助餐点,重庆市涪陵区,示例路5号,,测试名录\n",
        encoding="utf-8",
    )
    shipped = shipped_copy / "plan_facilities.csv"
    rows_before = len(read_facility_file(shipped))
    report = import_facility_file(update, shipped_copy)
    assert [f.name for f in report.added] == ["示例新助餐点"]
    [updated] = report.updated
    assert updated.phone == "023-0000 1234"
    assert updated.source == "测试名录"  # non-empty imported fields win
    assert updated.source_quote.startswith("江北街道医养结合项目：位于江北街道北坪社区云海路800号")  # kept
    assert updated.beds == "约80"  # kept
    after = read_facility_file(shipped)
    assert len(after) == rows_before
    assert next(f for f in after if f.name == "江北街道医养结合项目").phone == "023-0000 1234"
    assert [f.name for f in read_facility_file(shipped_copy / LOCAL_FILE_NAME)] == ["示例新助餐点"]


@pytest.mark.parametrize("name", ["bad_rows.csv", "duplicates.csv"])
def test_a_bad_file_changes_nothing(folder_bytes, shipped_copy: Path, fixtures: Path, name: str) -> None:
    before = folder_bytes(shipped_copy)
    with pytest.raises(FacilityFileError):
        import_facility_file(fixtures / name, shipped_copy)
    assert folder_bytes(shipped_copy) == before


def test_a_bad_file_already_in_the_folder_blocks_imports(folder_bytes, tmp_path: Path, fixtures: Path) -> None:
    shutil.copy(fixtures / "bad_rows.csv", tmp_path / "broken.csv")
    before = folder_bytes(tmp_path)
    with pytest.raises(FacilityFileError) as caught:
        import_facility_file(fixtures / "good.csv", tmp_path)
    assert any(p.startswith("broken.csv: line 2:") for p in caught.value.problems)
    assert folder_bytes(tmp_path) == before


def test_dry_run_reports_and_writes_nothing(tmp_path: Path, fixtures: Path) -> None:
    report = import_facility_file(fixtures / "good.csv", tmp_path, dry_run=True)
    assert len(report.added) == 6 and report.written == [tmp_path / LOCAL_FILE_NAME]
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_every_file_as_it_was(folder_bytes, shipped_copy: Path, tmp_path: Path, monkeypatch) -> None:
    update = tmp_path / "update.csv"
    # one known row (updates plan_facilities.csv) and one new row (creates local.csv): two files to write
    update.write_text("name,type,region,address,phone,source\n"
                      "美心养老院,养老院,重庆市涪陵区,蔺市街道泡桐村,023-1,测试\n"
                      "示例新站,养老服务站,重庆市涪陵区,,,测试\n", encoding="utf-8")
    before = folder_bytes(shipped_copy)
    real_fdopen = os.fdopen
    calls = {"n": 0}

    def failing_fdopen(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_fdopen(*args, **kwargs)

    monkeypatch.setattr(facility_schema.os, "fdopen", failing_fdopen)
    with pytest.raises(OSError):
        import_facility_file(update, shipped_copy)
    assert calls["n"] == 2
    assert folder_bytes(shipped_copy) == before  # no half-written file, no temp file left behind


def test_rows_repeated_across_files_are_merged(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("name,type,region,source\n示例站,养老服务站,重庆市涪陵区,甲\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("name,type,region,hours,source\n示例站,养老服务站,重庆市涪陵区,8:00-17:00,乙\n",
                                    encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a csv", encoding="utf-8")
    [facility] = combined(read_directory(tmp_path))
    assert (facility.hours, facility.source) == ("8:00-17:00", "乙")


def test_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(FacilityFileError, match="not a folder"):
        read_directory(tmp_path / "absent")


def test_env_names_the_folder_only_when_asked(tmp_path: Path) -> None:
    from knowledge.facilities.store import PACKAGED_FACILITIES_DIR

    assert facilities_dir_from_env({}) == PACKAGED_FACILITIES_DIR
    assert facilities_dir_from_env({"ELDERBOT_FACILITIES_DIR": str(tmp_path)}) == tmp_path


def test_short_region_names_are_made_canonical(tmp_path: Path, gazetteer) -> None:
    source = tmp_path / "short.csv"
    source.write_text("name,type,region,county,source\n示例站,养老服务站,涪陵区,,测试\n示例院,敬老院,乐至县,,测试\n"
                      "示例点,助餐点,北京市朝阳区,,测试\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    report = import_facility_file(source, folder, resolve_region=gazetteer.resolve_region)
    assert [f.region for f in report.added] == ["重庆市涪陵区", "乐至县", "北京市朝阳区"]
    assert report.unknown_regions == ["乐至县", "北京市朝阳区"]
    assert "region(s) 乐至县、北京市朝阳区 are not regions of the plans" in report.summary()
