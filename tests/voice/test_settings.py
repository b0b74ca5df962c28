"""VoiceSettings: defaults, environment, engine order."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.engines.edge_engine import EdgeEngine
from voice.engines.espeak_engine import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.engines.neural_engine import NeuralEngine
from voice.engines.registry import build_engines
from voice.formats import AudioFormat
from voice.settings import VoiceSettings


def test_defaults_are_senior_pace() -> None:
    settings = VoiceSettings.from_env({})
    assert settings == VoiceSettings()
    assert settings.engines == ("neural", "espeak")  # offline only unless a deployment names online engines
    assert 1.1 <= settings.neural_speed <= 1.4
    assert settings.gtts_slow and settings.edge_rate.startswith("-") and settings.espeak_speed_wpm < 175
    assert settings.edge_voice == "zh-CN-XiaoxiaoNeural"


def test_from_env_reads_the_variables() -> None:
    settings = VoiceSettings.from_env({
        "ELDERBOT_TTS_ENGINES": "edge, espeak", "ELDERBOT_TTS_TIMEOUT": "2.5", "ELDERBOT_TTS_CACHE_DIR": "off",
        "ELDERBOT_TTS_EDGE_RATE": "-30%", "ELDERBOT_TTS_GTTS_SLOW": "0", "ELDERBOT_TTS_ESPEAK_SPEED": "120",
        "ELDERBOT_TTS_EDGE_URL": "ws://127.0.0.1:9", "ELDERBOT_TTS_CACHE_MAX_BYTES": "1000",
    })
    assert settings.engines == ("edge", "espeak")
    assert settings.timeout_s == 2.5 and settings.cache_dir is None and settings.cache_max_bytes == 1000
    assert (settings.edge_rate, settings.gtts_slow, settings.espeak_speed_wpm) == ("-30%", False, 120)
    assert settings.edge_url == "ws://127.0.0.1:9"
    assert VoiceSettings.from_env({"ELDERBOT_TTS_CACHE_DIR": "/tmp/x"}).cache_dir == Path("/tmp/x")


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown TTS engine"):
        VoiceSettings.from_env({"ELDERBOT_TTS_ENGINES": "gtts,siri"})


def test_engine_first_keeps_the_others_as_fallbacks() -> None:
    assert VoiceSettings().with_engine_first("espeak").engines == ("espeak", "neural")
    assert VoiceSettings().with_engine_first("gtts").engines == ("gtts", "neural", "espeak")
    engines = build_engines(VoiceSettings(engines=("edge", "espeak", "gtts", "neural")))
    assert [type(e) for e in engines] == [EdgeEngine, EspeakEngine, GttsEngine, NeuralEngine]


@pytest.mark.parametrize(("env", "engines"), [
    ({}, ("neural", "espeak")),
    ({"ELDERBOT_TTS_NEURAL": "0"}, ("espeak",)),
    ({"ELDERBOT_TTS_ENGINES": "edge,neural,espeak", "ELDERBOT_TTS_NEURAL": "off"}, ("edge", "espeak")),
    ({"ELDERBOT_TTS_ENGINES": "neural", "ELDERBOT_TTS_NEURAL": "0"}, ("espeak",)),
    ({"ELDERBOT_TTS_ENGINES": "gtts,edge,espeak"}, ("gtts", "edge", "espeak")),
])
def test_engine_order_from_env(env: dict[str, str], engines: tuple[str, ...]) -> None:
    assert VoiceSettings.from_env(env).engines == engines


def test_neural_and_hearing_settings_from_env(tmp_path: Path) -> None:
    settings = VoiceSettings.from_env({
        "ELDERBOT_TTS_NEURAL_SPEED": "1.4", "ELDERBOT_TTS_NEURAL_SEED": "7", "ELDERBOT_VOICE_MODEL_DIR": str(tmp_path),
        "ELDERBOT_STT_TIMEOUT": "12", "ELDERBOT_STT_BEAM_SIZE": "1", "ELDERBOT_TTS_LAST_RESORT_INTERVAL": "5",
    })
    assert (settings.neural_speed, settings.neural_seed, settings.model_dir) == (1.4, 7, tmp_path)
    assert (settings.hearing_timeout_s, settings.hearing_beam_size, settings.last_resort_interval_s) == (12, 1, 5)
    with pytest.raises(ValueError, match="neural_speed"):
        VoiceSettings(neural_speed=0)


@pytest.mark.parametrize(("name", "fmt"), [("answer.ogg", AudioFormat.OGG_OPUS), ("a.MP3", AudioFormat.MP3),
                                           ("call.wav", AudioFormat.WAV_8K), ("noext", AudioFormat.OGG_OPUS)])
def test_format_from_file_name(name: str, fmt: AudioFormat) -> None:
    assert AudioFormat.for_path(name) is fmt
