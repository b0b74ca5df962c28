"""gTTS and edge-tts driven through their real libraries against local fakes; failures fall through."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace

import pytest

from voice.engines.base import EngineError
from voice.engines.edge_engine import EdgeEngine
from voice.engines.gtts_engine import GttsEngine
from voice.formats import AudioFormat, probe
from voice.settings import VoiceSettings
from voice.speaker import Speaker, SpeechUnavailableError

ANSWER = "到2025年，全区养老床位超过8000张。请拨打12345热线。"
SENTENCES = ["到二零二五年，全区养老床位超过八千张。", "请拨打幺二三四五热线。"]


@pytest.fixture
def routed(voice_settings: VoiceSettings, fake_gtts, fake_edge) -> VoiceSettings:  # type: ignore[no-untyped-def]
    """Configured engine order gtts → edge → espeak, with the two online engines pointed at the local fakes."""
    return replace(voice_settings, engines=("gtts", "edge", "espeak"), gtts_base_url=fake_gtts.base_url,
                   edge_url=fake_edge.base_url)


def _spoken_by_edge(fake_edge) -> list[str]:  # type: ignore[no-untyped-def]
    return [re.search(r"<prosody[^>]*>(.*)</prosody>", r["ssml"]).group(1)  # type: ignore[union-attr]
            for r in fake_edge.requests if r["ssml"]]


def _fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "voice.speaker" and r.levelno == logging.WARNING]


def test_gtts_speaks_through_its_real_library(routed: VoiceSettings, fake_gtts, fake_edge) -> None:  # type: ignore[no-untyped-def]
    result = Speaker(routed).synthesize(ANSWER, AudioFormat.MP3)
    assert (result.engine, result.cached) == ("gtts", False)
    assert sorted(r["text"] for r in fake_gtts.requests) == sorted(SENTENCES)
    assert {(r["path"], r["rpc"], r["lang"], r["speed"]) for r in fake_gtts.requests} == {
        ("/_/TranslateWebserverUi/data/batchexecute", "jQ1olc", "zh", "True")}  # True: gTTS slow speed
    assert fake_edge.requests == []
    duration = probe(result.audio).duration_s
    assert 1.2 < duration < 1.8  # two 0.5 s answers from the fake + a 0.3 s pause between sentences


def test_edge_speaks_through_its_real_library(routed: VoiceSettings, fake_gtts, fake_edge) -> None:  # type: ignore[no-untyped-def]
    result = Speaker(replace(routed, engines=("edge", "espeak"))).synthesize(ANSWER, AudioFormat.OGG_OPUS)
    assert result.engine == "edge"
    assert sorted(_spoken_by_edge(fake_edge)) == sorted(SENTENCES)
    first = fake_edge.requests[0]
    assert "TrustedClientToken=" in first["query"] and "Sec-MS-GEC=" in first["query"]
    assert "audio-24khz-48kbitrate-mono-mp3" in first["config"]
    assert "(zh-CN, XiaoxiaoNeural)" in first["ssml"] and "rate='-20%'" in first["ssml"]
    info = probe(result.audio)
    assert info.codec == "opus" and 1.2 < info.duration_s < 1.8


@pytest.mark.parametrize("mode", ["http429", "http403", "hang"])
def test_gtts_failure_falls_to_edge(routed: VoiceSettings, fake_gtts, fake_edge, mode: str,  # type: ignore[no-untyped-def]
                                    caplog: pytest.LogCaptureFixture) -> None:
    fake_gtts.mode = mode
    result = Speaker(replace(routed, parallel_sentences=1)).synthesize(ANSWER, AudioFormat.MP3)
    assert result.engine == "edge"
    assert len(fake_gtts.requests) == 1  # gave up at the first sentence, did not try the second
    assert _spoken_by_edge(fake_edge) == SENTENCES
    warnings = _fallback_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith("TTS engine gtts failed")
    if mode != "hang":
        assert mode[4:] in warnings[0]


@pytest.mark.usefixtures("needs_espeak")
@pytest.mark.parametrize(("mode", "connections"), [("http429", 1), ("http403", 2), ("hang", 1)])
def test_edge_failure_falls_to_espeak(routed: VoiceSettings, fake_edge, mode: str, connections: int,  # type: ignore[no-untyped-def]
                                      caplog: pytest.LogCaptureFixture) -> None:
    fake_edge.mode = mode
    settings = replace(routed, engines=("edge", "espeak"), parallel_sentences=1)
    result = Speaker(settings).synthesize(ANSWER, AudioFormat.WAV_8K)
    assert result.engine == "espeak"
    assert probe(result.audio).duration_s > 3
    # edge-tts itself retries once after a 403 (it corrects its clock from the Date header)
    assert len(fake_edge.requests) == connections
    warnings = _fallback_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith("TTS engine edge failed")


@pytest.mark.usefixtures("needs_espeak")
def test_both_online_engines_down_espeak_answers(routed: VoiceSettings, fake_gtts, fake_edge,  # type: ignore[no-untyped-def]
                                                 caplog: pytest.LogCaptureFixture) -> None:
    fake_gtts.mode, fake_edge.mode = "http429", "http403"
    result = Speaker(routed).synthesize(ANSWER, AudioFormat.OGG_OPUS)
    assert result.engine == "espeak"
    assert [w.split(" failed")[0] for w in _fallback_warnings(caplog)] == ["TTS engine gtts", "TTS engine edge"]


def test_sentences_go_out_in_parallel_and_come_back_whole(routed: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    fake_gtts.mode = "slow"  # each answer is 0.5 s late, so overlapping requests are seen by the fake
    speaker = Speaker(replace(routed, engines=("gtts",), timeout_s=5.0, parallel_sentences=3))
    result = speaker.synthesize("高龄津贴每月发放。护理补贴按季度发放。老年大学春季招生。", AudioFormat.MP3)
    assert len(fake_gtts.requests) == 3 and fake_gtts.most_in_flight == 3
    assert 1.5 < probe(result.audio).duration_s < 2.4  # three 0.5 s answers and two 0.3 s pauses


def test_failed_engine_rests_and_is_logged_once(routed: VoiceSettings, fake_gtts, fake_edge,  # type: ignore[no-untyped-def]
                                                caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    speaker = Speaker(replace(routed, cache_dir=None, engine_cooldown_s=60), clock=lambda: now[0])
    fake_gtts.mode = "http429"
    for text in ("高龄津贴每月发放。", "护理补贴按季度发放。", "老年大学春季招生。"):
        assert speaker.synthesize(text, AudioFormat.MP3).engine == "edge"
    assert len(fake_gtts.requests) == 1
    assert len(_fallback_warnings(caplog)) == 1
    now[0] += 61  # rested long enough: gTTS is tried again and now works
    fake_gtts.mode = "ok"
    assert speaker.synthesize("助餐点中午开放。", AudioFormat.MP3).engine == "gtts"


def test_all_engines_failing_gives_a_kind_error(routed: VoiceSettings, fake_gtts, fake_edge) -> None:  # type: ignore[no-untyped-def]
    fake_gtts.mode = fake_edge.mode = "http429"
    speaker = Speaker(replace(routed, engines=("gtts", "edge")))
    with pytest.raises(SpeechUnavailableError) as caught:
        speaker.synthesize(ANSWER, AudioFormat.MP3)
    assert "文字" in caught.value.user_message
    assert "gtts" in str(caught.value) and "edge" in str(caught.value)


@pytest.mark.parametrize("status", [429, 403])
def test_engine_errors_carry_the_http_status(fake_gtts, fake_edge, status: int) -> None:  # type: ignore[no-untyped-def]
    fake_gtts.mode = fake_edge.mode = f"http{status}"
    with pytest.raises(EngineError) as from_gtts:
        GttsEngine(timeout_s=1, base_url=fake_gtts.base_url).synthesize("你好。")
    with pytest.raises(EngineError) as from_edge:
        EdgeEngine(timeout_s=1, base_url=fake_edge.base_url).synthesize("你好。")
    assert from_gtts.value.status == status and from_edge.value.status == status


def test_edge_works_from_inside_a_running_event_loop(routed: VoiceSettings, fake_edge) -> None:  # type: ignore[no-untyped-def]
    speaker = Speaker(replace(routed, engines=("edge",)))

    async def handler() -> str:  # e.g. a Telegram handler calling the sync facade
        return speaker.synthesize("老年大学春季招生。", AudioFormat.OGG_OPUS).engine

    assert asyncio.run(handler()) == "edge"
    assert _spoken_by_edge(fake_edge) == ["老年大学春季招生。"]


def test_edge_endpoint_override_is_undone(fake_edge) -> None:  # type: ignore[no-untyped-def]
    import edge_tts.communicate

    before = edge_tts.communicate.WSS_URL
    EdgeEngine(timeout_s=2, base_url=fake_edge.base_url).synthesize("你好。")
    assert before == edge_tts.communicate.WSS_URL
    assert before.startswith("wss://speech.platform.bing.com/")


def test_a_lone_failing_engine_is_not_retried_on_every_call(routed: VoiceSettings, fake_gtts,  # type: ignore[no-untyped-def]
                                                              caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    settings = replace(routed, engines=("gtts",), cache_dir=None, engine_cooldown_s=600, last_resort_interval_s=30)
    speaker = Speaker(settings, clock=lambda: now[0])
    fake_gtts.mode = "http429"
    for _ in range(3):  # the first call tries gTTS; the next ones fail at once, no request sent
        with pytest.raises(SpeechUnavailableError):
            speaker.synthesize("高龄津贴每月发放。", AudioFormat.MP3)
    assert len(fake_gtts.requests) == 1 and len(_fallback_warnings(caplog)) == 1
    now[0] += 31  # still resting, but as the only hope it gets one last-resort try per 30 s
    with pytest.raises(SpeechUnavailableError):
        speaker.synthesize("高龄津贴每月发放。", AudioFormat.MP3)
    with pytest.raises(SpeechUnavailableError):
        speaker.synthesize("高龄津贴每月发放。", AudioFormat.MP3)
    assert len(fake_gtts.requests) == 2 and len(_fallback_warnings(caplog)) == 1  # tried again, logged once
    now[0] += 31
    fake_gtts.mode = "ok"
    assert speaker.synthesize("高龄津贴每月发放。", AudioFormat.MP3).engine == "gtts"
    assert speaker.synthesize("护理补贴按季度发放。", AudioFormat.MP3).engine == "gtts"  # rest is over
