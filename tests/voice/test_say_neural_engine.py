"""`elderbot say --engine neural` and the entry points' one source of voice settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.cli.main import main
from voice.formats import probe


def test_say_engine_neural_speaks_with_the_neural_voice(neural_engine, model_dir: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ELDERBOT_TTS_ENGINES", "espeak")  # neural asked for on the command line, espeak kept behind
    monkeypatch.setenv("ELDERBOT_TTS_CACHE_DIR", "off")
    monkeypatch.setenv("ELDERBOT_VOICE_MODEL_DIR", str(model_dir))
    out = tmp_path / "answer.wav"
    assert main(["say", "老年大学春季招生。", "-o", str(out), "--engine", "neural"]) == 0
    assert "neural" in capsys.readouterr().err
    info = probe(out.read_bytes())
    assert (info.sample_rate, info.channels) == (8000, 1) and info.duration_s > 1.0
