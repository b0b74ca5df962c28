"""Fixtures: the real embedded core (built once, with a facility folder that has coordinates), a fake WeChat API
on 127.0.0.1, and the real server under uvicorn on a free port, posted to the way WeChat posts."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

pytest.importorskip("wechatpy")
pytest.importorskip("aiohttp")
pytest.importorskip("uvicorn")

import httpx  # noqa: E402
import uvicorn  # noqa: E402
import xmltodict  # noqa: E402
from wechatpy.crypto import WeChatCrypto  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from wechat_fake_api import APP_ID, APP_SECRET, FakeWeChatApi  # noqa: E402

from bot.channels.wechat.app import build_channel, create_app  # noqa: E402
from bot.channels.wechat.settings import WeChatSettings  # noqa: E402
from bot.dialogue.seam import DialogueBackend, Reply, Turn  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from voice.settings import VoiceSettings  # noqa: E402
from voice.speaker import Speaker  # noqa: E402

TOKEN = "elderbotTestToken42"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, like the admin's EncodingAESKey
ACCOUNT = "gh_elderbot_test"
FULING = (29.7030, 107.3890)
FACILITIES_CSV = """name,type,region,address,lat,lon,phone,source
敦仁街道养老服务中心,养老服务中心,重庆市涪陵区,敦仁街道某路1号,29.7100,107.3950,023-7200000,staff-import.csv
崇义街道老年食堂,老年食堂,重庆市涪陵区,,29.7040,107.3900,,staff-import.csv
万州某养老院,养老院,重庆市万州区,,30.8079,108.4087,,staff-import.csv
"""


class RecordingBackend:
    """The real backend, every turn it was asked kept for the test; `delay_s` makes it slow (timing tests)."""

    def __init__(self, inner: DialogueBackend, delay_s: float = 0.0, nearest: list[Any] | None = None) -> None:
        self.inner = inner
        self.delay_s = delay_s
        self.nearest = nearest
        self.turns: list[Turn] = []
        self._lock = threading.Lock()

    def respond(self, turn: Turn) -> Reply:
        with self._lock:
            self.turns.append(turn)
        if self.delay_s:
            time.sleep(self.delay_s)
        return self.inner.respond(turn)

    def facilities_nearest(self, lat: float, lon: float, topic: str | None = None, limit: int = 10) -> list[Any]:
        if self.nearest is not None:
            return self.nearest
        return self.inner.facilities_nearest(lat, lon, topic=topic, limit=limit)

    def __getattr__(self, name: str) -> Any:  # regions, topics, warm_up…: the real backend's
        return getattr(self.inner, name)


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    facilities = tmp_path_factory.mktemp("wechat-facilities")
    (facilities / "local.csv").write_text(FACILITIES_CSV, encoding="utf-8")
    return replace(KnowledgeSettings(), index_dir=tmp_path_factory.mktemp("wechat-index"), facilities_dir=facilities)


@pytest.fixture(scope="session")
def core(knowledge_settings: KnowledgeSettings) -> DialogueBackend:
    """The real embedded backend (index built once per session)."""
    from bot.dialogue.backends import build_backend

    backend = build_backend(BotSettings(knowledge=knowledge_settings))
    backend.warm_up()
    return backend


@pytest.fixture(scope="session")
def speaker(tmp_path_factory: pytest.TempPathFactory) -> Speaker:
    """espeak-ng only (offline), MP3 through ffmpeg."""
    for binary in ("espeak-ng", "ffmpeg", "ffprobe"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} not installed (scripts/install-system.sh installs it)")
    return Speaker(VoiceSettings(engines=("espeak",), cache_dir=tmp_path_factory.mktemp("wechat-voice")))


@pytest.fixture
def api() -> Iterator[FakeWeChatApi]:
    fake = FakeWeChatApi().start()
    yield fake
    fake.close()


@pytest.fixture
def backend(core: DialogueBackend) -> RecordingBackend:
    return RecordingBackend(core)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class Posted:
    """The server's answer to one posted message."""

    status: int
    body: str
    elapsed_s: float
    reply: dict[str, Any] | None  # the passive reply's fields (decrypted in safe mode), None for `success`

    @property
    def content(self) -> str:
        return str((self.reply or {}).get("Content") or "")


class WeChatSide:
    """Posts to the server the way WeChat's servers do: signed query, XML body, AES in safe mode."""

    _ids = itertools.count(7_000_000_000_000_000_001)

    def __init__(self, url: str, token: str = TOKEN, aes_key: str = "", app_id: str = APP_ID) -> None:
        self.url = url
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def xml(openid: str, msg_type: str, fields: dict[str, Any], msg_id: int | None = None,
            create_time: int | None = None) -> str:
        items = {"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": create_time or int(time.time()),
                 "MsgType": msg_type, **fields}
        if msg_id is not None:
            items["MsgId"] = msg_id
        body = "".join(f"<{k}>{v}</{k}>" if isinstance(v, int | float) else f"<{k}><![CDATA[{v}]]></{k}>"
                       for k, v in items.items())
        return f"<xml>{body}</xml>"

    def next_id(self) -> int:
        return next(self._ids)

    def query(self, openid: str = "", good: bool = True) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), str(next(self._ids) % 1_000_000_007)
        sig = signature(self.token, timestamp, nonce) if good else signature("wrong-token", timestamp, nonce)
        query = {"signature": sig, "timestamp": timestamp, "nonce": nonce}
        if openid:
            query["openid"] = openid
        return query

    def post_xml(self, xml: str, openid: str = "", good: bool = True, tamper_encrypted: bool = False) -> Posted:
        query = self.query(openid, good)
        body = xml
        if self.crypto is not None:
            encrypted = xmltodict.parse(self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
            msg_signature = encrypted["MsgSignature"]
            if tamper_encrypted:
                msg_signature = "0" * 40
            query.update(encrypt_type="aes", msg_signature=msg_signature)
            body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted['Encrypt']}]]></Encrypt></xml>"
        started = time.monotonic()
        response = self.http.post(self.url, params=query, content=body.encode(), headers={"Content-Type": "text/xml"})
        elapsed = time.monotonic() - started
        reply = None
        if response.status_code == 200 and response.text.strip().startswith("<xml"):
            fields = xmltodict.parse(response.text)["xml"]
            if self.crypto is not None:
                assert "Encrypt" in fields, "a safe-mode message got a plain reply"
                fields = xmltodict.parse(self.crypto.decrypt_message(
                    response.text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]))["xml"]
            reply = dict(fields)
        return Posted(response.status_code, response.text, elapsed, reply)

    def text(self, openid: str, content: str, msg_id: int | None = None, **kw: Any) -> Posted:
        msg_id = msg_id or self.next_id()
        return self.post_xml(self.xml(openid, "text", {"Content": escape(content)}, msg_id), openid, **kw)

    def voice(self, openid: str, media_id: str, recognition: str | None = None) -> Posted:
        fields: dict[str, Any] = {"MediaId": media_id, "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.post_xml(self.xml(openid, "voice", fields, self.next_id()), openid)

    def location(self, openid: str, lat: float, lon: float, label: str = "") -> Posted:
        fields = {"Location_X": lat, "Location_Y": lon, "Scale": 15, "Label": label}
        return self.post_xml(self.xml(openid, "location", fields, self.next_id()), openid)

    def event(self, openid: str, event: str, key: str | None = None) -> Posted:
        fields: dict[str, Any] = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.post_xml(self.xml(openid, "event", fields, create_time=int(time.time()) + self.next_id() % 1000),
                             openid)


class RunningServer:
    """uvicorn serving create_app(channel) in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="wechat-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wechat"

    def start(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("WeChat server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture
def bot_settings(knowledge_settings: KnowledgeSettings, tmp_path: Path) -> BotSettings:
    return BotSettings(knowledge=knowledge_settings, data_dir=tmp_path / "data")


@pytest.fixture
def wechat_settings(api: FakeWeChatApi) -> WeChatSettings:
    return WeChatSettings(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base_url=api.base_url)


@pytest.fixture
def serve(bot_settings: BotSettings, wechat_settings: WeChatSettings, backend: RecordingBackend,
          speaker: Speaker) -> Iterator[Callable[..., tuple[RunningServer, WeChatSide]]]:
    """serve(**overrides) → (server, WeChat side); overrides: settings fields (aes_key, reply_deadline_s…) and
    build_channel keywords (backend, speaker, recognizer, redis, client)."""
    running: list[tuple[RunningServer, WeChatSide]] = []

    def start(**overrides: Any) -> tuple[RunningServer, WeChatSide]:
        channel_keys = {"backend", "speaker", "recognizer", "redis", "client"}
        parts = {"backend": backend, "speaker": speaker, "recognizer": None, "redis": None}
        parts.update({k: v for k, v in overrides.items() if k in channel_keys})
        settings = replace(wechat_settings, **{k: v for k, v in overrides.items() if k not in channel_keys})
        channel = build_channel(bot_settings, settings, **parts)
        server = RunningServer(create_app(channel, warm_up=False)).start()
        side = WeChatSide(server.url, token=settings.token, aes_key=settings.aes_key, app_id=settings.app_id)
        running.append((server, side))
        return server, side

    yield start
    for server, side in running:
        side.close()
        server.stop()
