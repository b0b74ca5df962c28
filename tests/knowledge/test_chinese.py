"""Chinese text handling: normalisation, Traditional input, the domain dictionary, synonyms, homophones."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.retrieval.passages import Passage
from knowledge.text.chinese import CHARACTER_MARK, ChineseText
from knowledge.text.text_resources import load_synonyms, read_dictionary_words


def test_traditional_input_becomes_simplified(text: ChineseText) -> None:
    assert text.normalize("長壽金怎麼領") == "长寿金怎么领"
    assert text.normalize("老年大學在哪裡報名") == "老年大学在哪里报名"
    assert "老年大学" in text.tokenize("老年大學報名")


def test_normalize_folds_full_width_and_spaces(text: ChineseText) -> None:
    assert text.normalize("  老 年人　６０ 周岁  ") == "老年人60周岁"
    assert text.normalize("ＡＢＣ  养老") == "ABC 养老"


@pytest.mark.parametrize("word", ["日间照料中心", "高龄津贴", "养老服务补贴", "助餐点", "老年大学"])
def test_domain_words_stay_one_token_with_the_dictionary(text: ChineseText, word: str) -> None:
    assert word in text.tokenize(f"我想问问{word}的事")


def test_without_the_domain_dictionary_domain_words_are_split(tmp_path: Path) -> None:
    plain = ChineseText(dictionary=tmp_path / "none.txt", synonyms_file=tmp_path / "none.yml")
    tokens = plain.tokenize("日间照料中心和高龄津贴")
    assert "日间照料中心" not in tokens and "高龄津贴" not in tokens
    assert {"照料", "津贴"} <= set(tokens)


def test_stop_words_and_punctuation_are_not_tokens(text: ChineseText) -> None:
    tokens = text.tokenize("请问，我妈妈能不能领高龄津贴啊？")
    assert "高龄津贴" in tokens
    assert not {"请问", "能不能", "啊", "，", "？"} & set(tokens)


def test_colloquial_synonym_adds_the_plan_word(text: ChineseText) -> None:
    assert "高龄津贴" in text.expand_query("长寿金怎么领")
    assert "高龄津贴" in text.query_tokens("長壽金怎麼領")


def test_a_separable_verb_with_ge_inside_still_finds_its_synonym(text: ChineseText) -> None:
    assert "助餐" in text.query_parts("能不能帮老人送个饭")[1].split("、")
    assert "助浴" in text.query_parts("谁来帮我妈洗个澡")[1].split("、")
    # only synonym matching looks past the 个: the user's own words are searched as said
    assert text.query_parts("能不能帮老人送个饭")[0] == "能不能帮老人送个饭"


def test_query_parts_keep_the_users_words_apart_from_added_plan_words(text: ChineseText) -> None:
    own, added = text.query_parts("長壽金怎麼領")
    assert own == "长寿金怎么领" and "高龄津贴" in added.split("、")
    assert text.expand_query("長壽金怎麼領") == f"{own}、{added}"
    _, several = text.query_parts("双桥这个长护险都谁能参加，我家是低保户")
    assert len(several.split("、")) >= 2
    words = several.split("、")
    bigrams = [t[1:] for t in text.terms(several) if t.startswith("_")]
    assert bigrams and all(any(b in word for word in words) for b in bigrams)  # none spans two words
    assert text.query_parts("老年大学怎么报名") == ("老年大学怎么报名", "")


def test_characters_are_those_of_the_content_words(text: ChineseText) -> None:
    terms, characters = text.terms_and_characters("请问助浴点在哪里")
    assert terms == text.terms("请问助浴点在哪里") and "_助浴" in terms
    assert characters == [f"{CHARACTER_MARK}{c}" for c in "助浴点"]


def test_synonym_file_and_dictionary_are_read(text: ChineseText) -> None:
    entries = load_synonyms(Path(__file__).resolve().parents[2] / "nlu_data" / "data" / "synonyms.yml")
    assert any(e.variant == "长寿金" and "高龄津贴" in e.canonical for e in entries)
    words = read_dictionary_words(Path(__file__).resolve().parents[2] / "knowledge" / "lexicon" / "domain_dict.txt")
    assert "高龄津贴" in words and "日间照料中心" in words


@pytest.mark.parametrize(
    ("heard", "meant"),
    [("高灵补贴多大岁数能领", "高龄补贴多大岁数能领"), ("附近有没有住餐点", "附近有没有助餐点"),
     ("日间找料中心在哪", "日间照料中心在哪"), ("家里搞室老化改造", "家里搞适老化改造")],
)
def test_homophones_are_repaired(text: ChineseText, heard: str, meant: str) -> None:
    assert text.repair_homophones(heard) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("高林补贴咋个领", "高龄补贴咋个领"),  # -in for -ing
     ("家里搞四老化改造", "家里搞适老化改造"),  # s- for sh-
     ("附近有老年食谈没得", "附近有老年食堂没得")],  # -an for -ang
)
def test_near_sound_typos_of_plan_words_are_repaired(text: ChineseText, typed: str, meant: str) -> None:
    assert text.repair_homophones(typed) == meant


@pytest.mark.parametrize("correct", ["老年留学", "我想去散散步", "他们都很忙", "老人吃饭难"])
def test_near_sound_repair_needs_a_plan_word_close_in_every_syllable(text: ChineseText, correct: str) -> None:
    assert text.repair_homophones(correct) == correct


@pytest.mark.parametrize(
    "correct", ["高龄津贴每月发放", "组织开展最美护理员评选", "强化老年人消费权益保护", "养生养老园区",
                "安岳县忠心敬老院", "老年大学开设书法课", "我妈今年八十岁了"],
)
def test_homophone_repair_leaves_correct_text_alone(text: ChineseText, correct: str) -> None:
    assert text.repair_homophones(correct) == correct


def test_homophone_repair_changes_no_plan_passage(text: ChineseText, chunked: dict[str, tuple[str, list[Passage]]]) -> None:
    changed = [p.text[:40] for _, passages in chunked.values() for p in passages if text.repair_homophones(p.text) != p.text]
    assert changed == []


def test_terms_include_bigrams_for_partial_matches(text: ChineseText) -> None:
    terms = text.terms("日间照料点")
    assert "_照料" in terms and "_料点" in terms


def test_nothing_heavy_happens_before_warm_up() -> None:
    fresh = ChineseText()
    assert fresh._tokenizer is None and fresh._converter is None


def test_has_chinese() -> None:
    assert ChineseText.has_chinese("Hello 养老")
    assert not ChineseText.has_chinese("Hello 123 😀")


def test_control_characters_and_replacement_marks_are_dropped(text: ChineseText) -> None:
    assert text.normalize("高龄\x00津贴\ufffd\x07") == "高龄津贴"
    assert text.tokenize("a b 1 2") == []


@pytest.mark.parametrize(
    ("spoken", "written"),
    [("我妈八十岁了", "我妈80岁了"), ("得有三万多口人", "得有3万多口人"), ("一百二十张床位", "120张床位"),
     ("两千元", "2000元"), ("百岁老人", "100岁老人"), ("今年八十三了", "今年83了"), ("十五分钟", "15分钟"),
     ("二十四小时", "24小时")],
)
def test_counted_chinese_numerals_become_digits(text: ChineseText, spoken: str, written: str) -> None:
    assert text.normalize(spoken) == written


@pytest.mark.parametrize(
    "phrase", ["一老一小", "十四五规划", "十三五时期", "一刻钟服务圈", "第三个", "第十三条", "七八十岁", "十分方便", "老百姓"]
)
def test_numerals_that_are_not_counts_are_kept(text: ChineseText, phrase: str) -> None:
    assert text.normalize(phrase) == phrase


def test_two_character_homophones_are_repaired_where_no_real_word_stands() -> None:
    text = ChineseText()
    assert text.repair_homophones("高龄不贴怎么领") == "高龄补贴怎么领"  # 不|贴: no word of its own
    assert text.repair_homophones("我不住养老院") == "我不住养老院"  # 不住 is a word
    assert text.repair_homophones("他是能走的") == "他是能走的"  # two function characters: typed text is trusted
    assert text.repair_homophones("我妈是能老人", heard=True) == "我妈失能老人"  # a recogniser's is not
