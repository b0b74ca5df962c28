"""Real espeak-ng synthesis through ffmpeg into the three output formats."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voice.formats import AudioFormat, probe, wav_to_pcm
from voice.settings import VoiceSettings
from voice.speaker import Speaker

ANSWER = "涪陵区八十周岁以上的老人可以领高龄津贴。具体标准请向区民政局咨询，或者拨打12345热线。"

pytestmark = pytest.mark.usefixtures("needs_espeak")


@pytest.fixture
def espeak_settings(voice_settings: VoiceSettings) -> VoiceSettings:
    return replace(voice_settings, engines=("espeak",))


@pytest.mark.parametrize(("fmt", "container", "codec", "rate"), [
    (AudioFormat.MP3, "mp3", "mp3", 24000),
    (AudioFormat.OGG_OPUS, "ogg", "opus", 48000),
    (AudioFormat.WAV_8K, "wav", "pcm_s16le", 8000),
])
def test_format_rate_and_plausible_duration(espeak_settings: VoiceSettings, fmt: AudioFormat, container: str,
                                            codec: str, rate: int) -> None:
    result = Speaker(espeak_settings).synthesize(ANSWER, fmt)
    info = probe(result.audio)
    assert (result.engine, result.cached, result.format) == ("espeak", False, fmt)
    assert info.container == container and info.codec == codec
    assert info.sample_rate == rate and info.channels == 1
    spoken_chars = len(result.text)
    # senior pace: roughly 2–6 spoken characters a second
    assert spoken_chars / 6 < info.duration_s < spoken_chars / 2, (spoken_chars, info.duration_s)


def test_wav8k_is_16_bit_mono_pcm(espeak_settings: VoiceSettings) -> None:
    audio = Speaker(espeak_settings).synthesize("请拨打12345热线。", AudioFormat.WAV_8K).audio
    pcm, rate, channels, width = wav_to_pcm(audio)
    assert (rate, channels, width) == (8000, 1, 2)
    assert max(abs(int.from_bytes(pcm[i:i + 2], "little", signed=True)) for i in range(0, len(pcm), 2)) > 1000


def test_slower_rate_and_pauses_make_longer_audio(voice_settings: VoiceSettings) -> None:
    text = "高龄津贴按月发放。护理补贴按季度发放。"
    fast = replace(voice_settings, engines=("espeak",), espeak_speed_wpm=220, sentence_pause_ms=0)
    slow = replace(voice_settings, engines=("espeak",), espeak_speed_wpm=120, sentence_pause_ms=800)
    fast_s = probe(Speaker(fast).synthesize(text, AudioFormat.WAV_8K).audio).duration_s
    slow_s = probe(Speaker(slow).synthesize(text, AudioFormat.WAV_8K).audio).duration_s
    assert slow_s > fast_s + 0.8


def test_longer_answers_take_longer(espeak_settings: VoiceSettings) -> None:
    speaker = Speaker(espeak_settings)
    short = probe(speaker.synthesize("请拨打热线。", AudioFormat.WAV_8K).audio).duration_s
    long = probe(speaker.synthesize(ANSWER, AudioFormat.WAV_8K).audio).duration_s
    assert long > 2 * short


def test_default_voice_speaks_mandarin_not_english_pinyin() -> None:
    import subprocess

    voice = VoiceSettings().espeak_voice
    phonemes = subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", "高龄津贴每月发放"], capture_output=True,
                              text=True, check=True).stdout
    assert "(en)" not in phonemes and phonemes.count("_|") >= 8  # one Mandarin syllable per character


def test_async_callers_get_the_same_audio(espeak_settings: VoiceSettings) -> None:
    import asyncio

    speaker = Speaker(espeak_settings)
    result = asyncio.run(speaker.asynthesize("助餐点中午开放。", AudioFormat.MP3))
    assert result.engine == "espeak" and probe(result.audio).codec == "mp3"
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.MP3).cached
