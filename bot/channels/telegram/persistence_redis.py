"""Chat settings in Redis (when REDIS_URL is set): a small BasePersistence over redis-py's asyncio client.

Values are stored as JSON (the channel keeps only strings and booleans per chat), one hash per kind of data.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

log = logging.getLogger(__name__)


class RedisPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """user_data, chat_data, bot_data and conversations kept in Redis hashes under one key prefix."""

    def __init__(self, client: Any, prefix: str = "elderbot:telegram:", store_data: PersistenceInput | None = None,
                 update_interval: float = 10) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self.redis = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisPersistence:
        """A persistence over `redis.asyncio.from_url(url)` (pip install redis)."""
        try:
            from redis import asyncio as redis_asyncio
        except ImportError as exc:
            raise RuntimeError('REDIS_URL is set but redis-py is missing: pip install "elderbot[redis]"') from exc
        return cls(redis_asyncio.from_url(url), **kwargs)

    def _key(self, kind: str) -> str:
        return self.prefix + kind

    async def _load_hash(self, kind: str) -> dict[int, dict[str, Any]]:
        raw = await self.redis.hgetall(self._key(kind))
        return {int(field): json.loads(value) for field, value in raw.items()}

    async def _store(self, kind: str, field: int | str, data: Any) -> None:
        await self.redis.hset(self._key(kind), str(field), json.dumps(data, ensure_ascii=False))

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_hash("user_data")

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return await self._load_hash("chat_data")

    async def get_bot_data(self) -> dict[str, Any]:
        raw = await self.redis.get(self._key("bot_data"))
        return json.loads(raw) if raw else {}

    async def get_callback_data(self) -> CDCData | None:
        return None  # arbitrary callback data is not used by this bot

    async def get_conversations(self, name: str) -> ConversationDict:
        raw = await self.redis.hgetall(self._key(f"conversations:{name}"))
        return {tuple(json.loads(key)): json.loads(value) for key, value in raw.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        hash_key, field = self._key(f"conversations:{name}"), json.dumps(list(key))
        if new_state is None:
            await self.redis.hdel(hash_key, field)
        else:
            await self.redis.hset(hash_key, field, json.dumps(new_state))

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._store("user_data", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        await self._store("chat_data", chat_id, data)

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        await self.redis.set(self._key("bot_data"), json.dumps(data, ensure_ascii=False))

    async def update_callback_data(self, data: CDCData) -> None:
        return None  # see get_callback_data

    async def drop_chat_data(self, chat_id: int) -> None:
        await self.redis.hdel(self._key("chat_data"), str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        await self.redis.hdel(self._key("user_data"), str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None  # Redis is read once at start-up; this process is the only writer of its chats

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Everything is written as it changes; close the connections."""
        await self.redis.aclose()
