"""`elderbot index` and `elderbot search` (text, --json, --jsonl) against an index in a temporary folder."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built once by `elderbot index`."""
    folder = tmp_path_factory.mktemp("cli") / "index"
    assert main(["index", "--index-dir", str(folder)]) == 0
    return folder


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_index_reports_passages_per_plan(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--index-dir", str(index_dir)]) == 0
    out = capsys.readouterr().out
    for region in ("涪陵", "资阳", "巫溪", "双桥", "万州"):
        assert region in out
    assert "up to date" in out and "passages from 5 plans" in out


def test_index_rebuild_builds_again(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--rebuild", "--index-dir", str(index_dir)]) == 0
    assert "index built" in capsys.readouterr().out


def test_index_reports_a_broken_plans_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--plans-dir", str(tmp_path), "--index-dir", str(tmp_path / "i")]) == 1
    assert "manifest.csv" in capsys.readouterr().err


def test_search_prints_title_section_and_score(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "时间银行怎么换服务", "--region", "万州", "--k", "3", "--index-dir", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "1. [" in out and "《重庆市万州区居家和社区养老服务改革试点工作实施方案》" in out
    assert "时间银行" in out and " › " in out
    assert "4. [" not in out


def test_search_json(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "老年大学", "--region", "双桥", "--json", "--index-dir", str(index_dir)]) == 0
    sources = json.loads(capsys.readouterr().out)
    assert 1 <= len(sources) <= 5
    assert {s["region"] for s in sources} == {"河北省承德市双桥区"}
    assert set(sources[0]) == {"text", "title", "region", "short_region", "section", "chunk_id", "score"}
    assert {s["short_region"] for s in sources} == {"双桥"}


def test_search_with_an_unknown_region_says_so(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "老年大学", "--region", "火星", "--index-dir", str(index_dir)]) == 2
    assert "不认识的地区" in capsys.readouterr().err


def test_search_needs_a_question_or_jsonl(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--index-dir", str(index_dir)]) == 2
    assert "--jsonl" in capsys.readouterr().err


def test_jsonl_answers_every_line_in_order(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"question": "高龄津贴多大年纪能领", "region": "万州"},
        "this is not json",
        {"question": ""},
        [1, 2],
        {"question": "助餐", "region": "火星"},
        {"question": 5},
        {"question": "长寿金"},
    ]
    data = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    feed_stdin(monkeypatch, data.encode() + b"\n\xff\xfe\n")
    assert main(["search", "--jsonl", "--k", "3", "--index-dir", str(index_dir)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 8
    first = out[0]["sources"]
    assert 1 <= len(first) <= 3 and {s["region"] for s in first} == {"重庆市万州区"}
    assert [s["score"] for s in first] == sorted((s["score"] for s in first), reverse=True)
    assert "not JSON" in out[1]["error"]
    assert "空" in out[2]["error"]
    assert "JSON object" in out[3]["error"]
    assert "火星" in out[4]["error"]
    assert "string" in out[5]["error"]
    assert out[6]["sources"] and any("高龄津贴" in s["text"] for s in out[6]["sources"])
    assert "UTF-8" in out[7]["error"]


def test_jsonl_through_the_console_entry_point(index_dir: Path) -> None:
    env = {**os.environ, "ELDERBOT_INDEX_DIR": str(index_dir), "PYTHONPATH": str(ROOT)}
    questions = "\n".join(json.dumps({"question": q}, ensure_ascii=False) for q in ("蔺市的养老院", "😀", "x" * 5000))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", "--jsonl"], input=questions.encode(), capture_output=True,
        env=env, cwd=ROOT, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 3
    assert out[0]["sources"] and all(s["region"] == "重庆市涪陵区" for s in out[0]["sources"])
    assert out[1] == {"sources": []} or "error" in out[1]
    assert "sources" in out[2] or "error" in out[2]
    assert b"Traceback" not in result.stderr


def test_an_unwritable_index_folder_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["search", "老年大学", "--index-dir", str(blocker / "index")]) == 1
    assert "cannot build the index" in capsys.readouterr().err
