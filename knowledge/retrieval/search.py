"""The knowledge core's one entry point: a question in, cited passages out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.retrieval.fusion import fuse
from knowledge.retrieval.index import KnowledgeIndex, Progress, open_index
from knowledge.retrieval.passages import Hit
from knowledge.settings import KnowledgeSettings
from knowledge.text.chinese import ChineseText
from knowledge.topics import TOPICS, Topic

MAX_QUERY_CHARS = 500
MAX_K = 50
REGION_KINDS = frozenset({"region", "alias"})


class QueryError(ValueError):
    """A query that cannot be searched; the message is safe to show a user."""


@dataclass(frozen=True)
class QueryScores:
    """Each retriever's score per store row for one query, and the rows its region allows (None: all)."""

    bm25: np.ndarray
    dense: np.ndarray | None
    allowed: np.ndarray | None


class KnowledgeBase:
    """Loads (or builds) the index on first use and answers searches over it."""

    def __init__(self, settings: KnowledgeSettings | None = None) -> None:
        self.settings = settings or KnowledgeSettings.from_env()
        self._index: KnowledgeIndex | None = None
        self._topic_masks: dict[tuple[int, str], np.ndarray] = {}

    def warm_up(self, rebuild: bool = False, progress: Progress | None = None) -> KnowledgeIndex:
        """Open the index, building it if it is missing or stale; load the encoder if fusion uses it."""
        if self._index is None or rebuild:
            index = open_index(self.settings, rebuild=rebuild, progress=progress)
            index.text.warm_up()
            if index.dense is not None and index.dense_weight > 0:
                index.dense.warm_up()
            self._index = index
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

    def search(
        self, query: str, region: str | Sequence[str] | None = None, k: int = 5, topic: str | None = None,
        meaning: str | None = None, with_dense: bool = True,
    ) -> list[Hit]:
        """Best passages for the query, restricted to the named or given region(s) when there are any, and
        to passages about `topic` (a name of `knowledge.topics.TOPICS`) when one is given: the query then
        also holds the topic's words. A query without a Chinese character cannot match the plans: no hits
        (digits alone would match numbers). `meaning`: the text the dense leg embeds instead of the query (a
        caller embedding one text a turn for all its uses: query vectors are memoised per text);
        `with_dense=False`: BM25 alone (a caller looking up an exact quote needs no embedding)."""
        index = self.index
        if not ChineseText.has_chinese(self._check(query)):
            return []
        about = self._topic(topic)
        if about is not None:
            query = f"{self._check(query)} {' '.join(about.search_words)}"
        use_dense = with_dense and index.dense_weight > 0
        scores = self.query_scores(query, region, with_dense=use_dense, meaning=meaning)
        weight = index.dense_weight if use_dense else 0.0
        fused = fuse(scores.bm25, scores.dense, weight, scores.allowed)
        if about is not None:
            fused = np.where(self._about_mask(about), fused, 0.0)
        return self._top(fused, k)

    def _topic(self, name: str | None) -> Topic | None:
        if name is None:
            return None
        if name not in TOPICS:
            raise QueryError(f"不认识的主题：{name}。可选：{'、'.join(TOPICS)}")
        return TOPICS[name]

    def _about_mask(self, topic: Topic) -> np.ndarray:
        """Which store rows are about the topic (computed once per topic and index)."""
        key = (id(self.index), topic.name)
        if key not in self._topic_masks:
            self._topic_masks[key] = np.array([topic.about(p.text) for p in self.index.store.passages], dtype=bool)
        return self._topic_masks[key]

    def query_scores(
        self, query: str, region: str | Sequence[str] | None = None, with_dense: bool = True,
        meaning: str | None = None,
    ) -> QueryScores:
        """BM25 (and, when there is an encoder and `with_dense`, dense) scores of every row for the query.
        The plan words that synonyms add count `bm25_expansion_weight` as much as the user's own words: they
        are a guess at what was meant, and the words themselves say it best when a passage holds them. The
        dense leg embeds `meaning` when given, else the query with its synonyms' plan words."""
        query = self._check(query)
        index = self.index
        regions = self._regions(query, region)
        own, added = index.text.query_parts(query)
        if regions:
            own, added = self._without_region_names(own), self._without_region_names(added)
        bm25 = self._bm25_scores(own)
        if added.strip():
            bm25 = bm25 + self.settings.bm25_expansion_weight * self._bm25_scores(added)
        expanded = f"{own}、{added}" if added else own
        dense = index.dense.scores(meaning or expanded) if with_dense and index.dense is not None else None
        return QueryScores(bm25, dense, index.store.region_mask(regions))

    def _bm25_scores(self, text: str) -> np.ndarray:
        """BM25 of the text's words and bigrams, plus its single characters at `bm25_character_weight`."""
        index = self.index
        terms, characters = index.text.terms_and_characters(text)
        scores = index.bm25.scores(terms)
        weight = self.settings.bm25_character_weight
        return scores + weight * index.bm25.scores(characters) if weight > 0 and characters else scores

    def _without_region_names(self, text: str) -> str:
        """Cut the names of the regions themselves (they say where, once a filter holds); counties, towns,
        streets and communities stay, since passages name them (江北街道医养结合项目)."""
        for place in self.index.gazetteer.places_in(text):
            if place.kind in REGION_KINDS:
                text = text.replace(place.name, " ")
        return text

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
        k = max(1, min(int(k), MAX_K))
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.index.store.passages[row], float(scores[row])) for row in order if scores[row] > 0]
