"""Retrieval recall on a labelled eval set (default ../shared/eval/dev.jsonl): recall@1, recall@k, MRR@k.

Measures KnowledgeBase.search(question, k) over answerable items that need no region, with the
scoring rule of the eval's score.py (`hits`). Usage: python3 bench/recall_dev.py [EVAL.jsonl] [--k 5] [--misses N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def load_hits(eval_path: Path):  # noqa: ANN201 - the scorer's own function
    spec = importlib.util.spec_from_file_location("score", eval_path.parent / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("eval", nargs="?", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--with-region", action="store_true", help="pass the item's region to search")
    args = parser.parse_args()

    from knowledge.search import KnowledgeBase
    from knowledge.settings import KnowledgeSettings

    hits = load_hits(args.eval)
    items = [json.loads(line) for line in args.eval.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [
        it for it in items
        if it["answerable"] and not it.get("needs_region") and it["intent"] not in ("greet", "goodbye")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(replace(KnowledgeSettings.from_env(), index_dir=Path(tmp) / "index"))
        kb.warm_up()
        r1 = rk = 0
        mrr = 0.0
        misses = []
        for item in items:
            region = item.get("region") if args.with_region else None
            sources = [h.passage.text for h in kb.search(item["question"], region=region, k=args.k)]
            rank = next((i + 1 for i, s in enumerate(sources) if any(hits(e, s) for e in item["evidence"])), None)
            if rank:
                rk += 1
                mrr += 1 / rank
                r1 += rank == 1
            else:
                misses.append((item["id"], item["question"], item["evidence"][0][:40], sources[:1]))
    n = len(items)
    print(f"items={n} recall@1 {100 * r1 / n:.1f}%  recall@{args.k} {100 * rk / n:.1f}%  MRR@{args.k} {mrr / n:.3f}")
    for miss in misses[: args.misses]:
        print("MISS", *miss, sep=" | ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
