"""Embedded intent classifier: training time, prediction latency, and intent accuracy on a labelled JSONL set.

Usage: python3 bench/bench_nlu_intent.py [../shared/eval/dev.jsonl]
Prints figures only (accuracy, per-intent recall, confusions), never the questions.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dialogue.nlu.intent import IntentClassifier  # noqa: E402
from knowledge.text.chinese import ChineseText  # noqa: E402
from knowledge.text.nlu_data import load_training_data  # noqa: E402


def main(argv: list[str]) -> int:
    labelled = Path(argv[0]) if argv else ROOT.parent / "shared" / "eval" / "dev.jsonl"
    text = ChineseText()
    started = time.perf_counter()
    text.warm_up()
    print(f"tokenizer warm-up: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    data = load_training_data()
    print(f"read nlu_data: {time.perf_counter() - started:.2f} s, {len(data.examples)} examples, "
          f"{len(data.intents)} intents")
    started, cpu = time.perf_counter(), time.process_time()
    classifier = IntentClassifier(text).fit(data)
    print(f"train: {time.perf_counter() - started:.2f} s wall, {time.process_time() - cpu:.2f} s CPU, "
          f"temperature {classifier.temperature:.2f}")
    started = time.perf_counter()
    for _ in range(200):
        classifier.predict("我妈八十五了，万州的高龄津贴咋个领")
    print(f"predict: {(time.perf_counter() - started) / 200 * 1000:.1f} ms per question")
    if not labelled.is_file():
        print(f"no labelled set at {labelled}")
        return 0
    rows = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [row["intent"] for row in rows]
    predicted = [p.name for p in classifier.predict_many([row["question"] for row in rows])]
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    print(f"intent accuracy on {labelled.name}: {right / len(rows):.3f} ({right}/{len(rows)})")
    totals, hits = Counter(gold), Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    for intent in sorted(totals):
        print(f"  {intent:18s} recall {hits[intent] / totals[intent]:.2f} ({hits[intent]}/{totals[intent]})")
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    print("confusions:", ", ".join(f"{g}→{p}: {n}" for (g, p), n in confusions.most_common()) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
