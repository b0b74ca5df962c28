"""Heard text (a recogniser's) is repaired by folded sound against the domain words: near sounds of the phone line
(-ng/-n, n/l, aspiration) and runs that cut into a word jieba invented; ordinary text is never changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.text.chinese import ChineseText
from knowledge.text.nlu_data import load_training_data

PLANS = Path(__file__).resolve().parents[2] / "knowledge" / "plans"


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("乡镇的金老院归谁管", "乡镇的敬老院归谁管"),  # jin / jing
        ("八十岁有没有高领埔贴", "八十岁有没有高龄补贴"),  # pu / bu, lin / ling
        ("村上的互助养老殿管不管饭", "村上的互助养老点管不管饭"),  # 殿 inside the invented word 殿管
        ("老年是躺在哪里", "老年食堂在哪里"),  # 是躺 shi-tang, two real words
    ],
)
def test_heard_runs_that_sound_like_a_domain_word_become_it(
    text: ChineseText, heard: str, meant: str
) -> None:
    assert text.repair_homophones(heard, heard=True) == meant


def test_typed_text_keeps_the_strict_repair(text: ChineseText) -> None:
    """Typed text is repaired one near sound at a time (金老院 → 敬老院, a final off), but not through an
    aspirated/unaspirated pair on top of another slip: that folding is for what a recogniser heard."""
    assert text.repair_homophones("乡镇的金老院归谁管") == "乡镇的敬老院归谁管"
    assert text.repair_homophones("八十岁有没有高领埔贴") == "八十岁有没有高领埔贴"


def test_plan_sentences_are_never_changed_by_the_heard_sound_repair(text: ChineseText) -> None:
    sentences = [
        s
        for plan in PLANS.glob("*.txt")
        for s in re.split(r"[。；\n]", plan.read_text(encoding="utf-8"))
        if 4 < len(s) < 80
    ]
    changed = [s for s in map(text.normalize, sentences) if text._repair_heard_sounds(s) != s]
    assert len(sentences) > 1000 and changed == []


def test_typed_examples_are_changed_only_where_they_hold_a_typo(text: ChineseText) -> None:
    """The training examples hold deliberate typos (高龄津帖, 住餐点): at most those change, a handful."""
    examples = [text.normalize(e.text) for e in load_training_data().examples]
    changed = [s for s in examples if text._repair_heard_sounds(s) != s]
    assert len(changed) <= len(examples) // 100
