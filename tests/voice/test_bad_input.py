"""Bad input: empty, emoji only, binary junk, 50 KB of plan text — kind errors or bounded audio, no crash."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from voice.formats import AudioFormat, probe
from voice.settings import VoiceSettings
from voice.speaker import LONG_TEXT_NOTE, NothingToSpeakError, Speaker

PLANS = Path(__file__).resolve().parents[2] / "knowledge" / "plans"


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀👍🎉🙏", "\x00\x01\x7f", "。。。！！", "🧓🏻💊🏥"])
def test_nothing_to_speak_is_a_kind_error_and_no_engine_is_called(voice_settings: VoiceSettings, fake_gtts,  # type: ignore[no-untyped-def]
                                                                  text: str) -> None:
    speaker = Speaker(replace(voice_settings, gtts_base_url=fake_gtts.base_url))
    with pytest.raises(NothingToSpeakError) as caught:
        speaker.synthesize(text, AudioFormat.MP3)
    assert caught.value.user_message == "这段内容里没有可以朗读的文字。"
    assert fake_gtts.requests == []


def test_not_a_string_is_nothing_to_speak(voice_settings: VoiceSettings) -> None:
    with pytest.raises(NothingToSpeakError):
        Speaker(voice_settings).synthesize(b"\x89PNG\r\n", AudioFormat.MP3)  # type: ignore[arg-type]


@pytest.mark.usefixtures("needs_espeak")
def test_fifty_kilobytes_are_cut_to_a_bounded_answer(voice_settings: VoiceSettings) -> None:
    plan = (PLANS / "sichuan-ziyang-2021-2025-elderly-care-plan.txt").read_text(encoding="utf-8")
    text = plan.encode("utf-8")[:50_000].decode("utf-8", errors="ignore")
    settings = replace(voice_settings, engines=("espeak",), max_speech_chars=160, sentence_pause_ms=100)
    result = Speaker(settings).synthesize(text, AudioFormat.WAV_8K)
    assert result.truncated and result.text.endswith(LONG_TEXT_NOTE)
    assert len(result.text) <= 160 + 80 + len(LONG_TEXT_NOTE)
    assert 5 < probe(result.audio).duration_s < 160


@pytest.mark.usefixtures("needs_espeak")
@pytest.mark.parametrize("text", [
    "高齡津貼每月發放，請撥打12345。",  # Traditional characters
    "elderbot 😀 高龄津贴 👍",  # emoji mixed in, Latin letters
    bytes(range(32, 256)).decode("latin-1"),  # junk with some letters in it
])
def test_odd_but_speakable_text_still_speaks(voice_settings: VoiceSettings, text: str) -> None:
    result = Speaker(replace(voice_settings, engines=("espeak",))).synthesize(text, AudioFormat.OGG_OPUS)
    assert probe(result.audio).duration_s > 0.5
    assert not any(ord(ch) > 0xFFFF for ch in result.text)
