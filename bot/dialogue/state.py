"""Per-conversation memory (the region, the topic, the last answer and what is left to say) and where it is
kept: in memory, in a local SQLite file, or in Redis shared by every replica. The core is its one owner."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.dialogue.seam import Reply, Source

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE_S = 30 * 24 * 3600  # a conversation untouched for 30 days is forgotten


@dataclass
class ConversationState:
    """What is remembered between two turns of one conversation: the core's memory, and the question a hotline
    read back to its caller (您是问……吗？) waiting for 是 / 不是 on the next turn."""

    region: str | None = None
    topic: str | None = None
    last_question: str = ""
    pending_question: str = ""
    last_reply: Reply | None = None
    remaining: list[Source] = field(default_factory=list)
    last_sources: list[Source] = field(default_factory=list)
    read_back: str = ""
    read_back_at: float = 0.0  # time.time() of the read-back: it survives a restart and means the same to replicas

    def to_json(self) -> str:
        return json.dumps({
            "region": self.region, "topic": self.topic, "last_question": self.last_question,
            "pending_question": self.pending_question,
            "last_reply": self.last_reply.to_dict() if self.last_reply else None,
            "remaining": [s.to_dict() for s in self.remaining],
            "last_sources": [s.to_dict() for s in self.last_sources],
            "read_back": self.read_back, "read_back_at": self.read_back_at,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> ConversationState:
        """The state a to_json() wrote; anything unreadable gives a fresh state rather than an error."""
        try:
            data: dict[str, Any] = json.loads(text)
            reply = data.get("last_reply")
            return cls(
                region=data.get("region"), topic=data.get("topic"),
                last_question=str(data.get("last_question") or ""),
                pending_question=str(data.get("pending_question") or ""),
                last_reply=Reply.from_dict(reply) if isinstance(reply, dict) else None,
                remaining=[Source.from_dict(s) for s in data.get("remaining") or []],
                last_sources=[Source.from_dict(s) for s in data.get("last_sources") or []],
                read_back=str(data.get("read_back") or ""), read_back_at=float(data.get("read_back_at") or 0.0),
            )
        except (ValueError, TypeError, AttributeError):
            log.warning("an unreadable conversation state was replaced by a fresh one")
            return cls()


class ConversationStore(Protocol):
    """Conversation states by id. A turn without an id gets a fresh state that is never kept."""

    def get(self, conversation: str | None) -> ConversationState: ...

    def put(self, conversation: str | None, state: ConversationState) -> None: ...


class MemoryConversations:
    """In this process only, forgotten by age (and, as a guard for memory, beyond a large cap)."""

    def __init__(self, max_age_s: float = DEFAULT_MAX_AGE_S, cap: int = 200_000) -> None:
        self.max_age_s, self.cap = max_age_s, cap
        self._states: OrderedDict[str, tuple[float, ConversationState]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation: str | None) -> ConversationState:
        if not conversation:
            return ConversationState()
        with self._lock:
            found = self._states.get(conversation)
            if found is None or time.time() - found[0] > self.max_age_s:
                return ConversationState()
            return found[1]

    def put(self, conversation: str | None, state: ConversationState) -> None:
        if not conversation:
            return
        now = time.time()
        with self._lock:
            self._states.pop(conversation, None)
            self._states[conversation] = (now, state)
            while self._states and (len(self._states) > self.cap
                                    or now - next(iter(self._states.values()))[0] > self.max_age_s):
                self._states.popitem(last=False)

    def __len__(self) -> int:
        return len(self._states)


class SqliteConversations:
    """A local SQLite file (WAL): conversations survive a restart or a kill -9 of the process."""

    def __init__(self, path: Path, max_age_s: float = DEFAULT_MAX_AGE_S) -> None:
        self.path, self.max_age_s = path, max_age_s
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._writes = 0
        with self._connection() as db:
            db.execute("CREATE TABLE IF NOT EXISTS conversations "
                       "(id TEXT PRIMARY KEY, updated REAL NOT NULL, state TEXT NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated)")

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get(self, conversation: str | None) -> ConversationState:
        if not conversation:
            return ConversationState()
        row = self._connection().execute(
            "SELECT state FROM conversations WHERE id = ? AND updated >= ?",
            (conversation, time.time() - self.max_age_s)).fetchone()
        return ConversationState.from_json(row[0]) if row else ConversationState()

    def put(self, conversation: str | None, state: ConversationState) -> None:
        if not conversation:
            return
        db = self._connection()
        db.execute("INSERT OR REPLACE INTO conversations (id, updated, state) VALUES (?, ?, ?)",
                   (conversation, time.time(), state.to_json()))
        self._writes += 1
        if self._writes % 500 == 1:
            db.execute("DELETE FROM conversations WHERE updated < ?", (time.time() - self.max_age_s,))


class RedisConversations:
    """Redis, shared by every replica; each conversation expires `max_age_s` after its last turn. When Redis stops
    answering, turns go on without memory (a fresh state, nothing kept; logged) and Redis is left alone for
    `rest_s` rather than costing every turn its timeouts."""

    def __init__(self, url: str, max_age_s: float = DEFAULT_MAX_AGE_S, prefix: str = "elderbot:conversation:",
                 rest_s: float = 5.0) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._errors = (redis.RedisError, OSError)
        self.max_age_s, self.prefix, self.rest_s = max_age_s, prefix, rest_s
        self._down_until = 0.0

    def get(self, conversation: str | None) -> ConversationState:
        if not conversation or time.monotonic() < self._down_until:
            return ConversationState()
        try:
            raw = self._redis.get(self.prefix + conversation)
        except self._errors as exc:
            self._went_down(exc)
            return ConversationState()
        return ConversationState.from_json(raw) if raw else ConversationState()

    def put(self, conversation: str | None, state: ConversationState) -> None:
        if not conversation or time.monotonic() < self._down_until:
            return
        try:
            self._redis.set(self.prefix + conversation, state.to_json(), ex=max(1, int(self.max_age_s)))
        except self._errors as exc:
            self._went_down(exc)

    def _went_down(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.rest_s
        log.warning("Redis did not answer (%s): turns go on without conversation memory; trying again in %g s",
                    type(exc).__name__, self.rest_s)


def open_conversations(redis_url: str, data_dir: Path, max_age_s: float = DEFAULT_MAX_AGE_S) -> ConversationStore:
    """Redis when REDIS_URL is set and answers, else a SQLite file under the data folder, else memory."""
    from bot.redis_fallback import redis_available

    if redis_url and redis_available(redis_url, "conversation state"):
        return RedisConversations(redis_url, max_age_s)
    try:
        return SqliteConversations(data_dir / "conversations.sqlite3", max_age_s)
    except (OSError, sqlite3.Error) as exc:
        log.warning("conversation state kept in memory only: %s is not writable (%s)", data_dir, exc)
        return MemoryConversations(max_age_s)
