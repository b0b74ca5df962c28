"""Warm `ask` latency of the embedded core: p50 and p95 over the dev questions (or built-in ones).

    python bench/bench_ask.py [EVAL.jsonl] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.dialogue.embedded import EmbeddedBackend
from bot.dialogue.seam import Turn
from bot.settings import BotSettings
from knowledge.settings import KnowledgeSettings

FALLBACK_QUESTIONS = ["万州高龄津贴怎么领？", "资阳老年大学在哪里？", "双桥有助餐点吗？", "涪陵的养老服务站有什么服务？"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("eval", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.eval and args.eval.is_file():
        questions = [json.loads(line)["question"] for line in args.eval.read_text("utf-8").splitlines() if line]
    else:
        questions = FALLBACK_QUESTIONS
    with tempfile.TemporaryDirectory() as tmp:
        settings = BotSettings(knowledge=replace(KnowledgeSettings.from_env(), index_dir=Path(tmp)), data_dir=Path(tmp))
        core = EmbeddedBackend.from_settings(settings)
        started = time.perf_counter()
        core.warm_up()
        print(f"cold start (index build + intent model): {time.perf_counter() - started:.2f} s")
        index = core.knowledge.index
        dense = index.dense is not None and index.dense_weight > 0
        print(f"dense leg: {'on, ' + index.dense.model_name + f', weight {index.dense_weight}' if dense else 'off'}")
        for q in questions[:10]:
            core.respond(Turn(q))
        rounds: list[list[float]] = []
        for _ in range(args.rounds):
            timings = []
            for q in questions:
                t0 = time.perf_counter()
                core.respond(Turn(q))
                timings.append((time.perf_counter() - t0) * 1000)
            rounds.append(timings)
    first = rounds[0][10:]  # the questions not asked during warm-up: text the memos have not seen
    report("warm ask, text not seen before", first)
    report("warm ask, all rounds", [t for timings in rounds for t in timings])


def report(label: str, timings: list[float]) -> None:
    if not timings:
        return
    timings = sorted(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"{label} ({len(timings)} questions): p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
