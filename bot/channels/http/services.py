"""What the routes use — dialogue backend, knowledge base, speaker, audio store — built on first use."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request

from bot.channels.http.audio_store import AudioStore
from bot.dialogue.seam import DialogueBackend, Reply, Turn
from bot.settings import BotSettings
from knowledge.retrieval.search import QueryError

if TYPE_CHECKING:
    from knowledge.facilities.directory import FacilityDirectory
    from knowledge.retrieval.search import KnowledgeBase
    from voice.speaker import Speaker

log = logging.getLogger(__name__)


class Services:
    """The app's engines; any not passed in is built lazily (and once, even under concurrent requests)."""

    def __init__(self, settings: BotSettings, backend: DialogueBackend | None = None,
                 knowledge: KnowledgeBase | None = None, speaker: Speaker | None = None,
                 audio_store: AudioStore | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._knowledge = knowledge
        self._knowledge_ready = False
        self._speaker = speaker
        self._facilities: FacilityDirectory | None = None
        self.audio_store = audio_store or AudioStore(settings.data_dir / "hotline-audio")
        self._lock = threading.RLock()

    @property
    def backend(self) -> DialogueBackend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    from bot.dialogue.backends import build_backend

                    self._backend = build_backend(self.settings)
        return self._backend

    @property
    def knowledge(self) -> KnowledgeBase:
        """The backend's own knowledge base when it has one (embedded core), else one of our own."""
        if not self._knowledge_ready:
            with self._lock:
                if self._knowledge is None:
                    own: Any = getattr(self.backend, "knowledge", None)
                    if own is None:
                        from knowledge.retrieval.search import KnowledgeBase

                        own = KnowledgeBase(self.settings.knowledge)
                    self._knowledge = own
                self._knowledge.warm_up()
                self._knowledge_ready = True
        assert self._knowledge is not None
        return self._knowledge

    @property
    def facilities(self) -> FacilityDirectory:
        """The facility directory, loaded on first use with the knowledge base's gazetteer."""
        if self._facilities is None:
            with self._lock:
                if self._facilities is None:
                    from knowledge.facilities.directory import FacilityDirectory

                    self._facilities = FacilityDirectory.load(self.settings, gazetteer=self.knowledge.index.gazetteer)
        return self._facilities

    @property
    def speaker(self) -> Speaker:
        if self._speaker is None:
            with self._lock:
                if self._speaker is None:
                    from voice.settings import VoiceSettings
                    from voice.speaker import Speaker

                    self._speaker = Speaker(VoiceSettings.from_env())
        return self._speaker

    def respond(self, turn: Turn) -> Reply:
        """The backend's reply; a failure inside it becomes a logged 503 with a kind message, not a crash."""
        try:
            return self.backend.respond(turn)
        except QueryError:
            raise  # bad input: the error handlers make it a 422
        except Exception as exc:
            log.exception("dialogue backend failed on a turn")
            raise HTTPException(503, "系统忙，请稍后再试，或拨打12345政务服务热线。 / The dialogue service failed; "
                                     "please try again later.") from exc

    def warm_up(self) -> None:
        """Build everything now (at server start) rather than on the first request."""
        warm = getattr(self.backend, "warm_up", None)
        if callable(warm):
            warm()
        _ = self.knowledge, self.speaker


def get_services(request: Request) -> Services:
    """FastAPI dependency: the app's Services."""
    return request.app.state.services
