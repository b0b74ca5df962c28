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


@pytest.mark.parametrize(
    ("text", "kind", "confidence"),
    [("涪陵", "exact", 1.0), ("蔺市街道", "exact", 1.0), ("重庆市涪陵区", "exact", 1.0), ("蔺市", "alias", 0.95),
     ("万县", "alias", 0.95), ("承德双桥", "alias", 0.95), ("承德", "city", 0.9), ("福陵区", "sound", 0.95)],
)
def test_every_match_has_a_kind_and_a_confidence(gazetteer: Gazetteer, text: str, kind: str, confidence: float) -> None:
    [match] = gazetteer.find(text).matches
    assert (match.kind, match.confidence) == (kind, confidence)
    assert (match.start, match.end, match.text) == (0, len(text), text)


def test_without_places_keeps_the_old_contract(gazetteer: Gazetteer) -> None:
    assert gazetteer.without_places("蔺市街道的老人") == " 的老人"
    assert gazetteer.without_region_names("涪陵蔺市街道的老人") == " 蔺市街道的老人"
    assert gazetteer.without_places("北京的老人") == "北京的老人"  # outside places are no covered place
    assert gazetteer.find("北京的老人").text_without_places == " 的老人"


def test_find_is_fast_once_warm(gazetteer: Gazetteer) -> None:
    """A 30-character question the gazetteer has not seen takes well under a millisecond (generous bound here:
    machines running tests are busy)."""
    import time

    gazetteer.warm_up()
    base = "我家老人住在福陵区，想问问高龄补贴怎么申请，每个月多少钱"
    gazetteer.find(base)
    start = time.perf_counter()
    for i in range(200):
        gazetteer.find(f"{base}{i}")
    assert (time.perf_counter() - start) / 200 < 0.003
