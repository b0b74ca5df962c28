"""Errors as clear bilingual JSON: bad fields, unknown regions, oversized bodies — a 4xx, never a crash."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.dialogue.seam import BadQuery

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024

_FIELD_NAMES = {"question": "问题", "text": "文字", "region": "地区", "conversation": "会话编号",
                "call_id": "通话编号", "format": "音频格式", "q": "查询内容", "k": "条数", "topic": "主题",
                "audio_id": "音频编号", "staff": "staff"}


def _chinese(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = _FIELD_NAMES.get(loc[-1], loc[-1]) if loc else "请求内容"
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind == "missing":
        return f"缺少{field}"
    if kind == "string_too_short":
        return f"{field}不能为空"
    if kind == "string_too_long":
        return f"{field}太长（最多 {ctx.get('max_length', '?')} 字）"
    if kind in ("literal_error", "enum"):
        return f"{field}只能是 {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"{field}格式不对"
    if kind == "extra_forbidden":
        return f"不认识的字段 {loc[-1] if loc else ''}"
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return "请求内容不是合法的 JSON 对象"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{field}的类型不对"
    return f"{field}不合要求"


def _english(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    return f"{loc}: {error.get('msg', 'invalid')}" if loc else str(error.get("msg", "invalid"))


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    """One line: the Chinese reasons, then the English ones."""
    chinese = "；".join(dict.fromkeys(_chinese(e) for e in errors)) or "请求内容有误"
    english = "; ".join(dict.fromkeys(_english(e) for e in errors)) or "invalid request"
    return f"请求有误：{chinese}。 / Invalid request: {english}."


def documented_errors(more: dict[int, str] | None = None) -> dict[int | str, dict[str, object]]:
    """The error responses every /v1 route can give, for the OpenAPI document; add route-specific ones."""
    from bot.channels.http.schemas import ErrorBody

    errors: dict[int | str, str] = {
        400: "Body is not parseable (e.g. not UTF-8)",
        401: "Missing or wrong X-API-Key",
        413: "Body too large",
        422: "Invalid input or unknown region",
        503: "A dialogue or speech service is unavailable right now",
        **(more or {}),
    }
    return {code: {"model": ErrorBody, "description": text} for code, text in errors.items()}


def error_response(status_code: int, detail: str, errors: list[dict[str, object]] | None = None) -> JSONResponse:
    body: dict[str, object] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status_code)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in exc.errors()]
    return error_response(422, validation_message(exc.errors()), errors)


async def _on_query_error(request: Request, exc: Exception) -> JSONResponse:
    message = str(exc)
    english = "Unknown region." if "地区" in message else "The query cannot be searched."
    return error_response(422, f"{message} / {english}")


_FASTAPI_PARSE_ERROR = "There was an error parsing the body"
_PLAIN_HTTP_ERRORS = {
    400: "请求内容无法解析（应为 UTF-8 编码的 JSON）。 / The request body could not be parsed (UTF-8 JSON expected).",
    404: "找不到这个地址。 / Not found.",
    405: "这个地址不支持这种请求方法。 / Method not allowed.",
}


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if not isinstance(detail, str) or detail in ("Not Found", "Method Not Allowed", _FASTAPI_PARSE_ERROR):
        detail = _PLAIN_HTTP_ERRORS.get(exc.status_code, f"请求未能完成（{exc.status_code}）。 / Request failed.")
    response = error_response(exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Validation and query errors become 422 with a bilingual `detail`; plain HTTP errors get one too."""
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(BadQuery, _on_query_error)


class BodySizeLimit:
    """Pure ASGI middleware: the whole body is read here first, within `read_timeout_s` (408 when it does not
    arrive), and a body over `max_bytes` gets 413 — declared or chunked — before anything parses it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, read_timeout_s: float = 10.0,
                 larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s
        self.larger = larger or {}  # path → its own limit (the hotline takes a caller's recorded speech)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._reject(send, limit)
            return
        try:
            body = await asyncio.wait_for(self._read(receive, limit), timeout=self.read_timeout_s)
        except asyncio.TimeoutError:
            await _send_json(send, 408, "请求内容迟迟没有收完。 / The request body did not arrive in time.",
                             [(b"connection", b"close")])
            return
        except _TooLarge:
            await self._reject(send, limit)
            return
        if body is None:  # the client went away
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _reject(self, send: Send, limit: int) -> None:
        await _send_json(send, 413, f"请求内容太大（最多 {limit // 1024} KB）。 / Request body too large "
                                    f"(at most {limit} bytes).", [(b"connection", b"close")])


class ApiKeyGate:
    """Pure ASGI middleware: with a key configured, every /v1 request without the right X-API-Key gets 401 before
    its body is read or validated (the route dependency checks it again and documents it)."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self.api_key = api_key.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.api_key and scope["type"] == "http" and
                (scope.get("path", "") == "/v1" or scope.get("path", "").startswith("/v1/"))):
            given = [value for name, value in scope.get("headers", ()) if name == b"x-api-key"]
            if len(given) != 1 or not hmac.compare_digest(given[0], self.api_key):
                await _send_json(send, 401, "需要正确的访问密钥（X-API-Key 请求头）。 / A valid API key is required in "
                                            "the X-API-Key header.", [(b"www-authenticate", b"X-API-Key")])
                return
        await self.app(scope, receive, send)


async def _send_json(send: Send, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
