"""Per-conversation memory: the region, the topic, the last answer and what is left to say."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.dialogue.seam import Reply
from knowledge.retrieval.passages import Hit


@dataclass
class ConversationState:
    """What the core remembers between two turns of one conversation."""

    region: str | None = None
    topic: str | None = None
    last_question: str = ""
    pending_question: str = ""
    last_reply: Reply | None = None
    remaining: list[Hit] = field(default_factory=list)


class ConversationStore:
    """Conversation states by id, oldest forgotten first beyond a cap; safe across threads."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._states: OrderedDict[str, ConversationState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation: str | None) -> ConversationState:
        """The state of a conversation; a turn without an id gets a fresh, unremembered one."""
        if not conversation:
            return ConversationState()
        with self._lock:
            state = self._states.pop(conversation, None) or ConversationState()
            self._states[conversation] = state
            while len(self._states) > self.capacity:
                self._states.popitem(last=False)
            return state

    def __len__(self) -> int:
        return len(self._states)
