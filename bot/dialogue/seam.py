"""What passes through the dialogue seam: a user's turn in, a reply out."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from knowledge.retrieval.passages import Hit


class Action(str, Enum):
    """What the core decided to do with a turn."""

    ANSWER = "answer"
    CLARIFY_REGION = "clarify_region"
    FALLBACK = "fallback"
    SMALLTALK = "smalltalk"
    HANDOFF = "handoff"


@dataclass(frozen=True)
class Turn:
    """One user utterance, with the conversation it belongs to."""

    text: str
    conversation: str | None = None
    region: str | None = None
    staff: bool = False


@dataclass
class Reply:
    """The core's answer: text for screens, speech for voice, the sources it came from."""

    intent: str
    confidence: float
    action: Action
    answer: str
    speech: str
    region: str | None = None
    sources: list[Hit] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of `elderbot ask --jsonl`, the HTTP API and the Rasa actions."""
        return {
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "region": self.region,
            "action": self.action.value,
            "answer": self.answer,
            "speech": self.speech,
            "sources": [hit.to_source() for hit in self.sources],
            "options": list(self.options),
        }


class DialogueBackend(Protocol):
    """The one seam every channel calls: the embedded core or a Rasa server."""

    def respond(self, turn: Turn) -> Reply:
        """Answer one turn, keeping per-conversation state."""
        ...

    def region_names(self) -> list[str]:
        """Short names of the regions the plans cover (涪陵, 资阳…), for buttons."""
        ...
