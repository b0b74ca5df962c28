"""The one seam every channel calls: a user's turn in, a reply out, and the look-ups a channel shows
(regions, topics, search, compare, facilities). Channels import this module (and `voice/`), nothing else of
the dialogue core or of `knowledge/`; the values here are plain data that survive a JSON round trip."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from bot.dialogue.replies import WHERE_TO_ASK

if TYPE_CHECKING:
    from bot.dialogue.state import ConversationStore
    from bot.settings import BotSettings

__all__ = ["WHERE_TO_ASK", "Action", "BackendError", "BadQuery", "CompareRow", "DialogueBackend", "NearbyFacility",
           "Region", "Reply", "Source", "TopicInfo", "Turn", "build_backend", "build_embedded_backend",
           "topic_registry"]


class Action(str, Enum):
    """What the core decided to do with a turn."""

    ANSWER = "answer"
    CLARIFY_REGION = "clarify_region"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"
    HANDOFF = "handoff"


class BackendError(ValueError):
    """A backend setting that cannot work; the message says which values are allowed."""


class BadQuery(ValueError):
    """A query the backend cannot take (empty, unknown region or topic); the message says what is allowed."""


@dataclass(frozen=True)
class Turn:
    """One user utterance, with the conversation it belongs to. `region` is a region the channel knows
    (a button, a setting); `staff` asks for the exact wording and full section path."""

    text: str
    conversation: str | None = None
    region: str | None = None
    staff: bool = False


@dataclass(frozen=True)
class Source:
    """A cited passage of a plan: what a channel shows, cites and lets a person check."""

    text: str
    title: str
    region: str
    short_region: str
    section: str
    chunk_id: str
    score: float = 0.0

    @property
    def citation(self) -> str:
        """One line a person can check: plan title · section."""
        return f"《{self.title}》 · {self.section}" if self.section else f"《{self.title}》"

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "score": round(float(self.score), 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """The inverse of to_dict; missing fields are empty, not an error (older payloads)."""
        return cls(
            text=str(data.get("text", "")),
            title=str(data.get("title", "")),
            region=str(data.get("region", "")),
            short_region=str(data.get("short_region", "")),
            section=str(data.get("section", "")),
            chunk_id=str(data.get("chunk_id", "")),
            score=float(data.get("score") or 0.0),
        )


@dataclass
class Reply:
    """The core's answer: text for screens, speech for voice, the sources it came from, and the standalone
    question it understood the turn as (for "您问的是：…")."""

    intent: str
    confidence: float
    action: Action
    answer: str
    speech: str
    region: str | None = None
    sources: list[Source] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    understood: str = ""

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of `elderbot ask --jsonl`, the HTTP API and the Rasa actions."""
        return {
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "region": self.region,
            "action": self.action.value,
            "answer": self.answer,
            "speech": self.speech,
            "sources": [source.to_dict() for source in self.sources],
            "options": list(self.options),
            "understood": self.understood,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """Rebuild a Reply from its to_dict() form (the Rasa round trip loses nothing)."""
        return cls(
            intent=str(data.get("intent", "")),
            confidence=float(data.get("confidence") or 0.0),
            action=Action(str(data.get("action", "answer"))),
            answer=str(data.get("answer", "")),
            speech=str(data.get("speech", "")),
            region=data.get("region") or None,
            sources=[Source.from_dict(s) for s in data.get("sources") or [] if isinstance(s, dict)],
            options=[str(o) for o in data.get("options") or []],
            understood=str(data.get("understood") or ""),
        )


@dataclass(frozen=True)
class Region:
    """A region the plans cover: its canonical name (重庆市涪陵区) and the short name people use (涪陵)."""

    name: str
    short_name: str


@dataclass(frozen=True)
class TopicInfo:
    """A topic of the plans (its name is the intent's name) and its label for people."""

    name: str
    label: str
    button_question: str
    has_facilities: bool = False
    is_intent: bool = True


@dataclass(frozen=True)
class CompareRow:
    """One region's answer to a query, side by side; `source` is None where that plan says nothing relevant."""

    region: Region
    source: Source | None
    sentence: str = ""


@dataclass(frozen=True)
class NearbyFacility:
    """A facility of the directory with its distance (metres) and the plan it comes from."""

    details: dict[str, Any]
    distance_m: float
    citation: str

    @property
    def name(self) -> str:
        return str(self.details.get("name", ""))


class DialogueBackend(Protocol):
    """The embedded core or a Rasa server: every channel talks to one of these."""

    def warm_up(self) -> None:
        """Open the index and models now (at start) rather than on the first turn; safe to call twice."""
        ...

    def respond(self, turn: Turn) -> Reply:
        """Answer one turn; the backend owns the conversation's state."""
        ...

    def repair_heard(self, text: str) -> str:
        """What a speech recogniser heard, repaired as typed text is: Traditional → Simplified, numbers, words
        that sound like a plan word or place name written right (高灵津贴 → 高龄津贴, 万周 → 万州)."""
        ...

    def regions(self) -> list[Region]:
        """The regions the plans cover, in manifest order."""
        ...

    def topics(self) -> list[TopicInfo]:
        """The topics a channel offers as buttons and filters."""
        ...

    def resolve_region(self, name: str) -> Region:
        """The region any of its names means; BadQuery naming the known regions when there is none."""
        ...

    def search(self, query: str, region: str | None = None, topic: str | None = None, k: int = 5) -> list[Source]:
        """Best passages for a query, best first (staff search)."""
        ...

    def compare(self, query: str, topic: str | None = None) -> list[CompareRow]:
        """One row per region, through the same relevance gate as every answer."""
        ...

    def facilities_near(self, place: str, topic: str | None = None, limit: int = 10) -> dict[str, Any]:
        """Facilities at or near a named place (a place name or a question naming one)."""
        ...

    def facilities_nearest(self, lat: float, lon: float, topic: str | None = None,
                           limit: int = 10) -> list[NearbyFacility]:
        """The facilities nearest to a point, nearest first; empty when the directory has no coordinates."""
        ...


def topic_registry() -> list[TopicInfo]:
    """The topics of the one registry (knowledge.topics), as seam values; plain data, cheap to read."""
    from knowledge.topics import TOPICS

    return [TopicInfo(t.name, t.label, t.button_question, bool(t.facility_types), t.is_intent)
            for t in TOPICS.values()]


@dataclass(frozen=True)
class HearingVocabulary:
    """What callers say, for a speech recogniser's prompt: place names, then the service's words."""

    places: tuple[str, ...]
    words: tuple[str, ...]


def hearing_vocabulary(backend: DialogueBackend) -> HearingVocabulary:
    """The covered regions (the backend's: it may be a Rasa server's), their districts and counties, and the
    service's words callers say (knowledge.text.hearing_words)."""
    from knowledge.text.hearing_words import hearing_vocabulary as words_callers_say

    found = words_callers_say([region.short_name for region in backend.regions()])
    return HearingVocabulary(found.places, found.words)


def build_backend(settings: BotSettings) -> DialogueBackend:
    """ELDERBOT_BACKEND=embedded (default) or rasa: the backend a channel talks to."""
    from bot.dialogue.backends import build_backend as build

    return build(settings)


def open_conversation_store(settings: BotSettings | None = None) -> ConversationStore:
    """Where conversation state lives (bot/dialogue/state.py: Redis when REDIS_URL is set, else SQLite under the
    data dir; in memory without settings), for state a channel keeps beside the core's under ids of its own (a
    hotline's read-back): the same store, so it survives a restart and every replica shares it."""
    from bot.dialogue.state import MemoryConversations, open_conversations

    if settings is None:
        return MemoryConversations()
    return open_conversations(settings.redis_url, settings.data_dir, settings.answers.conversation_max_age_s)


def build_embedded_backend(settings: BotSettings) -> DialogueBackend:
    """The embedded core in this process (what the Rasa action server answers with)."""
    from bot.dialogue.embedded import EmbeddedBackend

    return EmbeddedBackend.from_settings(settings)
