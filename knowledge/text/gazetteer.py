"""Place names → regions: the regions the plans cover and every town, street and county they name, found by
their characters or by their sound (福陵 → 涪陵); the cities and provinces that contain covered regions
(承德 → 双桥, 重庆 → 涪陵, 巫溪 or 万州); and places known to lie outside the covered regions (成都, 渝中区).

`Gazetteer.find(text)` analyses a text once and returns every finding; `regions_in`, `places_in` and
`without_places` are views of it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, load_manifest
from knowledge.retrieval.passages import Plan
from knowledge.text.place_findings import (
    Area,
    AreaMatch,
    OtherPlace,
    OutsideMatch,
    Place,
    PlaceFindings,
    PlaceMatch,
    Region,
)
from knowledge.text.place_sounds import (
    NOT_PLACES_FILE,
    SoundHit,
    SoundIndex,
    TextSounds,
    read_word_list,
    split_suffix,
)

PLACES_FILE = Path(__file__).resolve().parents[1] / "lexicon" / "places.csv"
OTHER_PLACES_FILE = Path(__file__).resolve().parents[1] / "lexicon" / "other_places.csv"
REGION_NAME_KINDS = frozenset({"region", "alias"})

MATCH_KINDS = ("exact", "alias", "sound", "city")
MIN_CONFIDENCE = 0.6
_CONFIDENCE = {"exact": 1.0, "alias": 0.95, "city": 0.9}
_MEMO_SIZE = 4096
# A jieba word at least this frequent is an ordinary word: a span that is one or lies in one is no place; a
# word reaching into the span from outside must be more frequent to count (jieba holds many rare compounds).
_COMMON_WORD_FREQUENCY = 5
_CROSSING_WORD_FREQUENCY = 20
_LONGEST_WORD = 5
# What says that a name just before or after is a place.
_SUFFIXES_AFTER = ("街道", "区", "县", "市", "镇", "乡")
_CONTEXT_BEFORE = ("住在", "来自", "老家", "我们", "咱们", "俺们", "住", "在", "到", "去", "回")
# Characters that are almost always words of their own: a span holding one where the name has another is no
# place (one is allowed in a name of three or more syllables).
_FUNCTION_CHARACTERS = frozenset("的了是在和有与及我你他她它们不也都就还吗呢啊吧呀么个这那哪啥咋把被给让对从到")
_CONTEXT_AFTER = ("这边", "那边", "这里", "那里", "这块", "那块", "一带", "地区", "本地", "的人", "人")


@dataclass(frozen=True)
class _Name:
    """One name of the exact-match table and what it stands for."""

    text: str
    rank: int  # on equal length: covered before area before outside
    place: Place | None = None
    kind: str = "exact"
    area: Area | None = None
    other: OtherPlace | None = None


@dataclass
class _Dictionary:
    """jieba's word frequencies, shared with the project's ChineseText when it has loaded them."""

    place_names: tuple[str, ...]
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _frequencies: Mapping[str, int] | None = field(default=None, init=False, repr=False)

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            from knowledge.text.chinese import ChineseText

            text = ChineseText(extra_words=self.place_names)  # the same words as the index's: one jieba in memory
            text.warm_up()
            self._tokenizer = text._tokenizer
        return self._tokenizer

    @property
    def frequencies(self) -> Mapping[str, int]:
        if self._frequencies is None:
            self._frequencies = self.tokenizer.FREQ
        return self._frequencies

    def frequency(self, word: str) -> int:
        return self.frequencies.get(word) or 0

    def boundaries(self, text: str) -> frozenset[int]:
        """The offsets where jieba's words of the text start or end."""
        return frozenset(offset for _, start, end in self.tokenizer.tokenize(text) for offset in (start, end))


class Gazetteer:
    """Finds places and regions mentioned in a text (Simplified, normalised text expected)."""

    def __init__(
        self,
        regions: Iterable[Region],
        places: Iterable[Place],
        *,
        areas: Iterable[Area] = (),
        others: Iterable[OtherPlace] = (),
        aliases: Iterable[str] = (),
        not_places: Iterable[str] = (),
        dictionary: Any = None,
    ) -> None:
        self.regions: list[Region] = list(dict.fromkeys(regions))
        self._by_name: dict[str, Place] = {}
        for place in places:
            self._by_name.setdefault(place.name, place)
        self._short = {r.name: r.short_name for r in self.regions}
        self._aliases = frozenset(aliases)
        self.areas: list[Area] = [a for a in areas if not any(n in self._by_name for n in a.names)]
        covered_cores = {split_suffix(name)[0] for name in self._by_name}
        area_names = {n for a in self.areas for n in a.names}
        self.others: list[OtherPlace] = [
            o for o in others if o.name not in self._by_name and o.name not in area_names and o.name not in covered_cores
        ]
        self._not_places = frozenset(not_places)
        self._not_place_prefixes = frozenset(w[:i] for w in self._not_places for i in range(2, len(w)))
        self._table: dict[str, list[_Name]] = {}
        for name, place in self._by_name.items():
            kind = "alias" if name in self._aliases or place.kind == "alias" else "exact"
            self._add(_Name(name, 0, place=place, kind=kind))
        for area in self.areas:
            for name in area.names:
                self._add(_Name(name, 1, area=area))
        for other in self.others:
            self._add(_Name(other.name, 2, other=other))
        for bucket in self._table.values():
            bucket.sort(key=lambda n: (-len(n.text), n.rank))
        self._area_by_name = {n: a for a in self.areas for n in a.names}
        self._all_names = frozenset(self._by_name) | area_names | {o.name for o in self.others}
        self._sound_names = [n for n in (*self._by_name, *area_names) if len(split_suffix(n)[0]) >= 2]
        self._sound_index: SoundIndex | None = None
        self._dictionary = dictionary if dictionary is not None else _Dictionary(tuple(sorted(set(self._by_name))))
        self._memo: dict[tuple[str, float], PlaceFindings] = {}
        self._last_words: tuple[str | None, list[tuple[int, int, str]]] = (None, [])

    @property
    def _sounds(self) -> SoundIndex:
        """The sound index of covered names and areas, built on first use (pypinyin loads then)."""
        if self._sound_index is None:
            self._sound_index = SoundIndex(self._sound_names)
        return self._sound_index

    def warm_up(self) -> None:
        """Build the sound index and load jieba now rather than on the first text that needs them."""
        self._sounds  # noqa: B018
        self._dictionary.tokenizer  # noqa: B018

    def _add(self, name: _Name) -> None:
        if name.text:
            self._table.setdefault(name.text[0], []).append(name)

    @classmethod
    def load(
        cls,
        plans_dir: Path = PACKAGED_PLANS_DIR,
        places_file: Path = PLACES_FILE,
        other_places_file: Path = OTHER_PLACES_FILE,
        not_places_file: Path = NOT_PLACES_FILE,
    ) -> Gazetteer:
        """Regions from the plan manifest, places from the lexicon's places.csv, the provinces and cities
        holding covered regions from the manifest, places outside them from other_places.csv."""
        plans = load_manifest(plans_dir)
        regions = [Region(p.region, p.short_region) for p in plans]
        places = [place for plan in plans for place in _places_of_plan(plan)]
        by_short = {r.short_name: r.name for r in regions}
        aliases: list[str] = []
        if places_file.is_file():
            with places_file.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    region = by_short.get(row["region"].strip())
                    if region is None:
                        continue  # a place of a region whose plan is not loaded
                    row_aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
                    aliases += row_aliases
                    names = [row["name"].strip(), *row_aliases]
                    places += [Place(name, region, row["kind"].strip()) for name in names]
        return cls(
            regions,
            places,
            areas=_areas_of(plans),
            others=_read_other_places(other_places_file),
            aliases=aliases,
            not_places=read_word_list(not_places_file),
        )

    # --- names -------------------------------------------------------------------------------------------

    def place_names(self) -> list[str]:
        """Every name of a covered place the gazetteer knows, for the tokenizer's vocabulary."""
        return list(self._by_name)

    def short_name(self, region: str) -> str:
        """涪陵 for 重庆市涪陵区; unknown names are returned as they are."""
        return self._short.get(region, region)

    def word_boundaries(self, text: str) -> frozenset[int]:
        """Offsets where the words of the text (jieba, with the place names) start or end."""
        return self._dictionary.boundaries(text)

    def short_names(self) -> list[str]:
        """The covered regions as people name them, in manifest order: 涪陵, 资阳, 巫溪, 双桥, 万州."""
        return [r.short_name for r in self.regions]

    def area(self, name: str) -> Area | None:
        """The province or city of that name holding covered regions (重庆, 承德市), if any."""
        return self._area_by_name.get(name.strip())

    def resolve_region(self, name: str | None) -> str | None:
        """A region's canonical name from any name of it or of a place in it (exact, contained, by sound, or a
        city holding only it); None when unknown, outside, or a city holding several."""
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

    # --- finding -----------------------------------------------------------------------------------------

    def find(self, text: str, min_confidence: float = MIN_CONFIDENCE) -> PlaceFindings:
        """All place findings of a text, from one analysis (memoised)."""
        key = (text, min_confidence)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = self._find(text, min_confidence)
        return found

    def repair(self, text: str, min_confidence: float = MIN_CONFIDENCE) -> str:
        """The text with place names written by sound spelled right (福陵 → 涪陵, 林市 → 蔺市), for retrieval."""
        out = text
        for match in sorted(self.find(text, min_confidence).sound_matches, key=lambda m: m.start, reverse=True):
            out = out[: match.start] + match.name + out[match.end :]
        return out

    def regions_in(self, text: str) -> list[str]:
        """Canonical names of the regions the text names, directly, by sound, through a place or through a city
        holding only one covered region, in order."""
        return list(self.find(text).regions)

    def places_in(self, text: str) -> list[Place]:
        """Covered places named in the text (by characters or sound), in order of appearance, longest name
        winning overlaps; a city holding one region is not a place of it."""
        return [m.place for m in self.find(text).matches if m.kind != "city"]

    def outside_in(self, text: str) -> list[OtherPlace]:
        """Places outside the covered regions the text names, in order."""
        return [m.place for m in self.find(text).outside]

    def without_places(self, text: str, kinds: frozenset[str] | None = None) -> str:
        """The text with covered place names (and cities holding one region) cut out: all, or those of the given
        place kinds. Once the region is set, its own name says where, not what."""
        matches = self.find(text).matches
        return _cut(text, [(m.start, m.end) for m in matches if kinds is None or m.place.kind in kinds])

    def without_region_names(self, text: str) -> str:
        """The text without the names of whole regions (涪陵, 涪陵区, 万县); towns and streets stay."""
        return self.without_places(text, REGION_NAME_KINDS)

    def _find(self, text: str, min_confidence: float) -> PlaceFindings:
        taken = [False] * len(text)
        exact = self._exact(text, taken)
        sounds = self._sound_matches(text, exact, min_confidence) if len(text) >= 2 else []
        replaced = {(h.start, h.end) for h, _ in sounds}
        exact = [e for e in exact if not any(s <= e[0] and e[1] <= t for s, t in replaced)]
        matches: list[PlaceMatch] = []
        outside: list[OutsideMatch] = []
        areas: list[AreaMatch] = []
        for start, end, name in exact:
            surface = text[start:end]
            if name.place is not None:
                place = name.place
                confidence = _CONFIDENCE[name.kind]
                matches.append(PlaceMatch(start, end, surface, surface, place.region, name.kind, confidence, place))
            elif name.area is not None:
                areas.append(AreaMatch(start, end, surface, name.area))
            elif name.other is not None:
                outside.append(OutsideMatch(start, end, surface, name.other))
        for hit, confidence in sounds:
            surface = text[hit.start : hit.end]
            area = self._area_by_name.get(hit.name)
            if area is not None:
                areas.append(AreaMatch(hit.start, hit.end, surface, area, confidence))
            else:
                place = self._by_name[hit.name]
                matches.append(
                    PlaceMatch(hit.start, hit.end, surface, hit.name, place.region, "sound", confidence, place)
                )
        for found in areas:
            area = found.area
            if area.level != "city" or len(area.regions) != 1:
                continue
            if any(o.place.parent in area.names for o in outside):
                continue  # 承德双滦区: a place of the city outside the covered region
            confidence = min(_CONFIDENCE["city"], found.confidence)
            place = Place(area.name, area.regions[0], "city")
            matches.append(
                PlaceMatch(found.start, found.end, found.text, area.name, area.regions[0], "city", confidence, place)
            )
        matches.sort(key=lambda m: m.start)
        outside.sort(key=lambda m: m.start)
        areas.sort(key=lambda m: m.start)
        regions = tuple(dict.fromkeys(m.region for m in matches))
        spans = [(m.start, m.end) for m in (*matches, *outside, *areas)]
        return PlaceFindings(text, regions, tuple(matches), tuple(outside), tuple(areas), _cut(text, spans))

    def _exact(self, text: str, taken: list[bool]) -> list[tuple[int, int, _Name]]:
        """Names written as they are, longest first claiming their characters (then covered before area
        before outside); a short outside name inside a longer ordinary word (长治久安, 普洱茶) is none."""
        candidates: list[tuple[int, int, int, _Name]] = []
        for start, character in enumerate(text):
            for name in self._table.get(character, ()):
                if text.startswith(name.text, start):
                    candidates.append((-len(name.text), name.rank, start, name))
        candidates.sort(key=lambda c: c[:3])
        found: list[tuple[int, int, _Name]] = []
        for negative_length, _, start, name in candidates:
            end = start - negative_length
            if any(taken[start:end]):
                continue
            if name.other is not None and not split_suffix(name.text)[1] and self._crosses_word(text, start, end):
                continue
            taken[start:end] = [True] * (end - start)
            found.append((start, end, name))
        return sorted(found, key=lambda f: f[0])

    def _sound_matches(
        self, text: str, exact: list[tuple[int, int, _Name]], min_confidence: float
    ) -> list[tuple[SoundHit, float]]:
        """Spans that sound like a covered name or an area, with their confidence, best first claiming their
        characters. A span may not overlap a name written right, except to hold a covered one whole and be
        longer (投道牌楼街道 holds 牌楼街道 but is 头道牌楼街道)."""
        hits = self._sounds.hits(text, TextSounds.of(text))
        if not hits:
            return []
        allowed = []
        for hit in hits:
            overlapping = [e for e in exact if e[0] < hit.end and hit.start < e[1]]
            if all(e[2].place is not None and hit.start <= e[0] and e[1] <= hit.end and e[1] - e[0] < hit.end - hit.start
                   for e in overlapping):
                allowed.append(hit)
        scored = [(hit, self._prior(text, hit)) for hit in allowed]
        scored = [(hit, c) for hit, c in scored if c >= min_confidence]
        scored.sort(key=lambda s: (-s[1], -(s[0].end - s[0].start), s[0].start))
        taken = [False] * len(text)
        chosen: list[tuple[SoundHit, float]] = []
        for hit, prior in scored:
            if any(taken[hit.start : hit.end]):
                continue
            confidence = self._after_word_checks(text, hit, prior)
            if confidence < min_confidence:
                continue
            taken[hit.start : hit.end] = [True] * (hit.end - hit.start)
            chosen.append((hit, confidence))
        return chosen

    def _confidence(self, text: str, hit: SoundHit) -> float:
        """How sure a sound match is; 0 when it is no place (see `_prior` and `_after_word_checks`)."""
        return self._after_word_checks(text, hit, self._prior(text, hit))

    def _prior(self, text: str, hit: SoundHit) -> float:
        """How sure a sound match is from its sound and surroundings, before the word checks.

        Same sound 0.8 (+0.05 with the same tones), one syllable near 0.55, more 0.45; -0.15 when a syllable
        matches only a character's second reading; +0.1 when a place suffix follows or is part of the name,
        +0.05 for a context word (住在, 那边), for a third syllable, and (same sound only) for a character
        written right; at most 0.95. 0 when the name's suffix is miswritten or a function character (的, 是) stands in the name."""
        core, suffix = split_suffix(hit.name)
        core_end = hit.start + len(core)
        if suffix and text[core_end : hit.end] != suffix:
            return 0.0  # the suffix itself must be written right: 涪陵去 is no 涪陵区
        written = text[hit.start : hit.end]
        function = sum(w != n and w in _FUNCTION_CHARACTERS for w, n in zip(written, hit.name, strict=True))
        if function > (1 if len(core) >= 3 else 0):
            return 0.0  # 主城的 is no 承德; 周家把街道 may be 周家坝街道
        confidence = {0: 0.8, 1: 0.55}.get(hit.differing, 0.45)
        if hit.differing == 0 and hit.same_tones:
            confidence += 0.05
        if hit.secondary:
            confidence -= 0.15
        if len(core) >= 3:
            confidence += 0.05
        if suffix or text.startswith(_SUFFIXES_AFTER, hit.end):
            confidence += 0.1
        if text[: hit.start].endswith(_CONTEXT_BEFORE) or text.startswith(_CONTEXT_AFTER, hit.end):
            confidence += 0.05
        if hit.differing == 0 and any(a == b for a, b in zip(written, core, strict=False)):
            confidence += 0.05  # 万洲: one character right and the other the same sound
        return round(min(confidence, 0.95), 2)

    def _after_word_checks(self, text: str, hit: SoundHit, confidence: float) -> float:
        """The confidence once ordinary words are considered: a span that is a frequent jieba word or a
        not_places.txt word, lies inside one or crosses one is no place (0); one that is such a word but has
        the name's suffix after it (沿江区 for 雁江区) loses 0.25."""
        if confidence <= 0:
            return 0.0
        core, suffix = split_suffix(hit.name)
        core_end = hit.start + len(core)
        is_word = self._ordinary(text[hit.start : core_end]) or self._ordinary(text[hit.start : hit.end])
        if (is_word and not suffix) or self._crosses_word(text, hit.start, hit.end, None if is_word else core_end):
            return 0.0  # a word core: its suffix must stand alone too (沿江区域 is no 雁江区)
        return round(confidence - (0.25 if is_word else 0.0), 2)

    def _crosses_word(self, text: str, start: int, end: int, core_end: int | None = None) -> bool:
        """Whether an ordinary word holds text[start:end] or reaches into it from outside (普通家庭 holds 通家,
        市场 reaches into 林市场). A reaching word loses to a more frequent word that takes its outside part
        (请问 beats 问安 in 请问安月县). After a place suffix (core_end < end) only words reaching in from before
        count: 福陵区政府 is fine."""
        suffixed = core_end is not None and core_end < end
        for a, b, word in self._words_around(text, start, end):
            if start <= a and b <= end:
                continue  # inside the span
            holds = a <= start and b >= end
            if not holds and a >= start and suffixed:
                continue  # from inside the span over its suffix: 区政府, 县城
            if not self._ordinary(word, _COMMON_WORD_FREQUENCY if holds else _CROSSING_WORD_FREQUENCY):
                continue
            if not holds and word not in self._not_places:
                own = self._dictionary.frequency(word)
                if a < start and any(self._ordinary(text[c:start], own) for c in range(max(0, start - 4), a)):
                    continue
                if b > end and any(self._ordinary(text[end:d], own) for d in range(b + 1, min(len(text), end + 4) + 1)):
                    continue
            return True
        return False

    def _words_around(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Dictionary words (jieba's, by its prefix table, and not_places.txt's) of 2–5 characters that overlap
        text[start:end]."""
        frequencies = self._dictionary.frequencies
        words = []
        for a in range(max(0, start - _LONGEST_WORD + 1), end):
            for b in range(a + 2, min(len(text), a + _LONGEST_WORD) + 1):
                word = text[a:b]
                if word not in frequencies and word not in self._not_places:
                    if word not in self._not_place_prefixes:
                        break  # jieba's table holds every prefix of its words: none starts so
                    continue
                if b > start:
                    words.append((a, b, word))
        return words

    def _ordinary(self, word: str, threshold: int = _COMMON_WORD_FREQUENCY) -> bool:
        """A word of 2+ characters that is no place name: listed in not_places.txt or frequent in jieba."""
        if word in self._not_places:
            return True
        return (self._dictionary.frequencies.get(word) or 0) >= threshold and word not in self._all_names


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with each span (overlapping ones merged) replaced by one space."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + " " + text[end:]
    return text


def _places_of_plan(plan: Plan) -> list[Place]:
    """The names a plan's own manifest line gives its region: 重庆市涪陵区, 涪陵区, 涪陵."""
    region = plan.region
    names = {region, plan.short_region, plan.county, plan.city if not plan.county else ""}
    if plan.city and plan.county:
        names.add(f"{plan.city}{plan.county}")
    return [Place(name, region, "region") for name in names if len(name) >= 2]


def _short_area_name(name: str) -> str:
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _areas_of(plans: Iterable[Plan]) -> list[Area]:
    """The provinces and cities of the manifest that hold covered regions below them: a plan's province, and
    its city when the plan covers a county of it (资阳市 is itself the region: 四川省 holds it)."""
    held: dict[str, list[str]] = {}
    for plan in plans:
        containers = [plan.province]
        if plan.county and plan.city and plan.city != plan.province:
            containers.append(plan.city)
        for container in containers:
            if container and container != plan.region:
                held.setdefault(container, [])
                if plan.region not in held[container]:
                    held[container].append(plan.region)
    areas = []
    for name, regions in held.items():
        level = "city" if name.endswith("市") else "province"
        names = tuple(dict.fromkeys([name, _short_area_name(name)]))
        areas.append(Area(name, level, tuple(regions), names))
    return areas


def _read_other_places(path: Path) -> list[OtherPlace]:
    """other_places.csv: name, level, parent, aliases (|-separated); lines starting with # are comments."""
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if not line.startswith("#")]
    others: list[OtherPlace] = []
    for row in csv.DictReader(lines):
        canonical = row["name"].strip()
        aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
        for name in (canonical, *aliases):
            others.append(OtherPlace(name, canonical, row["level"].strip(), (row.get("parent") or "").strip()))
    return others
