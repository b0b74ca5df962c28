"""Speech recognition for voice messages and phone calls: faster-whisper, Whisper base, int8 on the CPU.

`Recognizer(settings).transcribe(audio_bytes, mime_type)` → Heard(text, raw, …, unsure). The text is in
Simplified characters with Chinese punctuation; homophone repair (高灵 → 高龄) is left to the bot, which also
decides what to do with `unsure` (read back what was heard and ask "您是说……吗？").

Decoding is set against Whisper's known failure modes on short, noisy, 8 kHz speech: no conditioning on
previous text and a compression-ratio limit (no repetition loops), log-prob and no-speech thresholds (no
invented captions on silence), a bounded temperature fallback, and a timeout.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.hearing.audio_input import WHISPER_RATE, AudioInputError, decode_to_samples
from voice.hearing.model_files import INSTALL_HINT, ModelFilesError, whisper_base_dir
from voice.hearing.prompt import vocabulary_prompt
from voice.hearing.text_cleanup import clean_heard_text, collapse_repeats, only_prompt_words
from voice.settings import HEARING_PROMPT, VoiceSettings

log = logging.getLogger(__name__)

UNSURE_AVG_LOGPROB = -0.75  # below this Whisper is guessing
UNSURE_NO_SPEECH_PROB = 0.5
MAX_AUDIO_SECONDS = 60.0


class HearingError(RuntimeError):
    """No text for this audio; `user_message` is a kind sentence to send instead."""

    def __init__(self, message: str, user_message: str = "没听清楚，请再说一遍，或者打字告诉我。") -> None:
        super().__init__(message)
        self.user_message = user_message


class HearingUnavailableError(HearingError):
    """faster-whisper or the Whisper weights are not installed."""


@dataclass(frozen=True)
class Heard:
    """What was heard: `text` for the bot, `raw` as Whisper wrote it, and how sure it was."""

    text: str
    raw: str
    avg_logprob: float
    no_speech_prob: float
    duration_s: float
    unsure: bool

    @property
    def confidence(self) -> float:
        """A 0–1 figure: mean token probability times the chance that there was speech at all."""
        return math.exp(self.avg_logprob) * (1.0 - self.no_speech_prob) if self.text else 0.0


SILENT_RMS = 1e-3  # about -60 dBFS: no voice, not even a quiet one over a phone line


def _is_silent(samples: Any) -> bool:
    import numpy as np

    return not len(samples) or float(np.sqrt(np.mean(np.square(samples)))) < SILENT_RMS


def _whisper_model_class() -> Any:
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise HearingUnavailableError(INSTALL_HINT, "语音识别暂时不可用，请打字告诉我。") from exc
    return WhisperModel


class Recognizer:
    """One Whisper model, loaded at first use or by `warm_up`; safe to call from several threads.

    `places` and `words` are what callers say (region and place names; the service's words, most telling
    first): the decoding prompt lists them so that Whisper writes 双桥 rather than 商桥. The caller builds them
    from its knowledge (`use_vocabulary`); without them the prompt is the settings' general one. A prompt set
    in the settings (ELDERBOT_STT_PROMPT) wins over both."""

    def __init__(self, settings: VoiceSettings | None = None, *, model_dir: Path | None = None,
                 places: Sequence[str] = (), words: Sequence[str] = ()) -> None:
        self.settings = settings or VoiceSettings()
        self.prompt = self.settings.hearing_prompt
        self.use_vocabulary(places, words)
        self._model_dir = model_dir
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hearing")

    def use_vocabulary(self, places: Sequence[str], words: Sequence[str]) -> None:
        """Decode with a prompt listing these places and words (unless the settings name a prompt of their own)."""
        if self.settings.hearing_prompt == HEARING_PROMPT and (places or words):
            self.prompt = vocabulary_prompt(places, words)

    @classmethod
    def from_env(cls) -> Recognizer:
        """A recognizer with the ELDERBOT_STT_* / ELDERBOT_VOICE_MODEL_DIR settings (nothing loaded yet)."""
        return cls(VoiceSettings.from_env())

    def _loaded(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    started = time.perf_counter()
                    try:
                        path = self._model_dir or whisper_base_dir(self.settings.model_dir)
                    except ModelFilesError as exc:
                        raise HearingUnavailableError(str(exc), "语音识别暂时不可用，请打字告诉我。") from exc
                    model_class = _whisper_model_class()
                    self._model = model_class(str(path), device="cpu", compute_type="int8",
                                              cpu_threads=self.settings.hearing_threads, local_files_only=True)
                    log.info("Whisper base loaded in %.2f s", time.perf_counter() - started)
        return self._model

    def warm_up(self) -> None:
        """Load the model and run it once on a second of silence."""
        import numpy as np

        self._decode(np.zeros(WHISPER_RATE, np.float32), threading.Event(), self.prompt)

    def transcribe(self, audio: bytes, mime_type: str | None = None, *, general: bool = False) -> Heard:
        """Text of a voice message or call turn; raises HearingError (with a kind `user_message`). `general`
        decodes with the settings' general prompt rather than the vocabulary: for a caller's 是 / 不是 to a
        read-back, which a list of service words would bend (不是 heard as 不许)."""
        try:
            samples = decode_to_samples(audio, mime_type, max_seconds=MAX_AUDIO_SECONDS,
                                        ffmpeg=self.settings.ffmpeg_binary)
        except AudioInputError as exc:
            raise HearingError(str(exc)) from exc
        if _is_silent(samples):  # Whisper would invent words for it (its prompt's, or subtitle credits)
            return Heard("", "", -math.inf, 1.0, len(samples) / WHISPER_RATE, True)
        self._loaded()  # loading time does not count against the timeout
        cancelled = threading.Event()
        prompt = self.settings.hearing_prompt if general else self.prompt
        future = self._pool.submit(self._decode, samples, cancelled, prompt)
        try:
            return future.result(timeout=self.settings.hearing_timeout_s)
        except FutureTimeout as exc:
            cancelled.set()  # the worker stops after the segment it is on
            raise HearingError(f"recognition took longer than {self.settings.hearing_timeout_s:g} s") from exc

    def _decode(self, samples: Any, cancelled: threading.Event, prompt: str) -> Heard:
        model = self._loaded()
        segments, info = model.transcribe(
            samples, language="zh", task="transcribe", beam_size=self.settings.hearing_beam_size,
            temperature=(0.0, 0.2, 0.4), compression_ratio_threshold=2.4, log_prob_threshold=-1.0,
            no_speech_threshold=0.6, condition_on_previous_text=False, initial_prompt=prompt or None,
            without_timestamps=True, vad_filter=False,
        )
        texts: list[str] = []
        weighted_logprob = no_speech = 0.0
        tokens = 0
        looping = False
        for segment in segments:
            if cancelled.is_set():
                break
            count = max(1, len(segment.tokens))
            texts.append(segment.text)
            weighted_logprob += segment.avg_logprob * count
            tokens += count
            no_speech = max(no_speech, segment.no_speech_prob)
            looping = looping or segment.compression_ratio > 2.4
        raw = "".join(texts).strip()
        text, repeated = collapse_repeats(clean_heard_text(raw, prompt))
        avg_logprob = weighted_logprob / tokens if tokens else -math.inf
        echo = bool(text) and only_prompt_words(text, prompt)  # Whisper echoing its prompt on noise?
        if echo and (avg_logprob < UNSURE_AVG_LOGPROB or no_speech > UNSURE_NO_SPEECH_PROB):
            text = ""  # prompt words alone, heard unsurely: silence or noise
        if not text:
            no_speech = max(no_speech, 1.0 if not raw else no_speech)
        unsure = (not text or avg_logprob < UNSURE_AVG_LOGPROB or no_speech > UNSURE_NO_SPEECH_PROB
                  or looping or repeated or echo)  # prompt words alone, however sure: read back before answering
        return Heard(text, raw, avg_logprob if tokens else -math.inf, no_speech, float(info.duration), unsure)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
