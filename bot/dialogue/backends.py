"""Pick the dialogue backend a channel talks to: the embedded core (default) or a Rasa server."""

from __future__ import annotations

from bot.dialogue.seam import DialogueBackend
from bot.settings import BotSettings


class BackendError(ValueError):
    """A backend setting that cannot work; the message says which values are allowed."""


def build_embedded_core(settings: BotSettings):  # noqa: ANN201 - bot.dialogue.core.DialogueCore, imported lazily
    """The embedded core over the knowledge base the settings describe."""
    from bot.dialogue.core import DialogueCore
    from knowledge.retrieval.search import KnowledgeBase

    cache = settings.knowledge.index_dir / "intent-classifier.pkl"
    return DialogueCore(KnowledgeBase(settings.knowledge), classifier_cache=cache)


def build_backend(settings: BotSettings) -> DialogueBackend:
    """ELDERBOT_BACKEND=embedded (default) or rasa (REST webhook at RASA_URL)."""
    if settings.backend == "embedded":
        return build_embedded_core(settings)
    if settings.backend == "rasa":
        from bot.dialogue.rasa_backend import RasaBackend

        fallback = build_embedded_core(settings) if settings.rasa_fallback else None
        return RasaBackend(settings.rasa_url, fallback=fallback)
    raise BackendError(f"unknown backend {settings.backend!r}: use 'embedded' or 'rasa'")
