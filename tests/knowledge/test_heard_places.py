"""Region names in heard text: a recogniser writes real words that sound like a region's short name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("heard", ["万州的自养老人有补贴吗", "成都那边无息贷款", "重庆的助餐点在哪"])
def test_a_text_that_names_a_place_is_left_as_it_is(gazetteer: Gazetteer, heard: str) -> None:
    assert repair_heard_regions(gazetteer, heard) == gazetteer.repair(heard)


def test_windows_across_words_and_ordinary_text_never_become_regions(gazetteer: Gazetteer) -> None:
    texts = [e.text for e in load_training_data().examples]
    for plan in PLANS.glob("*.txt"):
        texts += [s for s in re.split(r"[。；\n]", plan.read_text(encoding="utf-8")) if 4 < len(s) < 60]
    changed = [t for t in texts if repair_heard_regions(gazetteer, t) != gazetteer.repair(t)]
    assert changed == []
