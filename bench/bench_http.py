"""/v1/ask throughput and latency under 50 concurrent clients, uvicorn on loopback in its own process.

    python bench/bench_http.py [--clients 50] [--seconds 20] [--workers 1] [--index-dir DIR]

The server is `elderbot serve` (the real app over the embedded core) in its own process; questions are built from region names and
topic phrases, each client asking in its own conversation. Prints requests/s, p50/p95/p99 and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from bench_common import stop_server  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REGIONS = ["涪陵", "资阳", "巫溪", "双桥", "万州", ""]
PHRASES = ["高龄津贴怎么领", "老年大学怎么报名", "有没有助餐点", "养老服务站提供什么服务", "护理补贴有多少",
           "日间照料中心在哪", "消费券怎么用", "老人吃饭的地方"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, index_dir: Path, data_dir: Path, workers: int) -> subprocess.Popen[bytes]:
    """`elderbot serve` in its own process (the real command), warmed up before it accepts requests."""
    env = {**os.environ, "ELDERBOT_INDEX_DIR": str(index_dir), "ELDERBOT_DATA_DIR": str(data_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}
    env.pop("ELDERBOT_API_KEY", None)
    cmd = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning"]
    return subprocess.Popen(cmd, env=env)


async def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 600.0) -> float:
    started = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - started < timeout_s and server.poll() is None:
            try:
                if (await client.get(base + "/healthz")).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("server did not start (see its error above)")


async def load(base: str, clients: int, seconds: float) -> tuple[list[float], Counter[str], float]:
    questions = itertools.cycle([f"{r}{p}" for p in PHRASES for r in REGIONS])
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        async def worker(n: int) -> None:
            turn = 0
            while time.perf_counter() < deadline:
                body = {"question": next(questions), "conversation": f"bench-{n}-{turn // 3}"}
                turn += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post("/v1/ask", json=body)
                    if response.status_code != 200:
                        errors[f"HTTP {response.status_code}: {response.text[:120]}"] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (elderbot serve --workers)")
    parser.add_argument("--index-dir", type=Path, default=None, help="reuse a built index (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        port = free_port()
        server = start_server(port, index_dir, Path(tmp) / "data", args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            ready = asyncio.run(wait_ready(base, server))
            print(f"server ready after {ready:.1f} s (index + intent model warm-up)")
            asyncio.run(load(base, 10, 8.0))  # let every worker finish warming up
            latencies, errors, elapsed = asyncio.run(load(base, args.clients, args.seconds))
        finally:
            stop_server(server, 30)
    n = len(latencies)
    print(f"/v1/ask, {args.clients} concurrent clients, {args.workers} worker(s), {elapsed:.1f} s on loopback")
    print(f"  requests   {n}  (errors {sum(errors.values())})")
    for kind, count in errors.most_common(5):
        print(f"    {count} × {kind}")
    print(f"  throughput {n / elapsed:.1f} req/s")
    print(f"  latency    p50 {statistics.median(latencies) * 1000:.0f} ms   p95 {percentile(latencies, 95) * 1000:.0f} ms"
          f"   p99 {percentile(latencies, 99) * 1000:.0f} ms   max {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
