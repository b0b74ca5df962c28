"""Rasa custom actions (rasa-sdk): Rasa picks the action, the dialogue core writes the reply.

Serve them with `python -m rasa_sdk --actions bot.channels.rasa.actions --port 5055`. Each action hands the turn to
the core (`DialogueBackend.respond`), says the reply's text with one button per region when the core asks
for one, attaches the whole reply as custom JSON (`{"custom": reply.to_dict()}` in the REST channel, read
by bot.dialogue.rasa_backend), and keeps the slots `region` (short name, as the buttons send it), `topic` and
`needs_region` in step with the core.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.seam import WHERE_TO_ASK, DialogueBackend, Reply, Turn
from bot.dialogue.seam import Action as ReplyAction

log = logging.getLogger(__name__)

REGION_SLOT = "region"
TOPIC_SLOT = "topic"
NEEDS_REGION_SLOT = "needs_region"


@lru_cache(maxsize=1)
def shared_core() -> DialogueBackend:
    """The embedded core the action server's actions share, built once from the environment on first use."""
    from bot.dialogue.seam import build_embedded_backend
    from bot.settings import BotSettings

    return build_embedded_backend(BotSettings.from_env())


def region_button(name: str) -> dict[str, str]:
    """A button that sends the set_region intent with the region, as domain.yml's entity expects."""
    return {"title": name, "payload": f'/set_region{{"{REGION_SLOT}":"{name}"}}'}


class CoreAction(Action, ABC):
    """Ask the core about the user's latest message, say its reply, keep the slots in step."""

    #: What the core is told instead of the user's words (Rasa already knows the intent), if anything.
    core_text: ClassVar[str | None] = None
    #: False when a domain response said it already: the reply then goes out as custom JSON only.
    says_text: ClassVar[bool] = True

    def __init__(self, core: DialogueBackend | None = None) -> None:
        self._core = core

    @property
    def core(self) -> DialogueBackend:
        return self._core if self._core is not None else shared_core()

    @abstractmethod
    def name(self) -> str:
        """The action's name in nlu_data/domain.yml."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer through the core; a failing core gets the kind fallback, never a crash."""
        metadata = tracker.latest_message.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        region = metadata.get("region") or tracker.get_slot(REGION_SLOT)
        staff = metadata.get("staff") is True
        turn = Turn(self.core_text or user_text(tracker), tracker.sender_id, region, staff)
        try:
            reply = self.core.respond(turn)
        except Exception:
            log.exception("dialogue core failed in %s", self.name())
            text = "系统忙，请稍后再试。" + WHERE_TO_ASK
            reply = Reply("out_of_scope", 0.0, ReplyAction.FALLBACK, text, text)
        self.utter(dispatcher, reply)
        return self.slots(reply, tracker)

    def utter(self, dispatcher: CollectingDispatcher, reply: Reply) -> None:
        """The reply's text and region buttons (unless a response said it) and the reply as custom JSON."""
        if self.says_text:
            buttons = [region_button(name) for name in reply.options]
            dispatcher.utter_message(text=reply.answer, buttons=buttons)
        dispatcher.utter_message(json_message=reply.to_dict())

    def slots(self, reply: Reply, tracker: Tracker) -> list[EventType]:
        """region: the short name of the reply's region; topic: the question's topic; needs_region."""
        events: list[EventType] = [SlotSet(NEEDS_REGION_SLOT, reply.action is ReplyAction.CLARIFY_REGION)]
        if reply.region:
            short = self.short_region(reply.region)
            if short != tracker.get_slot(REGION_SLOT):
                events.append(SlotSet(REGION_SLOT, short))
        topics = {topic.name for topic in self.core.topics()}
        if reply.intent in topics and reply.intent != tracker.get_slot(TOPIC_SLOT):
            events.append(SlotSet(TOPIC_SLOT, reply.intent))
        return events

    def short_region(self, region: str) -> str:
        """涪陵 for 重庆市涪陵区: the name the buttons use."""
        return next((r.short_name for r in self.core.regions() if r.name == region or r.short_name == region), region)


class ActionAnswer(CoreAction):
    """A topic question (or the region the waiting question needed): the core's cited answer."""

    def name(self) -> str:
        return "action_answer"


class ActionSetRegion(CoreAction):
    """The user names a region: the core remembers it and answers the question waiting for it."""

    def name(self) -> str:
        return "action_set_region"


class ActionAskMore(CoreAction):
    """More of the last answer: the core's next best passage, with its source."""

    core_text = "继续说"

    def name(self) -> str:
        return "action_ask_more"


class ActionRepeat(CoreAction):
    """The last answer again."""

    core_text = "再说一遍"

    def name(self) -> str:
        return "action_repeat"


class ActionHandoff(CoreAction):
    """Hand over to a person: utter_handoff has said so; channels get the core's handoff reply as JSON."""

    core_text = "转人工"
    says_text = False

    def name(self) -> str:
        return "action_handoff"


def user_text(tracker: Tracker) -> str:
    """The user's words; for a button payload (/set_region{...}) the region it carries."""
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        region = next(tracker.get_latest_entity_values(REGION_SLOT), None) or tracker.get_slot(REGION_SLOT)
        return str(region or "")
    return text
