"""A local fake of the WeChat API (api.weixin.qq.com/cgi-bin/) on 127.0.0.1, enough for wechatpy's WeChatClient.

aiohttp in its own thread and event loop (wechatpy's client is blocking `requests`), answering /cgi-bin/token,
/cgi-bin/media/upload, /cgi-bin/media/get, /cgi-bin/message/custom/send and /cgi-bin/menu/create as WeChat
does, access token checked on each. Every call is recorded; tests wait for the ones they expect.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "wx-test-app-id"
APP_SECRET = "test-app-secret-0123456789"


@dataclass
class Call:
    """One request the client made."""

    path: str
    query: dict[str, str]
    body: Any = None
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name → (filename, type, data)
    at: float = field(default_factory=time.monotonic)
    accepted: bool = True  # False when the fake answered an error (stale token, a failure the test asked for)

    @property
    def name(self) -> str:
        return self.path.removeprefix("/cgi-bin/")


class FakeWeChatApi:
    """Start with `start()`, point WECHAT_API_BASE_URL at `base_url`, `close()` at the end."""

    def __init__(self, app_id: str = APP_ID, secret: str = APP_SECRET) -> None:
        self.app_id = app_id
        self.secret = secret
        self.calls: list[Call] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id → (data, content type), for media/get
        self.valid_tokens: set[str] = set()
        self.fail_next: dict[str, int] = {}  # endpoint name → errcode to answer once
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/"

    # ---- life cycle ----------------------------------------------------------------------------------------

    def start(self) -> FakeWeChatApi:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, name="fake-wechat-api", daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("fake WeChat API did not start")
        return self

    async def _start(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def close(self) -> None:
        if self._loop is None:
            return
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    # ---- what tests use ------------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token given so far stops working (WeChat answers 42001 until a new one is fetched)."""
        with self._lock:
            self.valid_tokens.clear()

    def calls_to(self, name: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.name == name]

    def sent(self, touser: str | None = None, msgtype: str | None = None) -> list[dict[str, Any]]:
        """Customer-service messages sent, optionally only to one user / of one type."""
        return [c.body for c in self.calls_to("message/custom/send")
                if c.accepted and (touser is None or c.body.get("touser") == touser)
                and (msgtype is None or c.body.get("msgtype") == msgtype)]

    def wait_sent(self, touser: str, msgtype: str, count: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(found := self.sent(touser, msgtype)) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"{count} {msgtype} message(s) to {touser} not sent within {timeout} s "
                           f"(sent: {self.sent(touser)})")

    # ---- endpoints -----------------------------------------------------------------------------------------

    def _record(self, request: web.Request, body: Any = None, files: dict[str, Any] | None = None) -> Call:
        call = Call(request.path, dict(request.query), body, files or {})
        with self._lock:
            self.calls.append(call)
        return call

    def _checked(self, call: Call, request: web.Request) -> web.Response | None:
        if (error := self._error(request)) is not None:
            call.accepted = False
        return error

    def _error(self, request: web.Request) -> web.Response | None:
        """WeChat's answer to a missing or stale access token, or an error a test asked for."""
        with self._lock:
            token_ok = request.query.get("access_token") in self.valid_tokens
            name = request.path.removeprefix("/cgi-bin/")
            errcode = self.fail_next.pop(name, None)
        if not token_ok:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if errcode is not None:
            return web.json_response({"errcode": errcode, "errmsg": "failure asked by the test"})
        return None

    async def _token(self, request: web.Request) -> web.Response:
        self._record(request)
        query = request.query
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"ACCESS_TOKEN_{next(self._ids)}"
        with self._lock:
            self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _upload(self, request: web.Request) -> web.Response:
        files: dict[str, tuple[str, str, bytes]] = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            data = await part.read()  # type: ignore[union-attr]
            files[part.name or ""] = (part.filename or "", part.headers.get("Content-Type", ""), bytes(data))
        call = self._record(request, files=files)
        if (error := self._checked(call, request)) is not None:
            return error
        kind = request.query.get("type", "")
        if kind not in ("image", "voice", "video", "thumb") or "media" not in files:
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        data = files["media"][2]
        if kind == "voice" and len(data) > 2 * 1024 * 1024:
            return web.json_response({"errcode": 40006, "errmsg": "invalid meida size"})
        media_id = f"MEDIA_{next(self._ids)}"
        with self._lock:
            self.media[media_id] = (data, files["media"][1])
        return web.json_response({"type": kind, "media_id": media_id, "created_at": int(time.time())})

    async def _media_get(self, request: web.Request) -> web.Response:
        call = self._record(request)
        if (error := self._checked(call, request)) is not None:
            return error
        with self._lock:
            found = self.media.get(request.query.get("media_id", ""))
        if found is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=found[0], content_type=found[1] or "audio/amr")

    async def _custom_send(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        call = self._record(request, body)
        if (error := self._checked(call, request)) is not None:
            return error
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu_create(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        call = self._record(request, body)
        if (error := self._checked(call, request)) is not None:
            return error
        return web.json_response({"errcode": 0, "errmsg": "ok"})
