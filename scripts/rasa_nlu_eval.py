"""Intent accuracy of a trained Rasa NLU model on a JSONL file of {"question", "intent"} lines.

Runs on the Rasa environment's Python 3.10:
  .rasa-env/bin/python scripts/rasa_nlu_eval.py nlu_data/models/elderbot.tar.gz ../shared/eval/dev.jsonl
Prints accuracy, per-intent recall and the confusions (gold → predicted), nothing of the questions themselves.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path


def quiet() -> None:
    """Rasa logs every parse (with its text) at debug level: keep only warnings."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


async def parse_all(model: Path, questions: list[str]) -> list[str]:
    from rasa.core.agent import Agent

    quiet()
    agent = Agent.load(str(model))
    names = []
    for question in questions:
        result = await agent.parse_message(question)
        names.append(result["intent"]["name"])
    return names


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    model, data = Path(argv[0]), Path(argv[1])
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.monotonic()
    predicted = asyncio.run(parse_all(model, [row["question"] for row in rows]))
    gold = [row["intent"] for row in rows]
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    print(f"intent accuracy: {right / len(rows):.3f} ({right}/{len(rows)}) in {time.monotonic() - started:.1f} s")
    totals, hits = Counter(gold), Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    for intent in sorted(totals):
        print(f"  {intent:18s} recall {hits[intent] / totals[intent]:.2f} ({hits[intent]}/{totals[intent]})")
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    print("confusions:", ", ".join(f"{g}→{p}: {n}" for (g, p), n in confusions.most_common()) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
