"""Queries: list, near a named place (through the real gazetteer), nearest to coordinates."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.facilities.directory import FacilityDirectory, MatchLevel, place_stem, topics_in
from knowledge.facilities.geo import haversine_m
from knowledge.facilities.schema import Facility
from knowledge.facilities.store import import_facility_file


@pytest.fixture
def shipped(gazetteer) -> FacilityDirectory:
    return FacilityDirectory.load(gazetteer=gazetteer)


@pytest.fixture
def located(tmp_path: Path, fixtures: Path, gazetteer) -> FacilityDirectory:
    import_facility_file(fixtures / "good.csv", tmp_path)
    import_facility_file(fixtures / "missing_coords.csv", tmp_path)
    return FacilityDirectory.load(SimpleNamespace(facilities_dir=tmp_path), gazetteer=gazetteer)


def names(result) -> list[str]:
    return [f.display_name for f in result.facilities]


def test_load_reads_the_folder_the_settings_name(located: FacilityDirectory, tmp_path: Path) -> None:
    assert located.directory == tmp_path and len(located) == 8
    bot_settings = SimpleNamespace(knowledge=SimpleNamespace(facilities_dir=tmp_path))
    assert len(FacilityDirectory.load(bot_settings)) == 8


def test_list_by_region_county_and_type(shipped: FacilityDirectory) -> None:
    fuling = shipped.list(region="重庆市涪陵区")
    assert fuling and all(f.region == "重庆市涪陵区" for f in fuling)
    assert shipped.list(region="涪陵区") == fuling
    assert shipped.list(region="涪陵") == fuling
    assert [f.display_name for f in shipped.list(region="童家镇")] == ["乐至县童家镇敬老院", "乐至县童家镇放生敬老院"]
    lezhi = shipped.list(region="乐至县")
    assert lezhi and all(f.county == "乐至县" for f in lezhi)
    assert {f.type for f in shipped.list(type="meal")} == {"助餐点"}
    assert [f.name for f in shipped.list(region="四川省资阳市", type="老年大学")] == ["资阳市老年大学"]
    assert shipped.list(region="河北省承德市双桥区") == []
    with pytest.raises(ValueError):
        shipped.list(type="火锅")


def test_town_question_finds_the_towns_facilities_with_sources(shipped: FacilityDirectory) -> None:
    result = shipped.near_place("蔺市附近有养老院吗")
    assert result.match is MatchLevel.TOWN and result.region == "重庆市涪陵区"
    assert set(names(result)) == {"蔺市敬老院", "蔺市堡子敬老院", "美心养老院"}
    for facility in result.facilities:
        assert facility.source.endswith(".txt") and facility.quotes
        assert place_stem(facility.town) == "蔺市"
    assert result.to_dict()["facilities"][0]["quotes"]


def test_town_with_suffix_and_county_prefix(shipped: FacilityDirectory) -> None:
    result = shipped.near_place("乐至县童家镇有敬老院吗")
    assert result.match is MatchLevel.TOWN
    assert names(result) == ["乐至县童家镇敬老院", "乐至县童家镇放生敬老院"]


def test_county_question_falls_back_to_the_county(shipped: FacilityDirectory) -> None:
    result = shipped.near_place("乐至县有敬老院吗", limit=100)
    assert result.match is MatchLevel.COUNTY and result.region == "四川省资阳市"
    assert result.facilities and all(f.county == "乐至县" for f in result.facilities)
    closing = [f.closing for f in result.facilities]
    assert closing == sorted(closing) and any(closing)  # 关停并撤 ones come last


def test_place_without_facilities_falls_back_to_its_region(shipped: FacilityDirectory) -> None:
    result = shipped.near_place("马鞍街道附近有养老院吗")
    assert result.match is MatchLevel.REGION and result.region == "重庆市涪陵区"
    assert result.facilities and all(f.region == "重庆市涪陵区" for f in result.facilities)


def test_nothing_listed_gives_an_empty_result_with_the_region(shipped: FacilityDirectory) -> None:
    result = shipped.near_place("双桥区有助餐点吗")
    assert not result.found
    assert result.region == "河北省承德市双桥区" and result.types == ("助餐点", "老年食堂")
    meal = shipped.near_place("蔺市附近有助餐点吗")
    assert not meal.found and meal.region == "重庆市涪陵区" and meal.match is MatchLevel.TOWN


def test_unknown_place_and_bad_input(shipped: FacilityDirectory) -> None:
    for text in ["北京有养老院吗", "", "🙂🙂🙂", "x" * 100_000, "附近有没有助餐点？"]:
        result = shipped.near_place(text)
        assert not result.found and result.region is None and result.match is MatchLevel.NONE


def test_types_come_from_the_question_or_the_caller(shipped: FacilityDirectory) -> None:
    assert topics_in("附近有没有助餐点？") == ["meal"]
    assert topics_in("想上老年大学") == ["elder_university"]
    meal = shipped.near_place("岳城街道有吃饭的地方吗")
    assert names(meal) == ["南山社区老年助餐配餐试点"]
    everything = shipped.near_place("岳城街道")
    assert everything.types == () and names(everything) == ["南山社区老年助餐配餐试点"]
    only_meal = shipped.near_place("蔺市", types=["meal"])
    assert not only_meal.found and only_meal.types == ("助餐点", "老年食堂")


def test_bare_town_stem_needs_a_place_cue(shipped: FacilityDirectory) -> None:
    # 文化镇 and 劳动镇 are towns of 资阳: the bare words 文化/劳动 in a sentence are not places
    assert shipped.near_place("老年大学有文化课吗").match is MatchLevel.NONE
    assert shipped.near_place("劳动节养老院开门吗").match is MatchLevel.NONE
    assert names(shipped.near_place("文化镇有敬老院吗")) == ["安岳县文化镇岳源敬老院"]


def test_a_district_is_not_a_street_of_the_same_stem(shipped: FacilityDirectory) -> None:
    # 江北街道 is a street of 涪陵; 江北区 is another district of 重庆 the directory knows nothing about
    assert shipped.near_place("江北街道有养老院吗").match is MatchLevel.TOWN
    assert shipped.near_place("重庆江北区有养老院吗").match is not MatchLevel.TOWN
    assert shipped.near_place("雁江区有敬老院吗").match is MatchLevel.COUNTY


def test_facility_named_directly_and_place_objects(shipped: FacilityDirectory, gazetteer) -> None:
    assert names(shipped.near_place("美心养老院在哪里")) == ["美心养老院"]
    [place] = [p for p in gazetteer.places_in("蔺市街道") if p.kind != "region"]
    by_place = shipped.near_place(place, types=["institution"])
    assert set(names(by_place)) == {"蔺市敬老院", "蔺市堡子敬老院", "美心养老院"}
    assert len(shipped.near_place("蔺市附近有养老院吗", limit=1).facilities) == 1


def test_nearest_orders_by_distance_and_skips_unlocated(located: FacilityDirectory) -> None:
    hits = located.nearest(29.7030, 107.3900, limit=20)
    assert [f.name for f, _ in hits][:2] == ["示例甲社区助餐点", "示例乙养老服务站"]
    assert hits[0][1] == pytest.approx(0.0, abs=0.01)
    assert all(f.has_coordinates for f, _ in hits) and len(hits) == 7
    distances = [d for _, d in hits]
    assert distances == sorted(distances)
    meal = located.nearest(30.2750, 105.0300, types=["meal"], limit=2)
    assert [f.name for f, _ in meal] == ["示例丁老年食堂", "示例甲社区助餐点"]
    assert meal[1][1] == pytest.approx(float(haversine_m(30.275, 105.03, 29.703, 107.39)), rel=1e-9)
    assert located.nearest(29.7, 107.4, limit=0) == []
    located.warm_up()
    assert located.nearest(30.2750, 105.0300, types=["meal"], limit=2) == meal
    assert located.nearest(29.7, 107.4, types=["老年大学", "幸福院"], limit=5)[0][0].name == "示例己老年大学"


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (float("nan"), 1), (1, float("inf"))])
def test_nearest_rejects_impossible_coordinates(located: FacilityDirectory, lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        located.nearest(lat, lon)


def test_haversine_known_distances() -> None:
    assert float(haversine_m(0, 0, 1, 0)) == pytest.approx(111_195, rel=1e-4)  # one degree of meridian
    assert float(haversine_m(0, 179.9, 0, -179.9)) == pytest.approx(22_239, rel=1e-3)  # across the date line
    assert float(haversine_m(90, 0, -90, 0)) == pytest.approx(20_015_114, rel=1e-4)


def test_nearest_matches_brute_force_on_random_points() -> None:
    rng = random.Random(7)
    types = ["助餐点", "敬老院", "养老服务站"]
    facilities = [Facility(name=f"点{i}", type=rng.choice(types), region="测试", source="测试",
                           lat=rng.uniform(20, 45), lon=rng.uniform(90, 125)) for i in range(3000)]
    directory = FacilityDirectory(facilities)
    lats = np.array([f.lat for f in facilities])
    lons = np.array([f.lon for f in facilities])
    for _ in range(25):
        lat, lon = rng.uniform(20, 45), rng.uniform(90, 125)
        wanted = rng.choice([None, ["助餐点"], ["敬老院", "养老服务站"]])
        mask = np.ones(len(facilities), bool) if wanted is None else np.isin([f.type for f in facilities], wanted)
        distances = haversine_m(lat, lon, lats, lons)
        distances[~mask] = np.inf
        expected = np.argsort(distances, kind="stable")[:10]
        hits = directory.nearest(lat, lon, types=wanted, limit=10)
        assert [f.name for f, _ in hits] == [facilities[i].name for i in expected]
        assert [d for _, d in hits] == pytest.approx(distances[expected].tolist(), rel=1e-9)


def test_shipped_plan_facilities_have_no_coordinates(shipped: FacilityDirectory) -> None:
    assert shipped.nearest(29.70, 107.39) == []
    assert len(shipped) > 50


def test_same_town_name_in_two_regions_follows_the_region_named(gazetteer) -> None:
    twins = [Facility(name="示例甲站", type="养老服务站", region="重庆市涪陵区", source="测试", town="江东街道"),
             Facility(name="示例乙站", type="养老服务站", region="重庆市万州区", source="测试", town="江东街道")]
    directory = FacilityDirectory(twins, gazetteer=gazetteer)
    assert names(directory.near_place("万州江东街道有服务站吗")) == ["示例乙站"]
    assert names(directory.near_place("涪陵江东街道有服务站吗")) == ["示例甲站"]
    assert names(directory.near_place("江东街道有服务站吗")) == ["示例甲站"]  # the gazetteer knows 江东街道 of 涪陵


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60) | st.sampled_from(["蔺市", "乐至县", "童家", "附近", "镇", "区", "江北区江北"]))
def test_any_text_gives_a_result_never_an_exception(shipped: FacilityDirectory, text: str) -> None:
    result = shipped.near_place(text)
    assert result.match in MatchLevel
    assert all(f in shipped.facilities for f in result.facilities)
    assert len(result.facilities) <= 5
