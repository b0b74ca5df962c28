"""Which engines may be tried now: an engine that failed rests, and every caller skips it at once.

State is a few numbers per engine behind one short lock that is never held while an engine speaks, so
concurrent callers never queue behind a slow or failing engine. When every other engine has failed too, a
resting engine is the last resort: one caller at a time may try it, and at most once per
`last_resort_interval_s` — a lone configured engine that keeps failing is not retried on every call.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _EngineState:
    resting_until: float = -math.inf  # math.inf: cannot run here at all (not installed)
    last_attempt: float = -math.inf
    last_resort_in_flight: bool = False


class EngineHealth:
    """Rest periods and last-resort tries of the engines of one Speaker; safe to share between threads."""

    def __init__(self, cooldown_s: float, last_resort_interval_s: float, clock: Callable[[], float]) -> None:
        self.cooldown_s = cooldown_s
        self.last_resort_interval_s = last_resort_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._states: dict[str, _EngineState] = {}

    def _state(self, name: str) -> _EngineState:
        return self._states.setdefault(name, _EngineState())

    def is_resting(self, name: str) -> bool:
        with self._lock:
            return self._clock() < self._state(name).resting_until

    def is_unavailable(self, name: str) -> bool:
        """True when the engine failed for good (library or binary missing)."""
        with self._lock:
            return self._state(name).resting_until == math.inf

    def resting_until(self, name: str) -> float:
        with self._lock:
            return self._state(name).resting_until

    def started(self, name: str) -> None:
        with self._lock:
            self._state(name).last_attempt = self._clock()

    def failed(self, name: str, permanent: bool) -> bool:
        """Rest the engine; True when it was not resting yet (the failure is news worth one log line)."""
        with self._lock:
            state, now = self._state(name), self._clock()
            news = now >= state.resting_until
            if permanent:
                state.resting_until = math.inf
            elif state.resting_until != math.inf:
                state.resting_until = max(state.resting_until, now + self.cooldown_s)
            return news

    def succeeded(self, name: str) -> None:
        with self._lock:
            state = self._state(name)
            state.resting_until = -math.inf

    def claim_last_resort(self, name: str) -> bool:
        """May this caller try the resting engine `name` now? Release with `release_last_resort`."""
        with self._lock:
            state, now = self._state(name), self._clock()
            if state.resting_until == math.inf or state.last_resort_in_flight:
                return False
            if now < state.last_attempt + self.last_resort_interval_s:
                return False
            state.last_resort_in_flight = True
            state.last_attempt = now
            return True

    def release_last_resort(self, name: str) -> None:
        with self._lock:
            self._state(name).last_resort_in_flight = False
