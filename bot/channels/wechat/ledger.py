"""Which messages were already taken (WeChat retries a message three times when no reply came within 5 s),
and the work in progress on each in this process.

A message is claimed once: in a bounded, time-expiring memory of this process, and in Redis (SET NX with a
TTL) when REDIS_URL is set, so that a retry reaching another worker does not start a second answer either.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

TTL_S = 120.0  # WeChat's three tries span about 15 s
MAX_ENTRIES = 20_000
REDIS_PREFIX = "elderbot:wechat:msg:"


@dataclass
class Job:
    """The work on one message, and who hands its result out: the request WeChat is waiting on (passive
    reply) or, after the deadline, the customer-service API. A retry becomes the request WeChat waits on."""

    task: asyncio.Future[Any] | None = None
    waiters: int = 0
    settled: str | None = None  # "passive" | "later" | "dropped"
    created: float = field(default_factory=time.monotonic)

    def new_waiter(self) -> int:
        self.waiters += 1
        return self.waiters

    def is_current(self, waiter: int) -> bool:
        return waiter == self.waiters


def message_key(msg_id: Any, source: str, create_time: Any) -> str:
    """MsgId for messages; FromUserName + CreateTime for events (they have no MsgId), as WeChat advises."""
    raw = f"id:{msg_id}" if msg_id else f"ev:{source}:{create_time}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class MessageLedger:
    """Messages seen in the last `ttl_s` seconds (at most `max_entries`), with their jobs."""

    def __init__(self, redis_client: Any | None = None, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.redis = redis_client
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Job]] = OrderedDict()
        self._redis_warned = False

    def __len__(self) -> int:
        return len(self._entries)

    def _expire(self) -> None:
        now = self.clock()
        while self._entries:
            key, (expires_at, _job) = next(iter(self._entries.items()))
            if expires_at > now and len(self._entries) <= self.max_entries:
                break
            self._entries.popitem(last=False)

    def job(self, key: str) -> Job | None:
        """The job of a message this process has seen (and not yet forgotten)."""
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def open(self, key: str) -> Job:
        """Record a message as seen here and return its new job (call only when `job(key)` is None; no await
        between the two, so two requests for one message in this process never both open it)."""
        job = Job()
        self._entries[key] = (self.clock() + self.ttl_s, job)
        self._expire()
        return job

    def claim_shared(self, key: str) -> bool:
        """True unless another process claimed the message first (Redis; blocking, run it in a thread).
        Without Redis, or with Redis failing, the local record is the claim."""
        if self.redis is None:
            return True
        try:
            return bool(self.redis.set(REDIS_PREFIX + key, b"1", nx=True, ex=max(1, int(self.ttl_s))))
        except Exception as exc:  # Redis down: answer rather than drop the message
            if not self._redis_warned:
                log.warning("Redis unavailable for message de-duplication (%s); this process's memory only",
                            type(exc).__name__)
                self._redis_warned = True
            return True
