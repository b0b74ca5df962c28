"""The knowledge core's one entry point: a question in, cited passages out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge.index import KnowledgeIndex, Progress, open_index
from knowledge.passages import Hit
from knowledge.settings import KnowledgeSettings

MAX_QUERY_CHARS = 500


class QueryError(ValueError):
    """A query that cannot be searched; the message is safe to show a user."""


class KnowledgeBase:
    """Loads (or builds) the index on first use and answers searches over it."""

    def __init__(self, settings: KnowledgeSettings | None = None) -> None:
        self.settings = settings or KnowledgeSettings.from_env()
        self._index: KnowledgeIndex | None = None

    def warm_up(self, rebuild: bool = False, progress: Progress | None = None) -> KnowledgeIndex:
        """Open the index, building it if it is missing or stale."""
        if self._index is None or rebuild:
            self._index = open_index(self.settings, rebuild=rebuild, progress=progress)
            self._index.text.warm_up()
        return self._index

    @property
    def index(self) -> KnowledgeIndex:
        return self.warm_up()

    def region_names(self) -> list[str]:
        """Canonical names of the regions the plans cover, in manifest order."""
        return [region.name for region in self.index.gazetteer.regions]

    def regions_in(self, text: str) -> list[str]:
        """Regions a text names, directly or through a town, street or county."""
        text_handling = self.index.text
        return self.index.gazetteer.regions_in(text_handling.repair_homophones(text_handling.normalize(text)))

    def resolve_region(self, name: str | None) -> str | None:
        """Canonical region for any name of it (涪陵, 涪陵区, 蔺市…), None if unknown."""
        if not name:
            return None
        return self.index.gazetteer.resolve_region(self.index.text.normalize(name))

    def search(self, query: str, region: str | Sequence[str] | None = None, k: int = 5) -> list[Hit]:
        """Best passages for the query, restricted to the named or given region(s) when there are any."""
        query = self._check(query)
        index = self.index
        regions = self._regions(query, region)
        expanded = index.text.expand_query(query)
        if regions:
            expanded = index.gazetteer.without_region_names(expanded)
        tokens = index.text.terms(expanded)
        scores = index.bm25.scores(tokens)
        mask = index.store.region_mask(regions)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return self._top(scores, k)

    def _check(self, query: str) -> str:
        if not isinstance(query, str) or not query.strip():
            raise QueryError("问题是空的，请输入想问的内容。")
        return query.strip()[:MAX_QUERY_CHARS]

    def _regions(self, query: str, region: str | Sequence[str] | None) -> list[str]:
        if region:
            names = [region] if isinstance(region, str) else list(region)
            resolved = [self.resolve_region(name) for name in names]
            unknown = [name for name, found in zip(names, resolved, strict=True) if found is None]
            if unknown:
                raise QueryError(f"不认识的地区：{'、'.join(unknown)}。可选：{'、'.join(self._short_names())}")
            return [r for r in resolved if r]
        return self.regions_in(query)

    def _short_names(self) -> list[str]:
        return [region.short_name for region in self.index.gazetteer.regions]

    def _top(self, scores: np.ndarray, k: int) -> list[Hit]:
        k = max(1, min(int(k), 50))
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.index.store.passages[row], float(scores[row])) for row in order if scores[row] > 0]
