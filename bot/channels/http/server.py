"""How uvicorn serves the app: keep-alive, no proxy headers, and a deadline for a request's headers.

uvicorn's own keep-alive timer runs only between requests; a client that sends half a request line or half its
headers holds the connection (and its memory) for as long as it likes. The protocol classes here close such a
connection when its headers have not all arrived within the read timeout (the body's deadline is the
BodySizeLimit middleware's).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

# Longer than a load balancer's idle timeout (~60 s): with uvicorn's 5 s default the server can close a kept-alive
# connection just as a request arrives on it (dropped requests under load: bench/bench_load.py).
KEEP_ALIVE_S = 75


class _HeaderDeadline:
    """Mixin for a uvicorn HTTP protocol: a connection whose request headers are not complete `header_timeout_s`
    after its first byte (or after it was opened) is closed."""

    header_timeout_s: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _armed_for: Any = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._armed_for = self.cycle  # type: ignore[attr-defined]
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)  # type: ignore[attr-defined]

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle  # type: ignore[attr-defined]
        if self._header_timer is None and (cycle is None or cycle.response_complete or cycle.response_started):
            self._arm()  # the first bytes of the next request on a kept-alive connection (once the response to the
            # last one has begun, its body was all read: what comes now is a new request, even under load)
        super().data_received(data)  # type: ignore[misc]
        if self._header_timer is not None and self.cycle is not None and self.cycle is not self._armed_for:  # type: ignore[attr-defined]
            self._disarm()  # the headers are all in: a request cycle has started

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        transport = self.transport  # type: ignore[attr-defined]
        if transport is not None and not transport.is_closing():
            transport.close()


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # httptools is optional: uvicorn's pure-Python h11 protocol
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]


class DeadlineHttpProtocol(_HeaderDeadline, _Base):  # type: ignore[misc, valid-type]
    """uvicorn's fastest available HTTP protocol, with the header deadline. A module-level class, so that
    multi-worker serving (which pickles the config for each worker) can name it; workers read the deadline from
    ELDERBOT_REQUEST_TIMEOUT_S."""

    header_timeout_s = float(os.environ.get("ELDERBOT_REQUEST_TIMEOUT_S", "") or 10.0)


def uvicorn_options(read_timeout_s: float) -> dict[str, Any]:
    """The keyword arguments every `uvicorn.run` of the API takes (single and multi-worker alike)."""
    DeadlineHttpProtocol.header_timeout_s = read_timeout_s
    os.environ["ELDERBOT_REQUEST_TIMEOUT_S"] = str(read_timeout_s)  # for the workers of multi-worker serving
    return {"proxy_headers": False, "server_header": False, "timeout_keep_alive": KEEP_ALIVE_S,
            "http": DeadlineHttpProtocol}
