"""Hotline audio kept on disk under content-hash names, so the phone system can fetch it by URL."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path

_AUDIO_ID = re.compile(r"[0-9a-f]{64}")


class AudioStore:
    """WAV files named by the SHA-256 of their bytes; the oldest are removed beyond `max_files`."""

    def __init__(self, directory: Path, max_files: int = 2000) -> None:
        self.directory = Path(directory)
        self.max_files = max_files
        self._lock = threading.Lock()

    def put(self, audio: bytes) -> str:
        """Store audio and return its id (hex SHA-256); storing the same bytes twice is a no-op."""
        audio_id = hashlib.sha256(audio).hexdigest()
        path = self.directory / f"{audio_id}.wav"
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            if path.exists():
                os.utime(path)
            else:
                fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".part")
                with os.fdopen(fd, "wb") as handle:
                    handle.write(audio)
                os.replace(tmp, path)
                self._prune()
        return audio_id

    def get(self, audio_id: str) -> bytes | None:
        """The audio of an id, None for unknown or malformed ids (never a path outside the store)."""
        if not _AUDIO_ID.fullmatch(audio_id):
            return None
        path = self.directory / f"{audio_id}.wav"
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _prune(self) -> None:
        files = sorted(self.directory.glob("*.wav"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.max_files)]:
            old.unlink(missing_ok=True)
