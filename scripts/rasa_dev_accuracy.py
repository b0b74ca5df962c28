"""Accuracy of a running Rasa server's NLU on the labelled dev questions, through its /model/parse endpoint.

Start the server first (nothing here trains; dev questions never go into training data):
    bash scripts/rasa-train.sh
    (cd nlu_data && ../.rasa-env/bin/rasa run --enable-api -i 127.0.0.1 --model models/elderbot.tar.gz)
    python3 scripts/rasa_dev_accuracy.py --url http://127.0.0.1:5005 [--dev ../shared/eval/dev.jsonl]
Prints intent accuracy, macro F1 over the dev intents, the fallback share and region-entity accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    """Macro F1 over the gold labels, and each label's F1."""
    true_pos, predicted, gold = Counter(), Counter(), Counter()
    for expected, got in pairs:
        gold[expected] += 1
        predicted[got] += 1
        true_pos[expected] += expected == got
    scores = {}
    for label in gold:
        precision = true_pos[label] / predicted[label] if predicted[label] else 0.0
        recall = true_pos[label] / gold[label]
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(scores.values()) / max(len(scores), 1), scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="Rasa server started with --enable-api")
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="labelled JSONL (question, intent, region)")
    args = parser.parse_args(argv)

    from knowledge.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    items = [json.loads(line) for line in args.dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs: list[tuple[str, str]] = []
    region_total = region_right = 0
    with httpx.Client(timeout=60.0) as client:
        for item in items:
            response = client.post(f"{args.url.rstrip('/')}/model/parse", json={"text": item["question"]})
            response.raise_for_status()
            parsed = response.json()
            pairs.append((item["intent"], (parsed.get("intent") or {}).get("name") or "none"))
            if item.get("region"):
                values = [e.get("value") for e in parsed.get("entities", []) if e.get("entity") == "region"]
                found = {gazetteer.resolve_region(str(v)) for v in values if v}
                region_total += 1
                region_right += found == {item["region"]}
    accuracy = sum(expected == got for expected, got in pairs) / len(pairs)
    f1, per_label = macro_f1(pairs)
    fallback = sum(got == "nlu_fallback" for _, got in pairs) / len(pairs)
    print(f"dev items={len(pairs)} intent accuracy={accuracy:.3f} macro F1={f1:.3f} nlu_fallback={fallback:.3f}")
    print("per-intent F1: " + " ".join(f"{label}={score:.2f}" for label, score in sorted(per_label.items())))
    if region_total:
        print(f"region entity accuracy={region_right / region_total:.3f} (items naming a region: {region_total})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
