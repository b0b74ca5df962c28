"""Per-chat pace: at most N messages in a window; the last message over the limit is held and answered later."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChatRateLimiter(Generic[T]):
    """Counts each chat's messages by arrival time; over the limit, only the newest message is kept."""

    def __init__(self, max_messages: int = 6, window_s: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        if max_messages < 1 or window_s <= 0:
            raise ValueError("max_messages must be >= 1 and window_s > 0")
        self.max_messages = max_messages
        self.window_s = window_s
        self._clock = clock
        self._arrivals: dict[int, deque[float]] = {}
        self._held: dict[int, T] = {}
        self._released: set[int] = set()
        self._last_sweep = clock()

    def admit(self, chat_id: int, at: float | None = None) -> float:
        """0.0 when the message may go through now (and is counted), else seconds until the window frees."""
        now = self._clock()
        at = now if at is None else min(at, now)
        if now - self._last_sweep > self.window_s:
            self._last_sweep = now
            self.forget_idle(at)  # idle as of this message's time: a backlog of older messages still counts
        arrivals = self._arrivals.setdefault(chat_id, deque())
        while arrivals and arrivals[0] <= at - self.window_s:
            arrivals.popleft()
        if len(arrivals) < self.max_messages:
            arrivals.append(at)
            return 0.0
        return max(arrivals[0] + self.window_s - now, 0.05)

    def holding(self, chat_id: int) -> bool:
        """Whether a message of this chat is waiting for the window to free."""
        return chat_id in self._held

    def hold(self, chat_id: int, item: T) -> bool:
        """Keep `item` as the chat's waiting message (replacing an older one); True if nothing was waiting."""
        first = chat_id not in self._held
        self._held[chat_id] = item
        return first

    def take(self, chat_id: int) -> T | None:
        """The waiting message, no longer waiting."""
        return self._held.pop(chat_id, None)

    def release(self, ticket: int) -> None:
        """Mark a held message as admitted so the gate lets it through when it is processed again."""
        self._released.add(ticket)

    def was_released(self, ticket: int) -> bool:
        """True once for a message released by `release`."""
        if ticket in self._released:
            self._released.discard(ticket)
            return True
        return False

    def forget_idle(self, now: float | None = None) -> None:
        """Drop the counters of chats quiet for a whole window before `now` (default: the clock), to keep
        memory flat on a busy bot."""
        edge = (self._clock() if now is None else now) - self.window_s
        for chat_id in [c for c, a in self._arrivals.items() if not a or a[-1] <= edge]:
            if chat_id not in self._held:
                del self._arrivals[chat_id]


async def release_when_free(limiter: ChatRateLimiter[T], chat_id: int, wait_s: float,
                            process: Callable[[T], Awaitable[object]],
                            ticket_of: Callable[[T], int]) -> None:
    """Sleep until the chat may speak again, then process its last held message."""
    while True:
        await asyncio.sleep(wait_s)
        wait_s = limiter.admit(chat_id)
        if wait_s <= 0:
            break
    item = limiter.take(chat_id)
    if item is not None:
        limiter.release(ticket_of(item))
        await process(item)
