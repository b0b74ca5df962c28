"""The channel: each kind of WeChat message turned into a call on the dialogue seam or a kind reply, and the
reply handed out once — passively while WeChat still waits, else by the customer-service API.

WeChat waits 5 s for the reply to a message and then retries it (three tries in all). A message is worked on
once (ledger.py); the request WeChat is waiting on gets the answer as a passive reply when it is ready within
the deadline (~4 s), else `success`, and the answer follows by `client.message.send_text`. A voice question's
spoken answer always follows the text by `client.message.send_voice` (a passive reply holds one message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.channels.wechat import texts
from bot.channels.wechat.ledger import Job, MessageLedger, message_key
from bot.channels.wechat.menu import click_question
from bot.channels.wechat.replying import (
    conversation_id,
    is_only_emoticons,
    nearest_text,
    reply_text,
    shorten_speech,
    user_tag,
)
from bot.channels.wechat.settings import WeChatSettings
from bot.dialogue.seam import DialogueBackend, Region, TopicInfo, Turn

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_QUESTION_CHARS = 2000
MAX_VOICE_BYTES = 2_000_000  # WeChat temporary media, voice: 2 MB, 60 s, AMR or MP3
MAX_VOICE_SECONDS = 58.0
MAX_HEARD_BYTES = 5_000_000  # a user's voice message (60 s of AMR is ~100 kB)
LATE_SLACK_S = 0.5  # a passive reply this much past the deadline may come after WeChat's 5 s
VOICE_AFTER_TEXT_S = 0.3  # let the passive text reach the user before the voice message
UNSET: Any = object()


@dataclass(frozen=True)
class Outcome:
    """What the user gets for one message: text, then (voice questions) the speech as a voice message."""

    text: str
    speech: str = ""


def load_recognizer() -> Any | None:
    """The voice team's recognizer (voice.hearing.Recognizer) when installed and usable, else None."""
    try:
        from voice.hearing import Recognizer  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        if (from_env := getattr(Recognizer, "from_env", None)) is not None:
            return from_env()
        from voice.settings import VoiceSettings

        return Recognizer(VoiceSettings.from_env())
    except Exception as exc:  # no model files, no ffmpeg…: voice messages get the kind reply
        log.warning("speech recognizer unavailable (%s); voice messages without Recognition get a kind reply",
                    type(exc).__name__)
        return None


class WeChatChannel:
    """Everything a message needs besides its request: the seam, the client API, voice, the ledger."""

    def __init__(self, settings: WeChatSettings, backend: DialogueBackend, *, client: Any | None = None,
                 speaker: Any | None = None, recognizer: Any = UNSET, ledger: MessageLedger | None = None,
                 core_workers: int = 2, io_workers: int = 8) -> None:
        self.settings = settings
        self.backend = backend
        self.client = client
        self.speaker = speaker
        self._recognizer = recognizer
        self.ledger = ledger if ledger is not None else MessageLedger()
        self.core_pool = ThreadPoolExecutor(core_workers, thread_name_prefix="wechat-core")
        self.io_pool = ThreadPoolExecutor(io_workers, thread_name_prefix="wechat-io")
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._topics: list[TopicInfo] | None = None
        self._regions: list[Region] | None = None

    # ---- running blocking work -------------------------------------------------------------------------------

    async def _core(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.core_pool, lambda: func(*args))

    async def _io(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.io_pool, lambda: func(*args))

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Wait for answers still on their way (customer-service messages, voice), e.g. at shutdown."""
        deadline = time.monotonic() + timeout_s
        while self._background and time.monotonic() < deadline:
            await asyncio.wait(set(self._background), timeout=max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        self.core_pool.shutdown(wait=False, cancel_futures=True)
        self.io_pool.shutdown(wait=False, cancel_futures=True)

    # ---- one message, answered once ----------------------------------------------------------------------------

    async def receive(self, message: Any, started: float | None = None) -> str | None:
        """The passive reply's text for this request, or None (`success`: nothing, or the answer comes later)."""
        started = time.monotonic() if started is None else started
        key = message_key(message.id, message.source, message.time)
        job = self.ledger.job(key)
        if job is None:
            job = self.ledger.open(key)
            job.task = self._spawn(self._work(key, message))
        elif job.settled is not None:
            log.info("retry of a message already answered (user %s)", user_tag(message.source))
            return None
        else:
            log.info("retry of a message being worked on (user %s): waiting for the same answer",
                     user_tag(message.source))
        return await self._hand_out(job, message.source, started)

    async def _work(self, key: str, message: Any) -> Outcome | None:
        if not await self._io(self.ledger.claim_shared, key):
            log.info("message taken by another worker (user %s)", user_tag(message.source))
            return None
        return await self.handle(message)

    async def _hand_out(self, job: Job, openid: str, started: float) -> str | None:
        """Wait for the job until the deadline; the newest request WeChat waits on replies passively."""
        waiter = job.new_waiter()
        assert job.task is not None
        remaining = self.settings.reply_deadline_s - (time.monotonic() - started)
        try:
            outcome = await asyncio.wait_for(asyncio.shield(job.task), timeout=max(0.0, remaining))
        except (asyncio.TimeoutError, TimeoutError):
            if job.is_current(waiter) and job.settled is None:
                job.settled = "later"
                self._spawn(self._deliver_later(job, openid))
            return None
        except Exception as exc:
            if not (job.is_current(waiter) and job.settled is None):
                return None
            job.settled = "passive"
            log.error("message of user %s failed: %s", user_tag(openid), type(exc).__name__,
                      exc_info=(type(exc), exc, exc.__traceback__))
            return texts.ERROR
        if outcome is None or not job.is_current(waiter) or job.settled is not None:
            if outcome is None and job.settled is None:
                job.settled = "dropped"
            return None
        if time.monotonic() - started > self.settings.reply_deadline_s + LATE_SLACK_S:
            # ready in time but this process was too busy to hand it out in time: WeChat may have given up
            # on this request, so the answer goes by customer-service message rather than be lost
            job.settled = "later"
            self._spawn(self._deliver_later(job, openid))
            return None
        job.settled = "passive"
        if outcome.speech:
            self._spawn(self._send_voice(openid, outcome.speech, delay_s=VOICE_AFTER_TEXT_S))
        return outcome.text

    async def _deliver_later(self, job: Job, openid: str) -> None:
        """The answer that missed the deadline, by the customer-service API, then its voice."""
        assert job.task is not None
        try:
            outcome = await job.task
        except Exception as exc:
            log.error("message of user %s failed: %s", user_tag(openid), type(exc).__name__,
                      exc_info=(type(exc), exc, exc.__traceback__))
            outcome = Outcome(texts.ERROR)
        if outcome is None:
            return
        if await self.send_text(openid, outcome.text) and outcome.speech:
            await self._send_voice(openid, outcome.speech)

    # ---- kinds of message --------------------------------------------------------------------------------------

    async def handle(self, message: Any) -> Outcome | None:
        """What this message gets (None: nothing to say, e.g. an unsubscribe or a menu view event)."""
        kind = message.type
        openid = message.source
        if kind == "text":
            return await self.on_text(openid, message.content or "")
        if kind == "voice":
            return await self.on_voice(openid, message)
        if kind == "location":
            return await self.on_location(message)
        if kind == "event":
            return await self.on_event(openid, message)
        if kind == "link":
            return Outcome(texts.LINK)
        return Outcome(texts.NOT_TEXT)  # image (custom stickers too), video, shortvideo, file, unknown

    async def on_text(self, openid: str, text: str) -> Outcome:
        text = text.strip()
        if not text:
            return Outcome(texts.EMPTY)
        if is_only_emoticons(text):
            return Outcome(texts.STICKER)
        return await self.ask(openid, text)

    async def on_voice(self, openid: str, message: Any) -> Outcome:
        """WeChat's own Recognition text when the account has it on; else our recognizer; else a kind reply."""
        heard = (message.recognition or "").strip()
        if not heard:
            recognizer = await self._get_recognizer()
            if recognizer is None or self.client is None:
                return Outcome(texts.VOICE_NOT_UNDERSTOOD)
            heard = await self._transcribe(recognizer, message)
            if not heard:
                return Outcome(texts.VOICE_UNCLEAR)
        if is_only_emoticons(heard):
            return Outcome(texts.VOICE_UNCLEAR)
        return await self.ask(openid, heard, voice=True)

    async def on_location(self, message: Any) -> Outcome:
        try:
            lat, lon = float(message.location_x), float(message.location_y)
        except (TypeError, ValueError):
            return Outcome(texts.LOCATION_BAD)
        places = await self._core(lambda: self.backend.facilities_nearest(lat, lon, limit=5))
        if places:
            return Outcome(nearest_text(places))
        return Outcome(texts.LOCATION_NO_FACILITY.format(example=await self._example_region()))

    async def on_event(self, openid: str, message: Any) -> Outcome | None:
        event = (getattr(message, "event", "") or "").lower()
        if event in ("subscribe", "subscribe_scan"):
            return Outcome(texts.WELCOME)
        if event == "click":
            question = click_question(message.key or "", await self.topics())
            if question is None:
                return Outcome(texts.STALE_BUTTON)
            return await self.ask(openid, question)
        return None  # unsubscribe, view, location_select (the location message follows), location reports…

    # ---- the seam ---------------------------------------------------------------------------------------------

    async def ask(self, openid: str, question: str, voice: bool = False) -> Outcome:
        """One turn through the core, one at a time per user (so the conversation's state stays in order)."""
        turn = Turn(text=question[:MAX_QUESTION_CHARS], conversation=conversation_id(openid))
        async with self._user_lock(openid):
            reply = await self._core(self.backend.respond, turn)
        speak = voice and self.settings.voice_replies and self.speaker is not None and self.client is not None
        return Outcome(reply_text(reply), reply.speech.strip() if speak else "")

    async def topics(self) -> list[TopicInfo]:
        if self._topics is None:
            self._topics = list(await self._core(self.backend.topics))
        return self._topics

    async def _example_region(self) -> str:
        if self._regions is None:
            try:
                self._regions = list(await self._core(self.backend.regions))
            except Exception as exc:  # an example is a nicety
                log.warning("regions unavailable: %s", type(exc).__name__)
                self._regions = []
        return self._regions[0].short_name if self._regions else "万州"

    @contextlib.asynccontextmanager
    async def _user_lock(self, openid: str) -> Any:
        lock, users = self._locks.get(openid) or (asyncio.Lock(), 0)
        self._locks[openid] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[openid]
            if users <= 1:
                del self._locks[openid]
            else:
                self._locks[openid] = (lock, users - 1)

    # ---- the client API ---------------------------------------------------------------------------------------

    async def send_text(self, openid: str, text: str) -> bool:
        """A customer-service text message; False (logged) when it cannot go out."""
        if self.client is None:
            log.warning("an answer for user %s missed the reply deadline and WECHAT_APP_ID/WECHAT_APP_SECRET "
                        "are not set: it cannot be sent", user_tag(openid))
            return False
        try:
            await self._io(self.client.message.send_text, openid, text)
        except Exception as exc:
            log.warning("customer-service text to user %s failed: %s", user_tag(openid), _describe(exc))
            return False
        return True

    async def _send_voice(self, openid: str, speech: str, delay_s: float = 0.0) -> bool:
        """The spoken answer as temporary media (MP3 within WeChat's size and length), sent as a voice message."""
        if self.client is None or self.speaker is None:
            return False
        started = time.monotonic()
        try:
            audio = await self._io(self.voice_audio, speech)
        except Exception as exc:  # the text went out; the voice is a bonus
            log.warning("no voice for user %s: %s", user_tag(openid), type(exc).__name__)
            return False
        if audio is None:
            return False
        await asyncio.sleep(max(0.0, delay_s - (time.monotonic() - started)))
        try:
            uploaded = await self._io(self.client.media.upload, "voice", ("answer.mp3", audio, "audio/mpeg"))
            await self._io(self.client.message.send_voice, openid, uploaded["media_id"])
        except Exception as exc:
            log.warning("voice message to user %s failed: %s", user_tag(openid), _describe(exc))
            return False
        return True

    def voice_audio(self, speech: str) -> bytes | None:
        """MP3 of `speech`, cut at a sentence end until it fits a WeChat voice message (≤ 2 MB, ≤ 60 s)."""
        from voice.formats import probe
        from voice.speaker import AudioFormat, SpeechError

        text = speech
        for _ in range(5):
            try:
                audio = self.speaker.synthesize(text, AudioFormat.MP3).audio  # type: ignore[union-attr]
            except SpeechError as exc:
                log.warning("no speech: %s", exc)
                return None
            seconds = probe(audio).duration_s
            if len(audio) <= MAX_VOICE_BYTES and seconds <= MAX_VOICE_SECONDS:
                return audio
            ratio = min(MAX_VOICE_BYTES / len(audio), MAX_VOICE_SECONDS / max(seconds, 0.1)) * 0.9
            shorter = shorten_speech(text, ratio)
            if not shorter or shorter == text:
                return None
            text = shorter
        return None

    async def _get_recognizer(self) -> Any | None:
        if self._recognizer is UNSET:
            self._recognizer = await self._io(load_recognizer)
        return self._recognizer

    async def _transcribe(self, recognizer: Any, message: Any) -> str:
        """The words of a voice message fetched with client.media.download; '' when that fails."""
        assert self.client is not None
        mime = {"amr": "audio/amr", "speex": "audio/speex", "mp3": "audio/mpeg"}.get(
            (message.format or "amr").lower(), "audio/amr")
        try:
            response = await self._io(self.client.media.download, message.media_id)
            audio = bytes(response.content)
            if not audio or len(audio) > MAX_HEARD_BYTES:
                return ""
            heard = await self._core(recognizer.transcribe, audio, mime)
        except Exception as exc:  # a download or recognizer failure: ask to say it again or type
            log.warning("voice message not transcribed: %s", _describe(exc))
            return ""
        return str(getattr(heard, "text", heard) or "").strip()


def _describe(exc: Exception) -> str:
    """An exception for logs without request URLs (they carry the access token) or message bodies."""
    errcode = getattr(exc, "errcode", None)
    return f"{type(exc).__name__} errcode={errcode}" if errcode is not None else type(exc).__name__
