"""Issue 19's resilience bench, against the real `elderbot serve` (own process, 127.0.0.1, espeak-ng speech):

1. ask alone: `--clients` conversations ask /v1/ask for `--seconds` (the baseline p95);
2. ask while /v1/speak is flooded: the same, with `--speakers` clients sending new 1,000-character texts to
   /v1/speak without pause; /v1/ask must give 0 errors and a p95 within 2x of (1); /v1/speak answers 200 or 429;
3. kill -9 under load: `--clients` conversations (each with its own region and question) ask on, the server is
   killed -9 after `--kill-after` seconds and started again; each conversation then asks 再说一遍 and must get its
   last answer back, in its region (a lost conversation is one that does not).

    python3 bench/bench_resilience.py [--clients 50] [--seconds 60] [--speakers 16] [--kill-after 10] [--index-dir DIR]
                                      [--engines espeak]

--seconds sets each phase's length (60 s is the issue's bench; shorter for a quick look). The server's environment
is passed on, so ELDERBOT_TTS_NICENESS=0 runs the same bench with synthesis at the server's own CPU priority.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from bench_common import stop_server

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["涪陵", "资阳", "巫溪", "双桥", "万州"]
QUESTIONS = ["高龄津贴怎么领", "老年大学怎么报名", "有没有助餐点", "养老服务站提供什么服务", "护理补贴有多少",
             "日间照料中心在哪", "幸福院是做什么的", "独居老人有人上门看看吗"]
SPEAK_TEXT = "高龄津贴按月发放，由户籍所在地的乡镇人民政府或者街道办事处负责审核。"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, index_dir: Path | None, data_dir: Path, engines: str = "espeak") -> subprocess.Popen[bytes]:
    env = {**os.environ, "ELDERBOT_DATA_DIR": str(data_dir), "ELDERBOT_TTS_ENGINES": engines,
           "ELDERBOT_TTS_CACHE_DIR": str(data_dir / "voice-cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    if index_dir is not None:
        env["ELDERBOT_INDEX_DIR"] = str(index_dir)
    for name in ("ELDERBOT_API_KEY", "REDIS_URL", "ELDERBOT_HOST", "ELDERBOT_PORT"):
        env.pop(name, None)
    return subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=ROOT)


async def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 600.0) -> float:
    started = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - started < timeout_s and server.poll() is None:
            try:
                if (await client.get(base + "/healthz", timeout=2)).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start (see its error above)")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def ask_load(base: str, clients: int, seconds: float, tag: str,
                   last: dict[int, dict[str, object]] | None = None) -> tuple[list[float], Counter[str]]:
    """Closed-loop load; with `last`, each conversation asks its one question again and again (so the answer a
    kill may cut off is the same as the last one received), and its last reply is kept there."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        async def worker(n: int) -> None:
            turn = 0
            while time.perf_counter() < deadline:
                question = QUESTIONS[(n if last is not None else n + turn) % len(QUESTIONS)]
                body = {"question": question, "region": REGIONS[n % len(REGIONS)], "conversation": f"{tag}-{n}"}
                turn += 1
                started = time.perf_counter()
                try:
                    response = await http.post("/v1/ask", json=body)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
                    if last is not None:
                        last[n] = response.json()

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies, errors


async def speak_flood(base: str, speakers: int, stop: asyncio.Event) -> Counter[str]:
    statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        async def worker(n: int) -> None:
            sent = 0
            while not stop.is_set():
                text = (f"第{n}-{sent}段。" + SPEAK_TEXT * 40)[:1000]  # a new text each time: no cache hit
                sent += 1
                try:
                    response = await http.post("/v1/speak", json={"text": text, "format": "mp3"})
                    statuses[str(response.status_code)] += 1
                    if response.status_code == 429:
                        await asyncio.sleep(float(response.headers.get("Retry-After", "1")) / 4)
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        await asyncio.gather(*(worker(n) for n in range(speakers)))
    return statuses


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def run(args: argparse.Namespace) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-resilience-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, args.index_dir, data_dir, args.engines)
    failed = False
    try:
        print(f"server ready in {await wait_ready(base, server):.1f} s, RSS {rss_mb(server.pid):.0f} MB; "
              f"{args.clients} clients, {args.seconds:.0f} s phases, speech by {args.engines}, "
              f"ELDERBOT_TTS_NICENESS={os.environ.get('ELDERBOT_TTS_NICENESS', 'default')}, "
              f"load average {os.getloadavg()[0]:.1f}")
        await ask_load(base, args.clients, min(5.0, args.seconds), "warm")

        alone, alone_errors = await ask_load(base, args.clients, args.seconds, "alone")
        print(f"1. ask alone: {len(alone)} answers, errors {dict(alone_errors)}, p50 {pct(alone, .5):.0f} ms, "
              f"p95 {pct(alone, .95):.0f} ms, RSS {rss_mb(server.pid):.0f} MB")

        stop = asyncio.Event()
        flood = asyncio.create_task(speak_flood(base, args.speakers, stop))
        await asyncio.sleep(1.0)
        flooded, flooded_errors = await ask_load(base, args.clients, args.seconds, "flooded")
        stop.set()
        statuses = await flood
        ratio = pct(flooded, .95) / pct(alone, .95)
        print(f"2. ask while /v1/speak is flooded by {args.speakers}: {len(flooded)} answers, errors "
              f"{dict(flooded_errors)}, p50 {pct(flooded, .5):.0f} ms, p95 {pct(flooded, .95):.0f} ms "
              f"({ratio:.2f}x alone); /v1/speak {dict(statuses)}; RSS {rss_mb(server.pid):.0f} MB; "
              f"load average {os.getloadavg()[0]:.1f}")
        speak_errors = {k: v for k, v in statuses.items() if k not in ("200", "429")}
        failed |= bool(flooded_errors) or bool(speak_errors) or ratio > 2.0

        # 3. kill -9 under load
        last: dict[int, dict[str, object]] = {}
        load = asyncio.create_task(ask_load(base, args.clients, args.seconds, "kill", last))
        await asyncio.sleep(args.kill_after)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        await load  # the load ends with transport errors while the server is gone
        server = start_server(port, args.index_dir, data_dir, args.engines)
        print(f"3. killed -9 after {args.kill_after:.0f} s of load; restarted, ready in "
              f"{await wait_ready(base, server):.1f} s")
        lost = 0
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for n, reply in sorted(last.items()):
                again = (await http.post("/v1/ask", json={"question": "再说一遍",
                                                          "conversation": f"kill-{n}"})).json()
                if again.get("answer") != reply["answer"]:
                    lost += 1
        lost += args.clients - len(last)  # a conversation that never got an answer before the kill
        print(f"   conversations lost: {lost} of {args.clients}")
        failed |= lost > 0
    finally:
        if server.poll() is None:
            stop_server(server, 30)
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each load phase")
    parser.add_argument("--speakers", type=int, default=16, help="clients flooding /v1/speak")
    parser.add_argument("--kill-after", type=float, default=10.0, help="seconds of load before the kill -9")
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--engines", default="espeak", help="ELDERBOT_TTS_ENGINES of the server (espeak, neural…)")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
