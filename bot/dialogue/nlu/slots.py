"""Rule slot filling: the senior's age, whom the question is about, and the regions named (via the gazetteer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.dialogue.nlu.intent import TextProcessor

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(?:\d{1,3}|[零〇一二两三四五六七八九十百]{1,5})"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

# (pattern, how the span reads) in order of precedence; every pattern has a group "n".
_AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?:快|快要|马上|马上就|将近|眼看就|差不多)(?:满|到)?(?P<n>{_NUMBER})(?:周岁|岁|歲)?(?:了|啦)?"), "almost"),
    (re.compile(rf"(?P<n>{_NUMBER})(?:岁|歲)?(?:出头|挂零)"), "just_over"),
    (re.compile(rf"(?P<n>{_NUMBER})(?:好几|多|几)(?:岁|歲)?"), "some_over"),
    (re.compile(rf"(?P<n>{_NUMBER})(?:来)(?:岁|歲)"), "about"),
    (re.compile(rf"(?:满|年满)(?P<n>{_NUMBER})(?:周岁|岁|歲)?"), "exact"),
    (re.compile(rf"(?P<n>{_NUMBER})(?:周岁|岁|歲)(?!以上|以下|及以上|以内|至|到|～|-)"), "exact"),
    (re.compile(rf"(?:今年|已经|都)(?P<n>{_NUMBER})(?:了|啦)?"), "exact"),
    (re.compile(rf"(?P<n>{_NUMBER})(?:了|啦)(?![^，。！？,.!?\s]{{0,2}}(?:年|块|元|天|月|次|个|张|号|期|平方|公里|人))"), "exact"),
)
# reading → (lowest, highest, likeliest) offset from the number said
_RANGES = {"exact": (0, 0, 0), "almost": (-2, -1, -1), "just_over": (0, 3, 1), "some_over": (1, 9, 5), "about": (-2, 2, 0)}
MIN_AGE, MAX_AGE = 40, 120


class Relation(str, Enum):
    """Whom the asker speaks for."""

    SELF = "self"
    MOTHER = "mother"
    FATHER = "father"
    PARENTS = "parents"
    SPOUSE = "spouse"
    GRANDPARENT = "grandparent"
    PARENT_IN_LAW = "parent_in_law"
    OTHER_ELDER = "other_elder"


_RELATIONS: tuple[tuple[Relation, tuple[str, ...]], ...] = (
    (Relation.PARENT_IN_LAW, ("婆婆", "公公", "岳父", "岳母", "老丈人", "丈母娘")),
    (Relation.GRANDPARENT, ("奶奶", "爷爷", "外婆", "外公", "姥姥", "姥爷", "祖母", "祖父", "婆婆家")),
    (Relation.PARENTS, ("我爸妈", "我父母", "爸妈", "父母", "我爹妈", "二老", "老人家两个")),
    (Relation.MOTHER, ("我妈", "我母亲", "老妈", "我娘", "母亲", "妈妈", "我老妈", "俺娘", "我老娘")),
    (Relation.FATHER, ("我爸", "我父亲", "老爸", "我爹", "父亲", "爸爸", "老汉", "我老爹", "俺爹")),
    (Relation.SPOUSE, ("老伴", "老伴儿", "老头子", "老太婆", "我老公", "我媳妇", "我爱人", "老婆子", "我家老头")),
    (Relation.SELF, ("我自己", "我本人", "本人", "我今年", "我已经", "俺今年")),
    (Relation.OTHER_ELDER, ("邻居", "亲戚", "舅舅", "姑姑", "姨妈", "叔叔", "伯伯", "老人家")),
)


@dataclass(frozen=True)
class AgeMention:
    """An age said in the text: the likeliest years and the range the wording allows."""

    years: int
    minimum: int
    maximum: int
    text: str


@dataclass(frozen=True)
class Slots:
    """What one utterance says about region, age and whom it is about."""

    regions: list[str] = field(default_factory=list)
    age: AgeMention | None = None
    relation: Relation | None = None

    @property
    def region(self) -> str | None:
        """The region when exactly one is named."""
        return self.regions[0] if len(self.regions) == 1 else None


class RegionFinder(Protocol):
    """The gazetteer's part the slot filler uses (knowledge.text.gazetteer.Gazetteer)."""

    def regions_in(self, text: str) -> list[str]: ...


def chinese_number(token: str) -> int | None:
    """'85' → 85, '八十五' → 85, '九十' → 90, '一百零一' → 101, '八五' → 85; None when it is no number."""
    token = token.translate(_FULLWIDTH)
    if token.isdigit():
        return int(token)
    if not token or any(ch not in _DIGITS and ch not in "十百" for ch in token):
        return None
    if "十" not in token and "百" not in token:
        value = 0
        for ch in token:
            value = value * 10 + _DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in token:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current


def extract_age(text: str) -> AgeMention | None:
    """The first age of a senior said in the text ('八十五了', '85岁', '九十出头', '快80了'); None if none."""
    text = text.translate(_FULLWIDTH)
    candidates: list[tuple[int, int, AgeMention]] = []
    for order, (pattern, reading) in enumerate(_AGE_PATTERNS):
        for match in pattern.finditer(text):
            value = chinese_number(match.group("n"))
            if value is None or not MIN_AGE <= value <= MAX_AGE:
                continue
            low, high, likely = _RANGES[reading]
            mention = AgeMention(value + likely, value + low, value + high, match.group(0))
            candidates.append((match.start(), order, mention))
    if not candidates:
        return None
    return min(candidates, key=lambda item: (item[0], item[1]))[2]


def extract_relation(text: str) -> Relation | None:
    """Whom the question is about, from the first kinship word of the text."""
    best: tuple[int, int, Relation] | None = None
    for rank, (relation, words) in enumerate(_RELATIONS):
        for word in words:
            position = text.find(word)
            if position != -1 and (best is None or (position, rank) < best[:2]):
                best = (position, rank, relation)
    return best[2] if best else None


class SlotExtractor:
    """Fills region, age and relation slots; the gazetteer and text normaliser are passed in or loaded lazily."""

    def __init__(self, regions: RegionFinder | None = None, text: TextProcessor | None = None) -> None:
        self._regions = regions
        self._text = text

    @property
    def regions(self) -> RegionFinder:
        if self._regions is None:
            from knowledge.text.gazetteer import Gazetteer

            self._regions = Gazetteer.load()
        return self._regions

    def normalize(self, text: str) -> str:
        return self._text.normalize(text) if self._text is not None else text

    def extract(self, text: str) -> Slots:
        """Slots of one utterance (any length; only the first 2,000 characters are read)."""
        text = self.normalize(text[:2000])
        return Slots(self.regions.regions_in(text), extract_age(text), extract_relation(text))
