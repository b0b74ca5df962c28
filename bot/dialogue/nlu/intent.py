"""Intent classification trained from nlu_data/: jieba words + character n-grams → a linear SVM whose scores
become probabilities through a softmax with a temperature fitted on cross-validated scores.

Training uses scikit-learn; the trained model is kept (and cached) as plain numpy arrays (vocabularies, idf
weights, the SVM's coefficients), and prediction reimplements the two TF-IDF transforms and the decision function
with numpy alone, so a process that loads a cached model never imports scikit-learn or scipy (~1 s)."""

from __future__ import annotations

import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.text.nlu_data import (
    DEFAULT_DATA_DIR,
    TrainingData,
    data_files,
    fingerprint_files,
    load_training_data,
)

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

MODEL_FORMAT = 2  # 2: numpy arrays in an .npz archive (1: pickled scikit-learn objects)
REGION_TABLES = ("region", "town", "street")
OTHER_PLACE_TABLE = "other_place"
# Place names become one marker word each, so intents are learnt from topics, not from which town is asked about;
# places the plans do not cover get their own marker (their rules are out of scope).
REGION_MARK = " placemark "
OTHER_PLACE_MARK = " elsewhere "
UNKNOWN_INTENT = "out_of_scope"
LENGTH_WORDS = ("lenshort", "lenmid", "lenlong")
CHAR_NGRAMS = (1, 3)
_WHITE_SPACES = re.compile(r"\s\s+")  # what scikit-learn's char_wb analyzer folds to one space


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
        self._model: _LinearModel | None = None
        # the scikit-learn objects of `fit` (word vectorizer, character vectorizer, SVM); None once loaded
        self._fitted: tuple[Any, Any, Any] | None = None
        self._place_pattern: re.Pattern[str] | None = None
        self._synonym_pattern: re.Pattern[str] | None = None

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
        return list(self._model.classes) if self._model is not None else []

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
        region_values = set(data.lookup("region"))
        # one-word values only (typo/colloquial → plan word); several-word values are search-query expansions
        self._synonyms = sorted(
            ((variant, canonical) for variant, canonical in data.synonym_map().items()
             if canonical not in region_values and variant not in places and " " not in canonical),
            key=lambda pair: len(pair[0]), reverse=True,
        )
        words_vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=1)
        chars_vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=1)
        prepared = [self._prepare(example.text) for example in data.examples]
        words = words_vectorizer.fit_transform([w for w, _ in prepared])
        chars = chars_vectorizer.fit_transform([c for _, c in prepared])
        features = _stack(words * self.word_weight, chars)
        labels = np.array([example.intent for example in data.examples])
        self.temperature = _fit_temperature(features, labels, self.regularization)
        svm = _svm(self.regularization).fit(features, labels)
        self._fitted = (words_vectorizer, chars_vectorizer, svm)
        self._model = _LinearModel.export(words_vectorizer, chars_vectorizer, svm, self.word_weight)
        self.fingerprint = data.fingerprint
        return self

    def predict(self, text: str) -> IntentPrediction:
        """The intent of one utterance; empty or symbol-only input still gets a (low-confidence) ranking."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        if self._model is None:
            raise RuntimeError("IntentClassifier is not trained: call fit() or load() first")
        scores, known = self._model.decision(self._prepare(text) for text in texts)
        return self._predictions(scores, known)

    def _predictions(self, scores: np.ndarray, known: np.ndarray) -> list[IntentPrediction]:
        """Rankings from decision scores; `known`: whether each text had some word, or some character n-gram that
        is more than char_wb's space padding, the model has seen."""
        names = self.intents
        predictions = []
        for row, has_features in zip(_softmax(scores, self.temperature), known, strict=True):
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
        if self._place_pattern is None or self._synonym_pattern is None:  # both before either is seen: threads race
            synonyms = _alternation(variant for variant, _ in self._synonyms)
            self._synonym_pattern = synonyms
            self._place_pattern = _alternation(place for place, _ in self._places)
        marks, canonical_of = dict(self._places), dict(self._synonyms)
        text = self._place_pattern.sub(lambda match: marks[match.group(0)], text)
        assert self._synonym_pattern is not None
        found = (canonical_of[match.group(0)] for match in self._synonym_pattern.finditer(text))
        added = [canonical for canonical in found if canonical not in text]
        if added:
            text = f"{text} {' '.join(dict.fromkeys(added))}"
        return " ".join([*self.text.tokenize(text), _length_word(text)]), text

    def save(self, path: Path) -> None:
        """Write the trained model (not the text processor) with its training-data fingerprint: numpy arrays in
        an .npz archive, read back without scikit-learn and without unpickling anything."""
        if self._model is None:
            raise RuntimeError("IntentClassifier is not trained: nothing to save")
        arrays = {
            "format": np.array(MODEL_FORMAT), "fingerprint": np.array(self.fingerprint),
            "regularization": np.array(self.regularization, dtype=np.float64),
            "word_weight": np.array(self.word_weight, dtype=np.float64),
            "temperature": np.array(self.temperature, dtype=np.float64),
            "synonyms": _string_pairs(self._synonyms), "places": _string_pairs(self._places),
            **self._model.arrays(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        with temporary.open("wb") as handle:  # a handle, so that numpy does not add ".npz" to the name
            np.savez(handle, **arrays)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path, text: TextProcessor | None = None) -> IntentClassifier:
        """A classifier saved by `save`; ValueError for any other file (an older format included)."""
        refused = ValueError(f"{path} is not an elderbot intent model of format {MODEL_FORMAT}")
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
        except (ValueError, zipfile.BadZipFile, EOFError, AttributeError) as error:  # a pickle, a stray file
            raise refused from error
        if "format" not in arrays or arrays["format"].shape != () or int(arrays["format"]) != MODEL_FORMAT:
            raise refused
        try:
            classifier = cls(text, float(arrays["regularization"]), float(arrays["word_weight"]))
            classifier.fingerprint = str(arrays["fingerprint"])
            classifier.temperature = float(arrays["temperature"])
            classifier._synonyms = [(str(a), str(b)) for a, b in arrays["synonyms"].tolist()]
            classifier._places = [(str(a), str(b)) for a, b in arrays["places"].tolist()]
            classifier._model = _LinearModel.from_arrays(arrays)
        except (KeyError, TypeError, ValueError) as error:
            raise refused from error
        return classifier

    @classmethod
    def train_or_load(cls, cache: Path, data_dir: Path = DEFAULT_DATA_DIR,
                      text: TextProcessor | None = None) -> IntentClassifier:
        """The cached model when its fingerprint matches the data files, else a freshly trained (and cached) one.
        The fingerprint is taken from the files' bytes, so a matching cache is used without parsing the YAML."""
        if cache.is_file():
            try:
                cached = cls.load(cache, text)
            except (OSError, ValueError, KeyError):
                cached = None
            if cached is not None and cached.fingerprint == fingerprint_files(data_files(data_dir), data_dir):
                return cached
        classifier = cls(text).fit(load_training_data(data_dir))
        classifier.save(cache)
        return classifier


@dataclass(frozen=True)
class _Tfidf:
    """A fitted TfidfVectorizer's transform as plain data: sublinear tf (1 + log count) × idf, l2-normalised rows."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    meaningful: np.ndarray  # per feature: whether it counts as something the model has seen

    def row(self, terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, values) of one text's terms; terms outside the vocabulary are dropped."""
        vocabulary = self.vocabulary
        counts = Counter(term for term in terms if term in vocabulary)
        indices = np.fromiter((vocabulary[term] for term in counts), dtype=np.intp, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        np.log(values, out=values)
        values += 1.0
        values *= self.idf[indices]
        norm = math.sqrt(float(values @ values))
        if norm > 0.0:
            values /= norm
        return indices, values


@dataclass(frozen=True)
class _LinearModel:
    """Word and character TF-IDF features → linear SVM decision scores, with numpy only."""

    words: _Tfidf
    chars: _Tfidf
    word_weight: float
    coef_words: np.ndarray  # (word features, rows): the SVM's coef_ transposed, word columns
    coef_chars: np.ndarray  # (character features, rows)
    intercept: np.ndarray  # (rows,)
    classes: tuple[str, ...]

    def decision(self, prepared: Iterable[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(decision scores as LinearSVC.decision_function gives them — one column per class, or one score per
        text for two classes —, whether each text has a meaningful feature) of (words, characters) texts."""
        rows, known = [], []
        for words_text, chars_text in prepared:
            word_indices, word_values = self.words.row(words_text.split())
            char_indices, char_values = self.chars.row(_char_wb_ngrams(chars_text.lower(), *CHAR_NGRAMS))
            rows.append((word_values * self.word_weight) @ self.coef_words[word_indices]
                        + char_values @ self.coef_chars[char_indices] + self.intercept)
            known.append(bool(self.words.meaningful[word_indices].any() or self.chars.meaningful[char_indices].any()))
        scores = np.array(rows, dtype=np.float64).reshape(len(rows), len(self.intercept))
        return (scores.ravel() if scores.shape[1] == 1 else scores), np.array(known, dtype=bool)

    @classmethod
    def export(cls, words: Any, chars: Any, svm: Any, word_weight: float) -> _LinearModel:
        """The numpy form of fitted scikit-learn objects (TfidfVectorizer ×2, LinearSVC)."""
        word_terms = [str(term) for term in words.get_feature_names_out()]
        char_terms = [str(term) for term in chars.get_feature_names_out()]
        coef = np.asarray(svm.coef_, dtype=np.float64)
        return cls._build(word_terms, np.asarray(words.idf_, dtype=np.float64), char_terms,
                          np.asarray(chars.idf_, dtype=np.float64), word_weight, coef,
                          np.asarray(svm.intercept_, dtype=np.float64), [str(name) for name in svm.classes_])

    @classmethod
    def _build(cls, word_terms: list[str], word_idf: np.ndarray, char_terms: list[str], char_idf: np.ndarray,
               word_weight: float, coef: np.ndarray, intercept: np.ndarray, classes: list[str]) -> _LinearModel:
        if coef.shape != (len(intercept), len(word_terms) + len(char_terms)) or (
                len(word_idf), len(char_idf)) != (len(word_terms), len(char_terms)):
            raise ValueError("intent model arrays do not fit together")
        words = _Tfidf({term: i for i, term in enumerate(word_terms)}, word_idf,
                       np.array([term not in LENGTH_WORDS for term in word_terms], dtype=bool))
        chars = _Tfidf({term: i for i, term in enumerate(char_terms)}, char_idf,
                       np.array([bool(term.strip()) for term in char_terms], dtype=bool))
        split = len(word_terms)
        return cls(words, chars, float(word_weight), np.ascontiguousarray(coef[:, :split].T),
                   np.ascontiguousarray(coef[:, split:].T), intercept, tuple(classes))

    def arrays(self) -> dict[str, np.ndarray]:
        """What `save` writes (terms in feature order, so that vocabularies are rebuilt exactly)."""
        return {
            "word_terms": _strings(self.words.vocabulary), "word_idf": self.words.idf,
            "char_terms": _strings(self.chars.vocabulary), "char_idf": self.chars.idf,
            "coef": np.concatenate([self.coef_words, self.coef_chars]).T, "intercept": self.intercept,
            "classes": _strings(self.classes),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> _LinearModel:
        return cls._build(arrays["word_terms"].tolist(), arrays["word_idf"], arrays["char_terms"].tolist(),
                          arrays["char_idf"], float(arrays["word_weight"]), arrays["coef"], arrays["intercept"],
                          arrays["classes"].tolist())


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's char_wb analyzer (after its lowercasing): n-grams inside each space-padded word."""
    ngrams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        word = f" {word} "
        size = len(word)
        for n in range(min_n, max_n + 1):
            offset = 0
            ngrams.append(word[offset : offset + n])
            while offset + n < size:
                offset += 1
                ngrams.append(word[offset : offset + n])
            if offset == 0:  # a short word (shorter than n) counts once
                break
    return ngrams


def _strings(items: Iterable[str]) -> np.ndarray:
    """Strings as a numpy unicode array; numpy drops trailing NULs, which no term or name may end with."""
    values = list(items)
    if any(value.endswith("\0") for value in values):
        raise ValueError("intent model strings may not end with NUL")
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def _string_pairs(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    return _strings(value for pair in pairs for value in pair).reshape(len(pairs), 2)


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
