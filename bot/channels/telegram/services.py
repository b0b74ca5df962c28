"""What the Telegram handlers share (backend, speaker, limiter) and each chat's one setting (voice on/off)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from bot.channels.telegram.ratelimit import ChatRateLimiter

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import CallbackContext

    from bot.dialogue.seam import DialogueBackend, TopicInfo
    from bot.settings import BotSettings
    from voice.settings import VoiceSettings
    from voice.speaker import Speaker

SERVICES_KEY = "elderbot.services"
VOICE = "voice"  # the one per-chat setting the channel keeps; the conversation itself is the core's


class SpeechRecognizer(Protocol):
    """Turns a voice note into text: voice.hearing.Recognizer (built by default when faster-whisper is installed)
    returns a Heard (`text`, `unsure`, …); a plain str is taken as heard for sure."""

    def transcribe(self, audio: bytes, mime_type: str) -> Any:
        """What was said in `audio` (an OGG/Opus voice note from Telegram): a Heard or a str, '' when nothing."""
        ...


@dataclass
class BotServices:
    """Everything a handler needs besides the update; one per Application."""

    settings: BotSettings
    backend: DialogueBackend
    speaker: Speaker | None
    limiter: ChatRateLimiter[Update]
    recognizer: SpeechRecognizer | None = None
    _slow_speaker: Speaker | None = field(default=None, repr=False)
    _regions: list[str] | None = field(default=None, repr=False)
    _topics: list[TopicInfo] | None = field(default=None, repr=False)

    @property
    def slow_speaker(self) -> Speaker | None:
        """The same voice at a calmer pace, for 慢一点."""
        if self.speaker is None:
            return None
        if self._slow_speaker is None:
            from voice.speaker import Speaker

            self._slow_speaker = Speaker(slower(self.speaker.settings), cache=self.speaker.cache)
        return self._slow_speaker

    @property
    def topics(self) -> list[TopicInfo]:
        """The topics of the buttons (asked once of the backend)."""
        if self._topics is None:
            self._topics = list(self.backend.topics())
        return self._topics

    def region_names(self) -> list[str]:
        """The short names of the districts the plans cover (asked once of the backend), for buttons."""
        if self._regions is None:
            self._regions = [region.short_name for region in self.backend.regions()]
        return self._regions


def services(context: CallbackContext[Any, Any, Any, Any]) -> BotServices:
    """The BotServices stored by build_application."""
    return context.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


def voice_on(context: CallbackContext[Any, Any, Any, Any]) -> bool:
    """Whether this chat gets voice notes (the bot's default until the chat says /voice off)."""
    return bool((context.chat_data or {}).get(VOICE, services(context).settings.voice_replies))


def conversation_id(chat_id: int) -> str:
    """The dialogue core's conversation id of a Telegram chat."""
    return f"tg:{chat_id}"


def chat_tag(chat_id: int | None) -> str:
    """A short hash of a chat id for logs (no personal data in logs)."""
    if chat_id is None:
        return "-"
    return hashlib.sha256(conversation_id(chat_id).encode()).hexdigest()[:12]


def slower(settings: VoiceSettings) -> VoiceSettings:
    """The same voice settings, read more slowly by every engine (the neural voice's speed is a duration scale:
    higher is slower)."""
    match = re.fullmatch(r"([+-]?\d+)%", settings.edge_rate.strip())
    edge = int(match.group(1)) if match else 0
    return replace(settings, espeak_speed_wpm=max(70, settings.espeak_speed_wpm * 2 // 3),
                   edge_rate=f"{max(edge - 20, -50):+d}%", gtts_slow=True,
                   neural_speed=min(round(settings.neural_speed * 1.3, 3), 2.5))
