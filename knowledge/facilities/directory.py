"""Facility queries: list by region/type, places near a named place, and the nearest to coordinates.

Texts passed to `near_place` are expected normalised to Simplified Chinese (the dialogue core does this).
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from knowledge.facilities.geo import NearestIndex
from knowledge.facilities.schema import TOPIC_TYPES, Facility, types_for
from knowledge.facilities.store import PACKAGED_FACILITIES_DIR, combined, read_directory, region_matches
from knowledge.topics import TOPICS

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_COUNTY_SUFFIXES = ("县", "区", "市")
_PLACE_SUFFIXES = _TOWN_SUFFIXES + _COUNTY_SUFFIXES
MAX_TERM_CHARS = 40
_PLACE_CUES = ("附近", "周边", "周围", "一带", "那边", "那里", "这边", "这里", "的", "有", "哪", "在", "里", "上",
               "街上", "社区", "村", "，", "。", "？", "?", "！", "!", " ")  # not 区/县: 江北区 is not 江北街道
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {t.name: t.asked_by for t in TOPICS.values() if t.asked_by}


class PlaceLike(Protocol):
    """knowledge.text.gazetteer.Place: a named place and its canonical region."""

    name: str
    region: str
    kind: str


class PlaceFinder(Protocol):
    """The part of knowledge.text.gazetteer.Gazetteer the directory uses."""

    def places_in(self, text: str) -> Sequence[PlaceLike]: ...

    def regions_in(self, text: str) -> list[str]: ...


class MatchLevel(enum.Enum):
    """How closely the facilities of a PlaceResult match the place asked about."""

    TOWN = "town"  # the town/street (or the facility itself) the user named
    COUNTY = "county"  # the county/district within a city-level region
    REGION = "region"  # only the plan region is known
    NONE = "none"  # no place recognised


@dataclass(frozen=True)
class PlaceResult:
    """Facilities for a place question; empty facilities with a region means: none listed there."""

    query: str
    place: str | None
    region: str | None
    match: MatchLevel
    types: tuple[str, ...]
    facilities: tuple[Facility, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return bool(self.facilities)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "place": self.place,
            "region": self.region,
            "match": self.match.value,
            "types": list(self.types),
            "facilities": [f.to_source() for f in self.facilities],
        }


@functools.lru_cache(maxsize=65536)
def place_stem(name: str) -> str:
    """蔺市街道 → 蔺市, 童家镇 → 童家, 乐至县 → 乐至; names of two characters or less stay whole."""
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def topics_in(text: str) -> list[str]:
    """Topics (meal, station, elder_university, institution) a question asks about, in vocabulary order."""
    return [topic for topic, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]


class FacilityDirectory:
    """The facility directory in memory, with the indexes the three kinds of query need."""

    def __init__(self, facilities: Iterable[Facility], gazetteer: PlaceFinder | None = None,
                 directory: Path | None = None) -> None:
        self.facilities: tuple[Facility, ...] = tuple(facilities)
        self.directory = directory
        self._gazetteer = gazetteer
        self._plan_titles: dict[str, str] | None = None
        self._by_town: dict[str, list[int]] = {}
        self._by_county: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        for i, facility in enumerate(self.facilities):
            if facility.town:
                self._by_town.setdefault(place_stem(facility.town), []).append(i)
            if facility.county:
                self._by_county.setdefault(place_stem(facility.county), []).append(i)
            for name in {facility.name, facility.display_name}:
                self._by_name.setdefault(name, []).append(i)
        self._longest_term = min(MAX_TERM_CHARS, max(map(len, [*self._by_town, *self._by_county, *self._by_name]), default=0))
        located = [i for i, f in enumerate(self.facilities) if f.has_coordinates]
        self._located = located
        self._nearest = NearestIndex([self.facilities[i].lat for i in located],  # type: ignore[misc]
                                     [self.facilities[i].lon for i in located],  # type: ignore[misc]
                                     [self.facilities[i].type for i in located])

    @classmethod
    def load(cls, settings: object | None = None, gazetteer: PlaceFinder | None = None) -> FacilityDirectory:
        """Read the folder named by `settings.facilities_dir` (KnowledgeSettings) or
        `settings.knowledge.facilities_dir` (BotSettings); default: the packaged knowledge/facilities/."""
        configured = getattr(settings, "facilities_dir", None) or getattr(
            getattr(settings, "knowledge", None), "facilities_dir", None)
        directory = Path(configured or PACKAGED_FACILITIES_DIR)
        return cls(combined(read_directory(directory)), gazetteer=gazetteer, directory=directory)

    def __len__(self) -> int:
        return len(self.facilities)

    def warm_up(self) -> None:
        """Load the gazetteer and build the nearest-index trees of the four topics now, not on first query."""
        _ = self.gazetteer
        for types in TOPIC_TYPES.values():
            self._nearest.prepare(types)

    @property
    def gazetteer(self) -> PlaceFinder:
        """The lead's gazetteer, loaded on first use unless one was passed in."""
        if self._gazetteer is None:
            from knowledge.text.gazetteer import Gazetteer

            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def list(self, region: str | None = None, type: str | None = None) -> list[Facility]:
        """Facilities of a town or county (童家镇, 乐至县) or of a region under any of its names (涪陵,
        重庆市涪陵区), and/or of a type or topic."""
        wanted = set(types_for([type])) if type else None
        pool = [f for f in self.facilities if wanted is None or f.type in wanted]
        name = (region or "").strip()
        if not name:
            return pool
        if self._town_key(name) is not None or self._county_key(name) is not None:
            stem = place_stem(name)
            return [f for f in pool if stem in (place_stem(f.town), place_stem(f.county))]
        regions = set(self.gazetteer.regions_in(name))
        return [f for f in pool if f.region in regions or region_matches(f.region, name)]

    def nearest(self, lat: float, lon: float, types: Iterable[str] | None = None,
                limit: int = 10) -> list[tuple[Facility, float]]:
        """The `limit` facilities with coordinates nearest to (lat, lon), with distances in metres."""
        groups = types_for(types) if types is not None else None
        hits = self._nearest.query(lat, lon, _clamp(limit), groups)
        return [(self.facilities[self._located[i]], distance) for i, distance in hits]

    def near_place(self, text_or_place: str | PlaceLike, types: Iterable[str] | None = None,
                   limit: int = 5) -> PlaceResult:
        """Facilities in the town/street named (else in its county, else its region), of the types asked
        for (given, or read from the question: 助餐点 → meal…); operating ones first, closing ones last."""
        if isinstance(text_or_place, str):
            query = text_or_place.strip()[:MAX_QUERY_CHARS]
            places: Sequence[PlaceLike] = self.gazetteer.places_in(query) if query else []
        else:
            query = text_or_place.name
            places = [text_or_place]
        wanted = types_for(types) if types is not None else types_for(topics_in(query))
        regions = list(dict.fromkeys(p.region for p in places))
        named = [p.region for p in places if p.kind == "region"] or regions
        for level, place, ids in self._candidates(query, places):
            if named and level is not MatchLevel.REGION:  # 江东 of the region the user named, if they did
                ids = [i for i in ids if self.facilities[i].region in named] or ids
            chosen = [i for i in ids if not wanted or self.facilities[i].type in wanted]
            region = self.facilities[ids[0]].region if ids else (regions[0] if regions else None)
            if chosen or level is not MatchLevel.REGION:
                return PlaceResult(query, place, region, level, wanted, self._ranked(chosen, wanted, limit))
        region = regions[0] if regions else None
        level = MatchLevel.REGION if region else MatchLevel.NONE
        return PlaceResult(query, places[0].name if places else None, region, level, wanted, ())

    def citation(self, facility: Facility) -> str:
        """《plan title》 when the source is a plan file of the corpus, else the source as written."""
        if self._plan_titles is None:
            from knowledge.ingest.corpus import CorpusError, load_manifest

            try:
                self._plan_titles = {plan.file: plan.title for plan in load_manifest()}
            except CorpusError as exc:
                log.warning("plan titles unavailable: %s", exc)
                self._plan_titles = {}
        title = self._plan_titles.get(facility.source)
        return f"《{title}》" if title else facility.source

    def _candidates(self, query: str, places: Sequence[PlaceLike]) -> Iterable[tuple[MatchLevel, str, list[int]]]:
        """Candidate facility sets, most specific first: a facility's own name, the town, the county, the region."""
        terms = self._terms_in(query)
        names = [t for t in terms if t in self._by_name]
        if names:
            yield MatchLevel.TOWN, names[0], _unique(i for t in names for i in self._by_name[t])
        for place in places:
            if place.kind != "region":
                terms.append(place.name)
        for term in terms:
            if (key := self._town_key(term)) is not None:
                yield MatchLevel.TOWN, term, self._by_town[key]
        for term in terms:
            if (key := self._county_key(term)) is not None:
                yield MatchLevel.COUNTY, term, self._by_county[key]
        for term in terms:
            by_address = [i for i, f in enumerate(self.facilities) if len(term) >= 3 and term in f.address]
            if by_address:
                yield MatchLevel.TOWN, term, by_address
        for place in places:
            ids = [i for i, f in enumerate(self.facilities) if region_matches(f.region, place.region)]
            yield MatchLevel.REGION, place.name, ids

    def _terms_in(self, text: str) -> list[str]:
        """Facility names, town and county names of this directory that the text mentions, longest first.
        A bare stem (童家 for 童家镇) counts only when a place cue follows it (附近, 的, 有…) or the text ends."""
        taken = [False] * len(text)
        found: list[tuple[int, str]] = []
        for length in range(min(self._longest_term, len(text)), 1, -1):
            for start in range(len(text) - length + 1):
                end = start + length
                term = text[start:end]
                if any(taken[start:end]) or not self._is_term(term, text[end:]):
                    continue
                taken[start:end] = [True] * length
                found.append((start, term))
        return [term for _, term in sorted(found)]

    def _is_term(self, term: str, rest: str) -> bool:
        if term in self._by_name:
            return True
        if term != place_stem(term):
            return self._town_key(term) is not None or self._county_key(term) is not None
        known = term in self._by_town or term in self._by_county
        return known and (not rest or rest.startswith(_PLACE_CUES))

    def _town_key(self, term: str) -> str | None:
        """The town index key a name refers to: 童家镇/童家 → 童家; not 江北区 (a district) → 江北 (a street)."""
        stem = place_stem(term)
        suffix = term[len(stem):]
        return stem if stem in self._by_town and (not suffix or suffix in _TOWN_SUFFIXES) else None

    def _county_key(self, term: str) -> str | None:
        stem = place_stem(term)
        suffix = term[len(stem):]
        return stem if stem in self._by_county and (not suffix or suffix in _COUNTY_SUFFIXES) else None

    def _ranked(self, ids: Sequence[int], wanted: Sequence[str], limit: int) -> tuple[Facility, ...]:
        order = {t: n for n, t in enumerate(wanted)}
        ranked = sorted(_unique(ids), key=lambda i: (self.facilities[i].closing,
                                                      order.get(self.facilities[i].type, len(order)), i))
        return tuple(self.facilities[i] for i in ranked[: _clamp(limit)])


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _clamp(limit: int) -> int:
    return max(0, min(int(limit), MAX_LIMIT))
