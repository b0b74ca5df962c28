"""Place names → regions: the regions the plans cover and every town, street and county they name."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, load_manifest
from knowledge.retrieval.passages import Plan

PLACES_FILE = Path(__file__).resolve().parents[1] / "lexicon" / "places.csv"
REGION_NAME_KINDS = frozenset({"region", "alias"})


@dataclass(frozen=True)
class Region:
    """A region one plan covers."""

    name: str
    short_name: str


@dataclass(frozen=True)
class Place:
    """A named place and the region it lies in."""

    name: str
    region: str
    kind: str


class Gazetteer:
    """Finds places and regions mentioned in a text (Simplified, normalised text expected)."""

    def __init__(self, regions: Iterable[Region], places: Iterable[Place]) -> None:
        self.regions: list[Region] = list(dict.fromkeys(regions))
        self._by_name: dict[str, Place] = {}
        for place in places:
            self._by_name.setdefault(place.name, place)
        self._names_longest_first = sorted(self._by_name, key=len, reverse=True)
        self._short = {r.name: r.short_name for r in self.regions}

    @classmethod
    def load(cls, plans_dir: Path = PACKAGED_PLANS_DIR, places_file: Path = PLACES_FILE) -> Gazetteer:
        """Regions from the plan manifest, places from the lexicon's places.csv."""
        plans = load_manifest(plans_dir)
        regions = [Region(p.region, p.short_region) for p in plans]
        places = [place for plan in plans for place in _places_of_plan(plan)]
        by_short = {r.short_name: r.name for r in regions}
        if places_file.is_file():
            with places_file.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    region = by_short.get(row["region"].strip())
                    if region is None:
                        continue  # a place of a region whose plan is not loaded
                    names = [row["name"].strip(), *filter(None, (row.get("aliases") or "").split("|"))]
                    places += [Place(name.strip(), region, row["kind"].strip()) for name in names]
        return cls(regions, places)

    def place_names(self) -> list[str]:
        """Every name the gazetteer knows, for the tokenizer's vocabulary."""
        return list(self._by_name)

    def short_name(self, region: str) -> str:
        """涪陵 for 重庆市涪陵区; unknown names are returned as they are."""
        return self._short.get(region, region)

    def resolve_region(self, name: str | None) -> str | None:
        """A region's canonical name from any name of it or of a place in it (exact or contained)."""
        if not name:
            return None
        name = name.strip()
        if name in self._short:
            return name
        place = self._by_name.get(name)
        if place is not None:
            return place.region
        found = self.regions_in(name)
        return found[0] if len(found) == 1 else None

    def places_in(self, text: str) -> list[Place]:
        """Places named in the text, in order of appearance, longest name winning overlaps."""
        return [place for _, _, place in self._matches(text)]

    def without_places(self, text: str, kinds: frozenset[str] | None = None) -> str:
        """The text with place names cut out (all, or those of the given kinds): once the region is
        set, its own name says where, not what."""
        for start, end, place in sorted(self._matches(text), key=lambda m: m[0], reverse=True):
            if kinds is None or place.kind in kinds:
                text = text[:start] + " " + text[end:]
        return text

    def without_region_names(self, text: str) -> str:
        """The text without the names of whole regions (涪陵, 涪陵区, 万县); towns and streets stay."""
        return self.without_places(text, REGION_NAME_KINDS)

    def _matches(self, text: str) -> list[tuple[int, int, Place]]:
        taken = [False] * len(text)
        found: list[tuple[int, int, Place]] = []
        for name in self._names_longest_first:
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(name)
                    found.append((start, end, self._by_name[name]))
                start = text.find(name, end)
        return sorted(found, key=lambda item: item[0])

    def regions_in(self, text: str) -> list[str]:
        """Canonical names of the regions the text names, directly or through a place, in order."""
        return list(dict.fromkeys(place.region for place in self.places_in(text)))


def _places_of_plan(plan: Plan) -> list[Place]:
    """The names a plan's own manifest line gives its region: 重庆市涪陵区, 涪陵区, 涪陵."""
    region = plan.region
    names = {region, plan.short_region, plan.county, plan.city if not plan.county else ""}
    if plan.city and plan.county:
        names.add(f"{plan.city}{plan.county}")
    return [Place(name, region, "region") for name in names if len(name) >= 2]
