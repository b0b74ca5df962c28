"""The engine protocol and the errors engines raise so the speaker can fall through to the next one."""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from voice.formats import EngineAudio


class EngineError(RuntimeError):
    """An engine could not produce audio this time (timeout, HTTP 429/403, bad answer, crash)."""

    def __init__(self, engine: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{engine}: {reason}")
        self.engine = engine
        self.reason = reason
        self.status = status


class UnreadableTextError(EngineError):
    """This engine cannot read this particular text (the engine itself is fine and is not rested)."""


class EngineUnavailableError(EngineError):
    """An engine cannot run here at all (library or binary missing); the message says how to install it."""


@runtime_checkable
class SpeechEngine(Protocol):
    """Text of one sentence in, encoded audio out."""

    name: str
    native_rate: int  # PCM rate sentences are joined at

    def identity(self) -> str:
        """Engine, voice and rate as one string: part of the cache key."""
        ...

    def synthesize(self, sentence: str) -> EngineAudio:
        """Audio for one sentence of speech text; raises EngineError."""
        ...


def rebase_url(url: str, base: str | None) -> str:
    """`url` with its scheme and host replaced by those of `base` (a self-hosted relay or a local fake)."""
    if not base:
        return url
    target, new = urlsplit(url), urlsplit(base)
    return urlunsplit((new.scheme or target.scheme, new.netloc, target.path, target.query, target.fragment))
