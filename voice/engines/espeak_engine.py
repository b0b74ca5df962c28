"""espeak-ng: offline, always available (Debian package `espeak-ng`), Mandarin voice `cmn-latn-pinyin`."""

from __future__ import annotations

import shutil
import subprocess

from voice.engines.base import EngineError, EngineUnavailableError
from voice.formats import EngineAudio
from voice.priority import run_in_background


class EspeakEngine:
    """Runs the espeak-ng binary; slower words per minute for seniors."""

    name = "espeak"
    native_rate = 22050

    def __init__(self, voice: str = "cmn-latn-pinyin", speed_wpm: int = 150, timeout_s: float = 30.0,
                 binary: str = "espeak-ng", niceness: int = 0) -> None:
        self.voice = voice
        self.speed_wpm = speed_wpm
        self.timeout_s = timeout_s
        self.binary = binary
        self.niceness = niceness  # steps below this process's CPU priority (voice/priority.py)

    def identity(self) -> str:
        return f"espeak:{self.voice}:{self.speed_wpm}wpm"

    def synthesize(self, sentence: str) -> EngineAudio:
        path = shutil.which(self.binary)
        if path is None:
            raise EngineUnavailableError(self.name, f"{self.binary} not found; install it: apt-get install espeak-ng")
        cmd = [path, "-v", self.voice, "-s", str(self.speed_wpm), "-b", "1", "--stdout"]
        try:
            done = run_in_background(cmd, sentence.encode("utf-8"), self.timeout_s, self.niceness)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(self.name, f"timed out after {self.timeout_s:.0f} s") from exc
        if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
            raise EngineError(self.name, message)
        return EngineAudio(done.stdout, "wav")
