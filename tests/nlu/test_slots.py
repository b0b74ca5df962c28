"""Rule slot filling: age wordings, who the question is for, regions through the gazetteer."""

from __future__ import annotations

import pytest

from bot.dialogue.nlu.slots import (
    AgeMention,
    Relation,
    SlotExtractor,
    chinese_number,
    extract_age,
    extract_relation,
)
from knowledge.text.chinese import ChineseText
from knowledge.text.gazetteer import Gazetteer


@pytest.mark.parametrize(
    ("token", "value"),
    [("85", 85), ("８５", 85), ("八十五", 85), ("九十", 90), ("十", 10), ("一百零一", 101), ("一百", 100),
     ("八五", 85), ("两百", 200), ("abc", None), ("", None)],
)
def test_chinese_number(token: str, value: int | None) -> None:
    assert chinese_number(token) == value


@pytest.mark.parametrize(
    ("text", "years", "low", "high"),
    [
        ("我妈85了", 85, 85, 85),
        ("八十五了还能领不", 85, 85, 85),
        ("我爸今年85岁", 85, 85, 85),
        ("我婆婆88歲了", 88, 88, 88),
        ("老人九十出头", 91, 90, 93),
        ("我快80了", 79, 78, 79),
        ("我妈八十好几了", 85, 81, 89),
        ("老汉七十多岁", 75, 71, 79),
        ("七十来岁的老人", 70, 68, 72),
        ("我今年七十八", 78, 78, 78),
        ("明年就年满八十", 80, 80, 80),
        ("奶奶一百零一岁", 101, 101, 101),
    ],
)
def test_ages(text: str, years: int, low: int, high: int) -> None:
    age = extract_age(text)
    assert age is not None and (age.years, age.minimum, age.maximum) == (years, low, high)
    assert age.text in text


@pytest.mark.parametrize(
    "text",
    ["80周岁以上的老人有津贴吗", "2025年了", "我家3口人了", "花了85块了", "孙子5岁了", "高龄津贴咋个领", "", "😀"],
)
def test_no_age(text: str) -> None:
    assert extract_age(text) is None


def test_first_age_wins() -> None:
    assert extract_age("我妈85了，我爸90岁") == AgeMention(85, 85, 85, "85了")


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("我妈85了", Relation.MOTHER),
        ("我爸想上老年大学", Relation.FATHER),
        ("我屋头老汉瘫了", Relation.FATHER),
        ("我和老伴都七十多了", Relation.SPOUSE),
        ("我自己七十九了", Relation.SELF),
        ("我爸妈都八十了", Relation.PARENTS),
        ("我奶奶九十了", Relation.GRANDPARENT),
        ("我婆婆88岁", Relation.PARENT_IN_LAW),
        ("助餐点在哪里", None),
    ],
)
def test_relation(text: str, relation: Relation | None) -> None:
    assert extract_relation(text) == relation


class FakeRegions:
    """Records what the extractor asks the gazetteer."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def regions_in(self, text: str) -> list[str]:
        self.asked.append(text)
        return ["重庆市万州区"] if "万州" in text else []


def test_extractor_uses_the_region_finder_on_normalised_text() -> None:
    finder = FakeRegions()
    slots = SlotExtractor(finder, ChineseText()).extract("我媽85了，萬州的高齡津貼")
    assert finder.asked == ["我妈85了,万州的高龄津贴"]
    assert slots.regions == ["重庆市万州区"] and slots.region == "重庆市万州区"
    assert slots.age is not None and slots.age.years == 85 and slots.relation is Relation.MOTHER


@pytest.fixture(scope="module")
def extractor() -> SlotExtractor:
    return SlotExtractor(Gazetteer.load(), ChineseText())


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("我是万州的", ["重庆市万州区"]),
        ("我住高笋塘街道", ["重庆市万州区"]),
        ("安岳县有老年大学吗", ["四川省资阳市"]),
        ("承德双桥的助餐点", ["河北省承德市双桥区"]),
        ("涪陵和巫溪比一下", ["重庆市涪陵区", "重庆市巫溪县"]),
        ("北京的养老院", []),
    ],
)
def test_regions_through_the_gazetteer(extractor: SlotExtractor, text: str, regions: list[str]) -> None:
    slots = extractor.extract(text)
    assert slots.regions == regions
    assert slots.region == (regions[0] if len(regions) == 1 else None)


@pytest.mark.parametrize("text", ["", "😀" * 10, "hello world", "\x00\xff", "啊" * 100_000])
def test_bad_input_gives_empty_slots(extractor: SlotExtractor, text: str) -> None:
    slots = extractor.extract(text)
    assert slots.regions == [] and slots.age is None and slots.relation is None
