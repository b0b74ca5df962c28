"""VoiceSettings: defaults, environment, engine order."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.engines.edge_engine import EdgeEngine
from voice.engines.espeak_engine import EspeakEngine
from voice.engines.gtts_engine import GttsEngine
from voice.engines.registry import build_engines
from voice.formats import AudioFormat
from voice.settings import VoiceSettings


def test_defaults_are_senior_pace() -> None:
    settings = VoiceSettings.from_env({})
    assert settings == VoiceSettings()
    assert settings.engines == ("gtts", "edge", "espeak")
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
    assert VoiceSettings().with_engine_first("espeak").engines == ("espeak", "gtts", "edge")
    engines = build_engines(VoiceSettings(engines=("edge", "espeak", "gtts")))
    assert [type(e) for e in engines] == [EdgeEngine, EspeakEngine, GttsEngine]


@pytest.mark.parametrize(("name", "fmt"), [("answer.ogg", AudioFormat.OGG_OPUS), ("a.MP3", AudioFormat.MP3),
                                           ("call.wav", AudioFormat.WAV_8K), ("noext", AudioFormat.OGG_OPUS)])
def test_format_from_file_name(name: str, fmt: AudioFormat) -> None:
    assert AudioFormat.for_path(name) is fmt
