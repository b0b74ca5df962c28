"""WeChat settings, read from the environment only in `from_env` (secrets never in repr or logs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
AES_KEY_LENGTH = 43  # the EncodingAESKey the 公众号 admin shows: 43 letters and digits
_FALSE_WORDS = ("0", "false", "no", "off")


class WeChatSettingsError(ValueError):
    """A setting that cannot work; the message is one line saying how to fix it."""


@dataclass(frozen=True)
class WeChatSettings:
    """The 公众号's server settings (mp.weixin.qq.com → 设置与开发 → 基本配置) and the channel's own knobs."""

    token: str = field(default="", repr=False)
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    aes_key: str = field(default="", repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    voice_replies: bool = True
    # WeChat waits 5 s for the passive reply (then retries, three times in all): past this the answer goes
    # out later by the customer-service API and the request is answered `success`.
    reply_deadline_s: float = 4.0

    def __post_init__(self) -> None:
        if self.aes_key and len(self.aes_key) != AES_KEY_LENGTH:
            raise WeChatSettingsError(
                f"WECHAT_AES_KEY must be the {AES_KEY_LENGTH}-character EncodingAESKey from the 公众号 admin "
                "(设置与开发 → 基本配置 → 服务器配置); leave it unset for plain mode")
        if not self.reply_deadline_s > 0:
            raise WeChatSettingsError("WECHAT_REPLY_DEADLINE_S must be positive (about 4; WeChat waits 5 s)")

    @property
    def safe_mode(self) -> bool:
        """Messages encrypted with the EncodingAESKey (安全模式)."""
        return bool(self.aes_key)

    @property
    def can_send(self) -> bool:
        """Whether the client API (customer-service messages, media, menu) can be used: it needs AppID and secret."""
        return bool(self.app_id and self.app_secret)

    @property
    def base_url(self) -> str:
        """The API base URL, ending with one slash (wechatpy appends endpoint names to it)."""
        return self.api_base_url.rstrip("/") + "/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WeChatSettings:
        """WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY (safe mode when set),
        WECHAT_API_BASE_URL (a relay or a local fake), WECHAT_VOICE_REPLIES (default on),
        WECHAT_REPLY_DEADLINE_S (default 4)."""
        env = os.environ if environ is None else environ
        try:
            deadline = float(env.get("WECHAT_REPLY_DEADLINE_S", "") or 4.0)
        except ValueError:
            raise WeChatSettingsError("WECHAT_REPLY_DEADLINE_S must be a number of seconds (about 4)") from None
        return cls(
            token=env.get("WECHAT_TOKEN", "").strip(),
            app_id=env.get("WECHAT_APP_ID", "").strip(),
            app_secret=env.get("WECHAT_APP_SECRET", "").strip(),
            aes_key=env.get("WECHAT_AES_KEY", "").strip(),
            api_base_url=env.get("WECHAT_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL,
            voice_replies=env.get("WECHAT_VOICE_REPLIES", "1").strip().lower() not in _FALSE_WORDS,
            reply_deadline_s=deadline,
        )
