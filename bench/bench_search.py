"""Search speed and index build time of the knowledge core, timed in the same run as a naive peer
(jieba + rank_bm25 over the plans' raw lines).

Prints: index build time for the plans (cold, with jieba/OpenCC loading, and warm rebuild), warm search
latency p50/p95 of KnowledgeBase.search and of the peer, and their ratio.
Targets: build <= 10 s, warm search p50 <= 10 ms on 2 cores.
Usage: python3 bench/bench_search.py [--rounds 5]   (needs `pip install rank_bm25` for the peer)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Questions written for this benchmark, in the users' voice (not from any eval set).
QUERIES = [
    "高龄津贴多大年纪可以领", "老年大学怎么报名", "社区有没有老年食堂", "日间照料中心提供什么服务",
    "失能老人护理补贴", "养老院床位有多少", "家庭养老床位是什么", "农村幸福院", "适老化改造补贴",
    "助餐点在哪里", "时间银行", "养老服务消费券", "长期护理保险试点", "特困老人集中供养",
    "独居老人探访", "智慧养老平台", "医养结合机构", "养老护理员培训", "社区养老服务站面积",
    "老年人助浴服务", "我妈八十多了有啥补贴", "長壽金怎麼領", "高灵补贴", "住餐点", "蔺市有没有养老院",
    "安岳县敬老院", "双桥区老年大学", "万州养老服务中心补助", "巫溪县托育", "涪陵区养老服务设施",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_calls(fn, queries: list[str], rounds: int) -> list[float]:  # noqa: ANN001 - any search callable
    for query in queries:  # warm
        fn(query)
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            fn(query)
            times.append((time.perf_counter() - start) * 1000)
    return times


class NaivePeer:
    """jieba.lcut + rank_bm25.BM25Okapi over the non-empty raw lines of every plan."""

    def __init__(self, plans_dir: Path) -> None:
        import jieba
        from rank_bm25 import BM25Okapi

        from knowledge.ingest.corpus import read_plans

        self.jieba = jieba
        self.lines = [line.strip() for plan in read_plans(plans_dir) for line in plan.raw.splitlines() if line.strip()]
        self.bm25 = BM25Okapi([jieba.lcut(line) for line in self.lines])

    def search(self, query: str, k: int = 5) -> list[str]:
        scores = self.bm25.get_scores(self.jieba.lcut(query))
        top = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:k]
        return [self.lines[i] for i in top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from knowledge.retrieval.search import KnowledgeBase
    from knowledge.settings import KnowledgeSettings

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(KnowledgeSettings.from_env(), index_dir=Path(tmp) / "index")
        start, cpu = time.perf_counter(), time.process_time()
        kb = KnowledgeBase(settings)
        index = kb.warm_up(rebuild=True)
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        KnowledgeBase(settings).warm_up(rebuild=True)
        warm_build, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        KnowledgeBase(settings).warm_up()
        reload = time.perf_counter() - start
        plans = len({p.doc for p in index.store.passages})
        print(f"index build, {plans} plans, {len(index.store)} passages: cold {cold:.2f} s wall / {cold_cpu:.2f} s CPU "
              f"(incl. jieba/OpenCC load), rebuild {warm_build:.2f} s wall / {warm_cpu:.2f} s CPU, "
              f"reload {reload:.2f} s  [target <= 10 s]")

        ours = time_calls(lambda q: kb.search(q, k=5), QUERIES, args.rounds)
        print(f"KnowledgeBase.search  p50 {statistics.median(ours):6.2f} ms  p95 {percentile(ours, 0.95):6.2f} ms  "
              f"({len(ours)} searches)  [target p50 <= 10 ms]")
        try:
            start = time.perf_counter()
            peer = NaivePeer(settings.plans_dir)
            peer_build = time.perf_counter() - start
        except ImportError:
            print("naive peer skipped: pip install rank_bm25")
            return 0
        theirs = time_calls(peer.search, QUERIES, args.rounds)
        print(f"naive jieba+rank_bm25 p50 {statistics.median(theirs):6.2f} ms  p95 {percentile(theirs, 0.95):6.2f} ms  "
              f"(build {peer_build:.2f} s over {len(peer.lines)} lines)")
        print(f"ratio ours/peer p50: {statistics.median(ours) / statistics.median(theirs):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
