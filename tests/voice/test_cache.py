"""The content-addressed audio cache: hit path, what the key holds, size cap."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from voice.cache import AudioCache, cache_key
from voice.formats import AudioFormat
from voice.settings import VoiceSettings
from voice.speaker import Speaker


def _routed(voice_settings: VoiceSettings, fake_gtts) -> VoiceSettings:  # type: ignore[no-untyped-def]
    return replace(voice_settings, engines=("gtts",), gtts_base_url=fake_gtts.base_url)


def test_second_request_is_served_from_disk(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    settings = _routed(voice_settings, fake_gtts)
    first = Speaker(settings).synthesize("高龄津贴每月发放。请拨打12345热线。", AudioFormat.OGG_OPUS)
    sent = len(fake_gtts.requests)
    again = Speaker(settings).synthesize("高龄津贴每月发放。请拨打12345热线。", AudioFormat.OGG_OPUS)
    assert (first.cached, again.cached) == (False, True)
    assert again.audio == first.audio and again.engine == "gtts"
    assert len(fake_gtts.requests) == sent == 2  # nothing went to the engine the second time


def test_key_is_the_normalised_text(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    speaker = Speaker(_routed(voice_settings, fake_gtts))
    speaker.synthesize("到2025年建成老年大学。", AudioFormat.MP3)
    hit = speaker.synthesize("到２０２５年　建成老年大学", AudioFormat.MP3)  # full-width digits, no full stop
    assert hit.cached and len(fake_gtts.requests) == 1


def test_format_engine_and_rate_change_the_key(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    settings = _routed(voice_settings, fake_gtts)
    Speaker(settings).synthesize("助餐点中午开放。", AudioFormat.MP3)
    assert not Speaker(settings).synthesize("助餐点中午开放。", AudioFormat.WAV_8K).cached
    assert not Speaker(replace(settings, gtts_slow=False)).synthesize("助餐点中午开放。", AudioFormat.MP3).cached
    assert len(fake_gtts.requests) == 3
    keys = {cache_key("t", "gtts:zh:slow", AudioFormat.MP3, 450), cache_key("t", "edge:v:-20%", AudioFormat.MP3, 450),
            cache_key("t", "gtts:zh:slow", AudioFormat.OGG_OPUS, 450), cache_key("t", "gtts:zh:slow", AudioFormat.MP3, 0)}
    assert len(keys) == 4


def test_no_cache_dir_means_no_cache(voice_settings: VoiceSettings, fake_gtts) -> None:  # type: ignore[no-untyped-def]
    speaker = Speaker(replace(_routed(voice_settings, fake_gtts), cache_dir=None))
    speaker.synthesize("老年大学春季招生。", AudioFormat.MP3)
    assert not speaker.synthesize("老年大学春季招生。", AudioFormat.MP3).cached
    assert speaker.cache is None


def test_unwritable_cache_does_not_fail_the_answer(voice_settings: VoiceSettings, fake_gtts,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = Speaker(replace(_routed(voice_settings, fake_gtts), cache_dir=blocker)).synthesize(
        "日间照料中心开放。", AudioFormat.MP3)
    assert result.engine == "gtts" and result.audio


def test_size_cap_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, max_bytes=2500)
    for age, key in enumerate(["old", "middle", "new"]):
        cache.put(key, bytes(1000))
        stamp = 1_000_000 + age * 100
        os.utime(tmp_path / f"{key}.audio", (stamp, stamp))
    # the put of "new" evicted "old"; reading "middle" makes it the freshest
    assert cache.get("old") is None
    assert cache.get("middle") is not None
    cache.put("newest", bytes(1000))
    assert cache.get("new") is None and cache.get("middle") is not None and cache.get("newest") is not None
    assert cache.size_bytes() <= 2500


def test_item_larger_than_the_cap_is_not_stored(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, max_bytes=100)
    cache.put("big", bytes(101))
    assert cache.get("big") is None
