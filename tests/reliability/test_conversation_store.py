"""Issue 19, item 2: conversation state is bounded by age, never by a count that new conversations can push an active
call out of; SQLite and a real redis-server alike. Redis unreachable at start means the local SQLite file; Redis
dying mid-run means turns without memory, not failed turns."""

from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path

import pytest
from reliability_ports import closed_port

from bot.dialogue.state import (
    ConversationState,
    ConversationStore,
    RedisConversations,
    SqliteConversations,
    open_conversations,
)

NEW_CONVERSATIONS = 10_500


def make_store(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, max_age_s: float
) -> ConversationStore:
    if kind == "redis":
        pytest.importorskip("redis")
        return RedisConversations(request.getfixturevalue("redis_url"), max_age_s)
    return SqliteConversations(tmp_path / "conversations.sqlite3", max_age_s)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_an_active_call_is_never_pushed_out_by_new_conversations(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = make_store(kind, request, tmp_path, 3600)
    store.put("call:active", ConversationState(region="重庆市涪陵区", read_back="高龄津贴怎么领"))
    for n in range(NEW_CONVERSATIONS):
        store.put(f"new-{n}", ConversationState(region="重庆市万州区"))
    kept = store.get("call:active")
    assert (kept.region, kept.read_back) == ("重庆市涪陵区", "高龄津贴怎么领")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_conversation_is_forgotten_once_older_than_its_age(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = make_store(kind, request, tmp_path, 1.0)
    store.put("old", ConversationState(region="重庆市涪陵区"))
    assert store.get("old").region == "重庆市涪陵区"
    time.sleep(2.1)
    assert store.get("old").region is None


def test_redis_unreachable_at_start_means_the_local_sqlite_file(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    store = open_conversations(f"redis://127.0.0.1:{closed_port()}/0", tmp_path / "data")
    assert isinstance(store, SqliteConversations) and store.path.parent == tmp_path / "data"


def test_redis_dying_mid_run_costs_the_memory_not_the_turn(
    redis_server: tuple[str, subprocess.Popen[bytes]], caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("redis")
    url, server = redis_server
    store = RedisConversations(url, 3600, rest_s=30.0)
    store.put("call:1", ConversationState(region="重庆市涪陵区"))
    assert store.get("call:1").region == "重庆市涪陵区"
    server.kill()
    server.wait(timeout=10)
    with caplog.at_level(logging.WARNING, logger="bot.dialogue.state"):
        assert store.get("call:1").region is None
        store.put("call:1", ConversationState(region="重庆市万州区"))
        started = time.monotonic()
        assert store.get("call:1").region is None
    assert time.monotonic() - started < 0.5, "while resting, Redis costs a turn no timeout"
    assert any("without conversation memory" in r.getMessage() for r in caplog.records)
