"""Places by sound: same-sound and near-sound spellings of covered names, and ordinary words that only sound
like one."""

from __future__ import annotations

import pytest

from knowledge.text.gazetteer import Gazetteer
from knowledge.text.place_sounds import SoundIndex, TextSounds, fold, split_suffix

FULING, ZIYANG, WUXI, SHUANGQIAO, WANZHOU = (
    "重庆市涪陵区", "四川省资阳市", "重庆市巫溪县", "河北省承德市双桥区", "重庆市万州区"
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    found = Gazetteer.load()
    found.warm_up()
    return found


@pytest.mark.parametrize(
    ("syllable", "folded"),
    [("zhou", "zou"), ("chong", "cong"), ("shi", "si"), ("ning", "lin"), ("ling", "lin"), ("nv", "lv"),
     ("yang", "yan"), ("feng", "hun"), ("fen", "hun"), ("fang", "huan"), ("huang", "huan"), ("fei", "hui"),
     ("fu", "hu"), ("hong", "hong"), ("an", "an"), ("ng", "ng")],
)
def test_folding_merges_the_usual_near_sounds(syllable: str, folded: str) -> None:
    assert fold(syllable) == folded


def test_suffix_split_keeps_a_two_character_core() -> None:
    assert split_suffix("蔺市街道") == ("蔺市", "街道")
    assert split_suffix("涪陵高新区") == ("涪陵", "高新区")
    assert split_suffix("万县") == ("万县", "")
    assert split_suffix("涪陵") == ("涪陵", "")


def test_sound_index_finds_a_same_sound_span_not_the_name_itself() -> None:
    index = SoundIndex(["涪陵", "蔺市"])
    [hit] = index.hits("我住福陵", TextSounds.of("我住福陵"))
    assert (hit.start, hit.end, hit.name, hit.differing, hit.same_tones) == (2, 4, "涪陵", 0, True)
    assert index.hits("我住涪陵", TextSounds.of("我住涪陵")) == []
    [hit] = index.hits("林市", TextSounds.of("林市"))
    assert hit.name == "蔺市" and hit.differing == 0 and not hit.same_tones


@pytest.mark.parametrize(
    ("text", "written", "name", "region"),
    [("我住在福陵，高龄津贴找哪个部门", "福陵", "涪陵", FULING),
     ("林市的老人能去哪里吃饭", "林市", "蔺市", FULING),
     ("万洲有没有老年食堂", "万洲", "万州", WANZHOU),
     ("巫西县养老院收费贵不贵", "巫西县", "巫溪县", WUXI),
     ("资扬的护理补贴标准", "资扬", "资阳", ZIYANG),
     ("安月县有日间照料中心吗", "安月县", "安岳县", ZIYANG),
     ("双侨区哪里有助餐点", "双侨区", "双桥区", SHUANGQIAO),
     ("投道牌楼街道有没有养老服务站", "投道牌楼街道", "头道牌楼街道", SHUANGQIAO)],
)
def test_same_sound_spelling_names_the_region(
    gazetteer: Gazetteer, text: str, written: str, name: str, region: str
) -> None:
    found = gazetteer.find(text)
    assert found.regions == (region,)
    [match] = found.matches
    assert (match.text, match.name, match.kind) == (written, name, "sound")
    assert 0.6 <= match.confidence < 1.0


@pytest.mark.parametrize(
    ("text", "region"),
    [("福林区的高龄津贴", FULING),  # in/ing
     ("兰津镇的敬老院", ZIYANG),  # n/l: 南津镇
     ("知阳市的养老补贴", ZIYANG),  # z/zh: 资阳市
     ("胡陵区有几家养老院", FULING),  # f/h: 涪陵区
     ("我是万周区的", WANZHOU)],
)
def test_near_sound_with_a_place_suffix_names_the_region(gazetteer: Gazetteer, text: str, region: str) -> None:
    assert gazetteer.find(text).regions == (region,)


def test_near_sound_alone_is_too_weak(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("福林").regions == ()
    assert gazetteer.find("福林区").regions == (FULING,)
    assert gazetteer.find("福林", min_confidence=0.5).regions == (FULING,)


def test_a_suffix_or_context_raises_confidence(gazetteer: Gazetteer) -> None:
    bare = gazetteer.find("福陵").matches[0].confidence
    with_suffix = gazetteer.find("福陵区").matches[0].confidence
    assert bare < with_suffix
    assert gazetteer.find("涪陵").matches[0].confidence == 1.0


@pytest.mark.parametrize(
    "text",
    ["临时救助怎么申请", "高龄津贴是按月发放还是按年", "社区服务站几点开门", "福利院能住多久", "服务中心有没有理发",
     "老年人补贴", "养老机构运营补贴", "日间照料中心", "加大工作力度", "相互帮助", "滋养身体", "珍惜时间",
     "老年大学的教师", "尾巴", "享福", "窗边挂个风铃", "沿江区域的老人", "无息贷款", "面向普通家庭的普惠服务",
     "今天股市行情如何", "祝你身体健康", "出了事找谁", "炖鸡汤放啥子", "今年冬天冷不冷", "万州区到重庆主城的大巴",
     "完整的材料清单", "满八十周岁", "请问安置房", "人防物防技防"],
)
def test_ordinary_words_that_sound_like_a_place_name_no_region(gazetteer: Gazetteer, text: str) -> None:
    found = gazetteer.find(text)
    assert found.sound_matches == (), found.sound_matches
    assert found.regions in ((), (WANZHOU,))  # 万州区 is named in one of them


def test_a_common_word_with_the_suffix_after_it_is_a_weak_match(gazetteer: Gazetteer) -> None:
    """沿江 is a word, but 沿江区 with 区 after it is likely 雁江区 spoken: kept, below a plain same-sound match."""
    [match] = gazetteer.find("沿江区的老人").matches
    assert match.name == "雁江区" and match.confidence < gazetteer.find("资扬的老人").matches[0].confidence
    assert gazetteer.find("沿江区域的老人").regions == ()


def test_place_suffix_after_a_sound_match_is_fine_before_a_word(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("福陵区政府在哪里").regions == (FULING,)
    assert gazetteer.find("请问安月县城有几家养老院").regions == (ZIYANG,)


def test_repair_spells_sound_matches_right(gazetteer: Gazetteer) -> None:
    assert gazetteer.repair("福陵区的高龄津贴") == "涪陵区的高龄津贴"
    assert gazetteer.repair("林市有没有助餐点，万洲呢") == "蔺市有没有助餐点，万州呢"
    assert gazetteer.repair("临时救助") == "临时救助"
    assert gazetteer.repair("涪陵的养老院") == "涪陵的养老院"


def test_sound_matches_feed_the_old_views(gazetteer: Gazetteer) -> None:
    assert gazetteer.regions_in("林市的老人") == [FULING]
    assert [p.name for p in gazetteer.places_in("林市的老人")] == ["蔺市"]
    assert gazetteer.without_places("林市的老人") == " 的老人"
    assert gazetteer.resolve_region("福陵") == FULING


def test_every_covered_name_is_found_by_its_commonest_same_sound_spelling(gazetteer: Gazetteer) -> None:
    """Each covered name (two or more syllables before its suffix) with one character swapped for the commonest
    character of the same toneless reading, in a plain question: found unless the swap makes a function
    character (是, 的) or an ordinary word; never another region."""
    from knowledge.text.place_sounds import character_readings

    frequencies = gazetteer._dictionary.frequencies
    commonest: dict[str, tuple[int, str]] = {}
    for code in range(0x4E00, 0x9FA6):
        character = chr(code)
        readings = character_readings(character)
        if readings and frequencies.get(character, 0) > 2000:
            commonest.setdefault(readings[0].plain, (0, ""))
            commonest[readings[0].plain] = max(commonest[readings[0].plain], (frequencies[character], character))
    tried = found = 0
    for name in gazetteer.place_names():
        core, suffix = split_suffix(name)
        if len(core) < 2 or len(name) > 6:
            continue
        region = gazetteer.resolve_region(name)
        for i, character in enumerate(core):
            readings = character_readings(character)
            swap = commonest.get(readings[0].plain, (0, ""))[1] if readings else ""
            if not swap or swap == character:
                continue
            variant = core[:i] + swap + core[i + 1 :] + suffix
            regions = gazetteer.find(f"请问{variant}有没有老年食堂").regions
            assert set(regions) <= {region}, (variant, regions)
            tried += 1
            found += regions == (region,)
    assert tried > 300 and found / tried > 0.85, (found, tried)
