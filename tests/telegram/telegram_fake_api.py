"""A local fake of the Telegram Bot API on 127.0.0.1 (aiohttp), enough for python-telegram-bot to run against.

The real Application polls it with getUpdates and calls sendMessage, sendVoice (multipart), answerCallbackQuery,
getFile… exactly as it would call api.telegram.org; only the base URL differs. Tests push updates into its
queue and wait for the calls the bot makes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "银龄助手", "username": "elderbot_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
TRUE_METHODS = frozenset({
    "deleteWebhook", "setWebhook", "setMyCommands", "sendChatAction", "answerCallbackQuery",
    "editMessageReplyMarkup", "close", "logOut", "deleteMyCommands",
})


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    def json(self, name: str) -> Any:
        """A parameter PTB sent JSON-encoded (reply_markup, commands…), decoded."""
        raw = self.params.get(name)
        return json.loads(raw) if raw else None

    @property
    def chat_id(self) -> int | None:
        return int(self.params["chat_id"]) if "chat_id" in self.params else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button of the message, row by row."""
        markup = self.json("reply_markup") or {}
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


class FakeBotApi:
    """getUpdates long polling from a queue the test fills; every other call recorded and answered."""

    def __init__(self, token: str = "123456:TEST-fake-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self.files: dict[str, bytes] = {}
        self.refuse: dict[str, str] = {}  # method → Bot API error description, answered with HTTP 400
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what the test does -------------------------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here) for the bot's next getUpdates."""
        update = {"update_id": next(self._ids), **update}
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update["update_id"]

    async def send_text(self, chat_id: int, text: str) -> int:
        """The user types `text` (a /command gets its bot_command entity)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self.push({"message": self.user_message(chat_id, **content)})

    async def tap(self, chat_id: int, data: str) -> int:
        """The user taps an inline button carrying `data` under one of the bot's messages."""
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                   "chat": _chat(chat_id), "text": "…"}
        query = {"id": f"cb{next(self._ids)}", "from": _user(chat_id), "chat_instance": f"ci{chat_id}",
                 "data": data, "message": message}
        return await self.push({"callback_query": query})

    def user_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": _chat(chat_id),
                "from": _user(chat_id), **content}

    def sent(self, method: str, chat_id: int | None = None, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method and (chat_id is None or c.chat_id == chat_id)]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Wait until `condition()` is truthy (re-checked after every call the bot makes); return its value."""
        async def check() -> Any:
            async with self._changed:
                while not (value := condition()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(check(), timeout)

    async def wait_calls(self, method: str, count: int = 1, chat_id: int | None = None, since: int = 0,
                         timeout: float = 60.0) -> list[Call]:
        return await self.wait_for(lambda: (found := self.sent(method, chat_id, since)) and len(found) >= count
                                   and found, timeout)

    # ---- the server -----------------------------------------------------------------------------------------

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await _read_params(request)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        call = Call(method, params, files)
        result = None if method in self.refuse else self._result(call)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if method in self.refuse:
            return web.json_response({"ok": False, "error_code": 400, "description": self.refuse[method]}, status=400)
        if result is None:
            self.unknown.append(method)
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return _ok(result)

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".")[0]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="audio/ogg")

    async def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            return [u for u in self._updates if u["update_id"] >= offset][:100]

    def _result(self, call: Call) -> Any:
        if call.method == "getMe":
            return BOT_USER
        if call.method in TRUE_METHODS:
            return True
        if call.method == "getFile":
            file_id = call.params["file_id"]
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files.get(file_id, b"")),
                    "file_path": f"voice/{file_id}.oga"}
        if call.method == "sendMessage":
            return self._bot_message(call, text=call.text)
        if call.method == "sendVoice":
            audio = call.files.get("voice", b"")
            voice = {"file_id": f"sent{len(self.calls)}", "file_unique_id": f"su{len(self.calls)}", "duration": 1,
                     "mime_type": "audio/ogg", "file_size": len(audio)}
            return self._bot_message(call, voice=voice)
        return None

    def _bot_message(self, call: Call, **content: Any) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                   "chat": _chat(call.chat_id or 0), **content}
        markup = call.json("reply_markup")
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "张"}


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "张", "language_code": "zh-hans"}


async def _read_params(request: web.Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """Form, multipart or JSON bodies, as PTB may send them; files come back as bytes."""
    params: dict[str, str] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        return params, files
    if request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = value.file.read()
            else:
                params[name] = str(value)
    return params, files


@asynccontextmanager
async def running(application: Any) -> AsyncIterator[Any]:
    """Start the Application polling the fake API the way run_polling would; stop and flush on exit."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await application.updater.start_polling(poll_interval=0.05, timeout=0)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
