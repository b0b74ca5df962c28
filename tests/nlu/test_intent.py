"""The intent classifier trained on the real nlu_data/: held-out paraphrases, bad input, caching by fingerprint."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.dialogue.nlu.intent import IntentClassifier
from knowledge.text.chinese import ChineseText
from knowledge.text.nlu_data import DEFAULT_DATA_DIR, TrainingData, load_training_data

HELD_OUT = Path(__file__).with_name("heldout_paraphrases.yml")


def held_out() -> list[tuple[str, str]]:
    data = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))
    return [(text, intent) for intent, texts in data.items() for text in texts]


def test_held_out_paraphrases_are_not_training_examples(training_data: TrainingData) -> None:
    trained = {example.text for example in training_data.examples}
    assert [text for text, _ in held_out() if text in trained] == []


def test_held_out_paraphrases_accuracy(classifier: IntentClassifier) -> None:
    items = held_out()
    predictions = classifier.predict_many([text for text, _ in items])
    wrong = [(text, intent, p.name) for (text, intent), p in zip(items, predictions, strict=True) if p.name != intent]
    assert len(wrong) / len(items) <= 0.08, wrong
    # no topic is mostly missed
    misses = Counter(intent for _, intent, _ in wrong)
    assert max(misses.values(), default=0) <= 2, wrong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("高灵补贴一个月发好多", "subsidy"),
        ("住餐点离我家远不远", "meal"),
        ("老年大雪报名要带啥子", "elder_university"),
        ("我是涪陵的", "set_region"),
        ("转人工", "human_handoff"),
        ("再说一遍", "repeat"),
        ("还有呢", "ask_more"),
        ("北京的老年食堂在哪里", "out_of_scope"),
    ],
)
def test_typos_dialect_and_control_phrases(classifier: IntentClassifier, text: str, intent: str) -> None:
    assert classifier.predict(text).name == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a greeting that names a region or an age is still a greeting, not a topic or a bare region
        ("在吗，我是万州的，想问点事情", "greet"),
        ("您好，我住涪陵区，八十了，想问个事", "greet"),
        # a topic question with 要不要/不/没 is about the topic, not a "no"
        ("高龄津贴要不要本人到场", "subsidy"),
        ("助餐点不要钱吗", "meal"),
        ("适老化改造能申请不", "policy_other"),
        # thanks-and-bye closes the conversation
        ("谢谢你，拜拜", "goodbye"),
        ("不是不是，我问的不是这个", "deny"),
        ("广东那边的养老金一个月多少", "out_of_scope"),
    ],
)
def test_smalltalk_and_topics_are_told_apart(classifier: IntentClassifier, text: str, intent: str) -> None:
    assert classifier.predict(text).name == intent


def test_prediction_is_a_probability_ranking(classifier: IntentClassifier) -> None:
    prediction = classifier.predict("我妈85了，万州的高龄津贴咋个领")
    assert prediction.name == "subsidy" and prediction.confidence > 0.6
    names = [name for name, _ in prediction.ranking]
    assert sorted(names) == sorted(classifier.intents) and names[0] == prediction.name
    assert abs(sum(p for _, p in prediction.ranking) - 1.0) < 1e-6
    assert [p for _, p in prediction.ranking] == sorted((p for _, p in prediction.ranking), reverse=True)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "🙏", "\x00\x01\x02", "ßøÿ¿"])
def test_input_without_known_features_gets_no_confident_guess(classifier: IntentClassifier, text: str) -> None:
    prediction = classifier.predict(text)
    assert prediction.name == "out_of_scope"
    assert prediction.confidence <= 1.0 / len(classifier.intents) + 1e-9


def test_english_and_huge_input_do_not_crash(classifier: IntentClassifier) -> None:
    english = classifier.predict("What is the weather in London tomorrow?")
    assert english.name not in {"subsidy", "elder_university", "station", "meal", "policy_other"}
    huge = classifier.predict("老年大学" + "啊" * 100_000)
    assert huge.name == "elder_university"
    assert 0.0 <= huge.confidence <= 1.0


def test_confidence_is_lower_for_vague_than_for_clear_questions(classifier: IntentClassifier) -> None:
    clear = classifier.predict("助餐点在哪里，老年食堂中午几点开饭")
    vague = classifier.predict("这个咋个弄")
    assert clear.confidence > vague.confidence


def test_save_load_round_trip(classifier: IntentClassifier, chinese: ChineseText, tmp_path: Path) -> None:
    path = tmp_path / "intent.pkl"
    classifier.save(path)
    loaded = IntentClassifier.load(path, chinese)
    for text in ("长寿金咋个领", "幸福院在哪", "时间银行是啥"):
        assert loaded.predict(text) == classifier.predict(text)
    assert loaded.fingerprint == classifier.fingerprint


def test_load_refuses_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "other.pkl"
    import pickle

    path.write_bytes(pickle.dumps({"something": "else"}))
    with pytest.raises(ValueError, match="not an elderbot intent model"):
        IntentClassifier.load(path)


def test_train_or_load_caches_by_fingerprint(chinese: ChineseText, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data_dir)
    cache = tmp_path / "cache" / "intent.pkl"
    first = IntentClassifier.train_or_load(cache, data_dir, chinese)
    assert cache.is_file() and first.fingerprint == load_training_data(data_dir).fingerprint
    again = IntentClassifier.train_or_load(cache, data_dir, chinese)
    assert again.fingerprint == first.fingerprint and again is not first
    # new data → stale cache → retrained with the new intent
    (data_dir / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: weather_chat\n  examples: |\n    - 今天天气\n    - 明天下雨不\n'
        "    - 天气好不好\n    - 要不要带伞\n", encoding="utf-8")
    retrained = IntentClassifier.train_or_load(cache, data_dir, chinese)
    assert retrained.fingerprint != first.fingerprint and "weather_chat" in retrained.intents
    # a damaged cache is replaced, not fatal
    cache.write_bytes(b"not a pickle")
    assert IntentClassifier.train_or_load(cache, data_dir, chinese).trained


def test_untrained_classifier_says_so() -> None:
    with pytest.raises(RuntimeError, match="not trained"):
        IntentClassifier().predict("你好")


def test_fit_needs_two_intents(chinese: ChineseText) -> None:
    data = load_training_data(DEFAULT_DATA_DIR)
    only_meal = TrainingData([e for e in data.examples if e.intent == "meal"], data.synonyms, data.lookups, "x")
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier(chinese).fit(only_meal)
