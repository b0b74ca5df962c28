"""Load on the WeChat channel: N users each sending signed text messages, one after another, for S seconds, to
`elderbot wechat` (its own process, uvicorn on 127.0.0.1) with a fake WeChat API on 127.0.0.1 (tests/wechat)
taking the customer-service messages of answers slower than the passive-reply deadline.

A message's latency is the time until its answer is there: the passive reply's arrival, or, when the server
answered `success`, the customer-service message's arrival at the fake API. An error is: a non-200 answer or a
transport failure, the channel's error text, `success` with no customer-service message within 30 s, or no
answer at all. Prints answers, errors, answers/s, the share answered passively, latency p50/p95/p99/max.

    python3 bench/bench_wechat.py [--users 50] [--seconds 60] [--safe-mode] [--index-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
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
import xmltodict
from bench_common import load_module, percentile, stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "benchWeChatToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
REGIONS = ["涪陵", "资阳", "巫溪", "双桥", "万州"]
# Written for this benchmark in the users' voice (the same phrases as bench_load.py).
PHRASES = ["高龄津贴怎么领", "老年大学怎么报名", "有没有助餐点", "养老服务站提供什么服务", "护理补贴有多少",
           "日间照料中心在哪", "消费券怎么用", "老人吃饭的地方", "幸福院是做什么的", "独居老人有人上门看看吗"]
SERVER_BOOT = (
    "import argparse, sys\n"
    "from bot.channels.cli import wechat\n"
    "parser = argparse.ArgumentParser(prog='elderbot')\n"
    "wechat.register(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.run(args))\n"
)
CS_WAIT_S = 30.0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    passive: int = 0
    later: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def report(self, seconds: float) -> None:
        values = sorted(self.latencies_ms)

        def pct(q: float) -> float:
            return percentile(values, q)

        errors = sum(self.errors.values())
        answered = len(values)
        print(f"wechat: {answered} answers, {errors} errors {self.errors or ''}, {answered / seconds:.1f} answers/s, "
              f"{self.passive} passive / {self.later} by customer-service message; latency p50 {pct(0.5):.0f} ms, "
              f"p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, max {pct(1.0):.0f} ms")


def fake_api_module() -> Any:
    """The WeChat tests' fake API (tests/wechat/wechat_fake_api.py)."""
    return load_module(ROOT / "tests" / "wechat" / "wechat_fake_api.py", "wechat_fake_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def questions(user: int) -> itertools.cycle[str]:
    pairs = [f"{REGIONS[(user + i) % len(REGIONS)]}{PHRASES[(user * 3 + i) % len(PHRASES)]}" for i in range(40)]
    return itertools.cycle(pairs)


class Signer:
    """Signed (and in safe mode encrypted) posts, as WeChat's servers make them."""

    def __init__(self, safe_mode: bool, app_id: str) -> None:
        from wechatpy.crypto import WeChatCrypto

        self.crypto = WeChatCrypto(TOKEN, AES_KEY, app_id) if safe_mode else None
        self.nonces = itertools.count(1)

    def request(self, openid: str, content: str, msg_id: int) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), str(next(self.nonces))
        query = {"signature": hashlib.sha1("".join(sorted((TOKEN, timestamp, nonce))).encode()).hexdigest(),
                 "timestamp": timestamp, "nonce": nonce, "openid": openid}
        xml = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
               f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")
        if self.crypto is None:
            return query, xml.encode()
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        query.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return query, f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>".encode()

    def content(self, body: str) -> str:
        fields = xmltodict.parse(body)["xml"]
        if self.crypto is not None:
            fields = xmltodict.parse(self.crypto.decrypt_message(body, fields["MsgSignature"], fields["TimeStamp"],
                                                                 fields["Nonce"]))["xml"]
        return str(fields.get("Content") or "")


async def run(users: int, seconds: float, index_dir: Path, data_dir: Path, safe_mode: bool) -> Tally:
    from bot.channels.wechat import texts

    fake = fake_api_module()
    api = fake.FakeWeChatApi().start()
    port = free_port()
    env = {**os.environ, "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": fake.APP_ID, "WECHAT_APP_SECRET": fake.APP_SECRET,
           "WECHAT_API_BASE_URL": api.base_url, "WECHAT_VOICE_REPLIES": "0", "ELDERBOT_INDEX_DIR": str(index_dir),
           "ELDERBOT_DATA_DIR": str(data_dir)}
    env.pop("REDIS_URL", None)
    if safe_mode:
        env["WECHAT_AES_KEY"] = AES_KEY
    server = subprocess.Popen([sys.executable, "-c", SERVER_BOOT, "wechat", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    signer = Signer(safe_mode, fake.APP_ID)
    tally = Tally()
    msg_ids = itertools.count(8_000_000_000_000_000_001)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30,
                                     limits=httpx.Limits(max_connections=users, max_keepalive_connections=users)) as http:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise SystemExit("elderbot wechat exited before it answered")
                await asyncio.sleep(0.5)

            async def customer_service(openid: str, since: int) -> str | None:
                waited = time.monotonic() + CS_WAIT_S
                while time.monotonic() < waited:
                    for call in api.calls[since:]:
                        if call.name == "message/custom/send" and call.accepted and call.body.get("touser") == openid:
                            return str(call.body["text"]["content"])
                    await asyncio.sleep(0.02)
                return None

            async def user(number: int, stop: float) -> None:
                openid = f"oBenchUser{number:06d}"
                asked = questions(number)
                while time.monotonic() < stop:
                    query, body = signer.request(openid, next(asked), next(msg_ids))
                    since = len(api.calls)
                    started = time.perf_counter()
                    try:
                        response = await http.post("/wechat", params=query, content=body)
                    except httpx.HTTPError as exc:
                        tally.error(type(exc).__name__)
                        continue
                    if response.status_code != 200:
                        tally.error(f"HTTP {response.status_code}")
                        continue
                    if response.text == "success":
                        answer = await customer_service(openid, since)
                        if answer is None:
                            tally.error("no customer-service message")
                            continue
                        tally.later += 1
                    else:
                        answer = signer.content(response.text)
                        tally.passive += 1
                    if not answer.strip() or answer == texts.ERROR:
                        tally.error("error text")
                        continue
                    tally.latencies_ms.append((time.perf_counter() - started) * 1000)

            stop = time.monotonic() + seconds
            await asyncio.gather(*(user(n, stop) for n in range(users)))
    finally:
        stop_server(server, 30)
        api.close()
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the users keep asking (default 60)")
    parser.add_argument("--safe-mode", action="store_true", help="encrypted messages (WECHAT_AES_KEY)")
    parser.add_argument("--index-dir", type=Path, default=None, help="an index folder to reuse (default: a new one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-wechat-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        started = time.monotonic()
        tally = asyncio.run(run(args.users, args.seconds, index_dir, Path(tmp) / "data", args.safe_mode))
        print(f"{args.users} users × {args.seconds:.0f} s ({'safe' if args.safe_mode else 'plain'} mode), "
              f"wall {time.monotonic() - started:.0f} s incl. start-up")
        tally.report(args.seconds)
    return 0 if not tally.errors else 1


if __name__ == "__main__":
    sys.exit(main())
