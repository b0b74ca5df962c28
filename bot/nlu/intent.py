"""Intent classification trained from nlu_data/: jieba words + character n-grams → logistic regression."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.nlu.training_data import DEFAULT_DATA_DIR, TrainingData, load_training_data

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

MODEL_FORMAT = 1
REGION_TABLES = ("region", "town", "street")
REGION_MARK = "地区名"


class TextProcessor(Protocol):
    """What the classifier needs of the project's Chinese text handling (knowledge.chinese.ChineseText)."""

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
    from knowledge.chinese import ChineseText

    return ChineseText()


class IntentClassifier:
    """Learns intents from the Rasa examples; `fit` or `load` before `predict`."""

    def __init__(self, text: TextProcessor | None = None, regularization: float = 8.0) -> None:
        self._text = text
        self.regularization = regularization
        self.fingerprint = ""
        self._synonyms: list[tuple[str, str]] = []
        self._places: list[str] = []
        self._words: Any = None
        self._chars: Any = None
        self._model: Any = None

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
        from sklearn.linear_model import LogisticRegression

        if len(data.intents) < 2:
            raise ValueError("intent training needs examples of at least two intents")
        places = {p for table in REGION_TABLES for p in data.lookup(table)}
        self._places = sorted((p for p in places if len(p) >= 2), key=len, reverse=True)
        region_values = set(data.lookup("region"))
        self._synonyms = sorted(
            ((variant, canonical) for variant, canonical in data.synonym_map().items()
             if canonical not in region_values and variant not in places),
            key=lambda pair: len(pair[0]), reverse=True,
        )
        self._words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=1)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        prepared = [self._prepare(example.text) for example in data.examples]
        words = self._words.fit_transform([w for w, _ in prepared])
        chars = self._chars.fit_transform([c for _, c in prepared])
        self._model = LogisticRegression(C=self.regularization, max_iter=3000, class_weight="balanced")
        self._model.fit(_stack(words, chars), [example.intent for example in data.examples])
        self.fingerprint = data.fingerprint
        return self

    def predict(self, text: str) -> IntentPrediction:
        """The intent of one utterance; empty or symbol-only input still gets a (low-confidence) ranking."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        if not self.trained:
            raise RuntimeError("IntentClassifier is not trained: call fit() or load() first")
        prepared = [self._prepare(text) for text in texts]
        features = _stack(self._words.transform([w for w, _ in prepared]),
                          self._chars.transform([c for _, c in prepared]))
        names = self.intents
        predictions = []
        for row in self._model.predict_proba(features):
            ranking = tuple(sorted(((n, float(p)) for n, p in zip(names, row, strict=True)),
                                   key=lambda item: item[1], reverse=True))
            predictions.append(IntentPrediction(ranking[0][0], ranking[0][1], ranking))
        return predictions

    def _prepare(self, raw: str) -> tuple[str, str]:
        """(space-joined words, character text) of normalised text with synonyms' canonical words appended
        and known place names replaced by one marker, so intents are learnt from topics, not places."""
        text = self.text.normalize(raw[:2000])
        for place in self._places:
            if place in text:
                text = text.replace(place, REGION_MARK)
        added = [canonical for variant, canonical in self._synonyms if variant in text and canonical not in text]
        if added:
            text = f"{text} {' '.join(dict.fromkeys(added))}"
        return " ".join(self.text.tokenize(text)), text

    def save(self, path: Path) -> None:
        """Pickle the trained model (not the text processor) with its training-data fingerprint."""
        state = {"format": MODEL_FORMAT, "fingerprint": self.fingerprint, "regularization": self.regularization,
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
        classifier = cls(text, state["regularization"])
        classifier.fingerprint = state["fingerprint"]
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


def _stack(words: spmatrix, chars: spmatrix) -> spmatrix:
    from scipy.sparse import hstack

    return hstack([words, chars]).tocsr()
