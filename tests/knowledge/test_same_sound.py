"""Heard text read again as the likeliest words of the same sound (knowledge/text/same_sound.py): a recogniser's
real-word slips are read right, and right text — typed questions the reader never saw, the plans — is left alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.text.chinese import ChineseText
from knowledge.text.nlu_data import load_training_data
from knowledge.text.same_sound import SameSoundReader, same_sound_reader

PLANS = [path.read_text(encoding="utf-8") for path in (Path(__file__).resolve().parents[2] / "knowledge" / "plans").glob("*.txt")]
EXAMPLES = [example.text for example in load_training_data().examples]


@pytest.fixture(scope="module")
def reader(text: ChineseText) -> SameSoundReader:
    """Knows the plans and every other example question: the rest are text it has never seen."""
    return same_sound_reader(text, PLANS + EXAMPLES[::2])


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("孙子白天送到托耳所", "孙子白天送到托儿所"),  # tuo-er-suo, one tone off: a dictionary word
        ("他儿子在外偷打工", "他儿子在外头打工"),  # tou1 for the neutral tone of 外头
        ("村里有个五宝户", "村里有个五保户"),  # same tones
        ("老人领长受金要啥材料", "老人领长寿金要啥材料"),  # a plan word
        ("医共有几个", "一共有几个"),
    ],
)
def test_real_word_slips_are_read_as_the_likelier_words_of_the_same_sound(
    reader: SameSoundReader, heard: str, meant: str
) -> None:
    assert reader.reread(heard) == meant


@pytest.mark.parametrize(
    "said",
    [
        "我老板不在家",  # 老伴 is lao3-ban4: another tone, however likely in this domain
        "学员有好多",  # 学院 is commoner, but xue2-yuan4
        "我住双桥",  # one character is never swapped on its own (主 is commoner than 住)
        "一共有几个",
        "巫溪县老年大学在哪里报名",
    ],
)
def test_what_is_said_right_stays(reader: SameSoundReader, said: str) -> None:
    assert reader.reread(said) == said


def test_unseen_typed_questions_are_changed_only_now_and_then(text: ChineseText, reader: SameSoundReader) -> None:
    """Every other training example was kept from the reader: few of them change (and some of those are the
    typos the examples hold on purpose, 老年大雪 → 老年大学)."""
    unseen = [text.normalize(example) for example in EXAMPLES[1::2]]
    changed = [said for said in unseen if reader.reread(said) != said]
    assert len(unseen) > 800 and len(changed) <= 0.03 * len(unseen)


def test_plan_sentences_stay(text: ChineseText) -> None:
    full = same_sound_reader(text, PLANS + EXAMPLES)
    sentences = [s for plan in PLANS for s in re.split(r"[。；\n]", text.normalize(plan)) if 4 < len(s) < 80]
    changed = [s for s in sentences if full.reread(s) != s]
    assert len(sentences) > 1000 and len(changed) <= 0.005 * len(sentences)


def test_text_other_than_chinese_passes_through(reader: SameSoundReader) -> None:
    assert reader.reread("") == ""
    assert reader.reread("ok 66岁 😀 WiFi") == "ok 66岁 😀 WiFi"
    assert reader.reread("托耳所？") == "托儿所？"


def test_words_of_the_context_decide_a_reading_the_dictionary_alone_leaves(reader: SameSoundReader) -> None:
    """传委 chuan-wei is 床位 chuang-wei only once near sounds are folded, and a tone is off: too dear for the
    dictionary's word alone, but the reading when the passages the question finds speak of beds."""
    heard = "养老院有没有传委"
    assert reader.reread(heard) == heard
    assert reader.reread(heard, ["床位", "养老院"]) == "养老院有没有床位"
    assert reader.reread(heard, ["助餐", "老年大学"]) == heard
