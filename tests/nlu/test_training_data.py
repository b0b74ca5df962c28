"""Reading the Rasa 3 training files: entity annotations stripped, synonyms and lookups typed, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.text.nlu_data import (
    EntitySpan,
    TrainingData,
    TrainingDataError,
    load_training_data,
    parse_example,
)

TOPIC_INTENTS = ("subsidy", "elder_university", "station", "meal", "policy_other", "out_of_scope")
ALL_INTENTS = (*TOPIC_INTENTS, "greet", "goodbye", "thanks", "affirm", "deny", "ask_more", "repeat",
               "human_handoff", "set_region")


def test_parse_example_strips_short_annotation() -> None:
    text, spans = parse_example("我是[万州区](region)的，我妈[85](age)了")
    assert text == "我是万州区的，我妈85了"
    assert spans == (EntitySpan("region", "万州区", "万州区", 2, 5), EntitySpan("age", "85", "85", 9, 11))
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_parse_example_reads_json_annotation_value() -> None:
    text, spans = parse_example('我住[高笋塘]{"entity": "region", "value": "万州"}那边')
    assert text == "我住高笋塘那边"
    assert spans[0].entity == "region" and spans[0].value == "万州" and text[spans[0].start : spans[0].end] == "高笋塘"


def test_parse_example_reads_legacy_colon_value_and_leaves_plain_brackets() -> None:
    text, spans = parse_example("去[涪陵](region:涪陵区)看看 [不是实体]")
    assert text == "去涪陵看看 [不是实体]"
    assert spans == (EntitySpan("region", "涪陵", "涪陵区", 1, 3),)


def test_parse_example_rejects_broken_json() -> None:
    with pytest.raises(TrainingDataError):
        parse_example('[万州]{"entity": region}')


def test_project_data_has_every_intent_with_enough_examples(training_data: TrainingData) -> None:
    counts = training_data.counts()
    assert set(ALL_INTENTS) <= set(counts)
    for intent in TOPIC_INTENTS:
        assert counts[intent] >= 60, (intent, counts[intent])
    assert all("[" not in e.text and "](" not in e.text for e in training_data.examples)


def test_project_data_has_no_duplicate_examples_across_intents(training_data: TrainingData) -> None:
    seen: dict[str, str] = {}
    clashes = []
    for example in training_data.examples:
        if seen.setdefault(example.text, example.intent) != example.intent:
            clashes.append((example.text, seen[example.text], example.intent))
    assert clashes == []


def test_project_data_gives_each_synonym_variant_one_value(training_data: TrainingData) -> None:
    # Rasa's EntitySynonymMapper keeps one value per variant and warns on a second one
    values: dict[str, set[str]] = {}
    for synonym in training_data.synonyms:
        for variant in synonym.examples:
            values.setdefault(variant, set()).add(synonym.value)
    assert {variant: v for variant, v in values.items() if len(v) > 1} == {}


def test_project_data_synonyms_and_lookups(training_data: TrainingData) -> None:
    synonyms = training_data.synonym_map()
    assert synonyms["长寿金"] == "高龄津贴"
    assert synonyms["老人食堂"] == "助餐点"
    assert synonyms["老年学校"] == "老年大学"
    regions = training_data.lookup("region")
    assert {"万州", "涪陵", "资阳", "巫溪", "双桥"} <= set(regions)
    assert training_data.lookup("town") and training_data.lookup("street")
    # every place of the generated lookups maps to one of the five short region names
    for name in (*training_data.lookup("town"), *training_data.lookup("street")):
        assert synonyms.get(name, "") in {"万州", "涪陵", "资阳", "巫溪", "双桥", ""}


def test_region_annotations_resolve_to_a_known_region(training_data: TrainingData) -> None:
    synonyms = training_data.synonym_map()
    short = {"万州", "涪陵", "资阳", "巫溪", "双桥"}
    spans = [s for e in training_data.examples for s in e.entities if s.entity == "region"]
    assert len(spans) >= 60
    unresolved = [s.text for s in spans if synonyms.get(s.value, s.value) not in short]
    assert unresolved == []


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_load_reads_nested_files_and_list_form_and_skips_rules(data_dir: Path) -> None:
    write(data_dir / "nlu" / "a.yml", 'version: "3.1"\nnlu:\n- intent: meal\n  examples: |\n'
          "    - 助餐点在哪\n    - [万州](region)老年食堂\n")
    write(data_dir / "b.yaml", 'nlu:\n- intent: greet\n  examples:\n  - text: 你好\n    metadata: {}\n'
          "- synonym: 助餐点\n  examples: |\n    - 老人食堂\n- lookup: region\n  examples: |\n    - 万州\n")
    write(data_dir / "rules.yml", "rules:\n- rule: r\n  steps:\n  - intent: greet\n  - action: utter_greet\n")
    data = load_training_data(data_dir)
    # files in sorted path order: b.yaml before nlu/a.yml
    assert [(e.intent, e.text) for e in data.examples] == [("greet", "你好"), ("meal", "助餐点在哪"),
                                                          ("meal", "万州老年食堂")]
    assert data.synonym_map() == {"老人食堂": "助餐点"}
    assert data.lookup("region") == ("万州",)


def test_fingerprint_changes_with_content(data_dir: Path) -> None:
    path = write(data_dir / "nlu.yml", "nlu:\n- intent: meal\n  examples: |\n    - 助餐点\n")
    first = load_training_data(data_dir).fingerprint
    assert load_training_data(data_dir).fingerprint == first
    path.write_text("nlu:\n- intent: meal\n  examples: |\n    - 老年食堂\n", encoding="utf-8")
    assert load_training_data(data_dir).fingerprint != first


@pytest.mark.parametrize("content", ["nlu: [unclosed", "- just\n- a list\n", "nlu:\n- plain string\n"])
def test_bad_files_raise_a_clear_error(data_dir: Path, content: str) -> None:
    write(data_dir / "bad.yml", content)
    with pytest.raises(TrainingDataError, match="bad.yml"):
        load_training_data(data_dir)
