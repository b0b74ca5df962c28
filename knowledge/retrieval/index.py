"""Build, persist and reload the indexes; an index built from other inputs or settings is rebuilt."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.ingest.chunking import chunk_plan
from knowledge.ingest.corpus import corpus_fingerprint, read_plans
from knowledge.retrieval.bm25 import BM25Retriever
from knowledge.retrieval.dense import EmbeddingRetriever, dense_retriever, model_identity
from knowledge.retrieval.fusion import PACKAGED_GATE_DIR, DenseGate, measured_gate
from knowledge.retrieval.store import PassageStore
from knowledge.settings import KnowledgeSettings
from knowledge.text.chinese import DEFAULT_SYNONYMS, DOMAIN_DICTIONARY, ChineseText
from knowledge.text.gazetteer import PLACES_FILE, Gazetteer

INDEX_FORMAT = 4  # 3: compound numerals normalised (八十三 → 83); 4: single characters indexed
FINGERPRINT_FILE = "fingerprint.json"

Progress = Callable[[str, int, int], None]


@dataclass
class KnowledgeIndex:
    """The store and its retrievers, ready to search."""

    store: PassageStore
    bm25: BM25Retriever
    text: ChineseText
    gazetteer: Gazetteer
    fingerprint: str
    built: bool
    dense: EmbeddingRetriever | None = None
    gate: DenseGate | None = None
    dense_weight: float = 0.0


def index_fingerprint(settings: KnowledgeSettings) -> str:
    """Digest of the plans, the lexicon files, the settings, the embedding model and the index format."""
    digest = hashlib.sha256()
    digest.update(corpus_fingerprint(settings.plans_dir).encode())
    for path in (DOMAIN_DICTIONARY, PLACES_FILE, DEFAULT_SYNONYMS):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    digest.update(json.dumps(settings.fingerprint_fields(), sort_keys=True, default=str).encode())
    digest.update(model_identity(settings.effective_embedding_model()).encode())
    digest.update(str(INDEX_FORMAT).encode())
    return digest.hexdigest()[:16]


def chinese_text_for(gazetteer: Gazetteer) -> ChineseText:
    """The project's text handling, with every place name known to the tokenizer."""
    return ChineseText(extra_words=sorted(gazetteer.place_names()))


def open_index(settings: KnowledgeSettings, rebuild: bool = False, progress: Progress | None = None) -> KnowledgeIndex:
    """Load the index at settings.index_dir if its fingerprint matches, else build it there."""
    gazetteer = Gazetteer.load(settings.plans_dir)
    text = chinese_text_for(gazetteer)
    fingerprint = index_fingerprint(settings)
    directory = settings.index_dir
    if not rebuild and _stored_fingerprint(directory) == fingerprint:
        try:
            store = PassageStore.load(directory)
            bm25 = _bm25(settings, store, text)
            bm25.load(directory)
            dense = _dense(settings, store, text)
            if dense is not None:
                dense.load(directory)
            return _ready(settings, store, bm25, text, gazetteer, fingerprint, False, dense)
        except (OSError, ValueError, KeyError) as exc:  # a damaged index is rebuilt, never served
            if progress:
                progress(f"index unreadable ({exc}); rebuilding", 0, 1)
    return _build(settings, gazetteer, text, fingerprint, progress)


def _bm25(settings: KnowledgeSettings, store: PassageStore, text: ChineseText) -> BM25Retriever:
    return BM25Retriever(store, text, settings.bm25_k1, settings.bm25_b, settings.bm25_section_weight)


def _dense(settings: KnowledgeSettings, store: PassageStore, text: ChineseText) -> EmbeddingRetriever | None:
    """The dense retriever of the effective embedding model (None when there is none)."""
    model = settings.effective_embedding_model()
    if not model:
        return None
    return dense_retriever(store, model, text, settings.embedding_cache_dir)


def _ready(
    settings: KnowledgeSettings,
    store: PassageStore,
    bm25: BM25Retriever,
    text: ChineseText,
    gazetteer: Gazetteer,
    fingerprint: str,
    built: bool,
    dense: EmbeddingRetriever | None,
) -> KnowledgeIndex:
    # the gate measured for this model: the index folder's, else the one shipped for the packaged plans
    model = model_identity(settings.effective_embedding_model())
    gate = measured_gate(model, settings.index_dir, PACKAGED_GATE_DIR) or DenseGate.load(settings.index_dir)
    weight = dense_weight_for(settings, gate) if dense is not None else 0.0
    return KnowledgeIndex(store, bm25, text, gazetteer, fingerprint, built, dense, gate, weight)


def dense_weight_for(settings: KnowledgeSettings, gate: DenseGate | None) -> float:
    """The configured weight, else the one measured for this model, else 0."""
    if settings.dense_weight is not None:
        return max(0.0, min(1.0, settings.dense_weight))
    model = settings.effective_embedding_model()
    return gate.weight_for(model_identity(model)) if gate is not None else 0.0


def _build(
    settings: KnowledgeSettings, gazetteer: Gazetteer, text: ChineseText, fingerprint: str, progress: Progress | None
) -> KnowledgeIndex:
    plans = list(read_plans(settings.plans_dir))
    steps = len(plans) + 2
    passages = []
    for n, plan_text in enumerate(plans, start=1):
        passages += chunk_plan(plan_text.plan, plan_text.raw, settings.chunking)[1]
        if progress:
            progress(f"chunked {plan_text.plan.short_region}", n, steps)
    store = PassageStore(passages)
    bm25 = _bm25(settings, store, text)
    bm25.build()
    dense = _dense(settings, store, text)
    if dense is not None:
        if progress:
            progress(f"embedding passages with {dense.model_name}", len(plans) + 1, steps)
        dense.build(progress)
    directory = settings.index_dir
    staging = directory.with_name(directory.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    store.save(staging)
    bm25.save(staging)
    if dense is not None:
        dense.save(staging)
    gate = DenseGate.load(directory)  # a measured gate outlives a rebuild; it names the model it holds for
    if gate is not None:
        gate.save(staging)
    (staging / FINGERPRINT_FILE).write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
    if progress:
        progress("indexed", steps, steps)
    return _ready(settings, store, bm25, text, gazetteer, fingerprint, True, dense)


def _stored_fingerprint(directory: Path) -> str | None:
    try:
        return json.loads((directory / FINGERPRINT_FILE).read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None
