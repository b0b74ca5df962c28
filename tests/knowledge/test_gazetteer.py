"""Places → regions, from the manifest and knowledge/lexicon/places.csv."""

from __future__ import annotations

import pytest

from knowledge.text.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize(
    ("name", "region"),
    [("蔺市", "重庆市涪陵区"), ("蔺市街道", "重庆市涪陵区"), ("安岳", "四川省资阳市"), ("安岳县", "四川省资阳市"),
     ("双桥", "河北省承德市双桥区"), ("承德市双桥区", "河北省承德市双桥区"), ("巫溪", "重庆市巫溪县"),
     ("万州区", "重庆市万州区"), ("涪陵", "重庆市涪陵区"), ("资阳市", "四川省资阳市")],
)
def test_place_resolves_to_its_region(gazetteer: Gazetteer, name: str, region: str) -> None:
    assert gazetteer.resolve_region(name) == region


@pytest.mark.parametrize("name", ["北京", "成都市", "", None, "养老院"])
def test_unknown_names_resolve_to_none(gazetteer: Gazetteer, name: str | None) -> None:
    assert gazetteer.resolve_region(name) is None


def test_regions_in_a_sentence_in_order(gazetteer: Gazetteer) -> None:
    assert gazetteer.regions_in("我住蔺市，我妈在安岳") == ["重庆市涪陵区", "四川省资阳市"]
    assert gazetteer.regions_in("高龄津贴怎么领") == []


def test_longest_name_wins(gazetteer: Gazetteer) -> None:
    places = gazetteer.places_in("蔺市街道的老人")
    assert [p.name for p in places] == ["蔺市街道"]


def test_regions_follow_the_manifest(gazetteer: Gazetteer) -> None:
    assert [r.short_name for r in gazetteer.regions] == ["涪陵", "资阳", "巫溪", "双桥", "万州"]
    assert gazetteer.short_name("河北省承德市双桥区") == "双桥"
