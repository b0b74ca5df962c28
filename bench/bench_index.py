"""Index build and load times for the shipped plans (or another plans folder).

    python3 bench/bench_index.py [--model all-MiniLM-L6-v2] [--rounds 3]

Prints: process-wide warm-up (jieba, OpenCC, pinyin tables), a full build (chunk, tokenise, BM25, and
embeddings when a model is given), a load of the stored index, and the index's size on disk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.retrieval.index import chinese_text_for, open_index  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from knowledge.text.gazetteer import Gazetteer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="none", help="embedding model to index as well (default none: BM25 only)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="elderbot-bench-") as scratch:
        settings = replace(
            KnowledgeSettings.from_env(),
            index_dir=Path(scratch) / "index",
            models_dir=Path(scratch) / "models",
            embedding_model=args.model,
        )
        started = time.perf_counter()
        chinese_text_for(Gazetteer.load(settings.plans_dir)).warm_up()
        print(f"text warm-up (once per process): {time.perf_counter() - started:.2f} s")
        builds, loads, cpu = [], [], []
        passages = 0
        for _ in range(args.rounds):
            started, started_cpu = time.perf_counter(), time.process_time()
            index = open_index(settings, rebuild=True)
            builds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            passages = len(index.store)
            started = time.perf_counter()
            loaded = open_index(settings)
            loads.append(time.perf_counter() - started)
            assert not loaded.built
        size = sum(p.stat().st_size for p in settings.index_dir.rglob("*") if p.is_file())
        print(f"passages: {passages}; model: {args.model or '- (BM25 only)'}")
        print(f"build: median {statistics.median(builds):.2f} s (min {min(builds):.2f}, max {max(builds):.2f})")
        print(f"build CPU time (what a busy machine does not change): median {statistics.median(cpu):.2f} s")
        print(f"load:  median {statistics.median(loads):.3f} s (min {min(loads):.3f}, max {max(loads):.3f})")
        print(f"on disk: {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
