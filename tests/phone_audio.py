"""Phone-line audio for the hotline tests: the offline neural voice saying a text as an 8 kHz WAV, optionally in white
noise (an unsure hearing), and WAV bytes of raw samples."""

from __future__ import annotations

import io
import wave
from typing import Any

import numpy as np

from voice.formats import AudioFormat, render, wav_to_pcm


def spoken(neural: Any, text: str, snr_db: float | None = None) -> bytes:
    """The neural voice saying `text`, resampled to 8 kHz WAV (the phone line); with white noise at `snr_db`."""
    wav = render([neural.synthesize(text)], neural.native_rate, 300, AudioFormat.WAV_8K)
    if snr_db is None:
        return wav
    pcm, rate, _, _ = wav_to_pcm(wav)
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    power = float(np.mean(samples**2))
    noisy = samples + np.random.default_rng(1).normal(0, np.sqrt(power / 10 ** (snr_db / 10)), samples.shape)
    return wav_bytes(noisy, rate)


def wav_bytes(samples: Any, rate: int) -> bytes:
    """Mono 16-bit WAV of float samples in [-1, 1]."""
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()
