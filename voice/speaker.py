"""The public facade: `Speaker(settings).synthesize(text, fmt)` → SpeechResult, and `to_speech_text(text)`.

Text is normalised for speech, split at sentence ends, spoken by the first engine that works (by default the
offline neural voice, then espeak-ng; gTTS / edge-tts only where configured), joined with a pause between
sentences and encoded to the asked format. An engine that fails (timeout, HTTP 429/403, any error) is logged
once, rested for a while (see engine_health.py), and the next engine speaks; the caller only sees an error
when no engine at all can speak.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from voice.cache import AudioCache, cache_key
from voice.engine_health import EngineHealth
from voice.engines.base import EngineUnavailableError, SpeechEngine, UnreadableTextError
from voice.formats import AudioFormat, render
from voice.normalize import has_speakable_text, to_speech_text
from voice.sentences import limit_sentences, split_sentences
from voice.settings import VoiceSettings

__all__ = [
    "AudioFormat", "NothingToSpeakError", "SpeechError", "SpeechResult", "SpeechUnavailableError", "Speaker",
    "to_speech_text",
]

log = logging.getLogger(__name__)

LONG_TEXT_NOTE = "内容较长，后面的部分请看文字。"
_MAX_INPUT_CHARS = 20_000  # more than this is never read aloud; cut before normalising


class SpeechError(RuntimeError):
    """No audio for this text; `user_message` is a kind sentence to show instead."""

    def __init__(self, message: str, user_message: str) -> None:
        super().__init__(message)
        self.user_message = user_message


class NothingToSpeakError(SpeechError, ValueError):
    """The text is empty or holds nothing speakable (only emoji, symbols or control characters)."""


class SpeechUnavailableError(SpeechError):
    """Every engine failed; the text answer still stands."""


@dataclass(frozen=True)
class SpeechResult:
    """Finished audio and how it was made."""

    audio: bytes
    format: AudioFormat
    engine: str
    cached: bool
    text: str
    truncated: bool = False


class Speaker:
    """Text in, audio out, never blocked by one engine being down."""

    def __init__(self, settings: VoiceSettings | None = None, *, engines: Sequence[SpeechEngine] | None = None,
                 cache: AudioCache | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or VoiceSettings()
        self._engines = list(engines) if engines is not None else None
        self._engines_lock = threading.Lock()
        if cache is None and self.settings.cache_dir is not None:
            cache = AudioCache(self.settings.cache_dir, self.settings.cache_max_bytes)
        self.cache = cache
        self.health = EngineHealth(self.settings.engine_cooldown_s, self.settings.last_resort_interval_s, clock)

    @property
    def engines(self) -> list[SpeechEngine]:
        if self._engines is None:
            with self._engines_lock:  # built once, even when the first answers come in together
                if self._engines is None:
                    from voice.engines.registry import build_engines

                    self._engines = build_engines(self.settings)
        return self._engines

    def prepare(self, text: str) -> tuple[str, list[str], bool]:
        """(speech text, its sentences, truncated?) — raises NothingToSpeakError."""
        if not isinstance(text, str) or not has_speakable_text(text[:_MAX_INPUT_CHARS]):
            raise NothingToSpeakError("no speakable text", "这段内容里没有可以朗读的文字。")
        truncated = len(text) > _MAX_INPUT_CHARS
        speech = to_speech_text(text[:_MAX_INPUT_CHARS])
        if not speech:
            raise NothingToSpeakError("no speakable text", "这段内容里没有可以朗读的文字。")
        sentences, cut = limit_sentences(split_sentences(speech), self.settings.max_speech_chars)
        if truncated or cut:
            sentences.append(LONG_TEXT_NOTE)
        return "".join(sentences), sentences, truncated or cut

    def synthesize(self, text: str, fmt: AudioFormat = AudioFormat.OGG_OPUS) -> SpeechResult:
        """Audio of `text` in `fmt` from the first engine that works (cache first).

        Engines resting after a recent failure are skipped at once. Only when every other engine fails too
        does a resting engine get a last-resort try — by one caller at a time, at most once per
        `last_resort_interval_s` — rather than leaving the answer silent.
        """
        speech, sentences, truncated = self.prepare(text)
        failures: list[str] = []
        resting: list[SpeechEngine] = []
        for engine in self.engines:
            if self.health.is_resting(engine.name):
                if (result := self._cached(engine, speech, truncated, fmt)) is not None:
                    return result  # audio it made before its failure is still good
                log.debug("TTS engine %s is resting after a failure; skipped", engine.name)
                resting.append(engine)
                continue
            if (result := self._attempt(engine, speech, sentences, truncated, fmt, failures)) is not None:
                return result
        for engine in resting:
            if not self.health.claim_last_resort(engine.name):
                failures.append(f"{engine.name}: resting after a failure")
                continue
            try:
                if (result := self._attempt(engine, speech, sentences, truncated, fmt, failures)) is not None:
                    return result
            finally:
                self.health.release_last_resort(engine.name)
        raise SpeechUnavailableError("all TTS engines failed: " + "; ".join(failures),
                                     "语音暂时无法生成，请看文字回答。")

    def warm_up(self) -> None:
        """Load the first offline engine now (the neural voice takes about a second), not at the first answer."""
        for engine in self.engines:
            warm = getattr(engine, "warm_up", None)
            if warm is None:
                continue
            try:
                warm()
            except Exception as exc:  # a voice that cannot load is rested like any failing engine
                self._rest(engine, exc)
                continue
            return

    def _key(self, engine: SpeechEngine, speech: str, fmt: AudioFormat) -> str:
        return cache_key(speech, engine.identity(), fmt, self.settings.sentence_pause_ms)

    def _cached(self, engine: SpeechEngine, speech: str, truncated: bool, fmt: AudioFormat) -> SpeechResult | None:
        if self.cache is not None and (audio := self.cache.get(self._key(engine, speech, fmt))) is not None:
            return SpeechResult(audio, fmt, engine.name, True, speech, truncated)
        return None

    def _attempt(self, engine: SpeechEngine, speech: str, sentences: list[str], truncated: bool,
                 fmt: AudioFormat, failures: list[str]) -> SpeechResult | None:
        """One engine's try: its cached audio, else fresh synthesis; None (logged, rested) when it fails."""
        if (result := self._cached(engine, speech, truncated, fmt)) is not None:
            return result
        if self.health.is_unavailable(engine.name):
            failures.append(f"{engine.name}: not installed")
            return None
        self.health.started(engine.name)
        try:
            audio = self._speak(engine, sentences, fmt)
        except UnreadableTextError as exc:  # this text only: the next engine reads it, nothing rests
            log.info("TTS engine %s cannot read this text (%s); the next engine reads it", engine.name, exc.reason)
            failures.append(f"{engine.name}: {exc}")
            return None
        except Exception as exc:  # any engine error falls through to the next engine
            self._rest(engine, exc)
            failures.append(f"{engine.name}: {exc}")
            return None
        self.health.succeeded(engine.name)
        if self.cache is not None:
            try:
                self.cache.put(self._key(engine, speech, fmt), audio)
            except OSError as exc:
                log.warning("TTS cache not writable (%s); audio not cached", exc)
        return SpeechResult(audio, fmt, engine.name, False, speech, truncated)

    async def asynthesize(self, text: str, fmt: AudioFormat = AudioFormat.OGG_OPUS) -> SpeechResult:
        """`synthesize` in a worker thread, for async channels (Telegram handlers, the HTTP API)."""
        return await asyncio.to_thread(self.synthesize, text, fmt)

    def _speak(self, engine: SpeechEngine, sentences: list[str], fmt: AudioFormat) -> bytes:
        limit = getattr(engine, "sentence_workers", None) or self.settings.parallel_sentences
        workers = max(1, min(self.settings.parallel_sentences, limit, len(sentences)))
        if workers == 1:
            pieces = [engine.synthesize(sentence) for sentence in sentences]
        else:  # online engines spend most time waiting on the network; order is kept by map
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"tts-{engine.name}")
            try:
                pieces = list(pool.map(engine.synthesize, sentences))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        return render(pieces, engine.native_rate, self.settings.sentence_pause_ms, fmt, self.settings.ffmpeg_binary,
                      niceness=self.settings.synthesis_niceness)

    def _rest(self, engine: SpeechEngine, exc: Exception) -> None:
        permanent = isinstance(exc, EngineUnavailableError)
        if self.health.failed(engine.name, permanent):
            log.warning("TTS engine %s failed (%s); falling back to the next engine%s", engine.name, exc,
                        "" if permanent else f" for {self.settings.engine_cooldown_s:g} s")
