"""Pick the dialogue backend a channel talks to: the embedded core (default) or a Rasa server."""

from __future__ import annotations

from bot.dialogue.seam import BackendError, DialogueBackend
from bot.settings import BotSettings

__all__ = ["BackendError", "build_backend"]


def build_backend(settings: BotSettings) -> DialogueBackend:
    """ELDERBOT_BACKEND=embedded (default) or rasa (REST webhook at RASA_URL). The Rasa backend keeps an
    embedded one for look-ups (regions, search, facilities) and, unless switched off, for answering while
    Rasa is down."""
    from bot.dialogue.embedded import EmbeddedBackend

    if settings.backend == "embedded":
        return EmbeddedBackend.from_settings(settings)
    if settings.backend == "rasa":
        from bot.dialogue.rasa_backend import RasaBackend

        return RasaBackend(settings.rasa_url, EmbeddedBackend.from_settings(settings),
                           answer_when_down=settings.rasa_fallback)
    raise BackendError(f"unknown backend {settings.backend!r}: use 'embedded' or 'rasa'")
