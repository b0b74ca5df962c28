"""Audio formats: engine output to PCM, PCM to MP3 / OGG-Opus / 8 kHz WAV through ffmpeg, and probing."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from voice.priority import run_in_background

SAMPLE_WIDTH = 2  # 16-bit signed little-endian, mono, everywhere inside the package


class FormatError(RuntimeError):
    """ffmpeg/ffprobe is missing or could not convert the audio."""


class AudioFormat(Enum):
    """Output formats: MP3 (general), OGG/Opus (Telegram voice notes), WAV 8 kHz mono 16-bit (phone systems)."""

    MP3 = "mp3"
    OGG_OPUS = "ogg"
    WAV_8K = "wav8k"

    @property
    def suffix(self) -> str:
        return {"mp3": ".mp3", "ogg": ".ogg", "wav8k": ".wav"}[self.value]

    @property
    def mime_type(self) -> str:
        return {"mp3": "audio/mpeg", "ogg": "audio/ogg", "wav8k": "audio/wav"}[self.value]

    @property
    def ffmpeg_args(self) -> tuple[str, ...]:
        return _ENCODER_ARGS[self]

    @classmethod
    def parse(cls, name: str) -> AudioFormat:
        """'mp3' | 'ogg' | 'opus' | 'wav8k' | 'wav' → AudioFormat."""
        key = name.strip().lower().lstrip(".")
        aliases = {"opus": "ogg", "oga": "ogg", "wav": "wav8k"}
        try:
            return cls(aliases.get(key, key))
        except ValueError:
            raise ValueError(f"unknown audio format {name!r}; choose mp3, ogg or wav8k") from None

    @classmethod
    def for_path(cls, path: str | Path, default: AudioFormat | None = None) -> AudioFormat:
        """The format a file name asks for by its suffix, else `default` (OGG/Opus)."""
        suffix = Path(path).suffix
        if suffix:
            try:
                return cls.parse(suffix)
            except ValueError:
                pass
        return default or cls.OGG_OPUS


_ENCODER_ARGS: dict[AudioFormat, tuple[str, ...]] = {
    AudioFormat.MP3: ("-c:a", "libmp3lame", "-ar", "24000", "-ac", "1", "-b:a", "48k", "-f", "mp3"),
    AudioFormat.OGG_OPUS: (
        "-c:a", "libopus", "-ar", "48000", "-ac", "1", "-b:a", "24k", "-application", "voip",
        "-compression_level", "5", "-f", "ogg",
    ),
    AudioFormat.WAV_8K: ("-c:a", "pcm_s16le", "-ar", "8000", "-ac", "1", "-f", "wav"),
}


@dataclass(frozen=True)
class EngineAudio:
    """What an engine returns: encoded bytes and the container they are in ('mp3' or 'wav')."""

    data: bytes
    container: str


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about a piece of audio."""

    container: str
    codec: str
    sample_rate: int
    channels: int
    duration_s: float


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise FormatError(f"{binary} not found; install it with `apt-get install ffmpeg` (scripts/install-system.sh)")
    return path


def _run(cmd: list[str], stdin: bytes | None, timeout_s: float, niceness: int = 0) -> bytes:
    try:
        done = run_in_background(cmd, stdin, timeout_s, niceness)
    except subprocess.TimeoutExpired as exc:
        raise FormatError(f"{Path(cmd[0]).name} took longer than {timeout_s:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        raise FormatError(f"{Path(cmd[0]).name} failed: {tail[0]}")
    return done.stdout


def wav_to_pcm(data: bytes) -> tuple[bytes, int, int, int]:
    """Split a RIFF/WAVE file into (pcm, sample_rate, channels, sample_width); tolerates streamed headers."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise FormatError("not a WAV file")
    pos, rate, channels, width = 12, 0, 0, 0
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk_id == b"fmt ":
            _, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[body : body + 16])
            width = bits // 8
        elif chunk_id == b"data":
            end = len(data) if size == 0 or body + size > len(data) else body + size
            if not rate:
                raise FormatError("WAV data before its fmt chunk")
            return data[body:end], rate, channels, width
        pos = body + size + (size & 1)
    raise FormatError("WAV file without a data chunk")


def _plain_pcm(audio: EngineAudio, rate: int) -> bytes | None:
    """The PCM of a WAV that is already mono 16-bit at `rate`, else None."""
    if audio.container != "wav":
        return None
    pcm, src_rate, channels, width = wav_to_pcm(audio.data)
    return pcm if (src_rate, channels, width) == (rate, 1, SAMPLE_WIDTH) else None


def silence(rate: int, milliseconds: int) -> bytes:
    """Mono 16-bit silence of the given length."""
    return b"\x00" * (SAMPLE_WIDTH * (rate * max(milliseconds, 0) // 1000))


def encode_pcm(pcm: bytes, rate: int, fmt: AudioFormat, ffmpeg: str = "ffmpeg", timeout_s: float = 120.0,
               niceness: int = 0) -> bytes:
    """Mono 16-bit PCM at `rate` → the bytes of a complete file in `fmt` (ffmpeg `niceness` steps below us)."""
    binary = _require(ffmpeg)
    with tempfile.TemporaryDirectory(prefix="elderbot-voice-") as tmp:
        out = Path(tmp) / f"out{fmt.suffix}"
        cmd = [binary, "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1"]
        cmd += ["-i", "pipe:0", *fmt.ffmpeg_args, "-y", str(out)]
        _run(cmd, pcm, timeout_s, niceness)
        return out.read_bytes()


def render(pieces: Sequence[EngineAudio], rate: int, pause_ms: int, fmt: AudioFormat, ffmpeg: str = "ffmpeg",
           timeout_s: float = 120.0, niceness: int = 0) -> bytes:
    """Sentence audio joined with `pause_ms` of silence between pieces, encoded to `fmt` in one ffmpeg run
    (`niceness` steps below this process: voice/priority.py)."""
    if not pieces:
        raise FormatError("no audio to render")
    plain = [_plain_pcm(piece, rate) for piece in pieces]
    if all(pcm is not None for pcm in plain):
        return encode_pcm(silence(rate, pause_ms).join(p for p in plain if p is not None), rate, fmt, ffmpeg,
                          timeout_s, niceness)
    binary = _require(ffmpeg)
    with tempfile.TemporaryDirectory(prefix="elderbot-voice-") as tmp:
        cmd = [binary, "-hide_banner", "-loglevel", "error"]
        graph: list[str] = []
        labels: list[str] = []
        for index, piece in enumerate(pieces):
            path = Path(tmp) / f"{index}.{piece.container}"
            path.write_bytes(piece.data)
            cmd += ["-f", piece.container, "-i", str(path)]
            graph.append(f"[{index}:a]aresample={rate},aformat=sample_fmts=s16:channel_layouts=mono[s{index}]")
            labels.append(f"[s{index}]")
            if index < len(pieces) - 1 and pause_ms > 0:
                graph.append(f"anullsrc=r={rate}:cl=mono,atrim=duration={pause_ms / 1000:.3f},"
                             f"aformat=sample_fmts=s16:channel_layouts=mono[p{index}]")
                labels.append(f"[p{index}]")
        graph.append("".join(labels) + f"concat=n={len(labels)}:v=0:a=1[out]")
        out = Path(tmp) / f"out{fmt.suffix}"
        cmd += ["-filter_complex", ";".join(graph), "-map", "[out]", *fmt.ffmpeg_args, "-y", str(out)]
        _run(cmd, None, timeout_s, niceness)
        return out.read_bytes()


def probe(audio: bytes, ffprobe: str = "ffprobe", timeout_s: float = 30.0) -> AudioInfo:
    """Container, codec, sample rate, channels and duration of an audio file's bytes."""
    binary = _require(ffprobe)
    with tempfile.NamedTemporaryFile(prefix="elderbot-probe-") as tmp:
        tmp.write(audio)
        tmp.flush()
        cmd = [binary, "-v", "error", "-of", "json", "-show_format", "-show_streams", tmp.name]
        info = json.loads(_run(cmd, None, timeout_s))
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise FormatError("no audio stream found")
    stream, fmt = streams[0], info.get("format", {})
    duration = float(fmt.get("duration") or stream.get("duration") or 0.0)
    return AudioInfo(
        container=str(fmt.get("format_name", "")),
        codec=str(stream.get("codec_name", "")),
        sample_rate=int(stream.get("sample_rate", 0)),
        channels=int(stream.get("channels", 0)),
        duration_s=duration,
    )
