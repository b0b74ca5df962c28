"""`elderbot wechat`: the message server of a WeChat 公众号 (or `--set-menu`: set its custom menu and exit)."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from typing import Any

MISSING_TOKEN = (
    "WECHAT_TOKEN is not set: in the 公众号 admin (mp.weixin.qq.com → 设置与开发 → 基本配置 → 服务器配置) "
    "choose a Token (3-32 letters or digits), then run  export WECHAT_TOKEN='<that token>' && elderbot wechat")
MISSING_APP = (
    "--set-menu needs WECHAT_APP_ID and WECHAT_APP_SECRET (mp.weixin.qq.com → 设置与开发 → 基本配置: "
    "开发者ID(AppID) and 开发者密码(AppSecret)); set both and run again")
NO_CLIENT_WARNING = (
    "WECHAT_APP_ID / WECHAT_APP_SECRET not set: answers are given as passive replies only; an answer slower "
    "than 4 s and voice replies cannot be sent")
MISSING_LIBRARY = 'wechatpy is not installed: pip install "elderbot[wechat]"'
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_QUERY_SECRETS = re.compile(r"((?:access_token|secret|openid|signature|msg_signature)=)[^&\s'\"]+")


def register(subparsers: Any) -> None:
    """Add `wechat [--host] [--port] [--set-menu]`."""
    parser = subparsers.add_parser(
        "wechat", help="WeChat 公众号 message server (WECHAT_TOKEN, WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_AES_KEY)",
        description="Serve /wechat for a 公众号's server URL (服务器地址). With --set-menu: set the custom menu and exit.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; put a TLS proxy in front)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090)")
    parser.add_argument("--set-menu", action="store_true",
                        help="create the custom menu (补贴, 找服务 ▸ topics + 附近的服务, 转人工) and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs of elderbot itself (never user words)")
    parser.set_defaults(run=run)


class SecretRedactor(logging.Filter):
    """Secrets, access tokens and openids out of every log line (library logs carry request URLs)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return _QUERY_SECRETS.sub(r"\1<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(secrets: list[str], verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    for name in ("urllib3", "requests", "httpx", "wechatpy"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if verbose:
        for name in ("bot", "voice", "knowledge"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    redactor = SecretRedactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)


def run(args: argparse.Namespace) -> int:
    """Check the settings, then serve (or set the menu)."""
    from bot.channels.wechat.settings import WeChatSettings, WeChatSettingsError
    from bot.settings import BotSettings

    try:
        wechat = WeChatSettings.from_env()
    except WeChatSettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not wechat.token:
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    if args.set_menu and not wechat.can_send:
        print(MISSING_APP, file=sys.stderr)
        return 2
    try:
        import wechatpy  # noqa: F401
    except ImportError:
        print(MISSING_LIBRARY, file=sys.stderr)
        return 2
    settings = BotSettings.from_env()
    configure_logging([wechat.token, wechat.app_secret, wechat.aes_key], args.verbose)
    if args.set_menu:
        return set_menu(settings, wechat)
    return serve(settings, wechat, args.host, args.port)


def set_menu(settings: Any, wechat: Any) -> int:
    from wechatpy.exceptions import WeChatClientException

    from bot.channels.wechat.app import redis_client
    from bot.channels.wechat.client import build_client
    from bot.channels.wechat.menu import build_menu
    from bot.dialogue.seam import build_backend

    menu = build_menu(build_backend(settings).topics())
    client = build_client(wechat, redis_client(settings))
    assert client is not None
    try:
        client.menu.create(menu)
    except WeChatClientException as exc:
        print(f"WeChat refused the menu: errcode {exc.errcode} {exc.errmsg or ''}".rstrip(), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"WeChat API not reachable at {wechat.base_url} ({type(exc).__name__})", file=sys.stderr)
        return 1
    names = [b["name"] + ("(" + "/".join(s["name"] for s in b["sub_button"]) + ")" if "sub_button" in b else "")
             for b in menu["button"]]
    print("menu set: " + " | ".join(names))
    return 0


def serve(settings: Any, wechat: Any, host: str, port: int) -> int:
    try:
        import uvicorn
    except ModuleNotFoundError:
        print('uvicorn is missing: pip install "elderbot[api]"', file=sys.stderr)
        return 1
    from bot.channels.wechat.app import build_channel, create_app

    if not wechat.can_send:
        logging.getLogger("bot.channels.wechat").warning(NO_CLIENT_WARNING)
    try:
        channel = build_channel(settings, wechat)
    except OSError as exc:
        print(f"cannot use the data directory {settings.data_dir} ({exc.strerror or exc}); "
              "set ELDERBOT_DATA_DIR to a writable folder", file=sys.stderr)
        return 1
    # No access log: WeChat puts the user's openid in the query string of every message.
    uvicorn.run(create_app(channel), host=host, port=port, access_log=False, proxy_headers=True,
                log_config=None, timeout_keep_alive=75)
    return 0
