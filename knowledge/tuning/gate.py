"""Deciding what dense retrieval may add: fine-tune the packaged encoder on domain pairs, measure it
against BM25, keep it only if fusion pays; or just measure a configured model.

Both write dense_gate.json into the index folder: the weight fusion will use for that model.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from knowledge.retrieval.dense import PACKAGED_MODEL_NAMES, model_identity
from knowledge.retrieval.encoder_text import PINYIN, text_view_named
from knowledge.retrieval.fusion import DenseGate
from knowledge.retrieval.index import Progress, open_index
from knowledge.retrieval.store import PassageStore
from knowledge.settings import KnowledgeSettings
from knowledge.tuning.calibration import LabelledQuery, eval_file_queries, measure_gate, section_title_queries
from knowledge.tuning.finetune import FinetuneSettings, domain_pairs, finetune_encoder

CANDIDATE_SUFFIX = ".candidate"


@dataclass(frozen=True)
class TuneOutcome:
    """What fine-tuning produced and whether it was kept."""

    kept: bool
    model_dir: Path | None
    gate: DenseGate
    pairs: int
    train_seconds: float
    measure_seconds: float


def gate_queries(store: PassageStore, eval_file: Path | None) -> tuple[list[LabelledQuery], str]:
    """Labelled questions of an eval file, else section titles of the plans; and a line saying which."""
    if eval_file is not None:
        queries = [q for q in eval_file_queries(eval_file, store) if q.relevant]
        return queries, f"{len(queries)} questions of {eval_file.name}"
    queries = section_title_queries(store)
    return queries, f"{len(queries)} section titles of the plans (held out from nothing: a sanity check)"


def _bm25_only(settings: KnowledgeSettings, scratch: Path) -> KnowledgeSettings:
    return replace(settings, embedding_model="", models_dir=scratch / "no-models", index_dir=scratch / "bm25")


def calibrate(settings: KnowledgeSettings, eval_file: Path | None = None, progress: Progress | None = None) -> DenseGate:
    """Measure the configured encoder against BM25 and store the gate next to the index."""
    from knowledge.retrieval.search import KnowledgeBase

    kb = KnowledgeBase(replace(settings, dense_weight=None))
    index = kb.warm_up(progress=progress)
    if index.dense is None:
        raise ValueError("no embedding model configured (ELDERBOT_EMBEDDING_MODEL): nothing to calibrate")
    queries, measured_on = gate_queries(index.store, eval_file)
    gate = measure_gate(kb, queries, measured_on)
    gate.save(settings.index_dir)
    return gate


def finetune_and_gate(
    settings: KnowledgeSettings,
    eval_file: Path | None = None,
    base_model: str = PACKAGED_MODEL_NAMES[0],
    view_name: str = PINYIN,
    training: FinetuneSettings | None = None,
    progress: Progress | None = None,
) -> TuneOutcome:
    """Fine-tune base_model on domain pairs; keep it as the domain encoder only if fusing it measured to pay."""
    from knowledge.retrieval.search import KnowledgeBase

    with tempfile.TemporaryDirectory(prefix="elderbot-tune-") as scratch_name:
        scratch = Path(scratch_name)
        plain = open_index(_bm25_only(settings, scratch), progress=progress)
        training = training or FinetuneSettings()
        pairs = [p for p in domain_pairs(plain.store) if p.source in training.kinds][: training.max_pairs]
        candidate = settings.domain_encoder_dir.with_name(settings.domain_encoder_dir.name + CANDIDATE_SUFFIX)
        if progress:
            progress(f"fine-tuning {base_model} on {len(pairs)} pairs", 0, 3)
        started = time.perf_counter()
        finetune_encoder(base_model, pairs, candidate, text_view_named(view_name, plain.text), view_name, training)
        train_seconds = time.perf_counter() - started
        if progress:
            progress("measuring the fine-tuned encoder", 1, 3)
        started = time.perf_counter()
        trial = replace(settings, embedding_model=str(candidate), index_dir=scratch / "trial", dense_weight=None)
        kb = KnowledgeBase(trial)
        queries, measured_on = gate_queries(kb.warm_up().store, eval_file)
        gate = measure_gate(kb, queries, measured_on)
        measure_seconds = time.perf_counter() - started
    if gate.weight <= 0:
        shutil.rmtree(candidate, ignore_errors=True)
        return TuneOutcome(False, None, gate, len(pairs), train_seconds, measure_seconds)
    kept = settings.domain_encoder_dir
    shutil.rmtree(kept, ignore_errors=True)
    candidate.rename(kept)
    gate = replace(gate, model=model_identity(str(kept)))
    if progress:
        progress("re-indexing with the kept encoder", 2, 3)
    final = replace(settings, dense_weight=None)
    open_index(final, rebuild=True, progress=progress)
    if model_identity(final.effective_embedding_model()) == gate.model:
        gate.save(settings.index_dir)
    return TuneOutcome(True, kept, gate, len(pairs), train_seconds, measure_seconds)


def gate_lines(gate: DenseGate) -> list[str]:
    """What a person needs to judge a gate: where it was measured, BM25 against fused, the weight."""
    return [
        f"measured on {gate.measured_on}",
        f"BM25 alone    recall@1 {gate.bm25_recall_at_1:.3f}  recall@5 {gate.bm25_recall_at_k:.3f}  "
        f"MRR {gate.bm25_mrr:.3f}",
        f"BM25 + dense  recall@1 {gate.fused_recall_at_1:.3f}  recall@5 {gate.fused_recall_at_k:.3f}  "
        f"MRR {gate.fused_mrr:.3f}  (dense weight {gate.weight:.2f})",
    ]


def outcome_lines(outcome: TuneOutcome) -> list[str]:
    """A report of a fine-tuning run, for the command line."""
    verdict = (
        f"kept: {outcome.model_dir} (used for search, dense weight {outcome.gate.weight:.2f})"
        if outcome.kept
        else "not kept: fusing it did not beat BM25 alone, search stays BM25 only"
    )
    timing = f"trained on {outcome.pairs} pairs in {outcome.train_seconds:.0f} s, measured in {outcome.measure_seconds:.0f} s"
    return [timing, *gate_lines(outcome.gate), verdict]
