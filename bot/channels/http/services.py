"""What the routes use — the dialogue backend (the seam), the speaker, the audio store — built on first use."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

from bot.channels.http.audio_store import AudioStore
from bot.dialogue.seam import BadQuery, DialogueBackend, Reply, Turn, build_backend
from bot.settings import BotSettings

if TYPE_CHECKING:
    from voice.speaker import Speaker

log = logging.getLogger(__name__)


class Services:
    """The app's engines; any not passed in is built lazily (and once, even under concurrent requests)."""

    def __init__(self, settings: BotSettings, backend: DialogueBackend | None = None,
                 speaker: Speaker | None = None, audio_store: AudioStore | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._speaker = speaker
        self.audio_store = audio_store or AudioStore(settings.data_dir / "hotline-audio")
        self._lock = threading.RLock()

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

    @staticmethod
    def conversation(channel: str, conversation: str | None) -> str | None:
        """The backend's conversation id: each endpoint has its own namespace, so that an id sent to /v1/ask
        can never reach a hotline call's state."""
        return f"http-{channel}:{conversation}" if conversation else None

    def respond(self, turn: Turn) -> Reply:
        """The backend's reply; a failure inside it becomes a logged 503 with a kind message, not a crash."""
        try:
            return self.backend.respond(turn)
        except BadQuery:
            raise  # bad input: the error handlers make it a 422
        except Exception as exc:
            log.exception("dialogue backend failed on a turn")
            raise HTTPException(503, "系统忙，请稍后再试，或拨打12345政务服务热线。 / The dialogue service failed; "
                                     "please try again later.") from exc

    def warm_up(self) -> None:
        """Build everything now (at server start) rather than on the first request."""
        self.backend.warm_up()
        _ = self.speaker


def get_services(request: Request) -> Services:
    """FastAPI dependency: the app's Services."""
    return request.app.state.services
