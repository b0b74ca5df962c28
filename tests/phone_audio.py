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
    return wav if snr_db is None else noisy(wav, snr_db)


def noisy(wav: bytes, snr_db: float) -> bytes:
    """The WAV with white noise at `snr_db` (seeded: the same noise every run)."""
    pcm, rate, _, _ = wav_to_pcm(wav)
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    power = float(np.mean(samples**2))
    noise = np.random.default_rng(1).normal(0, np.sqrt(power / 10 ** (snr_db / 10)), samples.shape)
    return wav_bytes(samples + noise, rate)


def wav_bytes(samples: Any, rate: int) -> bytes:
    """Mono 16-bit WAV of float samples in [-1, 1]."""
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()
