"""Region names in heard text: a recogniser writes real words that sound like a region's short name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.text.chinese import ChineseText
from knowledge.text.gazetteer import Gazetteer
from knowledge.text.heard_places import repair_heard_regions
from knowledge.text.nlu_data import load_training_data

PLANS = Path(__file__).resolve().parents[2] / "knowledge" / "plans"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.mark.parametrize(("heard", "meant"), [
    ("自养那边的老年大学要交钱不", "资阳"),  # zi-yang, a real word
    ("我们无息县有没有老年食堂", "巫溪"),  # wu-xi
    ("福林区的高龄补贴", "涪陵"),  # fu-lin(g): -in / -ing
])
def test_a_real_word_that_sounds_like_a_region_is_that_region(gazetteer: Gazetteer, heard: str, meant: str) -> None:
    repaired = repair_heard_regions(gazetteer, heard)
    assert meant in repaired and gazetteer.find(repaired).regions


@pytest.mark.parametrize(("heard", "meant"), [
    ("商桥有没有老年食堂", "双桥"),  # shang-qiao for shuang-qiao: the phone line drops a sound
    ("普林的养老院收不收失能老人", "涪陵"),  # pu-lin for fu-ling
    ("不凌有几个老年食堂", "涪陵"),  # bu-ling, inside 不凌有, a word jieba made up
])
def test_a_rare_word_one_sound_off_a_region_is_that_region(gazetteer: Gazetteer, heard: str, meant: str) -> None:
    repaired = repair_heard_regions(gazetteer, heard)
    assert repaired.startswith(meant) and repaired[len(meant):] == heard[len(meant):]


@pytest.mark.parametrize("heard", [
    "护理补贴怎么申请",  # hu-li is one sound off 涪陵 hu-lin, but 护理 is an ordinary word
    "老年教育资源要向农村延伸吗",  # zi-yuan, one letter off 资阳 zi-yang, an ordinary word
])
def test_an_ordinary_word_one_sound_off_a_region_stays(gazetteer: Gazetteer, heard: str) -> None:
    assert repair_heard_regions(gazetteer, heard) == heard


@pytest.mark.parametrize("heard", ["万州的自养老人有补贴吗", "成都那边无息贷款", "重庆的助餐点在哪"])
def test_a_text_that_names_a_place_is_left_as_it_is(gazetteer: Gazetteer, heard: str) -> None:
    assert repair_heard_regions(gazetteer, heard) == gazetteer.repair(heard)


def test_windows_across_words_and_ordinary_text_never_become_regions(gazetteer: Gazetteer) -> None:
    texts = [e.text for e in load_training_data().examples]
    for plan in PLANS.glob("*.txt"):
        texts += [s for s in re.split(r"[。；\n]", plan.read_text(encoding="utf-8")) if 4 < len(s) < 60]
    simplified = ChineseText()
    texts = [simplified.normalize(t) for t in texts]  # heard text is normalised before (護理 is no word of jieba's)
    changed = [t for t in texts if repair_heard_regions(gazetteer, t) != gazetteer.repair(t)]
    assert changed == []
