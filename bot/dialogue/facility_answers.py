"""Place questions ("蔺市附近有养老院吗", "资阳哪些社区有助餐点") answered from the facility directory,
each facility cited by the plan passage that names it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.facilities.directory import FacilityDirectory, MatchLevel, PlaceResult, topics_in
from knowledge.facilities.schema import Facility
from knowledge.retrieval.passages import Hit
from knowledge.retrieval.search import KnowledgeBase
from knowledge.text.gazetteer import REGION_NAME_KINDS

_ASKS_WHERE = re.compile(r"附近|周边|周围|在哪|哪里|哪儿|地址|具体地方|(哪些|哪个|哪几个|哪几)(社区|街道|镇|乡|村|地方|点)")
# 靠哪些地方来办 asks what a service relies on or who runs it (the plan's sentence on that), not where its points are
_ASKS_BY_WHAT = re.compile(r"(?:靠|依靠|依托|通过|由)(?:哪些|哪个|哪几个|哪几|什么|啥)")
MAX_LISTED = 5


@dataclass(frozen=True)
class FacilityAnswer:
    """Lines naming facilities, the plan passages that name them, or a plain 'none listed' line."""

    lines: tuple[str, ...]
    sources: tuple[Hit, ...]
    place: str | None


class FacilityAnswerer:
    """Looks a place question up in the directory; the directory loads on first use."""

    def __init__(self, knowledge: KnowledgeBase, directory: FacilityDirectory | None = None) -> None:
        self.knowledge = knowledge
        self._directory = directory

    @property
    def directory(self) -> FacilityDirectory:
        if self._directory is None:
            self._directory = FacilityDirectory.load(self.knowledge.settings, gazetteer=self.knowledge.index.gazetteer)
        return self._directory

    def answer(self, question: str, region: str) -> FacilityAnswer | None:
        """Facilities for a question that names a town/street or asks where, in the given region."""
        text = self.knowledge.index.text.normalize(question)
        places = [p for p in self.knowledge.index.gazetteer.places_in(text) if p.kind not in REGION_NAME_KINDS]
        asks_where = _ASKS_WHERE.search(text) and not _ASKS_BY_WHAT.search(text)
        if not topics_in(text) or not (places or asks_where):
            return None
        short = self.knowledge.index.gazetteer.short_name(region)
        result = self.directory.near_place(places[0] if places else short, limit=MAX_LISTED)
        result = _typed(self.directory, result, text)
        if result.region and result.region != region:
            return None
        if not result.found:
            if result.match is MatchLevel.REGION and not places:
                return None
            where = result.place or short
            return FacilityAnswer((f"规划里没有列出{where}具体的点，下面是{short}规划里的相关安排：",), (), where)
        cited = [(f, hit) for f in result.facilities if (hit := self._source(f, region)) is not None]
        if not cited:
            return None
        lines = [f"规划里提到{result.place or short}的这些地方："] + [f"· {_describe(f)}" for f, _ in cited]
        sources = {hit.passage.chunk_id: hit for _, hit in cited}
        return FacilityAnswer(tuple(lines), tuple(sources.values()), result.place)

    def _source(self, facility: Facility, region: str) -> Hit | None:
        """The plan passage holding the facility's quote; a facility no passage names is not listed."""
        quote = facility.quotes[0] if facility.quotes else facility.name
        for hit in self.knowledge.search(quote, region=region, k=3, with_dense=False):  # an exact quote: BM25
            if _compact(quote) in _compact(hit.passage.text):
                return hit
        return None


def _typed(directory: FacilityDirectory, result: PlaceResult, text: str) -> PlaceResult:
    """Re-ask with the question's own topic words when the place alone matched no type."""
    if result.types or not topics_in(text):
        return result
    return directory.near_place(result.place or text, types=topics_in(text), limit=MAX_LISTED)


def _describe(facility: Facility) -> str:
    details = [d for d in (facility.address or facility.town, f"{facility.beds}张床位" if facility.beds else "",
                           facility.status) if d]
    return f"{facility.display_name}（{'，'.join(details)}）" if details else facility.display_name


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)
