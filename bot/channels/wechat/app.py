"""The message server: one Starlette app with `/wechat` (GET: the server-verification echo; POST: messages)
and `/healthz`, served by uvicorn.

Every request to `/wechat` must carry WeChat's signature (sha1 of the token, timestamp and nonce); a request
whose signature does not check is refused with 403 and nothing of it reaches the core. In safe mode
(encrypt_type=aes) the message is also checked against its msg_signature and decrypted with the
EncodingAESKey, and the passive reply goes back encrypted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.channels.wechat.channel import UNSET, WeChatChannel
from bot.channels.wechat.client import build_client
from bot.channels.wechat.ledger import MessageLedger
from bot.channels.wechat.replying import user_tag
from bot.channels.wechat.settings import WeChatSettings

if TYPE_CHECKING:
    from bot.dialogue.seam import DialogueBackend
    from bot.settings import BotSettings

log = logging.getLogger(__name__)

PATH = "/wechat"
MAX_BODY_BYTES = 256 * 1024  # a WeChat message is a few kB
SUCCESS = "success"  # what WeChat wants when there is no passive reply (it then shows nothing and does not retry)
CHANNEL_KEY = "wechat_channel"


def redis_client(settings: BotSettings) -> Any | None:
    """A Redis client on REDIS_URL when it answers (shared token, de-duplication), else None (memory)."""
    if not settings.redis_url:
        return None
    from bot.redis_fallback import redis_available

    if not redis_available(settings.redis_url, "WeChat access token and message de-duplication"):
        return None
    import redis

    return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2.0, socket_timeout=2.0)


def default_speaker() -> Any | None:
    from voice.settings import VoiceSettings
    from voice.speaker import Speaker

    return Speaker(VoiceSettings.from_env())


def build_channel(settings: BotSettings, wechat: WeChatSettings, *, backend: DialogueBackend | None = None,
                  client: Any = UNSET, speaker: Any = UNSET, recognizer: Any = UNSET,
                  redis: Any = UNSET) -> WeChatChannel:
    """The channel from settings; every part can be given instead (tests)."""
    if redis is UNSET:
        redis = redis_client(settings)
    if backend is None:
        from bot.dialogue.seam import build_backend

        backend = build_backend(settings)
    if client is UNSET:
        client = build_client(wechat, redis)
    if speaker is UNSET:
        speaker = default_speaker() if wechat.voice_replies else None
    return WeChatChannel(wechat, backend, client=client, speaker=speaker, recognizer=recognizer,
                         ledger=MessageLedger(redis))


def create_app(channel: WeChatChannel, *, warm_up: bool = True) -> Starlette:
    """The ASGI app around a channel."""
    wechat = channel.settings
    crypto = WeChatCrypto(wechat.token, wechat.aes_key, wechat.app_id) if wechat.safe_mode else None

    def signed(request: Request) -> bool:
        query = request.query_params
        try:
            check_signature(wechat.token, query.get("signature", ""), query.get("timestamp", ""),
                            query.get("nonce", ""))
        except InvalidSignatureException:
            return False
        return True

    async def verify(request: Request) -> Response:
        """The 公众号 admin's server check: echo `echostr` when the signature checks."""
        if not signed(request):
            log.warning("server verification with a bad signature refused")
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    async def receive(request: Request) -> Response:
        started = time.monotonic()
        if not signed(request):
            log.warning("message with a bad signature refused")
            return PlainTextResponse("forbidden", status_code=403)
        body = await _read_body(request)
        if body is None:
            return PlainTextResponse("too large", status_code=413)
        query = request.query_params
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if encrypted:
            if crypto is None:
                log.error("an encrypted (safe mode) message came but WECHAT_AES_KEY is not set")
                return PlainTextResponse("forbidden", status_code=403)
            try:
                body = crypto.decrypt_message(body, query.get("msg_signature", ""), query.get("timestamp", ""),
                                              query.get("nonce", "")).encode()
            except InvalidSignatureException:
                log.warning("encrypted message with a bad msg_signature refused")
                return PlainTextResponse("forbidden", status_code=403)
            except Exception as exc:  # wrong AppID inside, bad padding, not XML…
                log.warning("encrypted message not decrypted (%s); refused", type(exc).__name__)
                return PlainTextResponse("forbidden", status_code=403)
        try:
            message = parse_message(body)
            if message is None:
                raise ValueError("empty")
        except Exception as exc:
            log.warning("unreadable message (%s)", type(exc).__name__)
            return PlainTextResponse("bad request", status_code=400)
        log.debug("%s from user %s", message.type, user_tag(message.source))
        text = await channel.receive(message, started)
        if not text:
            return PlainTextResponse(SUCCESS)
        xml = TextReply(message=message, content=text).render()
        if crypto is not None and encrypted:
            xml = crypto.encrypt_message(xml, query.get("nonce", ""), str(int(time.time())))
        return Response(xml, media_type="application/xml")

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm_up:
            log.info("warming up the dialogue core (index and intent model)…")
            await asyncio.to_thread(channel.backend.warm_up)
        log.info("WeChat server ready (%s mode, client API %s)", "safe" if wechat.safe_mode else "plain",
                 "on" if channel.client is not None else "off: no WECHAT_APP_ID/WECHAT_APP_SECRET")
        yield
        await channel.drain(timeout_s=15.0)
        channel.close()

    app = Starlette(routes=[
        Route(PATH, verify, methods=["GET"]),
        Route(PATH, receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ], lifespan=lifespan)
    app.state.channel = channel
    return app


async def _read_body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than any WeChat message."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return body
