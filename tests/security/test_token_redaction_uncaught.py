"""Issue 19, items 8 and 10: the Telegram token is redacted whatever its letter case (a Bot API error that echoes the
path lower-cases it), the last uncaught traceback goes through the redacting formatter too, and `elderbot telegram`
with the Bot API unreachable retries with growing waits, one line per try, then says what is wrong in one line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import free_port
from security_secrets import FAKE_TOKEN

from bot.channels.cli.telegram import TokenRedactingFormatter, TokenRedactor, redact

ROOT = Path(__file__).resolve().parents[2]
SECRET = FAKE_TOKEN.split(":", 1)[1]
VARIANTS = [FAKE_TOKEN, FAKE_TOKEN.lower(), FAKE_TOKEN.upper(), FAKE_TOKEN.replace(":", "%3A"),
            FAKE_TOKEN.replace(":", "%3a").lower()]


def assert_no_token(text: str) -> None:
    assert SECRET.lower() not in text.lower(), f"the token leaked: {text[-500:]}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_letter_case_is_redacted(variant: str) -> None:
    line = f"POST https://api.telegram.org/bot{variant}/getMe failed"
    assert_no_token(redact(line, FAKE_TOKEN))
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: %s", (line,), None)
    TokenRedactor(FAKE_TOKEN).filter(record)
    assert_no_token(record.getMessage())
    assert "<token>" in record.getMessage()
    try:
        raise RuntimeError(line)
    except RuntimeError:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert_no_token(TokenRedactingFormatter(FAKE_TOKEN, "%(message)s").format(record))


UNCAUGHT = """
import sys, threading
from bot.channels.cli.telegram import configure_logging
token = sys.argv[1]
configure_logging(token, verbose=False)
thread = threading.Thread(target=lambda: (_ for _ in ()).throw(ValueError("thread saw /bot" + token.lower())))
thread.start(); thread.join()
raise RuntimeError("Bot API said: not found: /bot" + token.lower() + "/getMe and " + token.upper())
"""


def test_the_last_uncaught_traceback_is_redacted() -> None:
    done = subprocess.run([sys.executable, "-c", UNCAUGHT, FAKE_TOKEN], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode != 0
    assert "RuntimeError" in done.stderr and "ValueError" in done.stderr and "<token>" in done.stderr
    assert_no_token(done.stdout + done.stderr)


def test_telegram_start_with_the_bot_api_unreachable_retries_then_says_so_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("telegram")
    port = free_port()  # bound, then released: nothing listens
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": FAKE_TOKEN, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
           "ELDERBOT_TELEGRAM_START_TIMEOUT_S": "4", "ELDERBOT_DATA_DIR": str(tmp_path / "data"),
           "ELDERBOT_BACKEND": "rasa", "RASA_URL": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "telegram"], capture_output=True, text=True, env=env,
                          timeout=60, cwd=ROOT)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    retries = [line for line in lines if "trying again in" in line]
    assert len(retries) >= 2, lines
    assert "trying again in 1 s" in retries[0] and "trying again in 2 s" in retries[1], "waits grow"
    assert lines[-1].startswith("elderbot telegram: cannot reach the Telegram Bot API")
    assert all(line in retries or line == lines[-1] for line in lines), lines
    assert_no_token(done.stdout + done.stderr)


def test_start_retry_waits_grow_to_a_cap_and_a_zero_timeout_keeps_trying() -> None:
    from telegram.error import NetworkError

    from bot.channels.cli.telegram import START_RETRY_MAX_S, wait_for_bot_api

    class Bot:
        tries = 0

        async def initialize(self) -> None:
            Bot.tries += 1
            if Bot.tries < 10:
                raise NetworkError("httpx.ConnectError: All connection attempts failed")

        async def shutdown(self) -> None:
            pass

    class App:
        bot = Bot()

    waits: list[float] = []
    wait_for_bot_api(App(), FAKE_TOKEN, 0, sleep=waits.append)
    assert Bot.tries == 10
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60] and max(waits) == START_RETRY_MAX_S
