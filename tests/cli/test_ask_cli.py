"""`elderbot ask`: one question, and --jsonl where a bad line gets its own error and later lines are answered."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.channels.cli.main import main


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, shared_index_dir: Path, tmp_path: Path) -> None:
    """The session's index, a fresh data folder, no Redis, the embedded backend."""
    monkeypatch.setenv("ELDERBOT_INDEX_DIR", str(shared_index_dir))
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ELDERBOT_BACKEND", "embedded")
    monkeypatch.delenv("REDIS_URL", raising=False)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def line(item: object) -> bytes:
    return json.dumps(item, ensure_ascii=False).encode()


def test_ask_one_question_as_json(cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "高龄津贴怎么领", "--region", "万州", "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["action"] == "answer" and reply["region"] == "重庆市万州区"
    assert reply["sources"] and {s["short_region"] for s in reply["sources"]} == {"万州"}
    assert "understood" in reply


def test_jsonl_bad_lines_get_an_error_each_and_later_lines_are_answered(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = b'{"question": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    lines = [
        line({"question": "高龄津贴怎么领", "region": 5}),
        line({"question": "高龄津贴怎么领", "conversation": ["a", "b"]}),
        deep,
        b'{"question": "\xff\xfe\xe9"}',
        line({"question": "老年大学怎么报名", "conversation": "c1"}),
        line({"question": "巫溪", "conversation": "c1"}),
        line({"question": "高龄津贴怎么领", "region": "万州"}),
    ]
    feed_stdin(monkeypatch, b"\n".join(lines) + b"\n")
    assert main(["ask", "--jsonl"]) == 0
    out = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)
    assert set(out[0]) == {"error"} and "region" in out[0]["error"]
    assert set(out[1]) == {"error"} and "conversation" in out[1]["error"]
    assert set(out[2]) == {"error"} and "nested" in out[2]["error"]
    assert set(out[3]) == {"error"} and "UTF-8" in out[3]["error"]
    assert out[4]["action"] == "clarify_region"
    assert out[5]["action"] == "answer" and out[5]["region"] == "重庆市巫溪县", "the conversation kept its question"
    assert out[6]["action"] == "answer" and out[6]["region"] == "重庆市万州区"
    assert all(s["short_region"] == "万州" for s in out[6]["sources"])
