"""The WeChat client API (wechatpy's WeChatClient) against any API host, its access token shared and refreshed.

The access token is kept in a session storage: Redis when REDIS_URL is set and answers (every worker and
restart shares one token, so they do not invalidate each other's), else memory. A token is dropped from
the storage five minutes before WeChat expires it, so the next call fetches a fresh one in time; the
fetch is serialised within a process.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from wechatpy import WeChatClient
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage

from bot.channels.wechat.settings import WeChatSettings

log = logging.getLogger(__name__)

TOKEN_MARGIN_S = 300
HTTP_TIMEOUT_S = 10.0
REDIS_PREFIX = "elderbot:wechat"


class EarlyExpiryStorage(SessionStorage):
    """A session storage whose values vanish `margin_s` before the TTL they were stored with (any storage:
    wechatpy's MemoryStorage ignores TTLs, so the expiry is kept with the value)."""

    def __init__(self, inner: SessionStorage, margin_s: float = TOKEN_MARGIN_S) -> None:
        self.inner = inner
        self.margin_s = margin_s

    def get(self, key: str, default: Any = None) -> Any:
        stored = self.inner.get(key)
        if not isinstance(stored, dict) or "value" not in stored:
            return default
        expires_at = stored.get("expires_at")
        if expires_at is not None and time.time() >= float(expires_at):
            return default
        return stored["value"]

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        expires_at = time.time() + max(ttl - self.margin_s, ttl / 2) if ttl else None
        self.inner.set(key, {"value": value, "expires_at": expires_at}, ttl)

    def delete(self, key: str) -> None:
        self.inner.delete(key)


class ApiClient(WeChatClient):  # type: ignore[misc]
    """WeChatClient whose every call, the token fetch included, goes to `base_url` (wechatpy hard-codes
    api.weixin.qq.com for the token), with one token fetch at a time."""

    def __init__(self, app_id: str, secret: str, base_url: str, session: SessionStorage | None = None,
                 timeout: float = HTTP_TIMEOUT_S) -> None:
        super().__init__(app_id, secret, session=EarlyExpiryStorage(session or MemoryStorage()), timeout=timeout)
        self.API_BASE_URL = base_url
        self._token_lock = threading.RLock()

    def fetch_access_token(self) -> dict[str, Any]:
        with self._token_lock:
            log.info("fetching a WeChat access token")
            return self._fetch_access_token(  # type: ignore[no-any-return]
                url=self.API_BASE_URL + "token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})

    @property
    def access_token(self) -> str:
        """The stored token while it is fresh; else one fetch (other threads wait for it, then share it)."""
        if token := self.session.get(self.access_token_key):
            return str(token)
        with self._token_lock:
            if token := self.session.get(self.access_token_key):
                return str(token)
            self.fetch_access_token()
            return str(self.session.get(self.access_token_key) or "")


def token_storage(redis_client: Any | None) -> SessionStorage:
    """RedisStorage on the shared Redis client, else memory."""
    if redis_client is None:
        return MemoryStorage()
    from wechatpy.session.redisstorage import RedisStorage

    return RedisStorage(redis_client, prefix=REDIS_PREFIX)


def build_client(settings: WeChatSettings, redis_client: Any | None = None) -> ApiClient | None:
    """The client API, or None when WECHAT_APP_ID / WECHAT_APP_SECRET are not set (passive replies only)."""
    if not settings.can_send:
        return None
    return ApiClient(settings.app_id, settings.app_secret, settings.base_url, session=token_storage(redis_client))
