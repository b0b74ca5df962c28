"""The words callers say, for the recogniser: region names and their districts', then domain words by how often
the training examples say them, a word inside a longer, nearly as common one left to it."""

from __future__ import annotations

from pathlib import Path

from knowledge.text.hearing_words import hearing_vocabulary, place_words, said_words


def test_place_words_are_short_names_then_district_cores() -> None:
    lookup = ["重庆市涪陵区", "乐至县", "乐至", "雁江区", "临空经济区", "承德双桥"]
    assert place_words(["涪陵", "双桥"], lookup) == ["涪陵", "双桥", "乐至", "雁江"]


def test_said_words_rank_by_examples_and_leave_subsumed_words_to_the_longer_one() -> None:
    examples = [
        "助餐点在哪",
        "助餐点几点开",
        "助餐点有几个",
        "有没有助餐",
        "老年大学报名",
        "失能老人补贴",
        "失能怎么评估",
        "失能护理",
        "父亲失能了",
        "半失能算不算",
    ]
    # 助餐 (4) is left to 助餐点 (3), said nearly as often; 半失能 (1) is too rare to stand for 失能 (5);
    # 托育 is never said
    assert said_words(["助餐", "助餐点", "老年大学", "失能", "半失能", "托育"], examples) == [
        "失能",
        "助餐点",
        "老年大学",
        "半失能",
    ]


def test_the_vocabulary_reads_the_projects_dictionary_and_examples(tmp_path: Path) -> None:
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("高龄津贴 2000 n\n助餐点 2000 n\n涪陵 2000 ns\n", encoding="utf-8")
    words = hearing_vocabulary(["涪陵"], ["涪陵的助餐点", "高龄津贴怎么领", "助餐点"], ["涪陵区"], dictionary)
    assert words.places == ("涪陵",) and words.words == ("助餐点", "高龄津贴")
    default = hearing_vocabulary(["涪陵", "资阳"])
    assert default.places[:2] == ("涪陵", "资阳") and "老年大学" in default.words
