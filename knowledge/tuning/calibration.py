"""Measuring retrieval on labelled queries, and deciding the dense weight from that measurement.

Labelled queries come from an eval file (JSONL with question, evidence, answerable, needs_region,
intent — the format of the project's dev set) or, without one, from the plans themselves: each
section title as a query for the passages under it, a check that needs no labels.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.retrieval.dense import model_identity
from knowledge.retrieval.fusion import DenseGate, RankingFigures, choose_weight, fuse, ranking_figures
from knowledge.retrieval.store import PassageStore
from knowledge.tuning.finetune import section_title

if TYPE_CHECKING:
    from knowledge.retrieval.search import KnowledgeBase, QueryScores

SKIPPED_INTENTS = frozenset({"greet", "goodbye"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LabelledQuery:
    """A question, the rows that answer it, and the region it names or is asked for (if any)."""

    question: str
    relevant: frozenset[int]
    region: str | None = None


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def evidence_in(evidence: str, passage: str) -> bool:
    """The eval rule: the evidence lies in the passage, or they share a run of max(8, 60%) of it."""
    e, p = _norm(evidence), _norm(passage)
    if not e or not p:
        return False
    if e in p:
        return True
    match = SequenceMatcher(None, e, p, autojunk=False).find_longest_match(0, len(e), 0, len(p))
    return match.size >= max(8, int(0.6 * len(e)))


def eval_file_queries(path: Path, store: PassageStore) -> list[LabelledQuery]:
    """Answerable items that need no region, each with the store rows holding its evidence."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if not item.get("answerable") or item.get("needs_region") or item.get("intent") in SKIPPED_INTENTS:
            continue
        evidence = item.get("evidence") or []
        relevant = frozenset(
            row for row, p in enumerate(store.passages) if any(evidence_in(e, p.text) for e in evidence)
        )
        queries.append(LabelledQuery(item["question"], relevant))
    return queries


def section_title_queries(store: PassageStore, every: int = 3) -> list[LabelledQuery]:
    """Every `every`-th section title (numbering cut) as a query for the passages of that section."""
    rows_of: dict[tuple[str, str], set[int]] = {}
    for row, passage in enumerate(store.passages):
        title = section_title(passage.section)
        if len(title) >= 4:
            rows_of.setdefault((passage.region, title), set()).add(row)
    ordered = sorted(rows_of.items())
    return [
        LabelledQuery(title, frozenset(rows), region)
        for n, ((region, title), rows) in enumerate(ordered)
        if n % every == 0
    ]


@dataclass(frozen=True)
class RetrievalReport:
    """BM25, dense and fused figures of one query set."""

    queries: int
    bm25: RankingFigures
    dense: RankingFigures | None
    fused: RankingFigures | None
    weight: float


def collect_scores(kb: KnowledgeBase, queries: Iterable[LabelledQuery]) -> list[QueryScores]:
    return [kb.query_scores(q.question, q.region, with_dense=True) for q in queries]


def retrieval_report(
    scores: Sequence[QueryScores], queries: Sequence[LabelledQuery], weight: float, k: int = 5
) -> RetrievalReport:
    """Figures of BM25 alone, dense alone and their fusion at `weight` (dense ones when there is an encoder)."""
    relevant = [set(q.relevant) for q in queries]
    bm25 = ranking_figures([fuse(s.bm25, None, 0.0, s.allowed) for s in scores], relevant, k)
    if any(s.dense is None for s in scores):
        return RetrievalReport(len(queries), bm25, None, None, 0.0)
    dense = ranking_figures([_masked(s.dense, s.allowed) for s in scores if s.dense is not None], relevant, k)
    fused = ranking_figures([fuse(s.bm25, s.dense, weight, s.allowed) for s in scores], relevant, k)
    return RetrievalReport(len(queries), bm25, dense, fused, weight)


def measure_gate(kb: KnowledgeBase, queries: Sequence[LabelledQuery], measured_on: str, k: int = 5) -> DenseGate:
    """Choose the dense weight for the knowledge base's encoder on labelled queries and record why."""
    scores = collect_scores(kb, queries)
    if any(s.dense is None for s in scores):
        raise ValueError("no embedding model configured: nothing to measure")
    weight, base, fused = choose_weight(
        [s.bm25 for s in scores],
        [s.dense for s in scores],  # type: ignore[misc]
        [set(q.relevant) for q in queries],
        [s.allowed for s in scores],
        k=k,
    )
    return DenseGate(
        model=model_identity(kb.settings.effective_embedding_model()),
        weight=weight,
        measured_on=measured_on,
        queries=len(queries),
        bm25_recall_at_1=base.recall_at_1,
        bm25_recall_at_k=base.recall_at_k,
        bm25_mrr=base.mrr,
        fused_recall_at_1=fused.recall_at_1,
        fused_recall_at_k=fused.recall_at_k,
        fused_mrr=fused.mrr,
    )


def _masked(scores: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    shifted = np.asarray(scores, dtype=np.float32) + 2.0  # cosine in [-1, 1] → positive, so every row ranks
    return shifted if allowed is None else np.where(allowed, shifted, 0.0)
