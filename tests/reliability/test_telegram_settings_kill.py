"""Issue 19, item 2 (Telegram): a chat's settings changed just before a kill -9 are there after the restart. The
pickle file is written within PERSISTENCE_INTERVAL_S of a change, and replaced whole (a kill while writing leaves
the previous file, never a cut one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A real Application with the channel's persistence, no network: the persistence job runs on its own schedule,
# as under run_polling; the chat's voice setting changes, then the process is killed -9 two seconds later.
CHANGE_THEN_WAIT = """
import asyncio, sys, time
from pathlib import Path
from bot.settings import BotSettings
from bot.channels.telegram.app import build_persistence
from telegram.ext import Application, ExtBot

from telegram import User

async def offline_initialize(self):  # no getMe: nothing here talks to Telegram
    self._bot_user = User(1, "elderbot", is_bot=True, username="elderbot_test_bot")
    self._initialized = True

ExtBot.initialize = offline_initialize

async def main():
    settings = BotSettings(data_dir=Path(sys.argv[1]), redis_url="", telegram_token="1:x")
    app = Application.builder().token("1:x").persistence(build_persistence(settings)).build()
    await app.initialize()  # loads the persisted chat data
    await app.start()  # starts the persistence updater, as run_polling does
    app.chat_data[42]["voice"] = False
    app.chat_data[7]["voice"] = True
    app.mark_data_for_update_persistence(chat_ids=[42, 7])  # what processing a chat's update does
    print("changed", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""

READ = """
import asyncio, sys
from pathlib import Path
from bot.settings import BotSettings
from bot.channels.telegram.app import build_persistence
settings = BotSettings(data_dir=Path(sys.argv[1]), redis_url="", telegram_token="1:x")
data = asyncio.run(build_persistence(settings).get_chat_data())
print(dict(data.get(42, {})), dict(data.get(7, {})))
"""


def test_chat_settings_changed_two_seconds_before_a_kill_survive(tmp_path: Path) -> None:
    pytest.importorskip("telegram")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", CHANGE_THEN_WAIT, str(tmp_path)], stdout=subprocess.PIPE,
                               text=True, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "changed"
        time.sleep(3.0)  # a few persistence intervals, on a busy machine too
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    read = subprocess.run([sys.executable, "-c", READ, str(tmp_path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert read.stdout.strip() == "{'voice': False} {'voice': True}", read.stdout + read.stderr[-2000:]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file left"


def test_the_pickle_is_replaced_whole(tmp_path: Path) -> None:
    pytest.importorskip("telegram")
    import asyncio

    from bot.channels.telegram.app import PERSISTENCE_INTERVAL_S, AtomicPicklePersistence, build_persistence
    from bot.settings import BotSettings

    persistence = build_persistence(BotSettings(data_dir=tmp_path, redis_url=""))
    assert isinstance(persistence, AtomicPicklePersistence) and PERSISTENCE_INTERVAL_S <= 1.0
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording_replace(source: str, target: str) -> None:
        replaced.append((os.path.basename(source), os.path.basename(target)))
        real_replace(source, target)

    os.replace = recording_replace  # type: ignore[assignment]
    try:
        asyncio.run(persistence.update_chat_data(5, {"voice": False}))
    finally:
        os.replace = real_replace  # type: ignore[assignment]
    assert replaced and replaced[-1][1] == "telegram-chats.pickle" and replaced[-1][0].startswith(".")
