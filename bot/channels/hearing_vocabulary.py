"""The speech recogniser's vocabulary, from the bot's knowledge: the covered regions (the backend's), their districts
and counties, and the service's words callers say (seam.hearing_vocabulary). Every channel that hears audio
(hotline, Telegram voice notes, `elderbot listen`) primes its recogniser here, once."""

from __future__ import annotations

from typing import Any

from bot.dialogue.seam import DialogueBackend, HearingVocabulary, hearing_vocabulary


def vocabulary_of(backend: DialogueBackend) -> HearingVocabulary:
    """Places and words for the recogniser's prompt (regions from the backend: it may be a Rasa server's)."""
    return hearing_vocabulary(backend)


def prime_recognizer(recognizer: Any, backend: DialogueBackend) -> None:
    """Give a recogniser that takes a vocabulary (voice.hearing.Recognizer.use_vocabulary) the bot's; others
    (test doubles, a deployment's own) are left as they are. The backend's repair of heard text is readied too."""
    use_vocabulary = getattr(recognizer, "use_vocabulary", None)
    if use_vocabulary is not None:
        words = vocabulary_of(backend)
        use_vocabulary(words.places, words.words)
    backend.repair_heard("")  # what reads heard text again is built now (seconds), not at the first caller
