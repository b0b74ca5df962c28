"""A failing engine never holds callers up: resting engines are skipped at once, by every caller at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from voice.engine_health import EngineHealth
from voice.formats import AudioFormat
from voice.settings import VoiceSettings
from voice.speaker import Speaker, SpeechUnavailableError

TEXTS = ["高龄津贴每月发放。", "护理补贴按季度发放。", "老年大学春季招生。", "助餐点中午开放。",
         "养老服务站提供助浴。", "请拨打12345热线。"]


@pytest.mark.usefixtures("needs_espeak")
def test_concurrent_callers_skip_a_failing_engine_at_once(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    fake_gtts.mode = "hang"  # answers after 3 s; the engine gives up after 1 s
    # espeak at the server's own priority: niced, it waits on the other test workers' CPU, which is not what
    # this test is about (tests/reliability/test_synthesis_priority.py is)
    settings = replace(voice_settings, engines=("gtts", "espeak"), timeout_s=1.0, cache_dir=None,
                       gtts_base_url=fake_gtts.base_url, parallel_sentences=1, synthesis_niceness=0)
    speaker = Speaker(settings)
    assert speaker.synthesize("您好。", AudioFormat.WAV_8K).engine == "espeak"  # gTTS timed out once
    assert len(fake_gtts.requests) == 1

    def timed(text: str) -> tuple[str, float]:
        started = time.perf_counter()
        return speaker.synthesize(text, AudioFormat.WAV_8K).engine, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=len(TEXTS)) as pool:
        results = list(pool.map(timed, TEXTS))
    assert {engine for engine, _ in results} == {"espeak"}
    assert len(fake_gtts.requests) == 1  # nobody waited on gTTS again
    assert max(seconds for _, seconds in results) < 3.0  # six espeak runs on two cores, no 1 s timeouts queued


def test_a_last_resort_try_in_flight_does_not_hold_other_callers(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    fake_gtts.mode = "hang"
    settings = replace(voice_settings, engines=("gtts",), timeout_s=1.5, cache_dir=None, parallel_sentences=1,
                       gtts_base_url=fake_gtts.base_url,
                       last_resort_interval_s=0.0)
    speaker = Speaker(settings)
    with pytest.raises(SpeechUnavailableError):
        speaker.synthesize("您好。", AudioFormat.MP3)  # gTTS rests from now on

    def timed(text: str) -> float:
        started = time.perf_counter()
        with pytest.raises(SpeechUnavailableError):
            speaker.synthesize(text, AudioFormat.MP3)
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(timed, TEXTS[0])  # takes the one last-resort try and waits out the timeout
        time.sleep(0.3)
        others = [pool.submit(timed, text) for text in TEXTS[1:4]]
        quick = [future.result() for future in others]
        slow = first.result()
    assert slow >= 1.0
    assert max(quick) < 0.5  # answered "no voice" at once instead of queueing behind the hanging try
    assert len(fake_gtts.requests) == 2


def test_health_rules() -> None:
    now = [0.0]
    health = EngineHealth(cooldown_s=60, last_resort_interval_s=10, clock=lambda: now[0])
    health.started("edge")
    assert health.failed("edge", permanent=False) and not health.failed("edge", permanent=False)  # news once
    assert health.is_resting("edge") and not health.claim_last_resort("edge")
    now[0] = 11
    assert health.claim_last_resort("edge") and not health.claim_last_resort("edge")  # one caller at a time
    health.release_last_resort("edge")
    assert not health.claim_last_resort("edge")  # and not again within the interval
    health.succeeded("edge")
    assert not health.is_resting("edge")
    assert health.failed("neural", permanent=True) and health.is_unavailable("neural")
    now[0] = 10_000
    assert health.is_resting("neural") and not health.claim_last_resort("neural")
