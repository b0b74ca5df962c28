"""Score fusion and its gate: a dense model that measures as noise gets weight 0 and BM25's ranking stands;
one that measures as useful gets a weight and never loses a question BM25 found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.retrieval.fusion import (
    GATE_FILE,
    DenseGate,
    choose_weight,
    first_relevant_rank,
    fuse,
    min_max,
    ranking_figures,
)

ROWS = 200


def synthetic_queries(seed: int, n: int = 60) -> tuple[list[np.ndarray], list[set[int]]]:
    """BM25-like scores: the relevant row is first for half the queries, lower down or missing for the rest."""
    rng = np.random.default_rng(seed)
    bm25, relevant = [], []
    for q in range(n):
        scores = np.where(rng.random(ROWS) < 0.3, rng.gamma(2.0, 2.0, ROWS), 0.0).astype(np.float32)
        target = int(rng.integers(ROWS))
        top = float(scores.max())
        scores[target] = [top + 1.0, top * 0.8, top * 0.5, 0.0][q % 4]
        bm25.append(scores)
        relevant.append({target})
    return bm25, relevant


def informative_dense(relevant: list[set[int]], seed: int) -> list[np.ndarray]:
    """Cosine-like scores that put the relevant row clearly ahead of noise."""
    rng = np.random.default_rng(seed)
    out = []
    for rows in relevant:
        scores = rng.normal(0.2, 0.05, ROWS).astype(np.float32)
        scores[list(rows)] = 0.9
        out.append(scores)
    return out


def test_no_dense_or_zero_weight_is_bm25_itself() -> None:
    bm25 = np.array([0.0, 3.0, 1.0, 2.0], dtype=np.float32)
    dense = np.array([0.9, 0.1, 0.2, 0.3], dtype=np.float32)
    assert np.array_equal(fuse(bm25, None, 0.7), bm25)
    assert np.array_equal(fuse(bm25, dense, 0.0), bm25)


def test_rows_outside_the_region_never_score() -> None:
    bm25 = np.array([5.0, 3.0, 1.0, 2.0], dtype=np.float32)
    dense = np.array([0.9, 0.1, 0.8, 0.3], dtype=np.float32)
    allowed = np.array([False, True, True, False])
    for weight in (0.0, 0.3, 1.0):
        fused = fuse(bm25, dense, weight, allowed)
        assert (fused[~allowed] == 0).all()
        assert (fused[allowed] > 0).all()


def test_fusion_blends_normalised_scores() -> None:
    bm25 = np.array([10.0, 0.0, 5.0], dtype=np.float32)
    dense = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    light = fuse(bm25, dense, 0.3)
    assert light.tolist() == pytest.approx([0.7, 0.3, 0.5], abs=1e-5)
    assert int(np.argmax(fuse(bm25, dense, 0.9))) == 1


def test_min_max_handles_flat_and_empty_rows() -> None:
    scores = np.array([2.0, 2.0, 7.0], dtype=np.float32)
    assert min_max(scores, np.array([0, 1])).tolist() == [1.0, 1.0, 0.0]
    assert min_max(scores, np.array([], dtype=np.int64)).tolist() == [0.0, 0.0, 0.0]


def test_ranks_and_figures() -> None:
    scores = np.array([0.0, 3.0, 2.0, 1.0], dtype=np.float32)
    assert first_relevant_rank(scores, {2}, k=5) == 2
    assert first_relevant_rank(scores, {0}, k=5) is None  # a zero score is no hit
    figures = ranking_figures([scores, scores], [{1}, {3}], k=2)
    assert (figures.recall_at_1, figures.recall_at_k, figures.mrr) == (0.5, 0.5, 0.5)


@pytest.mark.parametrize("seed", range(5))
def test_noise_gets_weight_zero_and_fusion_stays_bm25(seed: int) -> None:
    bm25, relevant = synthetic_queries(seed)
    noise = [np.random.default_rng(seed + 100 + i).normal(0, 1, ROWS).astype(np.float32) for i in range(len(bm25))]
    weight, base, fused = choose_weight(bm25, noise, relevant)
    assert weight == 0.0
    assert fused == base
    plain = ranking_figures(bm25, relevant)
    assert ranking_figures([fuse(b, n, weight) for b, n in zip(bm25, noise, strict=True)], relevant) == plain


def test_a_useful_model_gets_a_weight_and_loses_nothing_bm25_found() -> None:
    bm25, relevant = synthetic_queries(7)
    dense = informative_dense(relevant, 7)
    weight, base, fused = choose_weight(bm25, dense, relevant)
    assert weight > 0
    assert fused.recall_at_k > base.recall_at_k and fused.mrr > base.mrr
    assert all(f for f, b in zip(fused.found, base.found, strict=True) if b)


def test_a_weight_that_would_drop_a_bm25_hit_is_refused() -> None:
    bm25, relevant = synthetic_queries(3, n=8)
    dense = informative_dense(relevant, 3)
    victim = next(i for i, b in enumerate(bm25) if first_relevant_rank(b, relevant[i], 5) == 1)
    dense[victim] = -dense[victim]  # the model is confidently wrong on a question BM25 answers
    weight, base, fused = choose_weight(bm25, dense, relevant)
    assert all(f for f, b in zip(fused.found, base.found, strict=True) if b)
    if weight > 0:
        assert first_relevant_rank(fuse(bm25[victim], dense[victim], weight), relevant[victim], 5) is not None


def test_gate_round_trip_and_model_check(tmp_path: Path) -> None:
    gate = DenseGate("model-a|files", 0.3, "12 questions of dev.jsonl", 12, 0.5, 0.8, 0.6, 0.6, 0.9, 0.7)
    gate.save(tmp_path)
    loaded = DenseGate.load(tmp_path)
    assert loaded == gate
    assert loaded.weight_for("model-a|files") == 0.3
    assert loaded.weight_for("model-b|files") == 0.0
    assert loaded.weight_for("") == 0.0


@pytest.mark.parametrize("content", ["", "{", '{"model": "x"}', "[1, 2]"])
def test_an_unreadable_gate_is_no_gate(tmp_path: Path, content: str) -> None:
    (tmp_path / GATE_FILE).write_text(content, encoding="utf-8")
    assert DenseGate.load(tmp_path) is None
    assert DenseGate.load(tmp_path / "missing") is None
