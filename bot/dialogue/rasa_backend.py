"""A Rasa server as the dialogue backend, through its REST channel; look-ups stay local."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

import httpx

from bot.dialogue import replies
from bot.dialogue.seam import (
    Action,
    CompareRow,
    DialogueBackend,
    NearbyFacility,
    Region,
    Reply,
    Source,
    TopicInfo,
    Turn,
)

log = logging.getLogger(__name__)


class CircuitBreaker:
    """After `failures` failures in a row, Rasa is taken as down for `rest_s` seconds: turns are answered at
    once without waiting on it; one turn then tries it again."""

    def __init__(self, failures: int = 2, rest_s: float = 30.0) -> None:
        self.failures, self.rest_s = failures, rest_s
        self._count, self._open_until = 0, 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        with self._lock:
            if time.monotonic() < self._open_until:
                return False
            if self._count >= self.failures:
                self._open_until = time.monotonic() + self.rest_s  # this caller probes; the others wait it out
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._count, self._open_until = 0, 0.0

    def failed(self) -> None:
        with self._lock:
            self._count += 1
            if self._count >= self.failures:
                self._open_until = time.monotonic() + self.rest_s

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until


class RasaBackend:
    """Sends each turn to /webhooks/rest/webhook with the channel's region and staff flag as metadata; the
    custom actions attach the core's reply as JSON. Regions, topics, search, compare and facilities are
    answered by the local embedded backend (the same plans)."""

    def __init__(self, url: str, local: DialogueBackend, answer_when_down: bool = True, timeout: float = 10.0,
                 breaker: CircuitBreaker | None = None) -> None:
        self.url = url.rstrip("/")
        self.local = local
        self.answer_when_down = answer_when_down
        self.breaker = breaker or CircuitBreaker()
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))

    def warm_up(self) -> None:
        self.local.warm_up()

    def respond(self, turn: Turn) -> Reply:
        """One round trip to Rasa; while Rasa is down, the embedded core answers at once (or a clear message)."""
        if not self.breaker.allows():
            return self._when_down(turn)
        metadata: dict[str, Any] = {"staff": turn.staff}
        if turn.region:
            metadata["region"] = turn.region
        sender = turn.conversation or f"anonymous-{uuid.uuid4().hex}"
        payload = {"sender": sender, "message": turn.text, "metadata": metadata}
        try:
            response = self._client.post(f"{self.url}/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            reply = reply_from_messages(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Rasa unreachable (%s)", type(exc).__name__)
            self.breaker.failed()
            return self._when_down(turn)
        self.breaker.succeeded()
        return reply

    def _when_down(self, turn: Turn) -> Reply:
        if self.answer_when_down:
            return self.local.respond(turn)
        text = "系统忙，请稍后再试。" + replies.WHERE_TO_ASK
        return Reply("out_of_scope", 0.0, Action.FALLBACK, text, text)

    def repair_heard(self, text: str) -> str:
        return self.local.repair_heard(text)

    def regions(self) -> list[Region]:
        return self.local.regions()

    def topics(self) -> list[TopicInfo]:
        return self.local.topics()

    def resolve_region(self, name: str) -> Region:
        return self.local.resolve_region(name)

    def search(self, query: str, region: str | None = None, topic: str | None = None, k: int = 5) -> list[Source]:
        return self.local.search(query, region, topic, k)

    def compare(self, query: str, topic: str | None = None) -> list[CompareRow]:
        return self.local.compare(query, topic)

    def facilities_near(self, place: str, topic: str | None = None, limit: int = 10) -> dict[str, Any]:
        return self.local.facilities_near(place, topic, limit)

    def facilities_nearest(self, lat: float, lon: float, topic: str | None = None,
                           limit: int = 10) -> list[NearbyFacility]:
        return self.local.facilities_nearest(lat, lon, topic, limit)


def reply_from_messages(messages: list[dict[str, object]]) -> Reply:
    """The core's reply when an action attached it as custom JSON, else Rasa's plain texts."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and "action" in custom:
            return Reply.from_dict(custom)
    text = "\n".join(str(m["text"]) for m in messages if m.get("text")) or replies.fallback()
    buttons = [str(b.get("title")) for m in messages for b in (m.get("buttons") or []) if isinstance(b, dict)]
    action = Action.CLARIFY_REGION if buttons else Action.SMALLTALK
    return Reply("rasa", 0.0, action, text, text, None, [], buttons)
