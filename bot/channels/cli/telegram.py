"""`elderbot telegram`: run the Telegram bot (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import threading
import time
from types import TracebackType
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
START_RETRY_FIRST_S = 1.0
START_RETRY_MAX_S = 60.0
log = logging.getLogger("bot.channels.telegram.start")


def register(subparsers: Any) -> None:
    """Add `telegram`."""
    parser = subparsers.add_parser("telegram", help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN)")
    parser.add_argument("--listen", default="0.0.0.0", help="webhook mode only: address to listen on")
    parser.add_argument("--port", type=int, default=8443, help="webhook mode only: port to listen on")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs of elderbot itself (the token is never logged)")
    parser.set_defaults(run=run)


def token_pattern(token: str) -> re.Pattern[str] | None:
    """The token in any letter case, its colon plain or URL-encoded (a Bot API error may echo a lower-cased path)."""
    token = token.strip()
    if not token:
        return None
    parts = [re.escape(part) for part in token.split(":")]
    return re.compile("(?:%3A|:)".join(parts), re.IGNORECASE)


def redact(text: str, token: str) -> str:
    pattern = token_pattern(token)
    return pattern.sub("<token>", text) if pattern is not None else text


class TokenRedactor(logging.Filter):
    """Replaces the bot token in any log record (libraries log request URLs, which carry it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.pattern = token_pattern(token)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is not None and self.pattern.search(message := record.getMessage()):
            record.msg, record.args = self.pattern.sub("<token>", message), None
        return True


class TokenRedactingFormatter(logging.Formatter):
    """Replaces the bot token in the finished line, tracebacks included (python-telegram-bot puts the token
    in the message of InvalidToken, which its retry loop logs with the traceback)."""

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self.token = token
        self.pattern = token_pattern(token)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return self.pattern.sub("<token>", text) if self.pattern is not None else text


def configure_logging(token: str, verbose: bool) -> None:
    """Plain logs on stderr, request URLs quiet, the token redacted from whatever is left — the last uncaught
    traceback too (it goes through the same redacting handler, not straight to stderr)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if verbose:  # our own modules only: library debug logs carry message texts and chat ids
        for name in ("bot", "voice", "knowledge"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(TokenRedactor(token))
        handler.setFormatter(TokenRedactingFormatter(token, LOG_FORMAT))
    uncaught = logging.getLogger("elderbot.uncaught")

    def log_uncaught(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        uncaught.critical("uncaught %s", kind.__name__, exc_info=(kind, value, trace))

    def log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            uncaught.critical("uncaught %s in thread %s", args.exc_type.__name__,
                              args.thread.name if args.thread else "?",
                              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]

    sys.excepthook = log_uncaught
    threading.excepthook = log_uncaught_in_thread


def start_timeout_s(environ: dict[str, str] | None = None) -> float:
    """ELDERBOT_TELEGRAM_START_TIMEOUT_S: how long to keep trying to reach the Bot API at start (0: for ever)."""
    from bot.settings import env_number

    return max(0.0, env_number(os.environ if environ is None else environ, "ELDERBOT_TELEGRAM_START_TIMEOUT_S", 0.0))


class BotApiUnreachable(RuntimeError):
    """The Bot API did not answer within the start timeout; the message is one line, without the token."""


def wait_for_bot_api(application: Any, token: str, timeout_s: float, api_url: str = "",
                     sleep: Any = time.sleep, clock: Any = time.monotonic) -> None:
    """Ask the Bot API who we are until it answers: a one-line warning per failed try, waits growing 1, 2, 4 … 60
    s; after `timeout_s` (0: never) BotApiUnreachable. InvalidToken goes up at once (retrying cannot help)."""
    from telegram.error import InvalidToken, NetworkError

    where = redact(api_url or "https://api.telegram.org", token)
    started, delay, tries = clock(), START_RETRY_FIRST_S, 0
    while True:
        tries += 1
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_get_me(application.bot))
            return
        except InvalidToken:
            raise
        except NetworkError as exc:  # TimedOut included
            reason = redact(" ".join(f"{type(exc).__name__}: {exc}".split()), token)[:200]
        finally:
            loop.close()
        waited = clock() - started
        if timeout_s and waited + delay > timeout_s:
            raise BotApiUnreachable(f"cannot reach the Telegram Bot API at {where} after {tries} tries in "
                                    f"{waited:.0f} s ({reason}); check the network, a proxy, or "
                                    "TELEGRAM_API_BASE_URL")
        log.warning("Telegram Bot API at %s unreachable (%s); trying again in %.0f s", where, reason, delay)
        sleep(delay)
        delay = min(delay * 2, START_RETRY_MAX_S)


async def _get_me(bot: Any) -> None:
    """One try: initialize (which asks getMe), then close the connection again; run_polling opens its own."""
    try:
        await bot.initialize()
    finally:
        await bot.shutdown()


def run(args: argparse.Namespace) -> int:
    """Check the token, build the Application and run it until Ctrl-C."""
    from bot.settings import BotSettings, SettingError

    try:
        settings = BotSettings.from_env()
        start_timeout_s()
    except SettingError as exc:
        print(f"elderbot telegram: {exc}", file=sys.stderr)
        return 2
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
    from telegram.error import InvalidToken, NetworkError

    try:
        wait_for_bot_api(application, settings.telegram_token, start_timeout_s(), settings.telegram_api_base_url)
        run_application(application, settings, listen=args.listen, port=args.port)
    except InvalidToken:  # its message holds the token: never let it reach a traceback
        print(REJECTED_TOKEN, file=sys.stderr)
        return 2
    except BotApiUnreachable as exc:
        print(f"elderbot telegram: {exc}", file=sys.stderr)
        return 1
    except NetworkError as exc:  # lost between the check and the start: one line, the service manager restarts
        print(f"elderbot telegram: the Telegram Bot API stopped answering at start "
              f"({redact(type(exc).__name__ + ': ' + str(exc), settings.telegram_token)[:200]})", file=sys.stderr)
        return 1
    return 0
