"""Voice settings: engine order, senior-pace rates, cache and timeouts (env read only in `from_env`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

ENGINE_NAMES: tuple[str, ...] = ("gtts", "edge", "espeak")


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "elderbot" / "voice"


@dataclass(frozen=True)
class VoiceSettings:
    """Everything the voice package needs; plain values, no I/O."""

    engines: tuple[str, ...] = ENGINE_NAMES
    timeout_s: float = 8.0
    engine_cooldown_s: float = 300.0
    sentence_pause_ms: int = 450
    max_speech_chars: int = 1200
    parallel_sentences: int = 3  # sentences synthesized at once (network engines wait, they do not compute)
    # gTTS (Google Translate TTS)
    gtts_lang: str = "zh"  # gTTS 2.5 warns on "zh-CN" (lower-cased into its deprecated list)
    gtts_tld: str = "com"
    gtts_slow: bool = True
    gtts_base_url: str | None = None
    # edge-tts (Microsoft Edge read-aloud; reachable from mainland China)
    edge_voice: str = "zh-CN-XiaoxiaoNeural"
    edge_rate: str = "-20%"
    edge_url: str | None = None
    # espeak-ng (offline)
    # "cmn" in espeak-ng 1.51 (Debian 12) switches to English for most characters' pinyin ("gao one ling
    # two"); "cmn-latn-pinyin" speaks the same dictionary with Mandarin phonemes. espeak counts a syllable
    # as a word: 175 wpm (its default) is ~3.6 characters a second, 150 is a calmer ~3.
    espeak_voice: str = "cmn-latn-pinyin"
    espeak_speed_wpm: int = 150
    espeak_binary: str = "espeak-ng"
    # audio cache
    cache_dir: Path | None = field(default_factory=_default_cache_dir)
    cache_max_bytes: int = 200 * 1024 * 1024
    ffmpeg_binary: str = "ffmpeg"

    def __post_init__(self) -> None:
        unknown = [name for name in self.engines if name not in ENGINE_NAMES]
        if unknown:
            raise ValueError(f"unknown TTS engine(s) {unknown}; choose from {', '.join(ENGINE_NAMES)}")
        if not self.engines:
            raise ValueError("at least one TTS engine is needed")

    def with_engine_first(self, name: str) -> VoiceSettings:
        """The same settings with `name` tried first and the others kept as fallbacks."""
        return replace(self, engines=(name, *[e for e in self.engines if e != name]))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VoiceSettings:
        """Read ELDERBOT_TTS_* variables (only when called)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if engines := env.get("ELDERBOT_TTS_ENGINES"):
            values["engines"] = tuple(e.strip().lower() for e in engines.split(",") if e.strip())
        floats = {"ELDERBOT_TTS_TIMEOUT": "timeout_s", "ELDERBOT_TTS_COOLDOWN": "engine_cooldown_s"}
        ints = {
            "ELDERBOT_TTS_PAUSE_MS": "sentence_pause_ms",
            "ELDERBOT_TTS_MAX_CHARS": "max_speech_chars",
            "ELDERBOT_TTS_PARALLEL": "parallel_sentences",
            "ELDERBOT_TTS_ESPEAK_SPEED": "espeak_speed_wpm",
            "ELDERBOT_TTS_CACHE_MAX_BYTES": "cache_max_bytes",
        }
        strings = {
            "ELDERBOT_TTS_GTTS_LANG": "gtts_lang",
            "ELDERBOT_TTS_GTTS_TLD": "gtts_tld",
            "ELDERBOT_TTS_GTTS_URL": "gtts_base_url",
            "ELDERBOT_TTS_EDGE_VOICE": "edge_voice",
            "ELDERBOT_TTS_EDGE_RATE": "edge_rate",
            "ELDERBOT_TTS_EDGE_URL": "edge_url",
            "ELDERBOT_TTS_ESPEAK_VOICE": "espeak_voice",
        }
        for var, name in floats.items():
            if var in env:
                values[name] = float(env[var])
        for var, name in ints.items():
            if var in env:
                values[name] = int(env[var])
        for var, name in strings.items():
            if env.get(var):
                values[name] = env[var]
        if "ELDERBOT_TTS_GTTS_SLOW" in env:
            values["gtts_slow"] = env["ELDERBOT_TTS_GTTS_SLOW"].strip().lower() not in ("0", "false", "no", "")
        if "ELDERBOT_TTS_CACHE_DIR" in env:
            raw = env["ELDERBOT_TTS_CACHE_DIR"].strip()
            values["cache_dir"] = None if raw.lower() in ("", "off", "none") else Path(raw)
        return cls(**values)  # type: ignore[arg-type]
