"""Settings of the bot and its channels, read from the environment only when asked."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.settings import KnowledgeSettings

OFF_WORDS = ("0", "false", "off", "no")


class SettingError(ValueError):
    """An environment variable with a value that cannot work; the message names it and what it takes."""


def _data_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "elderbot"


def env_number(environ: Mapping[str, str], name: str, default: float, kind: type = float) -> float:
    """A numeric setting; a value that is not a number is a SettingError naming the variable."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number") from None


def env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    return default if not raw else raw not in OFF_WORDS


@dataclass(frozen=True)
class AnswerSettings:
    """The knobs of answering: the relevance gate, sentence re-ranking and the composer's budget."""

    min_coverage: float = 0.3  # rarity-weighted share of the question's words the passages must hold
    sentence_weight: float = 0.5  # re-ranking: best sentence against BM25
    candidates: int = 20  # passages re-ranked
    unseen_weight: float = 1.0  # weight of a question word no plan uses
    sentence_b: float = 0.2  # length normalisation of sentence scores
    max_sentences: int = 3  # composer: sentences quoted at most
    max_chars: int = 240  # composer: characters quoted at most
    conversation_max_age_s: float = 30 * 24 * 3600  # a conversation untouched this long is forgotten

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AnswerSettings:
        """ELDERBOT_MIN_COVERAGE, ELDERBOT_CONVERSATION_MAX_AGE_S; the rest are measured defaults."""
        env = os.environ if environ is None else environ
        return cls(min_coverage=env_number(env, "ELDERBOT_MIN_COVERAGE", cls.min_coverage),
                   conversation_max_age_s=env_number(env, "ELDERBOT_CONVERSATION_MAX_AGE_S",
                                                     cls.conversation_max_age_s))


@dataclass(frozen=True)
class BotSettings:
    """One place for every setting a channel needs; secrets come from the environment only."""

    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    answers: AnswerSettings = field(default_factory=AnswerSettings)
    backend: str = "embedded"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_fallback: bool = True
    data_dir: Path = field(default_factory=_data_dir)
    telegram_token: str = field(default="", repr=False)
    telegram_api_base_url: str = ""
    telegram_webhook_url: str = ""
    redis_url: str = ""
    api_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # how callers reach this server (audio URLs are built from it, never from Host)
    # /v1/speak syntheses at once per process (more wait, then get 429): a quarter of the CPUs, at least one, so
    # that a speech flood leaves the cores /v1/ask needs (bench/bench_resilience.py)
    speak_concurrency: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 4))
    speak_wait_s: float = 2.0  # how long a /v1/speak request waits for a free synthesis slot
    request_read_timeout_s: float = 10.0  # a request's headers (and body) must arrive within this
    voice_replies: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BotSettings:
        """ELDERBOT_BACKEND (embedded|rasa), RASA_URL, ELDERBOT_RASA_FALLBACK (answer with the embedded core
        when Rasa is down; default on), TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL,
        TELEGRAM_WEBHOOK_URL, REDIS_URL, ELDERBOT_API_KEY, ELDERBOT_HOST, ELDERBOT_PORT, ELDERBOT_DATA_DIR,
        ELDERBOT_PUBLIC_URL, ELDERBOT_SPEAK_CONCURRENCY, ELDERBOT_SPEAK_WAIT_S, ELDERBOT_REQUEST_TIMEOUT_S."""
        env = os.environ if environ is None else environ
        return cls(
            knowledge=KnowledgeSettings.from_env(env),
            answers=AnswerSettings.from_env(env),
            backend=env.get("ELDERBOT_BACKEND", "embedded"),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005"),
            rasa_fallback=env_flag(env, "ELDERBOT_RASA_FALLBACK", True),
            data_dir=Path(env["ELDERBOT_DATA_DIR"]) if env.get("ELDERBOT_DATA_DIR") else _data_dir(env),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", ""),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            redis_url=env.get("REDIS_URL", ""),
            api_key=env.get("ELDERBOT_API_KEY", "").strip(),
            host=env.get("ELDERBOT_HOST", "127.0.0.1"),
            port=_port(env),
            public_url=_public_url(env),
            speak_concurrency=max(1, int(env_number(env, "ELDERBOT_SPEAK_CONCURRENCY",
                                                    max(1, (os.cpu_count() or 2) // 4), int))),
            speak_wait_s=max(0.0, env_number(env, "ELDERBOT_SPEAK_WAIT_S", cls.speak_wait_s)),
            request_read_timeout_s=_positive(env, "ELDERBOT_REQUEST_TIMEOUT_S", cls.request_read_timeout_s),
            voice_replies=env_flag(env, "ELDERBOT_VOICE_REPLIES", True),
        )


def _port(environ: Mapping[str, str]) -> int:
    port = int(env_number(environ, "ELDERBOT_PORT", 8000, int))
    if not 0 < port < 65536:
        raise SettingError(f"ELDERBOT_PORT={port} is not a port (1-65535)")
    return port


def _public_url(environ: Mapping[str, str]) -> str:
    from urllib.parse import urlsplit

    raw = environ.get("ELDERBOT_PUBLIC_URL", "").strip().rstrip("/")
    if raw and (urlsplit(raw).scheme not in ("http", "https") or not urlsplit(raw).netloc):
        raise SettingError(f"ELDERBOT_PUBLIC_URL={raw!r} is not an http(s) URL (e.g. https://elderbot.example)")
    return raw


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    value = env_number(environ, name, default)
    if value <= 0:
        raise SettingError(f"{name}={value} must be more than 0")
    return value
