"""`elderbot say` end to end with the offline engine."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.channels.cli import say
from voice.formats import probe

pytestmark = pytest.mark.usefixtures("needs_espeak")


@pytest.fixture(autouse=True)
def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ELDERBOT_TTS_ENGINES", "espeak")
    monkeypatch.setenv("ELDERBOT_TTS_CACHE_DIR", str(tmp_path / "cache"))


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="elderbot")
    say.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_say_writes_the_format_of_the_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "answer.wav"
    assert _main(["say", "服务时间8:30-17:00，请拨打12345热线。", "-o", str(out), "--show-text"]) == 0
    info = probe(out.read_bytes())
    assert (info.codec, info.sample_rate, info.channels) == ("pcm_s16le", 8000, 1)
    captured = capsys.readouterr()
    assert "服务时间八点半到十七点，请拨打幺二三四五热线。" in captured.out
    assert "espeak" in captured.err


def test_say_format_flag_and_engine_flag(tmp_path: Path) -> None:
    out = tmp_path / "voice.bin"
    assert _main(["say", "老年大学春季招生。", "-o", str(out), "--format", "ogg", "--engine", "espeak"]) == 0
    assert probe(out.read_bytes()).codec == "opus"


def test_say_nothing_speakable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.ogg"
    assert _main(["say", "🙂🙂", "-o", str(out)]) == 2
    assert not out.exists()
    assert "没有可以朗读的文字" in capsys.readouterr().err


def test_through_the_elderbot_dispatcher(tmp_path: Path) -> None:
    from bot.channels.cli.main import main

    out = tmp_path / "a.mp3"
    assert main(["say", "护理补贴按月发放。", "-o", str(out)]) == 0
    assert probe(out.read_bytes()).codec == "mp3"
