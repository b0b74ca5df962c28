"""The embedded backend: one warm-up under racing threads, conversation state that outlives a backend
(SQLite under the data folder; Redis shared by replicas)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

import knowledge.retrieval.search as search_module
from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.nlu.intent import IntentClassifier
from bot.dialogue.seam import Action, Turn
from bot.dialogue.state import RedisConversations, SqliteConversations
from bot.settings import BotSettings


def test_two_first_warm_ups_racing_build_once(session_settings: BotSettings, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"train_or_load": 0, "open_index": 0}
    train_or_load, open_index = IntentClassifier.train_or_load.__func__, search_module.open_index

    def counted_train_or_load(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["train_or_load"] += 1
        time.sleep(0.2)  # widen the window in which a second thread could start another build
        return train_or_load(cls, *args, **kwargs)

    def counted_open_index(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["open_index"] += 1
        time.sleep(0.2)
        return open_index(*args, **kwargs)

    monkeypatch.setattr(IntentClassifier, "train_or_load", classmethod(counted_train_or_load))
    monkeypatch.setattr(search_module, "open_index", counted_open_index)
    backend = EmbeddedBackend.from_settings(replace(session_settings, data_dir=tmp_path))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def first_turn() -> None:
        try:
            start.wait()
            backend.warm_up()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_turn) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert calls == {"train_or_load": 1, "open_index": 1}
    assert backend.respond(Turn("万州的高龄津贴怎么领")).action is Action.ANSWER
    assert calls == {"train_or_load": 1, "open_index": 1}, "a turn after warm-up builds nothing"


def clarify_then_restart(first: EmbeddedBackend, make_second: callable, conversation: str) -> None:  # type: ignore[valid-type]
    asked = first.respond(Turn("高龄津贴怎么领", conversation))
    assert asked.action is Action.CLARIFY_REGION
    second = make_second()
    assert second is not first and second.core is not first.core
    answered = second.respond(Turn("万州", conversation))
    assert answered.action is Action.ANSWER and answered.region == "重庆市万州区", "the waiting question survived"
    third = make_second()
    assert third.respond(Turn("再说一遍", conversation)).answer == answered.answer
    later = third.respond(Turn("老年大学怎么报名", conversation))
    assert later.action is not Action.CLARIFY_REGION and later.region == "重庆市万州区", "the region survived"
    assert third.respond(Turn("老年大学怎么报名", f"{conversation}-other")).action is Action.CLARIFY_REGION


def test_conversation_state_survives_a_new_backend_over_the_same_data_dir(session_settings: BotSettings,
                                                                          tmp_path: Path) -> None:
    settings = replace(session_settings, data_dir=tmp_path / "data", redis_url="")
    first = EmbeddedBackend.from_settings(settings)
    assert isinstance(first.core.conversations, SqliteConversations)
    assert first.core.conversations.path.parent == settings.data_dir
    clarify_then_restart(first, lambda: EmbeddedBackend.from_settings(settings), "sqlite-restart")


def test_conversation_state_survives_a_new_backend_over_redis(session_settings: BotSettings, tmp_path: Path,
                                                              redis_url: str) -> None:
    replicas = iter(range(100))

    def replica() -> EmbeddedBackend:  # each replica its own data folder: only Redis is shared
        settings = replace(session_settings, data_dir=tmp_path / f"replica-{next(replicas)}", redis_url=redis_url)
        backend = EmbeddedBackend.from_settings(settings)
        assert isinstance(backend.core.conversations, RedisConversations)
        return backend

    clarify_then_restart(replica(), replica, "redis-restart")
    assert not any(tmp_path.rglob("conversations.sqlite3")), "nothing was kept locally"
