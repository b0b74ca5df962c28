"""50 concurrent chats for 60 s, against the Telegram channel (a fake Bot API on 127.0.0.1 driven by the real
python-telegram-bot Application) and against the HTTP API (`elderbot serve` under uvicorn on 127.0.0.1, own process).

Each chat asks a question, waits for the answer, and asks the next one, until the time is up. Both runs use the
real embedded core over the real index. An error is: a non-200 answer or a transport failure (HTTP), the bot's
error message, no answer within the timeout, or an ERROR logged by the bot (Telegram).
Prints, per target: answers, errors, answers/s, latency p50/p95/p99/max.

    python3 bench/bench_load.py [--target both|telegram|http] [--chats 50] [--seconds 60] [--index-dir DIR] [--no-keep-alive]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bench_common import load_module, percentile, stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGIONS = ["涪陵", "资阳", "巫溪", "双桥", "万州"]
# Written for this benchmark in the users' voice (not taken from any evaluation set).
PHRASES = ["高龄津贴怎么领", "老年大学怎么报名", "有没有助餐点", "养老服务站提供什么服务", "护理补贴有多少",
           "日间照料中心在哪", "消费券怎么用", "老人吃饭的地方", "幸福院是做什么的", "独居老人有人上门看看吗"]
API_KEY = "bench-load-key"


@dataclass
class Tally:
    """Latencies of the answers and the errors of one run."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def report(self, label: str, seconds: float) -> None:
        values = sorted(self.latencies_ms)

        def pct(q: float) -> float:
            return percentile(values, q)

        errors = sum(self.errors.values())
        print(f"{label}: {len(values)} answers, {errors} errors {self.errors or ''}, "
              f"{len(values) / seconds:.1f} answers/s; latency p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, "
              f"p99 {pct(0.99):.0f} ms, max {pct(1.0):.0f} ms")


def questions(chat: int) -> itertools.cycle[str]:
    """Each chat's own rotation of region + phrase questions."""
    pairs = [f"{REGIONS[(chat + i) % len(REGIONS)]}{PHRASES[(chat * 3 + i) % len(PHRASES)]}" for i in range(40)]
    return itertools.cycle(pairs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- HTTP -------------------------------------------------------------------------------------------------------

async def http_run(chats: int, seconds: float, env: dict[str, str], keep_alive: bool = True) -> Tally:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning"], cwd=ROOT, env={**env, "ELDERBOT_API_KEY": API_KEY})
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60, headers={"X-API-Key": API_KEY},
                                     limits=httpx.Limits(max_connections=chats,
                                                         max_keepalive_connections=chats if keep_alive else 0)) as client:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                try:
                    if (await client.post("/v1/ask", json={"question": "你好"})).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise SystemExit("elderbot serve exited before it answered")
                await asyncio.sleep(0.5)

            async def chat(number: int, stop: float) -> None:
                asked = questions(number)
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    try:
                        response = await client.post("/v1/ask", json={"question": next(asked),
                                                                      "conversation": f"load:{number}"})
                    except httpx.HTTPError as exc:
                        tally.error(type(exc).__name__)
                        continue
                    if response.status_code != 200 or not response.json().get("answer", "").strip():
                        tally.error(f"HTTP {response.status_code}")
                        continue
                    tally.latencies_ms.append((time.perf_counter() - started) * 1000)

            stop = time.monotonic() + seconds
            await asyncio.gather(*(chat(n, stop) for n in range(chats)))
    finally:
        stop_server(server, 20)
    return tally


# ---- Telegram ---------------------------------------------------------------------------------------------------

def fake_bot_api() -> Any:
    """The Telegram tests' fake Bot API module (tests/telegram/telegram_fake_api.py)."""
    return load_module(ROOT / "tests" / "telegram" / "telegram_fake_api.py", "telegram_fake_api")


class ErrorCounter(logging.Handler):
    """ERROR records, counted by logger (aiohttp.* is the fake Bot API's own server, not the bot)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_logger: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.by_logger[record.name] = self.by_logger.get(record.name, 0) + 1


async def telegram_run(chats: int, seconds: float, index_dir: Path, data_dir: Path) -> Tally:
    from bot.channels.telegram import texts
    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.ratelimit import ChatRateLimiter
    from bot.dialogue.backends import build_embedded_core
    from bot.settings import BotSettings
    from knowledge.settings import KnowledgeSettings

    fake = fake_bot_api()
    api = await fake.FakeBotApi().start()
    settings = BotSettings(knowledge=KnowledgeSettings(index_dir=index_dir), data_dir=data_dir,
                           telegram_token=api.token, telegram_api_base_url=api.base_url, voice_replies=False)
    core = build_embedded_core(settings)
    await asyncio.to_thread(core.warm_up)
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    tally = Tally()
    # The per-chat pace limit is the channel's flood guard, not what is measured here: it is opened wide.
    application = build_application(settings, backend=core, speaker=None, directory=None,
                                    limiter=ChatRateLimiter(10_000, 1.0))
    try:
        async with fake.running(application):
            async def chat(number: int, stop: float) -> None:
                chat_id = 900_000 + number
                asked = questions(number)
                while time.monotonic() < stop:
                    since = len(api.calls)
                    started = time.perf_counter()
                    await api.send_text(chat_id, next(asked))
                    try:
                        [answer, *_] = await api.wait_calls("sendMessage", chat_id=chat_id, since=since, timeout=60)
                    except TimeoutError:
                        tally.error("timeout")
                        continue
                    if answer.text == texts.ERROR:
                        tally.error("error message")
                        continue
                    tally.latencies_ms.append((time.perf_counter() - started) * 1000)

            stop = time.monotonic() + seconds
            await asyncio.gather(*(chat(n, stop) for n in range(chats)))
    finally:
        await api.close()
        logging.getLogger().removeHandler(errors)
    for name, count in errors.by_logger.items():
        tally.errors[f"logged ERROR by {name}"] = count
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["both", "telegram", "http"], default="both")
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--index-dir", type=Path, help="an index folder to reuse (default: a fresh temp one)")
    parser.add_argument("--no-keep-alive", action="store_true", help="HTTP: a new connection for every request")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    work = Path(tempfile.mkdtemp(prefix="elderbot-load-"))
    index_dir = args.index_dir or work / "index"
    env = {**os.environ, "ELDERBOT_INDEX_DIR": str(index_dir), "ELDERBOT_DATA_DIR": str(work / "data"),
           "ELDERBOT_BACKEND": "embedded", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    print(f"{args.chats} concurrent chats for {args.seconds:.0f} s each; index {index_dir}; {os.cpu_count()} cores")
    failed = False
    if args.target in ("both", "telegram"):
        tally = asyncio.run(telegram_run(args.chats, args.seconds, index_dir, work / "data"))
        tally.report("telegram (fake Bot API, real Application and core)", args.seconds)
        failed |= bool(tally.errors)
    if args.target in ("both", "http"):
        tally = asyncio.run(http_run(args.chats, args.seconds, env, keep_alive=not args.no_keep_alive))
        tally.report("http /v1/ask (elderbot serve, uvicorn, 1 worker)", args.seconds)
        failed |= bool(tally.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
