"""End to end through a real Rasa 3.6 server (REST channel) and the rasa-sdk action server over the core.

Needs .rasa-env/ (scripts/rasa-env.sh makes it; scripts/test.sh runs that before pytest). Trains into
nlu_data/models/e2e/ unless the model there already matches nlu_data (Rasa then reuses it), starts the action
server on this Python and `rasa run` on 127.0.0.1 ports, and stops both whatever happens.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fakes
import httpx
import pytest
from fakes import free_port, log_tail, quiet_rasa_env

from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.rasa_backend import RasaBackend, reply_from_messages
from bot.dialogue.seam import Action, Turn

ROOT = Path(__file__).resolve().parents[2]
NLU_DATA = ROOT / "nlu_data"
RASA = ROOT / ".rasa-env" / "bin" / "rasa"
MODEL_DIR = NLU_DATA / "models" / "e2e"
TRAIN_TIMEOUT = 900.0
START_TIMEOUT = 120.0
LOAD_TIMEOUT = 600.0  # loading the TensorFlow model: under a minute on an idle 2-core machine
WARM_UP_TIMEOUT = 300.0

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(not RASA.exists(), reason=".rasa-env/ missing: run `bash scripts/rasa-env.sh` first"),
]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it does not exit within 15 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_until(ready: Any, process: subprocess.Popen[bytes], timeout: float, log: Path, what: str) -> None:
    try:
        fakes.wait_until(ready, process, timeout, log, what)
    except fakes.ServerFailed as exc:
        pytest.fail(str(exc))


def warm_up_request(sender: str) -> dict[str, Any]:
    """An action call as Rasa sends it: makes the action server build its core before the first question."""
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"text": "再说一遍", "entities": []},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return {"next_action": "action_repeat", "sender_id": sender, "tracker": tracker, "domain": {}}


@dataclass
class RasaStack:
    url: str
    client: httpx.Client

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        response = self.client.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    work = tmp_path_factory.mktemp("rasa-e2e")
    action_port, rasa_port = free_port(), free_port()
    action_log, rasa_log, train_log = work / "actions.log", work / "rasa.log", work / "train.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with train_log.open("wb") as out:
            trainer = subprocess.Popen(
                [str(RASA), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
                 "--out", str(MODEL_DIR), "--fixed-model-name", "elderbot"],
                cwd=NLU_DATA, env=quiet_rasa_env(ROOT), stdout=out, stderr=subprocess.STDOUT)
        processes.append(trainer)
        with action_log.open("wb") as out:
            actions = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "bot.channels.rasa.actions", "--port", str(action_port)],
                cwd=ROOT, env=quiet_rasa_env(ROOT, SANIC_HOST="127.0.0.1", ELDERBOT_INDEX_DIR=str(work / "index"),
                              ELDERBOT_DATA_DIR=str(work / "data"), REDIS_URL=""),
                stdout=out, stderr=subprocess.STDOUT)
        processes.append(actions)
        action_url = f"http://127.0.0.1:{action_port}"
        client = httpx.Client(timeout=WARM_UP_TIMEOUT)
        wait_until(lambda: client.get(f"{action_url}/health").status_code == 200,
                   actions, START_TIMEOUT, action_log, "action server")
        # the action server builds its index and classifier while Rasa trains
        warm = client.post(f"{action_url}/webhook", json=warm_up_request("warm-up"))
        assert warm.status_code == 200, warm.text + log_tail(action_log)
        try:
            assert trainer.wait(timeout=TRAIN_TIMEOUT) == 0, log_tail(train_log)
        except subprocess.TimeoutExpired:
            pytest.fail(f"rasa train took over {TRAIN_TIMEOUT:.0f} s:\n{log_tail(train_log)}")
        with rasa_log.open("wb") as out:
            server = subprocess.Popen(
                [str(RASA), "run", "--enable-api", "--model", str(MODEL_DIR / "elderbot.tar.gz"),
                 "--interface", "127.0.0.1", "--port", str(rasa_port),
                 "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                cwd=NLU_DATA, env=quiet_rasa_env(ROOT, RASA_ACTION_ENDPOINT=f"{action_url}/webhook"),
                stdout=out, stderr=subprocess.STDOUT)
        processes.append(server)
        url = f"http://127.0.0.1:{rasa_port}"

        def model_loaded() -> bool:
            response = client.get(f"{url}/status")
            return response.status_code == 200 and bool(response.json().get("model_id"))

        wait_until(model_loaded, server, LOAD_TIMEOUT, rasa_log, "rasa server")
        yield RasaStack(url, client)
    finally:
        for process in reversed(processes):
            stop(process)


def custom(messages: list[dict[str, Any]]) -> dict[str, Any]:
    attached = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    assert len(attached) == 1, messages
    return attached[0]


def test_topic_question_with_region_gets_a_cited_answer(rasa_stack: RasaStack) -> None:
    messages = rasa_stack.send("e2e-answer", "万州的助餐服务怎么搞的？")
    reply = custom(messages)
    assert reply["action"] == "answer", messages
    assert reply["sources"] and all("万州" in s["region"] for s in reply["sources"])
    assert "出处" in reply["answer"]
    assert any(m.get("text") == reply["answer"] for m in messages)


def test_question_without_region_asks_then_answers_for_the_button(rasa_stack: RasaStack) -> None:
    messages = rasa_stack.send("e2e-clarify", "老年大学怎么报名？")
    reply = custom(messages)
    assert reply["action"] == "clarify_region", messages
    buttons = [b for m in messages for b in m.get("buttons") or []]
    assert [b["title"] for b in buttons] == reply["options"] and len(buttons) == 5
    chosen = next(b for b in buttons if b["title"] == "资阳")
    answer = custom(rasa_stack.send("e2e-clarify", chosen["payload"]))
    assert answer["action"] == "answer" and answer["intent"] == "elder_university"
    assert answer["sources"] and all("资阳" in s["region"] for s in answer["sources"])


def test_out_of_scope_question_gets_an_honest_fallback(rasa_stack: RasaStack) -> None:
    messages = rasa_stack.send("e2e-out-of-scope", "帮我订一张明天去北京的火车票")
    reply = reply_from_messages(messages)
    assert reply.action in (Action.FALLBACK, Action.SMALLTALK), messages
    assert reply.sources == [] and "出处" not in reply.answer


def test_follow_up_uses_the_remembered_region(rasa_stack: RasaStack, embedded: EmbeddedBackend) -> None:
    backend = RasaBackend(rasa_stack.url, embedded, answer_when_down=False, timeout=WARM_UP_TIMEOUT)
    remembered = backend.respond(Turn("我是万州的", "e2e-follow-up"))
    assert remembered.region == "重庆市万州区", remembered
    reply = backend.respond(Turn("社区养老服务站有哪些服务？", "e2e-follow-up"))
    assert reply.action is Action.ANSWER, reply
    assert reply.sources and all("万州" in hit.region for hit in reply.sources)
    more = backend.respond(Turn("还有呢", "e2e-follow-up"))
    assert more.action is Action.ANSWER and len(more.sources) == 1 and "出处" in more.answer
    assert more.sources[0].chunk_id != reply.sources[0].chunk_id


def test_a_channel_region_reaches_the_action_through_metadata(rasa_stack: RasaStack,
                                                              embedded: EmbeddedBackend) -> None:
    backend = RasaBackend(rasa_stack.url, embedded, answer_when_down=False, timeout=WARM_UP_TIMEOUT)
    reply = backend.respond(Turn("高龄津贴怎么领", "e2e-metadata-region", region="万州"))
    assert reply.action is Action.ANSWER, reply
    assert reply.region == "重庆市万州区" and reply.sources
    assert all(source.short_region == "万州" for source in reply.sources)
    without = backend.respond(Turn("高龄津贴怎么领", "e2e-metadata-none"))
    assert without.action is Action.CLARIFY_REGION, without


def test_handoff_says_so_and_attaches_the_core_reply(rasa_stack: RasaStack) -> None:
    messages = rasa_stack.send("e2e-handoff", "我要转人工")
    assert custom(messages)["action"] == "handoff", messages
    assert any("12345" in (m.get("text") or "") for m in messages)
