"""Incoming voice (Telegram OGG/Opus, 8 kHz WAV from the phone line, MP3, …) → 16 kHz mono float samples."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

WHISPER_RATE = 16000
MIME_DEMUXERS = {  # a hint for ffmpeg when the bytes come through a pipe; it probes anyway
    "audio/ogg": "ogg", "audio/opus": "ogg", "audio/x-opus+ogg": "ogg", "audio/wav": "wav", "audio/x-wav": "wav",
    "audio/wave": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/webm": "webm", "audio/amr": "amr",
}


class AudioInputError(ValueError):
    """The audio could not be decoded (not audio, empty, or ffmpeg missing)."""


def decode_to_samples(audio: bytes, mime_type: str | None = None, *, max_seconds: float = 60.0,
                      ffmpeg: str = "ffmpeg", timeout_s: float = 30.0) -> Any:
    """Float32 numpy samples in [-1, 1] at 16 kHz mono, at most `max_seconds` long."""
    import numpy as np

    if not audio:
        raise AudioInputError("no audio received")
    binary = shutil.which(ffmpeg)
    if binary is None:
        raise AudioInputError(f"{ffmpeg} not found; install it: apt-get install ffmpeg")
    try:
        pcm = _run_ffmpeg(binary, audio, None, max_seconds, timeout_s)
    except AudioInputError:
        demuxer = MIME_DEMUXERS.get((mime_type or "").split(";")[0].strip().lower())
        if demuxer is None:
            raise
        pcm = _run_ffmpeg(binary, audio, demuxer, max_seconds, timeout_s)  # probing failed: trust the type
    return np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0


def _run_ffmpeg(binary: str, audio: bytes, demuxer: str | None, max_seconds: float, timeout_s: float) -> bytes:
    cmd = [binary, "-hide_banner", "-loglevel", "error", "-nostdin"]
    if demuxer:
        cmd += ["-f", demuxer]
    cmd += ["-i", "pipe:0", "-t", f"{max_seconds:g}", "-ac", "1", "-ar", str(WHISPER_RATE), "-f", "s16le", "pipe:1"]
    try:
        done = subprocess.run(cmd, input=audio, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioInputError(f"decoding took longer than {timeout_s:g} s") from exc
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no audio samples"]
        raise AudioInputError(f"could not decode the audio: {message[0]}")
    return done.stdout
