"""The numpy-only inference of the intent classifier: the same rankings and probabilities as the scikit-learn
model it was exported from, a cache written and read back, and no scikit-learn or scipy in a process that only
loads a cached model."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bot.dialogue.nlu.intent import MODEL_FORMAT, IntentClassifier, IntentPrediction, _stack
from knowledge.text.nlu_data import TrainingData

ROOT = Path(__file__).resolve().parents[2]
ODD_INPUTS = [
    "", "   ", "？？？", "😀👍", "🙏🏻 谢谢", "hello, how are you?", "HELLO Wanzhou", "abc 123", "高齡津貼怎麼領",
    "萬州的養老服務站在哪裡", "我妈85了，万州的高龄津贴咋个领", "八十三了\t能领  高龄补贴吗", "x" * 3000,
]


def sklearn_predictions(classifier: IntentClassifier, texts: list[str]) -> list[IntentPrediction]:
    """What the fitted scikit-learn objects predict (the inference of MODEL_FORMAT 1)."""
    assert classifier._fitted is not None
    words_vectorizer, chars_vectorizer, svm = classifier._fitted
    prepared = [classifier._prepare(text) for text in texts]
    words = words_vectorizer.transform([w for w, _ in prepared])
    chars = chars_vectorizer.transform([c for _, c in prepared])
    features = _stack(words * classifier.word_weight, chars)
    meaningful_chars = np.array([bool(g.strip()) for g in chars_vectorizer.get_feature_names_out()])
    meaningful_words = np.array([w not in ("lenshort", "lenmid", "lenlong")
                                 for w in words_vectorizer.get_feature_names_out()])
    known = (np.asarray((words != 0) @ meaningful_words).ravel()
             | np.asarray((chars != 0) @ meaningful_chars).ravel())
    return classifier._predictions(svm.decision_function(features), known)


def assert_same(expected: list[IntentPrediction], actual: list[IntentPrediction]) -> None:
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        assert want.name == got.name
        assert [name for name, _ in want.ranking] == [name for name, _ in got.ranking]
        assert np.allclose([p for _, p in want.ranking], [p for _, p in got.ranking], rtol=0, atol=1e-9)
        assert np.isclose(want.confidence, got.confidence, rtol=0, atol=1e-9)


def test_numpy_inference_equals_sklearn_on_training_examples_and_odd_inputs(
        classifier: IntentClassifier, training_data: TrainingData) -> None:
    texts = [example.text for example in training_data.examples] + ODD_INPUTS
    assert_same(sklearn_predictions(classifier, texts), classifier.predict_many(texts))


def test_saved_model_predicts_as_sklearn(classifier: IntentClassifier, training_data: TrainingData,
                                         tmp_path: Path) -> None:
    cache = tmp_path / "intent-classifier.pkl"
    classifier.save(cache)
    loaded = IntentClassifier.load(cache, classifier.text)
    assert loaded._fitted is None and loaded.intents == classifier.intents
    assert loaded.fingerprint == classifier.fingerprint and loaded.temperature == classifier.temperature
    assert loaded._places == classifier._places and loaded._synonyms == classifier._synonyms
    texts = [example.text for example in training_data.examples[::7]] + ODD_INPUTS
    assert_same(sklearn_predictions(classifier, texts), loaded.predict_many(texts))


def test_two_intents_use_the_one_score_decision(chinese, tmp_path: Path) -> None:
    from knowledge.text.nlu_data import load_training_data

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "nlu.yml").write_text(textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: greet
          examples: |
            - 你好
            - 您好啊
            - 早上好
            - 在吗
        - intent: subsidy
          examples: |
            - 高龄津贴怎么领
            - 高龄补贴多少钱
            - 八十岁有补贴吗
            - 津贴什么时候发
        """), encoding="utf-8")
    two = IntentClassifier(chinese).fit(load_training_data(data_dir))
    assert np.ndim(two._fitted[2].decision_function(_stack(*_features(two, ["你好"])))) == 1
    texts = ["你好", "高龄津贴", "早上好，补贴咋领", "", "😀", "hello"]
    assert_same(sklearn_predictions(two, texts), two.predict_many(texts))
    cache = tmp_path / "two.npz"
    two.save(cache)
    assert_same(sklearn_predictions(two, texts), IntentClassifier.load(cache, chinese).predict_many(texts))


def _features(classifier: IntentClassifier, texts: list[str]):
    words_vectorizer, chars_vectorizer, _ = classifier._fitted
    prepared = [classifier._prepare(text) for text in texts]
    return (words_vectorizer.transform([w for w, _ in prepared]) * classifier.word_weight,
            chars_vectorizer.transform([c for _, c in prepared]))


def test_old_or_broken_caches_are_refused(tmp_path: Path) -> None:
    import pickle

    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps({"format": 1, "model": None}))
    empty = tmp_path / "empty.pkl"
    empty.write_bytes(b"")
    other = tmp_path / "other.npz"
    with other.open("wb") as handle:
        np.savez(handle, format=np.array(MODEL_FORMAT - 1))
    for path in (old, empty, other):
        with pytest.raises(ValueError):
            IntentClassifier.load(path)


def test_loading_a_cached_model_imports_neither_sklearn_nor_scipy(classifier: IntentClassifier,
                                                                   tmp_path: Path) -> None:
    cache = tmp_path / "intent-classifier.pkl"
    classifier.save(cache)
    expected = classifier.predict("万州高龄津贴怎么领")
    script = textwrap.dedent(f"""\
        import json, sys
        from pathlib import Path
        from bot.dialogue.nlu.intent import IntentClassifier
        classifier = IntentClassifier.train_or_load(Path({str(cache)!r}))
        assert classifier._fitted is None, "retrained instead of loading the cache"
        p = classifier.predict("万州高龄津贴怎么领")
        print(json.dumps({{"name": p.name, "confidence": p.confidence,
                          "loaded": sorted(m for m in ("sklearn", "scipy") if m in sys.modules)}}))
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    import json

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert result["name"] == expected.name and abs(result["confidence"] - expected.confidence) < 1e-9
