"""The figures of `elderbot eval` for the Rasa backend: the same file, the same rules, every turn through Rasa.

    python3 bench/eval_rasa_backend.py ../shared/eval/dev.jsonl [--answers out.jsonl] [--k 5] [--timeout 60]
        [--model nlu_data/models/elderbot.tar.gz]

Trains the model with scripts/rasa-train.sh when it is missing, starts the rasa-sdk action server
(bot.channels.rasa.actions, on this Python) and `rasa run` on free 127.0.0.1 ports as scripts/rasa-run.sh does
— with a temporary ELDERBOT_DATA_DIR and no Redis, so the run leaves no conversation state behind — waits until
both are ready, and asks every item through RasaBackend(answer_when_down=False): items sharing a "conversation"
in one conversation, the others each under a fresh sender. Scores with bot.admin.evaluation.score, prints the
figures and per-kind lines, then how many turns Rasa failed on (answered with the busy message: never a silent
fallback to the embedded core). Stops both servers whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_common import load_module  # noqa: E402

from bot.admin.evaluation import ask_all, read_jsonl, score  # noqa: E402
from bot.dialogue.rasa_backend import RasaBackend  # noqa: E402
from bot.dialogue.seam import Reply, Turn  # noqa: E402

NLU_DATA = ROOT / "nlu_data"
RASA = ROOT / ".rasa-env" / "bin" / "rasa"
_FAKES = load_module(ROOT / "tests" / "fakes.py", "fakes")  # the tests' server helpers
free_port, log_tail, quiet_rasa_env = _FAKES.free_port, _FAKES.log_tail, _FAKES.quiet_rasa_env
ServerFailed, wait_until = _FAKES.ServerFailed, _FAKES.wait_until
DEFAULT_MODEL = NLU_DATA / "models" / "elderbot.tar.gz"
BUSY = "系统忙，请稍后再试。"  # how both RasaBackend (Rasa down) and the actions (core failed) begin their reply
START_TIMEOUT = 180.0
LOAD_TIMEOUT = 600.0
WARM_UP_TIMEOUT = 300.0


class CountingRasaBackend(RasaBackend):
    """RasaBackend that remembers the sender of every request and counts the turns Rasa did not answer."""

    def __init__(self, url: str, local: Any, timeout: float) -> None:
        super().__init__(url, local, answer_when_down=False, timeout=timeout)
        self.senders: list[str] = []
        self.down = 0
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
                                    event_hooks={"request": [self._remember_sender]})

    def _remember_sender(self, request: httpx.Request) -> None:
        self.senders.append(str(json.loads(request.content or b"{}").get("sender")))

    def respond(self, turn: Turn) -> Reply:
        asked = len(self.senders)
        reply = super().respond(turn)
        if len(self.senders) == asked:  # the breaker was open: no request sent
            self.senders.append("")
        return reply

    def _when_down(self, turn: Turn) -> Reply:
        self.down += 1
        return super()._when_down(turn)


def start(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL if it has not exited within 15 s."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def warm_up_request(sender: str) -> dict[str, Any]:
    """An action call as Rasa sends it: the action server builds its core before the first question."""
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"text": "再说一遍", "entities": []},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return {"next_action": "action_repeat", "sender_id": sender, "tracker": tracker, "domain": {}}


def local_backend() -> Any:
    """The embedded backend the Rasa backend keeps for look-ups (regions); conversations in memory."""
    from bot.dialogue.core import DialogueCore
    from bot.dialogue.embedded import EmbeddedBackend
    from bot.settings import BotSettings
    from knowledge.retrieval.search import KnowledgeBase

    settings = BotSettings.from_env()
    backend = EmbeddedBackend(DialogueCore(KnowledgeBase(settings.knowledge),
                                           settings.knowledge.index_dir / "intent-classifier.pkl",
                                           settings=settings.answers))
    backend.warm_up()
    return backend


def check_senders(items: list[dict], senders: list[str]) -> None:
    """Items of one conversation share a sender; every item without one had a sender of its own."""
    if len(senders) != len(items):
        raise AssertionError(f"{len(items)} items but {len(senders)} turns")
    by_conversation: dict[str, set[str]] = {}
    lone: list[str] = []
    for item, sender in zip(items, senders, strict=True):
        if not sender:
            continue  # not sent (Rasa taken as down)
        conversation = item.get("conversation")
        if conversation in (None, ""):
            lone.append(sender)
        else:
            by_conversation.setdefault(str(conversation), set()).add(sender)
    shared = [c for c, s in by_conversation.items() if len(s) != 1]
    conversation_senders = set().union(*by_conversation.values()) if by_conversation else set()
    if shared or len(set(lone)) != len(lone) or conversation_senders & set(lone):
        raise AssertionError(f"senders wrong: conversations with several {shared}, lone turns {len(lone)} "
                             f"with {len(set(lone))} senders")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="eval file (JSONL, the format of shared/eval/README.md)")
    parser.add_argument("--answers", type=Path, help="also write the replies here (JSONL)")
    parser.add_argument("--k", type=int, default=5, help="cut-off for recall and MRR")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds Rasa may take over one turn")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained Rasa model")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    if not RASA.exists():
        print(".rasa-env/ missing: run `bash scripts/rasa-env.sh` first", file=sys.stderr)
        return 2
    items = read_jsonl(args.file)
    model = args.model.resolve()
    if not model.is_file():
        if model != DEFAULT_MODEL:
            print(f"no model at {model}", file=sys.stderr)
            return 2
        print("training the Rasa model (scripts/rasa-train.sh) …", file=sys.stderr)
        subprocess.run(["bash", "scripts/rasa-train.sh"], cwd=ROOT, check=True, stdout=sys.stderr)

    local = local_backend()  # first: builds the index (if stale) before the action server opens it
    work = Path(tempfile.mkdtemp(prefix="elderbot-rasa-eval-"))
    action_port, rasa_port = free_port(), free_port()
    action_log, rasa_log = work / "actions.log", work / "rasa.log"
    processes: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    try:
        actions = start([sys.executable, "-m", "rasa_sdk", "--actions", "bot.channels.rasa.actions",
                         "--port", str(action_port)], ROOT,
                        quiet_rasa_env(ROOT, SANIC_HOST="127.0.0.1", ELDERBOT_DATA_DIR=str(work / "data"), REDIS_URL=""),
                        action_log)
        processes.append(actions)
        action_url = f"http://127.0.0.1:{action_port}"
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        with httpx.Client(timeout=WARM_UP_TIMEOUT) as client:
            wait_until(lambda: client.get(f"{action_url}/health").status_code == 200,
                       actions, START_TIMEOUT, action_log, "action server")
            server = start([str(RASA), "run", "--enable-api", "--model", str(model), "--interface", "127.0.0.1",
                            "--port", str(rasa_port), "--endpoints", "endpoints.yml",
                            "--credentials", "credentials.yml"], NLU_DATA,
                           quiet_rasa_env(ROOT, RASA_ACTION_ENDPOINT=f"{action_url}/webhook"), rasa_log)
            processes.append(server)
            warm = client.post(f"{action_url}/webhook", json=warm_up_request("warm-up"))  # while Rasa loads
            if warm.status_code != 200:
                raise ServerFailed(f"action server warm-up: {warm.status_code}\n{log_tail(action_log)}")

            def model_loaded() -> bool:
                response = client.get(f"{rasa_url}/status")
                return response.status_code == 200 and bool(response.json().get("model_id"))

            wait_until(model_loaded, server, LOAD_TIMEOUT, rasa_log, "rasa server")
            client.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": "warm-up", "message": "你好"})
        ready = time.monotonic()
        backend = CountingRasaBackend(rasa_url, local, args.timeout)
        answers = ask_all(backend, items)
        asked = time.monotonic()
        check_senders(items, backend.senders)
    except (ServerFailed, subprocess.CalledProcessError) as exc:
        print(f"eval_rasa_backend: {exc}", file=sys.stderr)
        return 1
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)

    if args.answers:
        args.answers.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), "utf-8")
    short_names = [region.short_name for region in local.regions()]
    for line in score(items, answers, short_names, k=args.k).lines():
        print(line)
    busy = sum(a.get("action") == "fallback" and str(a.get("answer", "")).startswith(BUSY) for a in answers)
    no_core = sum(a.get("intent") == "rasa" for a in answers)
    conversations = {str(i["conversation"]) for i in items if i.get("conversation") not in (None, "")}
    print(f"rasa: {len(answers)} turns ({len(conversations)} conversations) in {asked - ready:.0f} s "
          f"(servers ready after {ready - started:.0f} s); failed turns (busy message) {busy}, "
          f"of which Rasa unreachable or timed out {backend.down}; answered by a domain response without the "
          f"core's reply {no_core}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
