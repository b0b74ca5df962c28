"""What the routes use — the dialogue backend (the seam), the speaker, the audio store — built on first use."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
import time
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

from bot.channels.http.audio_store import AudioStore
from bot.dialogue.seam import BadQuery, DialogueBackend, Reply, Turn, build_backend, open_conversation_store
from bot.settings import BotSettings

if TYPE_CHECKING:
    from bot.dialogue.seam import ConversationStore
    from voice.speaker import Speaker

log = logging.getLogger(__name__)

HEALTH_PROBE_S = 5.0
HEALTH_PROBE_QUERY = "养老服务"
FAILED_TURNS_UNHEALTHY = 3
SPEAK_POLL_S = 0.05


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host.strip() in ("", "*")


class Services:
    """The app's engines; any not passed in is built lazily (and once, even under concurrent requests)."""

    def __init__(self, settings: BotSettings, backend: DialogueBackend | None = None,
                 speaker: Speaker | None = None, audio_store: AudioStore | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._speaker = speaker
        self._conversations: ConversationStore | None = None
        self.audio_store = audio_store or AudioStore(settings.data_dir / "hotline-audio")
        self._lock = threading.RLock()
        self._warm_error: str | None = None
        self._failed_turns = 0  # turns in a row the backend failed on
        self._probe: tuple[float, str | None] | None = None  # (when, problem) of the last health probe
        self._speaking = 0  # /v1/speak syntheses running (changed on the event loop only)

    @property
    def backend(self) -> DialogueBackend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = build_backend(self.settings)
        return self._backend

    @property
    def speaker(self) -> Speaker:
        if self._speaker is None:
            with self._lock:
                if self._speaker is None:
                    from voice.settings import VoiceSettings
                    from voice.speaker import Speaker

                    self._speaker = Speaker(VoiceSettings.from_env())
        return self._speaker

    @property
    def conversations(self) -> ConversationStore:
        """Conversation state the HTTP layer keeps beside the core's (a hotline's read-back): the store the core
        opens from the same settings (seam.open_conversation_store), so it survives a restart and Redis shares it."""
        if self._conversations is None:
            with self._lock:
                if self._conversations is None:
                    self._conversations = open_conversation_store(self.settings)
        return self._conversations

    @staticmethod
    def conversation(channel: str, conversation: str | None) -> str | None:
        """The backend's conversation id: each endpoint has its own namespace, so that an id sent to /v1/ask
        can never reach a hotline call's state."""
        return f"http-{channel}:{conversation}" if conversation else None

    def respond(self, turn: Turn) -> Reply:
        """The backend's reply; a failure inside it becomes a logged 503 with a kind message, not a crash."""
        try:
            reply = self.backend.respond(turn)
        except BadQuery:
            raise  # bad input: the error handlers make it a 422
        except Exception as exc:
            self._failed_turns += 1
            log.exception("dialogue backend failed on a turn")
            raise HTTPException(503, "系统忙，请稍后再试，或拨打12345政务服务热线。 / The dialogue service failed; "
                                     "please try again later.") from exc
        self._failed_turns = 0
        return reply

    def warm_up(self) -> None:
        """Build everything now (at server start) rather than on the first request."""
        try:
            self.backend.warm_up()
        except Exception as exc:
            self._warm_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise
        _ = self.speaker

    def health_problem(self) -> str | None:
        """Why the core cannot answer now, or None. Cheap: the outcome of warm-up and of the last turns, and a
        one-passage search of the local index at most every HEALTH_PROBE_S (a Rasa backend searches locally,
        so this never waits on Rasa)."""
        if self._warm_error is not None:
            return f"warm-up failed ({self._warm_error})"
        if self._failed_turns >= FAILED_TURNS_UNHEALTHY:
            return f"the dialogue core failed on the last {self._failed_turns} turns"
        now = time.monotonic()
        if self._probe is None or now - self._probe[0] >= HEALTH_PROBE_S:
            try:
                self.backend.search(HEALTH_PROBE_QUERY, k=1)
                problem = None
            except Exception as exc:  # noqa: BLE001 - whatever it is, the core cannot answer
                log.warning("health probe failed (%s)", type(exc).__name__)
                problem = f"search failed ({type(exc).__name__})"
            self._probe = (now, problem)
        return self._probe[1]

    def public_url(self, path: str) -> str:
        """An absolute URL of one of this server's paths, from configuration only (ELDERBOT_PUBLIC_URL, else the
        bound host and port); never from the request's Host header. A wildcard bind without ELDERBOT_PUBLIC_URL
        has no one address: the path alone, which a client resolves against the URL it called."""
        if self.settings.public_url:
            return self.settings.public_url + path
        host = self.settings.host
        if _is_wildcard(host):
            return path
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.settings.port}{path}"

    async def speak_slot(self) -> bool:
        """Wait (at most speak_wait_s) for one of the speak_concurrency synthesis slots; False when none freed.
        Waiting happens on the event loop, so waiting requests hold no worker thread that /v1/ask needs."""
        deadline = time.monotonic() + self.settings.speak_wait_s
        while self._speaking >= self.settings.speak_concurrency:  # one event loop: no race with the += below
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(SPEAK_POLL_S)
        self._speaking += 1
        return True

    def release_speak_slot(self) -> None:
        self._speaking -= 1


def get_services(request: Request) -> Services:
    """FastAPI dependency: the app's Services."""
    return request.app.state.services
