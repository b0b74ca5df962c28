"""BM25 over jieba tokens (bm25s), a thin retriever over the passage store."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.retrieval.store import PassageStore
from knowledge.text.chinese import ChineseText


class BM25Retriever:
    """Scores every passage of the store for a query's tokens."""

    DIR_NAME = "bm25"

    def __init__(
        self, store: PassageStore, text: ChineseText, k1: float = 1.2, b: float = 0.75, section_weight: int = 1
    ) -> None:
        self.store = store
        self.text = text
        self.k1 = k1
        self.b = b
        self.section_weight = max(0, section_weight)
        self._model = None

    def build(self) -> None:
        """Tokenise every passage and index it: its text's terms and characters, and its section path's
        counted `section_weight` times (a heading says what the passages under it are about)."""
        import bm25s

        section_terms: dict[str, list[str]] = {}
        corpus = []
        for passage in self.store.passages:
            if passage.section not in section_terms:
                section_terms[passage.section] = self._terms(passage.section)
            terms = self._terms(passage.text) + section_terms[passage.section] * self.section_weight
            corpus.append(terms or ["∅"])
        model = bm25s.BM25(k1=self.k1, b=self.b)
        model.index(corpus, show_progress=False)
        self._model = model

    def _terms(self, text: str) -> list[str]:
        words, characters = self.text.terms_and_characters(text)
        return words + characters

    def save(self, directory: Path) -> None:
        self._require().save(str(directory / self.DIR_NAME))

    def load(self, directory: Path) -> None:
        import bm25s

        self._model = bm25s.BM25.load(str(directory / self.DIR_NAME), show_progress=False)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """One BM25 score per store row (zeros when no token is known)."""
        model = self._require()
        known = [t for t in query_tokens if t in model.vocab_dict]
        if not known:
            return np.zeros(len(self.store), dtype=np.float32)
        return np.asarray(model.get_scores(known), dtype=np.float32)

    def _require(self):  # noqa: ANN202 - bm25s.BM25, imported lazily
        if self._model is None:
            raise RuntimeError("BM25 index not built or loaded")
        return self._model
