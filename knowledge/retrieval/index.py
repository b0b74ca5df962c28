"""Build, persist and reload the indexes; an index built from other inputs or settings is rebuilt."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
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
MANIFEST_VERSION = 1  # fingerprint.json also lists every file the build wrote (size, sha256) and the counts

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)


class IndexDamaged(ValueError):
    """A part of the stored index does not match what its fingerprint file says was built."""


class IndexUnwritable(OSError):
    """The index must be (re)built but its folder cannot be written; the message says what to do, on one line."""


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
    manifest = _stored_manifest(directory)
    if not rebuild and manifest is not None and manifest.get("fingerprint") == fingerprint:
        try:
            return _load(settings, manifest, text, gazetteer, fingerprint)
        except Exception as exc:  # noqa: BLE001 - any damage at all: the index is rebuilt, never served half-read
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            log.warning("index in %s is damaged (%s); rebuilding it", directory, reason)
            if progress:
                progress(f"index unreadable ({reason}); rebuilding", 0, 1)
    return _build(settings, gazetteer, text, fingerprint, progress)


def _load(settings: KnowledgeSettings, manifest: dict, text: ChineseText, gazetteer: Gazetteer,
          fingerprint: str) -> KnowledgeIndex:
    """Every part checked against the manifest: each file's size and digest, then the counts, shapes and types
    of what was read (passages, BM25 parameters and matrices, dense rows)."""
    directory = settings.index_dir
    _check_files(directory, manifest)
    store = PassageStore.load(directory)
    _expect(len(store) == manifest.get("passages"), f"{len(store)} passages, the manifest says "
                                                    f"{manifest.get('passages')}")
    bm25 = _bm25(settings, store, text)
    bm25.load(directory)
    check_bm25(bm25, len(store), manifest.get("bm25", {}))
    dense = _dense(settings, store, text)
    _expect((dense is None) == (manifest.get("dense") is None), "the dense part does not match the settings")
    if dense is not None:
        dense.load(directory)
    return _ready(settings, store, bm25, text, gazetteer, fingerprint, False, dense)


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise IndexDamaged(problem)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_files(directory: Path) -> dict[str, dict[str, object]]:
    return {path.relative_to(directory).as_posix(): {"size": path.stat().st_size, "sha256": _file_digest(path)}
            for path in sorted(directory.rglob("*")) if path.is_file()}


def _check_files(directory: Path, manifest: dict) -> None:
    files = manifest.get("files")
    _expect(isinstance(files, dict) and bool(files), "no file list")
    for name, expected in files.items():
        path = directory / name
        _expect(isinstance(expected, dict) and path.is_file(), f"{name} is missing")
        _expect(path.stat().st_size == expected.get("size"), f"{name} has {path.stat().st_size} bytes, "
                                                              f"{expected.get('size')} were written")
        _expect(_file_digest(path) == expected.get("sha256"), f"{name} differs from what was written")


def bm25_counts(bm25: BM25Retriever) -> dict[str, int]:
    model = bm25._require()
    return {"vocab": len(model.vocab_dict), "columns": int(model.scores["indptr"].shape[0]),
            "nonzero": int(model.scores["data"].shape[0])}


def check_bm25(bm25: BM25Retriever, rows: int, counts: dict) -> None:
    """The loaded BM25 model's parameters have their types and values, its matrices their shapes."""
    model = bm25._require()
    for name in ("k1", "b"):
        value = getattr(model, name, None)
        _expect(type(value) in (int, float), f"BM25 {name} is {type(value).__name__}, not a number")
        _expect(abs(float(value) - float(getattr(bm25, name))) < 1e-9, f"BM25 {name}={value}, settings say "
                                                                       f"{getattr(bm25, name)}")
    scores = model.scores
    _expect(type(scores.get("num_docs")) is int and scores["num_docs"] == rows,
            f"BM25 counts {scores.get('num_docs')!r} passages, the store {rows}")
    data, indices, indptr = scores.get("data"), scores.get("indices"), scores.get("indptr")
    for name, array in (("data", data), ("indices", indices), ("indptr", indptr)):
        _expect(getattr(array, "ndim", None) == 1, f"BM25 {name} is not a vector")
    _expect(data.dtype.kind == "f" and indices.dtype.kind in "iu" and indptr.dtype.kind in "iu",
            "BM25 matrices have the wrong types")
    for name, array in (("dtype", data), ("int_dtype", indices)):
        value = getattr(model, name, None)
        _expect(isinstance(value, str) and value == array.dtype.name, f"BM25 {name} is {value!r}, the matrix "
                                                                      f"{array.dtype.name}")
    for name in ("method", "idf_method"):
        _expect(isinstance(getattr(model, name, None), str), f"BM25 {name} is not a name")
    vocab = model.vocab_dict
    _expect(isinstance(vocab, dict) and len(vocab) == counts.get("vocab") and indptr.shape[0] == counts.get("columns"),
            f"BM25 vocabulary of {len(vocab)} terms and {indptr.shape[0]} columns, the manifest says "
            f"{counts.get('vocab')} and {counts.get('columns')}")
    _expect(data.shape == indices.shape and data.shape[0] == counts.get("nonzero") and int(indptr[-1]) == data.shape[0],
            "BM25 matrix sizes disagree")
    _expect(all(type(v) is int and 0 <= v < max(len(vocab), indptr.shape[0]) for v in vocab.values()),
            "BM25 vocabulary ids out of range")
    _expect(indices.size == 0 or (int(indices.min()) >= 0 and int(indices.max()) < rows),
            "BM25 rows out of range")


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
    _persist(settings.index_dir, store, bm25, dense, fingerprint)
    if progress:
        progress("indexed", steps, steps)
    return _ready(settings, store, bm25, text, gazetteer, fingerprint, True, dense)


def _persist(directory: Path, store: PassageStore, bm25: BM25Retriever, dense: EmbeddingRetriever | None,
             fingerprint: str) -> None:
    """Write the index into a fresh staging folder next to `directory`, then swap it in; nothing half-written
    is ever left at `directory`, and no staging folder is left behind."""
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.building-", dir=directory.parent))
    except OSError as exc:
        raise IndexUnwritable(exc.errno, _unwritable(directory, exc)) from None
    try:
        store.save(staging)
        bm25.save(staging)
        if dense is not None:
            dense.save(staging)
        manifest = {"fingerprint": fingerprint, "manifest": MANIFEST_VERSION, "passages": len(store),
                    "bm25": bm25_counts(bm25), "dense": {"rows": len(store)} if dense is not None else None,
                    "files": _manifest_files(staging)}
        gate = DenseGate.load(directory)  # a measured gate outlives a rebuild; it names the model it holds for
        if gate is not None:
            gate.save(staging)
        (staging / FINGERPRINT_FILE).write_text(json.dumps(manifest), encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700
        _swap_in(staging, directory)
    except OSError as exc:
        _remove(staging)
        raise IndexUnwritable(exc.errno, _unwritable(directory, exc)) from None
    except BaseException:
        _remove(staging)
        raise


def _swap_in(staging: Path, directory: Path) -> None:
    """The old folder moves aside, the staging folder takes its name, the old one is removed. A builder racing
    this one (another worker) may get there first: its index, built from the same inputs, then stays."""
    legacy = directory.with_name(directory.name + ".building")  # the fixed staging name of earlier versions
    if legacy.exists():
        _remove(legacy)
    old: Path | None = None
    if directory.exists() or directory.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
        old.rmdir()
        try:
            os.rename(directory, old)
        except FileNotFoundError:
            old = None
    try:
        os.rename(staging, directory)
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            if old is not None:
                os.rename(old, directory)
            raise
        _remove(staging)  # another builder's index is in place
    if old is not None:
        _remove(old)


def _remove(path: Path) -> None:
    """Remove a folder of ours, read-only parts included."""
    def writable_then_retry(function, target, _exc_info) -> None:  # noqa: ANN001
        try:
            os.chmod(os.path.dirname(target), 0o755)
            function(target)
        except OSError:
            pass

    if path.is_dir() and not path.is_symlink():
        with contextlib.suppress(OSError):
            os.chmod(path, 0o755)
        shutil.rmtree(path, onerror=writable_then_retry)
    else:
        path.unlink(missing_ok=True)


def _unwritable(directory: Path, exc: OSError) -> str:
    return (f"the index must be rebuilt but {directory} cannot be written ({exc.strerror or exc}); make that folder "
            "writable or set ELDERBOT_INDEX_DIR to a writable one")


def _stored_manifest(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("manifest") == MANIFEST_VERSION else None


def _stored_fingerprint(directory: Path) -> str | None:
    manifest = _stored_manifest(directory)
    return manifest.get("fingerprint") if manifest is not None else None
