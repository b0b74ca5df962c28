"""The rasa-sdk actions over the real embedded core, driven by a CollectingDispatcher and real Trackers."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakes import RecordingBackend
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.channels.rasa.actions import (
    ActionAnswer,
    ActionAskMore,
    ActionHandoff,
    ActionRepeat,
    ActionSetRegion,
    CoreAction,
)
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.rasa_backend import reply_from_messages
from bot.dialogue.seam import Reply, Turn

DOMAIN = Path(__file__).resolve().parents[2] / "nlu_data" / "domain.yml"
_senders = itertools.count()


def new_sender() -> str:
    return f"rasa-test-{next(_senders)}"


def tracker(sender: str, text: str, intent: str, slots: dict[str, Any] | None = None,
            entities: list[dict[str, Any]] | None = None, metadata: dict[str, Any] | None = None) -> Tracker:
    """A Tracker as the Rasa server sends it: the latest message with its intent, entities and the channel's
    metadata (region, staff), the slots."""
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
               "metadata": metadata or {}}
    return Tracker(sender, dict(slots or {}), message, [], False, None, {}, "action_listen")


def run(action: CoreAction, track: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(messages, slots set) after one run of the action."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, track, {})
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return dispatcher.messages, slots


def custom(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The core's reply the action attached as custom JSON (exactly one)."""
    attached = [m["custom"] for m in messages if m.get("custom")]
    assert len(attached) == 1, messages
    return attached[0]


def short_names(backend: EmbeddedBackend) -> list[str]:
    return [region.short_name for region in backend.regions()]


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def test_cited_answer_is_said_and_attached_as_json(embedded: EmbeddedBackend) -> None:
    messages, slots = run(ActionAnswer(embedded), tracker(new_sender(), "万州的助餐服务怎么搞的？", "meal"))
    reply = custom(messages)
    assert reply["action"] == "answer"
    assert reply["sources"] and all("万州" in source["region"] for source in reply["sources"])
    assert "出处" in reply["answer"]
    assert texts(messages) == [reply["answer"]]
    assert slots == {"needs_region": False, "region": "万州", "topic": "meal"}
    # what bot.dialogue.rasa_backend rebuilds from the REST channel's messages is the core's reply
    rebuilt = reply_from_messages(messages)
    assert (rebuilt.action.value, rebuilt.answer, len(rebuilt.sources)) == ("answer", reply["answer"], 5)


def test_no_region_asks_for_one_with_a_button_per_region(embedded: EmbeddedBackend) -> None:
    messages, slots = run(ActionAnswer(embedded), tracker(new_sender(), "老年大学怎么报名？", "elder_university"))
    reply = custom(messages)
    assert reply["action"] == "clarify_region" and reply["sources"] == []
    buttons = next(m["buttons"] for m in messages if m.get("buttons"))
    assert [b["title"] for b in buttons] == short_names(embedded) == reply["options"]
    first = short_names(embedded)[0]
    assert buttons[0]["payload"] == f'/set_region{{"region":"{first}"}}'
    assert slots == {"needs_region": True, "topic": "elder_university"}


def test_region_button_answers_the_waiting_question_and_sets_the_slot(embedded: EmbeddedBackend) -> None:
    sender = new_sender()
    run(ActionAnswer(embedded), tracker(sender, "老年大学怎么报名？", "elder_university"))
    # region_form filled the slot from the button's entity; then action_answer runs on the payload message
    entities = [{"entity": "region", "value": "资阳"}]
    track = tracker(sender, '/set_region{"region":"资阳"}', "set_region", {"region": "资阳"}, entities)
    messages, slots = run(ActionAnswer(embedded), track)
    reply = custom(messages)
    assert reply["action"] == "answer" and reply["intent"] == "elder_university"
    assert all("资阳" in source["region"] for source in reply["sources"])
    assert slots["needs_region"] is False and slots["topic"] == "elder_university"


def test_set_region_keeps_the_short_name_the_buttons_use(embedded: EmbeddedBackend) -> None:
    # the entity extractor gives 万州区; the slot keeps 万州, like the buttons' payloads
    entities = [{"entity": "region", "value": "万州区"}]
    track = tracker(new_sender(), "我是万州区的", "set_region", {"region": "万州区"}, entities)
    messages, slots = run(ActionSetRegion(embedded), track)
    assert custom(messages)["region"] == "重庆市万州区"
    assert "万州" in texts(messages)[0]
    assert slots == {"needs_region": False, "region": "万州"}


def test_follow_up_uses_the_region_slot(embedded: EmbeddedBackend) -> None:
    messages, _ = run(ActionAnswer(embedded), tracker(new_sender(), "社区养老服务站有哪些服务？", "station", {"region": "双桥"}))
    reply = custom(messages)
    assert reply["action"] == "answer"
    assert all("双桥" in source["region"] for source in reply["sources"])


def test_ask_more_repeat_and_handoff(embedded: EmbeddedBackend) -> None:
    sender = new_sender()
    first, _ = run(ActionAnswer(embedded), tracker(sender, "万州的助餐服务怎么搞的？", "meal"))
    first_reply = custom(first)

    more, _ = run(ActionAskMore(embedded), tracker(sender, "还有啥子", "ask_more", {"region": "万州"}))
    more_reply = custom(more)
    assert more_reply["action"] == "answer" and len(more_reply["sources"]) == 1
    assert more_reply["sources"][0]["chunk_id"] not in {s["chunk_id"] for s in first_reply["sources"][:1]}
    assert "出处" in texts(more)[0]

    again, _ = run(ActionRepeat(embedded), tracker(sender, "你说啥", "repeat", {"region": "万州"}))
    assert custom(again)["answer"] == more_reply["answer"]  # the last thing said: 还有呢 included

    handoff, slots = run(ActionHandoff(embedded), tracker(sender, "我要跟真人说话", "human_handoff", {"region": "万州"}))
    assert custom(handoff)["action"] == "handoff"
    assert texts(handoff) == []  # utter_handoff has said it
    assert "region" not in slots  # unchanged


def test_ask_more_with_nothing_asked_yet_says_so(embedded: EmbeddedBackend) -> None:
    messages, _ = run(ActionAskMore(embedded), tracker(new_sender(), "然后呢", "ask_more"))
    assert custom(messages)["action"] == "smalltalk" and custom(messages)["sources"] == []


def test_out_of_scope_question_falls_back_honestly(embedded: EmbeddedBackend) -> None:
    messages, slots = run(ActionAnswer(embedded), tracker(new_sender(), "万州明天下不下雨？", "policy_other"))
    reply = custom(messages)
    assert reply["action"] == "fallback" and reply["sources"] == []
    assert "12345" in reply["answer"]
    assert slots["needs_region"] is False


@pytest.mark.parametrize("text", ["", "🙂🙂", "hello there", "\x00\x01", "长" * 5000])
def test_bad_input_gets_a_kind_message(embedded: EmbeddedBackend, text: str) -> None:
    messages, _ = run(ActionAnswer(embedded), tracker(new_sender(), text, "nlu_fallback"))
    reply = custom(messages)
    assert reply["answer"] and texts(messages) == [reply["answer"]]


class BrokenCore(RecordingBackend):
    """A backend whose respond fails, to check the action still answers kindly."""

    def respond(self, turn: Turn) -> Reply:
        raise RuntimeError("index missing")


def test_a_failing_core_gets_a_kind_fallback_not_a_crash(embedded: EmbeddedBackend) -> None:
    messages, slots = run(ActionAnswer(BrokenCore(embedded)), tracker(new_sender(), "高龄津贴怎么领", "subsidy"))
    assert custom(messages)["action"] == "fallback"
    assert "12345" in texts(messages)[0]
    assert slots == {"needs_region": False}


def test_the_action_server_registers_exactly_the_domain_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("bot.channels.rasa.actions")
    domain_actions = set(yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["actions"])
    assert set(executor.actions) == domain_actions


def test_slot_events_are_rasa_events(embedded: EmbeddedBackend) -> None:
    events = ActionSetRegion(embedded).run(CollectingDispatcher(), tracker(new_sender(), "我在涪陵", "set_region"), {})
    assert SlotSet("region", "涪陵") in events


def test_no_slot_mapping_makes_rasa_run_our_actions_on_every_message() -> None:
    # a custom mapping with `action:` makes action_extract_slots run that action on each user message,
    # which would hand the turn to the core twice (the first reply silently dropped)
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    ours = set(domain["actions"])
    for name, slot in domain["slots"].items():
        for mapping in slot.get("mappings", []):
            assert mapping.get("action") not in ours, f"slot {name} is mapped to {mapping['action']}"


def test_metadata_region_and_staff_reach_the_core(embedded: EmbeddedBackend) -> None:
    """RasaBackend sends Turn.region and Turn.staff as message metadata; the action hands them to the core."""
    recording = RecordingBackend(embedded)
    sender = new_sender()
    messages, _ = run(ActionAnswer(recording), tracker(sender, "高龄津贴怎么领", "subsidy",
                                                       metadata={"region": "万州", "staff": True}))
    assert recording.turns == [Turn("高龄津贴怎么领", sender, "万州", True)]
    reply = custom(messages)
    assert reply["action"] == "answer" and reply["region"] == "重庆市万州区"


def test_without_metadata_the_same_question_asks_for_the_region(embedded: EmbeddedBackend) -> None:
    recording = RecordingBackend(embedded)
    messages, _ = run(ActionAnswer(recording), tracker(new_sender(), "高龄津贴怎么领", "subsidy"))
    assert recording.turns[-1].region is None and recording.turns[-1].staff is False
    assert custom(messages)["action"] == "clarify_region"
