"""edge-tts (Microsoft Edge read-aloud over a websocket): reachable from mainland China, zh-CN neural voices."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

from voice.engines.base import EngineError, EngineUnavailableError, rebase_url
from voice.formats import EngineAudio

INSTALL_HINT = "edge-tts is not installed: pip install 'elderbot[voice]' (or pip install edge-tts)"
_ENDPOINT_LOCK = threading.Lock()
T = TypeVar("T")


def _edge_tts() -> ModuleType:
    try:
        import edge_tts
        import edge_tts.communicate
    except ImportError as exc:
        raise EngineUnavailableError("edge", INSTALL_HINT) from exc
    return edge_tts


@contextmanager
def _endpoint(module: ModuleType, base_url: str | None) -> Iterator[None]:
    """Point edge-tts at `base_url` for the duration of one request (its URL is a module constant)."""
    if not base_url:
        yield
        return
    communicate = module.communicate
    with _ENDPOINT_LOCK:
        original = communicate.WSS_URL
        communicate.WSS_URL = rebase_url(original, base_url)
        try:
            yield
        finally:
            communicate.WSS_URL = original


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, also when an event loop is already running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-tts") as pool:
        return pool.submit(asyncio.run, coroutine).result()


class EdgeEngine:
    """One websocket turn per sentence; a negative `rate` (e.g. -20%) is the senior pace."""

    name = "edge"
    native_rate = 24000

    def __init__(self, voice: str = "zh-CN-XiaoxiaoNeural", rate: str = "-20%", timeout_s: float = 8.0,
                 base_url: str | None = None) -> None:
        self.voice = voice
        self.rate = rate
        self.timeout_s = timeout_s
        self.base_url = base_url

    def identity(self) -> str:
        return f"edge:{self.voice}:{self.rate}"

    def synthesize(self, sentence: str) -> EngineAudio:
        module = _edge_tts()
        with _endpoint(module, self.base_url):
            data = run_blocking(self._receive(module, sentence))
        return EngineAudio(data, "mp3")

    async def _receive(self, module: ModuleType, sentence: str) -> bytes:
        import aiohttp

        try:
            chunks = await asyncio.wait_for(self._collect(module, sentence), self.timeout_s)
        except asyncio.TimeoutError as exc:
            raise EngineError(self.name, f"timed out after {self.timeout_s:g} s") from exc
        except aiohttp.ClientResponseError as exc:
            raise EngineError(self.name, f"HTTP {exc.status} {exc.message}", status=exc.status) from exc
        except (aiohttp.ClientError, OSError, module.exceptions.EdgeTTSException, ValueError) as exc:
            raise EngineError(self.name, f"{type(exc).__name__}: {exc}") from exc
        if not chunks:
            raise EngineError(self.name, "no audio received")
        return b"".join(chunks)

    async def _collect(self, module: ModuleType, sentence: str) -> list[bytes]:
        seconds = max(1, math.ceil(self.timeout_s))
        communicate = module.Communicate(sentence, self.voice, rate=self.rate,
                                         connect_timeout=seconds, receive_timeout=seconds)
        return [chunk["data"] async for chunk in communicate.stream() if chunk["type"] == "audio"]
