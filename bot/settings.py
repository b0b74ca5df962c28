"""Settings of the bot and its channels, read from the environment only when asked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.settings import KnowledgeSettings


def _data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "elderbot"


@dataclass(frozen=True)
class BotSettings:
    """One place for every setting a channel needs; secrets come from the environment only."""

    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
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
    voice_replies: bool = True

    @classmethod
    def from_env(cls) -> BotSettings:
        """ELDERBOT_BACKEND (embedded|rasa), RASA_URL, ELDERBOT_RASA_FALLBACK (answer with the embedded core
        when Rasa is down; default on), TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL,
        TELEGRAM_WEBHOOK_URL, REDIS_URL, ELDERBOT_API_KEY, ELDERBOT_HOST, ELDERBOT_PORT, ELDERBOT_DATA_DIR."""
        env = os.environ
        return cls(
            knowledge=KnowledgeSettings.from_env(),
            backend=env.get("ELDERBOT_BACKEND", "embedded"),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005"),
            rasa_fallback=env.get("ELDERBOT_RASA_FALLBACK", "1") not in ("0", "false", "off"),
            data_dir=Path(env["ELDERBOT_DATA_DIR"]) if env.get("ELDERBOT_DATA_DIR") else _data_dir(),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", ""),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            redis_url=env.get("REDIS_URL", ""),
            api_key=env.get("ELDERBOT_API_KEY", ""),
            host=env.get("ELDERBOT_HOST", "127.0.0.1"),
            port=int(env.get("ELDERBOT_PORT", "8000")),
            voice_replies=env.get("ELDERBOT_VOICE_REPLIES", "1") not in ("0", "false", "off"),
        )
