"""Fusing BM25 and dense scores, gated by what the dense model was measured to add.

A weak encoder must never cost BM25 its recall, so the dense weight is 0 unless a measurement
(a labelled question set, or held-out pairs made from the plans) showed that fusing at some weight
beats BM25 alone without losing any question BM25 had in its top k. That measurement is kept
next to the index as dense_gate.json and names the model it was made for. A gate measured for the
default encoder on the packaged plans ships in knowledge/retrieval/data/ (scripts/build_dense_data.py):
it holds wherever the index folder has none for that model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

GATE_FILE = "dense_gate.json"
PACKAGED_GATE_DIR = Path(__file__).resolve().parent / "data"
WEIGHT_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
CANDIDATE_POOL = 50
MIN_MRR_GAIN = 0.01


def min_max(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Scores of the given rows rescaled to [0, 1] (all 1 when they are equal); other rows 0."""
    out = np.zeros(len(scores), dtype=np.float32)
    if len(rows) == 0:
        return out
    values = scores[rows].astype(np.float32)
    low, high = float(values.min()), float(values.max())
    out[rows] = (values - low) / (high - low) if high > low else 1.0
    return out


def candidate_rows(scores: np.ndarray, allowed: np.ndarray | None, pool: int) -> np.ndarray:
    """The best `pool` allowed rows by score (rows outside `allowed` never qualify)."""
    ranked = np.argsort(-scores, kind="stable")
    if allowed is not None:
        ranked = ranked[allowed[ranked]]
    return ranked[:pool]


def fuse(
    bm25: np.ndarray,
    dense: np.ndarray | None,
    weight: float,
    allowed: np.ndarray | None = None,
    pool: int = CANDIDATE_POOL,
) -> np.ndarray:
    """(1 - w)·minmax(BM25) + w·minmax(dense) over the union of both retrievers' top `pool` allowed rows.

    With no dense scores or a weight of 0 this is BM25 itself (masked); every other row scores 0."""
    bm25 = np.asarray(bm25, dtype=np.float32)
    if dense is None or weight <= 0:
        return bm25 if allowed is None else np.where(allowed, bm25, 0.0).astype(np.float32)
    weight = min(float(weight), 1.0)
    lexical = candidate_rows(bm25, allowed, pool)
    lexical = lexical[bm25[lexical] > 0]
    rows = np.union1d(lexical, candidate_rows(dense, allowed, pool))
    fused = (1.0 - weight) * min_max(bm25, rows) + weight * min_max(dense, rows)
    fused[rows] += 1e-6  # every candidate stays a hit, even the lowest of both lists
    return fused.astype(np.float32)


@dataclass(frozen=True)
class RankingFigures:
    """Recall@1, recall@k and MRR@k of one ranking method over a query set."""

    recall_at_1: float
    recall_at_k: float
    mrr: float
    found: tuple[bool, ...]


def first_relevant_rank(scores: np.ndarray, relevant: set[int], k: int) -> int | None:
    """1-based rank of the first relevant row among the top k scored above 0."""
    for rank, row in enumerate(np.argsort(-scores, kind="stable")[:k], start=1):
        if scores[row] <= 0:
            return None
        if int(row) in relevant:
            return rank
    return None


def ranking_figures(rankings: Sequence[np.ndarray], relevant: Sequence[set[int]], k: int = 5) -> RankingFigures:
    """Figures of per-query score arrays against per-query relevant rows."""
    ranks = [first_relevant_rank(s, r, k) for s, r in zip(rankings, relevant, strict=True)]
    n = max(len(ranks), 1)
    return RankingFigures(
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_k=sum(r is not None for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        found=tuple(r is not None for r in ranks),
    )


@dataclass(frozen=True)
class DenseGate:
    """The dense weight measured for one model, and the figures that decided it."""

    model: str
    weight: float
    measured_on: str
    queries: int
    bm25_recall_at_1: float
    bm25_recall_at_k: float
    bm25_mrr: float
    fused_recall_at_1: float
    fused_recall_at_k: float
    fused_mrr: float

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / GATE_FILE
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> DenseGate | None:
        """The stored gate, or None when there is none or it is unreadable."""
        try:
            data = json.loads((directory / GATE_FILE).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def weight_for(self, model: str) -> float:
        """The measured weight if the gate was measured for this model, else 0."""
        return self.weight if model and model == self.model else 0.0


def measured_gate(model: str, *directories: Path | None) -> DenseGate | None:
    """The first gate measured for this model identity among the folders' dense_gate.json (None: none)."""
    for directory in directories:
        gate = DenseGate.load(directory) if directory is not None else None
        if gate is not None and model and gate.model == model:
            return gate
    return None


def choose_weight(
    bm25: Sequence[np.ndarray],
    dense: Sequence[np.ndarray],
    relevant: Sequence[set[int]],
    allowed: Sequence[np.ndarray | None] | None = None,
    k: int = 5,
    grid: Sequence[float] = WEIGHT_GRID,
    min_gain: float = MIN_MRR_GAIN,
) -> tuple[float, RankingFigures, RankingFigures]:
    """The weight with the best MRR among those that keep every query BM25 found in its top k and
    do not lower recall@1; 0 unless it beats BM25's MRR by `min_gain`. Returns (weight, BM25, fused)."""
    masks = list(allowed) if allowed is not None else [None] * len(bm25)
    base = ranking_figures([fuse(b, None, 0.0, m) for b, m in zip(bm25, masks, strict=True)], relevant, k)
    best_weight, best = 0.0, base
    for weight in grid:
        if weight <= 0:
            continue
        fused = [fuse(b, d, weight, m) for b, d, m in zip(bm25, dense, masks, strict=True)]
        figures = ranking_figures(fused, relevant, k)
        keeps_bm25 = all(f for f, b in zip(figures.found, base.found, strict=True) if b)
        if keeps_bm25 and figures.recall_at_1 >= base.recall_at_1 and figures.mrr > best.mrr:
            best_weight, best = weight, figures
    if best.mrr - base.mrr < min_gain:
        return 0.0, base, base
    return best_weight, base, best
