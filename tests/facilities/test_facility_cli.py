"""`elderbot facilities …` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["facilities", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_list_and_query(tmp_path: Path, fixtures: Path, capsys) -> None:
    code, out, _ = run(capsys, "import", str(fixtures / "good.csv"), "--dir", str(tmp_path))
    assert code == 0 and "6 added, 0 updated, 0 unchanged" in out
    code, out, _ = run(capsys, "list", "--dir", str(tmp_path), "--type", "meal", "--json")
    assert code == 0 and {f["name"] for f in json.loads(out)} == {"示例甲社区助餐点", "乐至县示例丁老年食堂"}
    code, out, _ = run(capsys, "nearest", "29.7030", "107.3900", "--dir", str(tmp_path), "--limit", "2", "--json")
    hits = json.loads(out)
    assert code == 0 and [h["name"] for h in hits] == ["示例甲社区助餐点", "示例乙养老服务站"]
    assert hits[0]["distance_m"] == 0 and 700 < hits[1]["distance_m"] < 1000


def test_bad_file_exits_1_with_line_numbers_and_changes_nothing(folder_bytes, tmp_path: Path, fixtures: Path, capsys) -> None:
    run(capsys, "import", str(fixtures / "good.csv"), "--dir", str(tmp_path))
    before = folder_bytes(tmp_path)
    code, out, err = run(capsys, "import", str(fixtures / "bad_rows.csv"), "--dir", str(tmp_path))
    assert code == 1 and out == ""
    assert "line 2: type '火锅店'" in err and "line 10:" in err and "nothing was changed" in err
    assert folder_bytes(tmp_path) == before


def test_dry_run_writes_nothing(tmp_path: Path, fixtures: Path, capsys) -> None:
    code, out, _ = run(capsys, "import", str(fixtures / "good.csv"), "--dir", str(tmp_path), "--dry-run")
    assert code == 0 and "would write" in out and list(tmp_path.iterdir()) == []


def test_near_on_the_shipped_directory_cites_the_plan(capsys) -> None:
    code, out, _ = run(capsys, "near", "蔺市附近有养老院吗")
    assert code == 0 and "蔺市敬老院" in out and "《重庆市涪陵区养老事业发展“十四五”规划（2021—2025年）》" in out
    code, out, _ = run(capsys, "near", "双桥区有助餐点吗", "--json")
    result = json.loads(out)
    assert result["facilities"] == [] and result["region"] == "河北省承德市双桥区"


def test_env_is_read_when_the_command_runs(tmp_path: Path, fixtures: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ELDERBOT_FACILITIES_DIR", str(tmp_path))
    code, _, _ = run(capsys, "import", str(fixtures / "missing_coords.csv"))
    assert code == 0 and (tmp_path / "local.csv").is_file()
    code, out, _ = run(capsys, "list", "--json")
    assert [f["name"] for f in json.loads(out)] == ["示例无坐标站", "示例有坐标站"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("nearest", "95", "107"), "latitude 95.0 is outside"),
        (("list", "--type", "火锅"), "unknown facility type or topic"),
        (("near", "蔺市", "--type", "swim"), "unknown facility type or topic"),
    ],
)
def test_bad_arguments_get_a_clear_message(capsys, argv: tuple[str, ...], message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_missing_folder_or_file(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "list", "--dir", str(tmp_path / "absent"))
    assert code == 1 and "not a folder" in err
    code, _, err = run(capsys, "import", str(tmp_path / "absent.csv"), "--dir", str(tmp_path))
    assert code == 1 and "cannot read the file" in err
