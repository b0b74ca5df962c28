"""`elderbot telegram`: run the Telegram bot (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set.\n"
    "Create a bot: open Telegram, talk to @BotFather, send /newbot and follow the steps; it gives you a token.\n"
    "Then run:  export TELEGRAM_BOT_TOKEN='<the token>'  &&  elderbot telegram"
)
REJECTED_TOKEN = (
    "Telegram rejected TELEGRAM_BOT_TOKEN (revoked, or mistyped?). Get the token again from @BotFather "
    "(/mybots → API Token) and set TELEGRAM_BOT_TOKEN."
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MISSING_LIBRARY = 'python-telegram-bot is not installed: pip install "elderbot[telegram]"'


def register(subparsers: Any) -> None:
    """Add `telegram`."""
    parser = subparsers.add_parser("telegram", help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN)")
    parser.add_argument("--listen", default="0.0.0.0", help="webhook mode only: address to listen on")
    parser.add_argument("--port", type=int, default=8443, help="webhook mode only: port to listen on")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs of elderbot itself (the token is never logged)")
    parser.set_defaults(run=run)


class TokenRedactor(logging.Filter):
    """Replaces the bot token in any log record (libraries log request URLs, which carry it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in (message := record.getMessage()):
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


class TokenRedactingFormatter(logging.Formatter):
    """Replaces the bot token in the finished line, tracebacks included (python-telegram-bot puts the token
    in the message of InvalidToken, which its retry loop logs with the traceback)."""

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self.token, "<token>") if self.token else text


def configure_logging(token: str, verbose: bool) -> None:
    """Plain logs on stderr, request URLs quiet, the token redacted from whatever is left."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if verbose:  # our own modules only: library debug logs carry message texts and chat ids
        for name in ("bot", "voice", "knowledge"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(TokenRedactor(token))
        handler.setFormatter(TokenRedactingFormatter(token, LOG_FORMAT))


def run(args: argparse.Namespace) -> int:
    """Check the token, build the Application and run it until Ctrl-C."""
    from bot.settings import BotSettings

    settings = BotSettings.from_env()
    if not settings.telegram_token.strip():
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    try:
        from bot.channels.telegram.app import build_application, run_application
    except ImportError as exc:
        if (exc.name or "").startswith("telegram"):
            print(MISSING_LIBRARY, file=sys.stderr)
            return 2
        raise
    from bot.dialogue.seam import BackendError

    configure_logging(settings.telegram_token, args.verbose)
    try:
        application = build_application(settings)
    except BackendError as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot use the data directory {settings.data_dir} ({exc.strerror or exc}); "
              "set ELDERBOT_DATA_DIR to a writable folder", file=sys.stderr)
        return 1
    from telegram.error import InvalidToken

    try:
        run_application(application, settings, listen=args.listen, port=args.port)
    except InvalidToken:  # its message holds the token: never let it reach a traceback
        print(REJECTED_TOKEN, file=sys.stderr)
        return 2
    return 0
