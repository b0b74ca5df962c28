"""Passage embeddings kept on disk by (model id, text hash), so a re-index or an added plan embeds only
text no cache holds.

Two layers: a read-only cache shipped inside the package (the packaged plans embedded by
scripts/build_dense_data.py, so a fresh install's first answer needs no embedding) and a writable one
(default ~/.cache/elderbot/embeddings). One file per model: `<model slug>.npz` holding `keys` (uint8 rows,
the first 16 bytes of the SHA-256 of the text the model reads) and `vectors` (float16, L2-normalised). Vectors are
always read back through float16, so a passage ranks the same whether it was embedded now or cached.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PACKAGED_CACHE_DIR = Path(__file__).resolve().parent / "data"
KEY_BYTES = 16


def text_key(text: str) -> bytes:
    """The cache key of a text: the first 16 bytes of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:KEY_BYTES]


def cache_file_name(model_id: str) -> str:
    """A file name per model: a readable slug of its id and a digest of the whole id."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model_id)[:48].strip("-.")
    return f"{slug}-{hashlib.sha256(model_id.encode()).hexdigest()[:10]}.npz"


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Vectors as the cache keeps them (float16), back as float32."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


class EmbeddingCache:
    """Vectors of one model by text key: the packaged layer first, then the writable one."""

    def __init__(self, model_id: str, directory: Path | None, packaged_dir: Path | None = PACKAGED_CACHE_DIR) -> None:
        self.model_id = model_id
        self.directory = directory
        self.packaged_dir = packaged_dir
        self._vectors: dict[bytes, np.ndarray] | None = None
        self._packaged: set[bytes] = set()
        self._new: dict[bytes, np.ndarray] = {}

    @property
    def path(self) -> Path | None:
        return None if self.directory is None else self.directory / cache_file_name(self.model_id)

    def _load(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            if self.packaged_dir is not None:
                packaged = read_cache_file(self.packaged_dir / cache_file_name(self.model_id))
                self._vectors.update(packaged)
                self._packaged = set(packaged)
            if self.path is not None:
                self._vectors.update(read_cache_file(self.path))
        return self._vectors

    def __len__(self) -> int:
        return len(self._load())

    def lookup(self, texts: Sequence[str]) -> tuple[list[np.ndarray | None], list[int]]:
        """The cached vector of each text (None where there is none) and the positions of those missing."""
        vectors = self._load()
        found = [vectors.get(text_key(t)) for t in texts]
        return found, [i for i, v in enumerate(found) if v is None]

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        stored = np.asarray(vectors, dtype=np.float16)
        known = self._load()
        for text, vector in zip(texts, stored, strict=True):
            key = text_key(text)
            known[key] = vector
            self._new[key] = vector

    def save(self) -> Path | None:
        """Write the writable layer (what it held, and what was added) if anything was added; a write that
        fails (read-only home, full disk) only costs the next build its time."""
        if self.path is None or not self._new:
            return None
        known = self._load()
        keys = [k for k in known if k not in self._packaged or k in self._new]
        try:
            write_cache_file(self.path, keys, [known[k] for k in keys])
        except OSError:
            return None
        self._new.clear()
        return self.path


def read_cache_file(path: Path) -> dict[bytes, np.ndarray]:
    """Vectors by key from one cache file ({} when it is missing or unreadable)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or vectors.ndim != 2 or len(keys) != len(vectors):
        return {}
    vectors = vectors.astype(np.float16, copy=False)
    return {k.tobytes(): vectors[i] for i, k in enumerate(keys.astype(np.uint8, copy=False))}


def write_cache_file(path: Path, keys: Sequence[bytes], vectors: Sequence[np.ndarray]) -> None:
    """Write keys and float16 vectors atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    vector_array = np.asarray(np.stack(vectors) if len(vectors) else np.zeros((0, 0)), dtype=np.float16)
    handle, temporary = tempfile.mkstemp(prefix=path.stem, suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, keys=key_array, vectors=vector_array)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the cache holds nothing secret
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
