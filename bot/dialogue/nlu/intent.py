"""Intent classification trained from nlu_data/: jieba words + character n-grams → a linear SVM whose scores
become probabilities through a softmax with a temperature fitted on cross-validated scores."""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.text.nlu_data import DEFAULT_DATA_DIR, TrainingData, load_training_data

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

MODEL_FORMAT = 1
REGION_TABLES = ("region", "town", "street")
OTHER_PLACE_TABLE = "other_place"
# Place names become one marker word each, so intents are learnt from topics, not from which town is asked about;
# places the plans do not cover get their own marker (their rules are out of scope).
REGION_MARK = " placemark "
OTHER_PLACE_MARK = " elsewhere "
UNKNOWN_INTENT = "out_of_scope"
LENGTH_WORDS = ("lenshort", "lenmid", "lenlong")


class TextProcessor(Protocol):
    """What the classifier needs of the project's Chinese text handling (knowledge.text.chinese.ChineseText)."""

    def normalize(self, text: str) -> str: ...

    def tokenize(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class IntentPrediction:
    """The best intent, its probability, and every intent ranked best first."""

    name: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]


def default_text_processor() -> TextProcessor:
    """The project's ChineseText (jieba with the domain dictionary, OpenCC), loaded lazily."""
    from knowledge.text.chinese import ChineseText

    return ChineseText()


class IntentClassifier:
    """Learns intents from the Rasa examples; `fit` or `load` before `predict`."""

    def __init__(self, text: TextProcessor | None = None, regularization: float = 1.0,
                 word_weight: float = 2.0) -> None:
        self._text = text
        self.regularization = regularization
        self.word_weight = word_weight
        self.fingerprint = ""
        self.temperature = 1.0
        self._synonyms: list[tuple[str, str]] = []
        self._places: list[tuple[str, str]] = []
        self._words: Any = None
        self._chars: Any = None
        self._model: Any = None
        self._place_pattern: re.Pattern[str] | None = None
        self._synonym_pattern: re.Pattern[str] | None = None
        self._meaningful_chars: np.ndarray | None = None
        self._meaningful_words: np.ndarray | None = None

    @property
    def text(self) -> TextProcessor:
        if self._text is None:
            self._text = default_text_processor()
        return self._text

    @property
    def trained(self) -> bool:
        return self._model is not None

    @property
    def intents(self) -> list[str]:
        return [str(name) for name in self._model.classes_] if self.trained else []

    def fit(self, data: TrainingData) -> IntentClassifier:
        """Train on every example of the data; needs at least two intents."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(data.intents) < 2:
            raise ValueError("intent training needs examples of at least two intents")
        places = {p for table in REGION_TABLES for p in data.lookup(table) if len(p) >= 2}
        marks = {p: OTHER_PLACE_MARK for p in data.lookup(OTHER_PLACE_TABLE) if len(p) >= 2} | dict.fromkeys(
            places, REGION_MARK)
        self._places = sorted(marks.items(), key=lambda item: len(item[0]), reverse=True)
        self._place_pattern = self._synonym_pattern = None
        self._meaningful_chars = self._meaningful_words = None
        region_values = set(data.lookup("region"))
        # one-word values only (typo/colloquial → plan word); several-word values are search-query expansions
        self._synonyms = sorted(
            ((variant, canonical) for variant, canonical in data.synonym_map().items()
             if canonical not in region_values and variant not in places and " " not in canonical),
            key=lambda pair: len(pair[0]), reverse=True,
        )
        self._words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=1)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        prepared = [self._prepare(example.text) for example in data.examples]
        words = self._words.fit_transform([w for w, _ in prepared])
        chars = self._chars.fit_transform([c for _, c in prepared])
        features = _stack(words * self.word_weight, chars)
        labels = np.array([example.intent for example in data.examples])
        self.temperature = _fit_temperature(features, labels, self.regularization)
        self._model = _svm(self.regularization).fit(features, labels)
        self.fingerprint = data.fingerprint
        return self

    def predict(self, text: str) -> IntentPrediction:
        """The intent of one utterance; empty or symbol-only input still gets a (low-confidence) ranking."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        if not self.trained:
            raise RuntimeError("IntentClassifier is not trained: call fit() or load() first")
        prepared = [self._prepare(text) for text in texts]
        words = self._words.transform([w for w, _ in prepared])
        chars = self._chars.transform([c for _, c in prepared])
        features = _stack(words * self.word_weight, chars)
        names = self.intents
        predictions = []
        # known: some word, or some character n-gram that is more than char_wb's space padding
        if self._meaningful_chars is None or self._meaningful_words is None:
            self._meaningful_chars = np.array([bool(g.strip()) for g in self._chars.get_feature_names_out()])
            self._meaningful_words = np.array([w not in LENGTH_WORDS for w in self._words.get_feature_names_out()])
        known = (np.asarray((words != 0) @ self._meaningful_words).ravel()
                 | np.asarray((chars != 0) @ self._meaningful_chars).ravel())
        for row, has_features in zip(_softmax(self._model.decision_function(features), self.temperature), known,
                                     strict=True):
            if not has_features:  # nothing the model has seen (empty, emoji, unknown script): no guess
                row = np.full(len(names), 1.0 / len(names))
                fallback = UNKNOWN_INTENT if UNKNOWN_INTENT in names else names[0]
                ranking = ((fallback, float(row[0])), *((n, float(row[0])) for n in names if n != fallback))
                predictions.append(IntentPrediction(fallback, float(row[0]), ranking))
                continue
            ranking = tuple(sorted(((n, float(p)) for n, p in zip(names, row, strict=True)),
                                   key=lambda item: item[1], reverse=True))
            predictions.append(IntentPrediction(ranking[0][0], ranking[0][1], ranking))
        return predictions

    def _prepare(self, raw: str) -> tuple[str, str]:
        """(space-joined words, character text) of normalised text, place names marked, synonyms' canonical
        words appended."""
        text = self.text.normalize(raw[:2000])
        if self._place_pattern is None:
            self._place_pattern = _alternation(place for place, _ in self._places)
            self._synonym_pattern = _alternation(variant for variant, _ in self._synonyms)
        marks, canonical_of = dict(self._places), dict(self._synonyms)
        text = self._place_pattern.sub(lambda match: marks[match.group(0)], text)
        assert self._synonym_pattern is not None
        found = (canonical_of[match.group(0)] for match in self._synonym_pattern.finditer(text))
        added = [canonical for canonical in found if canonical not in text]
        if added:
            text = f"{text} {' '.join(dict.fromkeys(added))}"
        return " ".join([*self.text.tokenize(text), _length_word(text)]), text

    def save(self, path: Path) -> None:
        """Pickle the trained model (not the text processor) with its training-data fingerprint."""
        state = {"format": MODEL_FORMAT, "fingerprint": self.fingerprint, "regularization": self.regularization,
                 "word_weight": self.word_weight, "temperature": self.temperature,
                 "synonyms": self._synonyms, "places": self._places,
                 "words": self._words, "chars": self._chars, "model": self._model}
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path, text: TextProcessor | None = None) -> IntentClassifier:
        """A classifier saved by `save` (a file this project wrote: pickle runs code, never load others')."""
        with path.open("rb") as handle:
            state = pickle.load(handle)
        if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
            raise ValueError(f"{path} is not an elderbot intent model of format {MODEL_FORMAT}")
        classifier = cls(text, state["regularization"], state["word_weight"])
        classifier.fingerprint = state["fingerprint"]
        classifier.temperature = state["temperature"]
        classifier._synonyms = state["synonyms"]
        classifier._places = state["places"]
        classifier._words, classifier._chars, classifier._model = state["words"], state["chars"], state["model"]
        return classifier

    @classmethod
    def train_or_load(cls, cache: Path, data_dir: Path = DEFAULT_DATA_DIR,
                      text: TextProcessor | None = None) -> IntentClassifier:
        """The cached model when its fingerprint matches the data files, else a freshly trained (and cached) one."""
        data = load_training_data(data_dir)
        if cache.is_file():
            try:
                cached = cls.load(cache, text)
            except (OSError, ValueError, KeyError, pickle.UnpicklingError, AttributeError):
                cached = None
            if cached is not None and cached.fingerprint == data.fingerprint:
                return cached
        classifier = cls(text).fit(data)
        classifier.save(cache)
        return classifier


def _length_word(text: str) -> str:
    """A word for how long the utterance is: '还有呢' and '我是万州的' are short, questions are long."""
    size = len(text.replace(" ", ""))
    return LENGTH_WORDS[0] if size <= 6 else LENGTH_WORDS[1] if size <= 14 else LENGTH_WORDS[2]


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of the words, longest first; matches nothing when there are none."""
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)) if ordered else r"(?!)")


def _svm(regularization: float) -> Any:
    from sklearn.svm import LinearSVC

    # fixed seed: liblinear's dual solver shuffles, and an unseeded model differs from run to run
    return LinearSVC(C=regularization, random_state=0)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    if scores.ndim == 1:  # two classes: sklearn gives one score for the second class
        scores = np.stack([-scores, scores], axis=1)
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def _fit_temperature(features: spmatrix, labels: np.ndarray, regularization: float) -> float:
    """The softmax temperature that best predicts held-out labels from 3-fold cross-validated SVM scores."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = min(3, int(min(np.unique(labels, return_counts=True)[1])))
    if folds < 2:
        return 1.0
    scores = cross_val_predict(_svm(regularization), features, labels, method="decision_function",
                               cv=StratifiedKFold(folds, shuffle=True, random_state=0))
    classes = np.unique(labels)
    truth = np.searchsorted(classes, labels)
    best, best_loss = 1.0, float("inf")
    for temperature in np.geomspace(0.25, 40.0, 48):
        probabilities = _softmax(scores, float(temperature))
        loss = -float(np.mean(np.log(probabilities[np.arange(len(truth)), truth] + 1e-12)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _stack(words: spmatrix, chars: spmatrix) -> spmatrix:
    from scipy.sparse import hstack

    return hstack([words, chars]).tocsr()
