"""gTTS (Google Translate text-to-speech): the default voice where Google is reachable."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from voice.engines.base import EngineError, EngineUnavailableError, rebase_url
from voice.formats import EngineAudio

INSTALL_HINT = "gTTS is not installed: pip install 'elderbot[voice]' (or pip install gTTS)"


@lru_cache(maxsize=1)
def _routed_gtts_class() -> type[Any]:
    """gTTS whose requests can be sent to another host (self-hosted mirror, local test fake)."""
    try:
        from gtts import gTTS
    except ImportError as exc:
        raise EngineUnavailableError("gtts", INSTALL_HINT) from exc

    class RoutedGTTS(gTTS):  # type: ignore[misc]
        base_url: str | None = None

        def _prepare_requests(self) -> list[Any]:
            prepared = super()._prepare_requests()
            for request in prepared:
                request.url = rebase_url(request.url, self.base_url)
            return prepared

    return RoutedGTTS


class GttsEngine:
    """One gTTS request per sentence; `slow` is the senior pace."""

    name = "gtts"
    native_rate = 24000

    def __init__(self, lang: str = "zh", tld: str = "com", slow: bool = True, timeout_s: float = 8.0,
                 base_url: str | None = None) -> None:
        self.lang = lang
        self.tld = tld
        self.slow = slow
        self.timeout_s = timeout_s
        self.base_url = base_url

    def identity(self) -> str:
        return f"gtts:{self.lang}:{'slow' if self.slow else 'normal'}"

    def synthesize(self, sentence: str) -> EngineAudio:
        routed = _routed_gtts_class()
        from gtts.tts import gTTSError

        try:
            tts = routed(sentence, tld=self.tld, lang=self.lang, slow=self.slow, timeout=self.timeout_s)
            tts.base_url = self.base_url
            data = b"".join(tts.stream())
        except gTTSError as exc:
            status = exc.rsp.status_code if exc.rsp is not None else None
            raise EngineError(self.name, str(exc), status=status) from exc
        except (AssertionError, ValueError) as exc:  # gTTS asserts on text it cannot send
            raise EngineError(self.name, str(exc) or "text not accepted") from exc
        if not data:
            raise EngineError(self.name, "no audio in the answer")
        return EngineAudio(data, "mp3")
