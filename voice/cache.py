"""Content-addressed disk cache of finished audio, with a size cap (least recently used files go first)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from voice.formats import AudioFormat

_SUFFIX = ".audio"


def cache_key(speech_text: str, engine_identity: str, fmt: AudioFormat, pause_ms: int) -> str:
    """sha256 of everything that changes the audio: normalised text, engine+voice+rate, format, pause."""
    material = json.dumps([speech_text, engine_identity, fmt.value, pause_ms], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


# Audio longer than this (about 40 s of MP3, a long ad-hoc /v1/speak text) is stored only when the same key is put
# a second time: a client sending one new long text after another cannot push the answers people reuse out.
ADMIT_ON_SECOND_BYTES = 256 * 1024
_SEEN_ONCE_MAX = 4096


class AudioCache:
    """Files named by key under `directory`; `put` evicts the oldest files beyond `max_bytes`."""

    def __init__(self, directory: Path, max_bytes: int, admit_on_second_bytes: int = ADMIT_ON_SECOND_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.admit_on_second_bytes = admit_on_second_bytes
        self._seen_once: OrderedDict[str, None] = OrderedDict()
        self._seen_lock = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{_SUFFIX}"

    def get(self, key: str) -> bytes | None:
        """The cached audio, or None; a hit counts as a fresh use for eviction."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store atomically, then shrink the cache below its cap."""
        if len(data) > self.max_bytes or not self._admit(key, len(data)):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.evict(keep=key)

    def _admit(self, key: str, size: int) -> bool:
        """Small audio at once; large audio the second time its key is put (in this process)."""
        if size <= self.admit_on_second_bytes:
            return True
        with self._seen_lock:
            if key in self._seen_once:
                del self._seen_once[key]
                return True
            self._seen_once[key] = None
            while len(self._seen_once) > _SEEN_ONCE_MAX:
                self._seen_once.popitem(last=False)
            return False

    def size_bytes(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[float, int, Path]]:
        entries: list[tuple[float, int, Path]] = []
        for path in self.directory.glob(f"*{_SUFFIX}"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        return sorted(entries)

    def evict(self, keep: str | None = None) -> int:
        """Delete least recently used files until the cache fits its cap; returns how many went."""
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            if keep and path.name == f"{keep}{_SUFFIX}":
                continue
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed
