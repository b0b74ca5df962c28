"""Redis when it answers, else in-memory with a warning: the rule every Redis user in bot/ follows.

A deployment keeps chat settings (and Rasa's trackers) in Redis; when Redis is down at start-up the bot
must still answer, so a component asks `redis_available(url, what)` first and falls back to memory.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def redis_location(url: str) -> str:
    """scheme://host:port/db of a Redis URL, never its user name or password (safe to log)."""
    try:
        parts = urlsplit(url)
        port = parts.port or 6379
    except ValueError:
        return "<unparsable Redis URL>"
    return f"{parts.scheme or 'redis'}://{parts.hostname or '?'}:{port}/{parts.path.lstrip('/') or '0'}"


def redis_available(url: str, what: str, timeout_s: float = 2.0) -> bool:
    """True when Redis at `url` answers PING; else False, with a warning that `what` stays in memory only."""
    try:
        import redis
    except ImportError:
        log.warning('REDIS_URL is set but redis-py is missing (pip install "elderbot[redis]"); '
                    "%s kept in memory only", what)
        return False
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        log.warning("Redis at %s unreachable (%s); %s kept in memory only until a restart finds it",
                    redis_location(url), type(exc).__name__, what)
        return False
    return True
