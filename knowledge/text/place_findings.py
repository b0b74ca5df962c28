"""What the gazetteer finds in a text, as plain values: the covered regions and their places, the areas (provinces,
cities) holding them, places outside the plans, and every match with where it stands and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Area:
    """A province or city that contains covered regions: 重庆市 (涪陵, 巫溪, 万州), 承德市 (双桥)."""

    name: str
    level: str  # "province" | "city"
    regions: tuple[str, ...]
    names: tuple[str, ...]  # 重庆市, 重庆


@dataclass(frozen=True)
class OtherPlace:
    """A place outside the covered regions, under one of its names."""

    name: str  # as written: 成都
    canonical: str  # 成都市
    level: str  # province | city | district | county | country
    parent: str  # 四川省


@dataclass(frozen=True)
class PlaceMatch:
    """A covered region named in a text: where, as written, the name it stands for, and how sure.

    kind: exact (a name written right), alias (a short or other name: 蔺市, 万县), sound (written otherwise but
    sounding like the name: 福陵 for 涪陵), city (a city holding exactly one covered region: 承德)."""

    start: int
    end: int
    text: str
    name: str
    region: str
    kind: str
    confidence: float
    place: Place


@dataclass(frozen=True)
class OutsideMatch:
    """A place outside the covered regions named in a text."""

    start: int
    end: int
    text: str
    place: OtherPlace

    @property
    def name(self) -> str:
        return self.place.canonical


@dataclass(frozen=True)
class AreaMatch:
    """A province or city holding covered regions named in a text (重庆: 涪陵, 巫溪, 万州)."""

    start: int
    end: int
    text: str
    area: Area
    confidence: float = 1.0

    @property
    def name(self) -> str:
        return self.area.name

    @property
    def candidates(self) -> tuple[str, ...]:
        return self.area.regions


@dataclass(frozen=True)
class PlaceFindings:
    """Everything a text says about place, from one analysis.

    regions: canonical covered regions named (directly, by sound, or through a city holding only one), deduped,
    in order; matches: each covered-region finding; outside: places outside the covered regions; areas:
    provinces and cities holding covered regions; text_without_places: the text with all of them cut out."""

    text: str
    regions: tuple[str, ...]
    matches: tuple[PlaceMatch, ...]
    outside: tuple[OutsideMatch, ...]
    areas: tuple[AreaMatch, ...]
    text_without_places: str

    @property
    def ambiguous_city(self) -> AreaMatch | None:
        """A city or province named that holds several covered regions, none of them (nor a place outside
        them within it) named as well: 重庆 alone. Its `candidates` are the regions to choose from. None once any
        covered region is named (去重庆住, said of 资阳, asks nothing about 重庆)."""
        if self.regions:
            return None
        for area in self.areas:
            within = set(area.candidates) & set(self.regions)
            outside_within = any(o.place.parent in area.area.names for o in self.outside)
            if len(area.candidates) > 1 and not within and not outside_within:
                return area
        return None

    @property
    def only_outside(self) -> bool:
        """Places outside the covered regions are named, and no covered region: the plans cannot answer there."""
        return bool(self.outside) and not self.regions

    @property
    def sound_matches(self) -> tuple[PlaceMatch, ...]:
        return tuple(m for m in self.matches if m.kind == "sound")
