"""What 1,000 plans cost: a synthetic corpus made by recombining the sentences of the five real plans.

Each synthetic plan keeps the heading skeleton of one real plan (so structure detection and chunking see real
headings) and fills every paragraph with sentences drawn from the paragraphs of all five plans; each plan gets
its own district (样本0001区 …) in the manifest. The index is built with the project's own KnowledgeSettings +
KnowledgeBase (BM25 over jieba terms; dense retrieval only when ELDERBOT_EMBEDDING_MODEL is set).

Prints: corpus size, passages, index build time, index size on disk, peak memory, open time of the built index,
and search latency p50/p95 (whole corpus, and restricted to one district).
With faiss installed it also times exact (flat) against approximate (HNSW, IVF) vector search at the same
number of passages, on random unit vectors of the encoder's width (latency and recall only: no model needed).
Usage: python3 bench/bench_scale.py [--plans 1000] [--seed 7] [--keep DIR] [--no-faiss]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, load_manifest  # noqa: E402
from knowledge.retrieval.search import KnowledgeBase  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

# Written for this benchmark in the users' voice (not taken from any evaluation set).
QUERIES = [
    "高龄津贴多大年纪可以领", "老年大学怎么报名", "社区有没有老年食堂", "日间照料中心提供什么服务",
    "失能老人护理补贴", "家庭养老床位是什么", "农村幸福院", "适老化改造补贴", "助餐点在哪里", "时间银行",
    "养老服务消费券", "特困老人集中供养", "独居老人探访", "智慧养老平台", "医养结合机构", "养老护理员培训",
    "老年人助浴服务", "我妈八十多了有啥补贴", "长寿金怎么领", "养老服务站面积",
]
HEADING = re.compile(r"^\s*(第[一二三四五六七八九十百]+[章节篇部分]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）"
                     r"|\([一二三四五六七八九十]+\)|\d+[.．、]\s*\S{1,20}$|附件|附表)")
SENTENCE_END = re.compile(r"(?<=[。；！？])")


def read_sources(plans_dir: Path) -> tuple[list[list[str]], list[str]]:
    """Each real plan's lines, and every sentence of every non-heading line of all plans."""
    skeletons: list[list[str]] = []
    sentences: list[str] = []
    for plan in load_manifest(plans_dir):
        lines = (plans_dir / plan.file).read_text(encoding="utf-8-sig").splitlines()
        skeletons.append(lines)
        for line in lines:
            if line.strip() and not HEADING.match(line):
                sentences += [s for s in SENTENCE_END.split(line.strip()) if len(s) >= 8]
    return skeletons, sentences


def synthetic_plan(skeleton: list[str], sentences: list[str], rng: random.Random, district: str) -> str:
    """The skeleton's headings and short lines kept; every paragraph refilled with random real sentences."""
    out: list[str] = []
    for line in skeleton:
        stripped = line.strip()
        if not stripped or HEADING.match(line) or len(stripped) < 30:
            out.append(line)
            continue
        count = max(1, round(len(stripped) / 60))
        out.append("".join(rng.sample(sentences, count)))
    out.insert(0, f"{district}人民政府")
    return "\n".join(out) + "\n"


def make_corpus(target: Path, count: int, seed: int) -> int:
    """Write `count` synthetic plans and their manifest.csv into `target`; return the total bytes."""
    rng = random.Random(seed)
    real = load_manifest(PACKAGED_PLANS_DIR)
    skeletons, sentences = read_sources(PACKAGED_PLANS_DIR)
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    with (target / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "issuer", "doc_number", "date", "province", "city", "county"])
        for number in range(1, count + 1):
            source = real[(number - 1) % len(real)]
            district = f"样本{number:04d}区"
            text = synthetic_plan(skeletons[(number - 1) % len(skeletons)], sentences, rng, district)
            name = f"synthetic-{number:04d}.txt"
            (target / name).write_text(text, encoding="utf-8")
            total += len(text.encode("utf-8"))
            writer.writerow([name, f"{district}养老服务体系建设规划（合成）", f"{district}人民政府", "", source.date,
                             source.province, "", district])
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def time_searches(base: KnowledgeBase, region: str | None, rounds: int) -> list[float]:
    for query in QUERIES:
        base.search(query, region=region, k=5)
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            base.search(query, region=region, k=5)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def faiss_comparison(rows: int, dim: int = 384, queries: int = 200, seed: int = 7) -> None:
    """Flat (exact) vs HNSW vs IVF inner-product search over `rows` random unit vectors."""
    try:
        import faiss
        import numpy as np
    except ImportError:
        print("faiss: not installed (pip install faiss-cpu); vector-index comparison skipped")
        return
    faiss.omp_set_num_threads(1)  # one query per request: threads only add hand-over cost (and spin on a busy box)
    rng = np.random.default_rng(seed)
    # Clustered like real passage embeddings (topics), not uniform noise, which no ANN index can navigate.
    centres = rng.standard_normal((max(8, rows // 50), dim)).astype("float32")
    data = centres[rng.integers(0, len(centres), rows)] + 0.35 * rng.standard_normal((rows, dim)).astype("float32")
    faiss.normalize_L2(data)
    sources = rng.choice(rows, queries, replace=False)
    probe = data[sources] + 0.02 * rng.standard_normal((queries, dim)).astype("float32")
    faiss.normalize_L2(probe)
    nlist = max(16, int(4 * rows ** 0.5))
    candidates = {
        "flat (exact)": lambda: faiss.IndexFlatIP(dim),
        "HNSW M=32 efSearch=64": lambda: faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT),
        f"IVF nlist={nlist} nprobe=16": lambda: faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist,
                                                                    faiss.METRIC_INNER_PRODUCT),
    }
    exact: np.ndarray | None = None
    print(f"vector search over {rows} passages x {dim} dims ({rows * dim * 4 / 1e6:.0f} MB of float32):")
    for label, make in candidates.items():
        index = make()
        started = time.perf_counter()
        if hasattr(index, "train") and not index.is_trained:
            index.train(data)
        index.add(data)
        build_s = time.perf_counter() - started
        if hasattr(index, "nprobe"):
            index.nprobe = 16
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = 64
        timings, found = [], []
        for row in probe:
            started = time.perf_counter()
            _, ids = index.search(row[None, :], 10)
            timings.append((time.perf_counter() - started) * 1000)
            found.append(ids[0])
        found_ids = np.array(found)
        if exact is None:
            exact = found_ids
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found_ids, exact, strict=True)])
        own = np.mean(found_ids[:, 0] == sources)
        print(f"  {label}: build {build_s:.1f} s, query p50 {percentile(timings, 0.5):.2f} ms, "
              f"p95 {percentile(timings, 0.95):.2f} ms, recall@10 vs exact {recall:.3f}, source found first {own:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it (default: a temp folder)")
    parser.add_argument("--no-faiss", action="store_true", help="skip the flat/HNSW/IVF vector-index comparison")
    parser.add_argument("--faiss-only", type=int, metavar="ROWS", help="only the vector-index comparison, at ROWS")
    args = parser.parse_args()
    if args.faiss_only:
        faiss_comparison(args.faiss_only)
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="elderbot-scale-"))
    plans_dir, index_dir = work / "plans", work / "index"
    try:
        started = time.perf_counter()
        corpus_bytes = make_corpus(plans_dir, args.plans, args.seed)
        print(f"corpus: {args.plans} synthetic plans, {corpus_bytes / 1e6:.1f} MB of text "
              f"(made in {time.perf_counter() - started:.1f} s)")

        # models_dir of its own: BM25 only, whatever encoder a local `elderbot index --finetune` may have kept
        settings = KnowledgeSettings(plans_dir=plans_dir, index_dir=index_dir, models_dir=work / "models",
                                     embedding_model="none")  # BM25: e5 over 96,673 passages is its own bench
        started, cpu_started = time.perf_counter(), time.process_time()
        index = KnowledgeBase(settings).warm_up(rebuild=True)
        build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"index build: {build_s:.1f} s wall, {build_cpu_s:.1f} s CPU for {len(index.store)} passages "
              f"({len(index.store) / build_s:.0f} passages/s), peak RSS {peak_mb:.0f} MB")
        print(f"index size on disk: {folder_bytes(index_dir) / 1e6:.1f} MB "
              f"(dense: {'yes' if index.dense is not None else 'no, BM25 only'})")

        started = time.perf_counter()
        base = KnowledgeBase(settings)
        reopened = base.warm_up()
        assert not reopened.built, "the second open must load, not rebuild"
        print(f"open built index (a new replica starting): {time.perf_counter() - started:.1f} s")

        region = base.region_names()[len(base.region_names()) // 2]
        for label, scope in (("all plans", None), (f"one district ({region})", region)):
            timings = time_searches(base, scope, args.rounds)
            print(f"search {label}: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
                  f"mean {statistics.fmean(timings):.1f} ms over {len(timings)} searches")
        hits = base.search("高龄津贴多大年纪可以领", k=3)
        print("top hit:", hits[0].passage.short_region if hits else "-", (hits[0].passage.text[:40] if hits else ""))
        if not args.no_faiss:
            faiss_comparison(len(base.index.store))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
