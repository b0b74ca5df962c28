"""Cities holding covered regions (from the manifest) and places outside the covered regions
(knowledge/lexicon/other_places.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.retrieval.passages import Plan
from knowledge.text.gazetteer import OTHER_PLACES_FILE, Gazetteer, Region, _areas_of, _read_other_places

FULING, ZIYANG, WUXI, SHUANGQIAO, WANZHOU = (
    "重庆市涪陵区", "四川省资阳市", "重庆市巫溪县", "河北省承德市双桥区", "重庆市万州区"
)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    found = Gazetteer.load()
    found.warm_up()
    return found


# --- cities and provinces holding covered regions -----------------------------------------------------------


@pytest.mark.parametrize("text", ["承德的高龄津贴怎么领", "承德市有没有老年大学"])
def test_a_city_holding_one_region_resolves_to_it(gazetteer: Gazetteer, text: str) -> None:
    found = gazetteer.find(text)
    assert found.regions == (SHUANGQIAO,)
    [match] = found.matches
    assert match.kind == "city" and match.name == "承德市" and match.confidence == 0.9
    assert found.ambiguous_city is None
    assert gazetteer.resolve_region("承德") == SHUANGQIAO


def test_a_city_holding_several_regions_is_ambiguous(gazetteer: Gazetteer) -> None:
    found = gazetteer.find("重庆的高龄补贴发多少")
    assert found.regions == ()
    assert found.ambiguous_city is not None
    assert found.ambiguous_city.name == "重庆市"
    assert found.ambiguous_city.candidates == (FULING, WUXI, WANZHOU)
    assert gazetteer.resolve_region("重庆") is None


@pytest.mark.parametrize(("text", "region"), [("重庆涪陵的养老院", FULING), ("重庆市万州区", WANZHOU), ("四川资阳", ZIYANG)])
def test_a_city_with_its_region_named_is_no_question(gazetteer: Gazetteer, text: str, region: str) -> None:
    found = gazetteer.find(text)
    assert found.regions == (region,) and found.ambiguous_city is None


def test_the_region_that_is_a_city_is_no_container(gazetteer: Gazetteer) -> None:
    [match] = gazetteer.find("资阳市的补贴").matches
    assert match.kind == "exact" and match.region == ZIYANG


def test_a_province_holding_one_region_is_reported_not_resolved(gazetteer: Gazetteer) -> None:
    found = gazetteer.find("四川的老人补贴")
    assert found.regions == () and found.ambiguous_city is None
    [area] = found.areas
    assert area.area.level == "province" and area.candidates == (ZIYANG,)


def test_a_place_of_the_city_outside_the_region_wins(gazetteer: Gazetteer) -> None:
    found = gazetteer.find("承德双滦区的养老院")
    assert found.regions == () and [o.name for o in found.outside] == ["双滦区"]
    found = gazetteer.find("重庆渝中区的养老院")
    assert found.regions == () and found.ambiguous_city is None and found.only_outside


def test_areas_come_from_the_manifest_columns() -> None:
    plans = [Plan("a.txt", "", "", "", "", "浙江省", "杭州市", "西湖区"),
             Plan("b.txt", "", "", "", "", "浙江省", "杭州市", "余杭区"),
             Plan("c.txt", "", "", "", "", "浙江省", "宁波市", "")]
    areas = {a.name: a for a in _areas_of(plans)}
    assert areas["杭州市"].regions == ("浙江省杭州市西湖区", "浙江省杭州市余杭区")
    assert areas["杭州市"].names == ("杭州市", "杭州") and areas["杭州市"].level == "city"
    assert areas["浙江省"].regions == ("浙江省杭州市西湖区", "浙江省杭州市余杭区", "浙江省宁波市")
    assert "宁波市" not in areas  # the region itself
    regions = [Region(p.region, p.short_region) for p in plans]
    made = Gazetteer(regions, [], areas=_areas_of(plans))
    assert made.find("杭州的养老院").ambiguous_city.candidates == areas["杭州市"].regions
    assert made.find("宁波").regions == ()  # no place of it given: not a name the toy gazetteer knows


# --- outside the covered regions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [("成都的高龄补贴", "成都市"), ("我在北京", "北京市"), ("上海有没有长护险", "上海市"), ("天津的养老院", "天津市"),
     ("广州市的老年食堂", "广州市"), ("渝中区的日间照料", "渝中区"), ("沙坪坝的老人", "沙坪坝区"),
     ("我是双滦的", "双滦区"), ("鹰手营子矿区", "鹰手营子矿区"), ("承德县的敬老院", "承德县"), ("简阳的补贴", "简阳市"),
     ("江北区的养老院", "江北区"), ("兴隆县", "兴隆县"), ("湖南长沙", "长沙市"), ("凉山州", "凉山彝族自治州")],
)
def test_places_outside_the_covered_regions(gazetteer: Gazetteer, text: str, name: str) -> None:
    found = gazetteer.find(text)
    assert found.regions == ()
    assert name in [o.name for o in found.outside]
    assert found.only_outside


@pytest.mark.parametrize(
    ("text", "region"),
    [("安岳的老人", ZIYANG), ("乐至县", ZIYANG), ("雁江区", ZIYANG), ("江北街道", FULING), ("兴隆镇", ZIYANG),
     ("朝阳镇的敬老院", ZIYANG)],
)
def test_covered_places_sharing_a_name_with_outside_ones(gazetteer: Gazetteer, text: str, region: str) -> None:
    found = gazetteer.find(text)
    assert found.regions == (region,) and found.outside == ()


@pytest.mark.parametrize("text", ["长治久安", "丰裕镇长沙敬老院", "老人安康", "吃个三明治", "大理石地面"])
def test_outside_names_inside_ordinary_words_are_none(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find(text).outside == ()


def test_a_covered_and_an_outside_place_together(gazetteer: Gazetteer) -> None:
    found = gazetteer.find("涪陵和成都比哪个补贴高")
    assert found.regions == (FULING,) and [o.name for o in found.outside] == ["成都市"] and not found.only_outside
    assert found.text_without_places == " 和 比哪个补贴高"


def test_outside_list_never_names_a_covered_place(gazetteer: Gazetteer) -> None:
    covered = set(gazetteer.place_names())
    assert covered.isdisjoint(o.name for o in gazetteer.others)
    assert {"重庆", "承德", "四川", "河北"}.isdisjoint(o.name for o in gazetteer.others)  # containers
    names = [o.name for o in _read_other_places(OTHER_PLACES_FILE)]
    assert {"成都市", "成都", "渝中区", "双滦区", "吉林省", "新疆维吾尔自治区"} <= set(names)
    assert len(names) > 600


def test_every_other_place_of_the_nlu_lookup_is_outside(gazetteer: Gazetteer) -> None:
    data = yaml.safe_load((ROOT / "nlu_data" / "data" / "other_places.yml").read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b.get("lookup") == "other_place"]
    names = [line.strip().removeprefix("- ").strip() for line in block["examples"].splitlines() if line.strip()]
    generic = {"全国", "外省"}
    missing = [n for n in names if n not in generic and not gazetteer.find(n).only_outside]
    assert missing == []


def test_find_reports_everything_at_once(gazetteer: Gazetteer) -> None:
    found = gazetteer.find("我住林市，我妈在北京，承德那边呢")
    assert found.regions == (FULING, SHUANGQIAO)
    assert [(m.text, m.kind) for m in found.matches] == [("林市", "sound"), ("承德", "city")]
    assert [o.name for o in found.outside] == ["北京市"]
    assert found.text_without_places == "我住 ，我妈在 ， 那边呢"
    assert gazetteer.find("我住林市，我妈在北京，承德那边呢") is found  # memoised
