"""What ChineseText loads, made once a process and kept on disk between processes: jieba with the domain
dictionary (its prefix dictionary cached with marshal), OpenCC, the synonym table, and the index of plan words by
sound (toneless pinyin, and folded near sounds for words of three characters or more)."""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.text.place_sounds import fold

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class SynonymEntry:
    """One colloquial variant and the plan words it stands for."""

    variant: str
    canonical: tuple[str, ...]


def load_synonyms(path: Path) -> list[SynonymEntry]:
    """Rasa-format `synonym:` blocks (read by knowledge.text.nlu_data, the one reader of nlu_data/); the value
    may list several plan words separated by spaces."""
    from knowledge.text.nlu_data import read_file

    return [SynonymEntry(variant, tuple(synonym.value.split()))
            for synonym in read_file(path).synonyms for variant in synonym.examples if variant]


def read_dictionary_words(path: Path) -> list[str]:
    """The words of a jieba user dictionary (word [freq] [tag] per line)."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


def file_key(path: Path) -> tuple[str, float]:
    """A path with its modification time, so an edited file is read again."""
    return str(path), path.stat().st_mtime if path.is_file() else -1.0


@functools.lru_cache(maxsize=4)
def load_resources(
    dictionary: tuple[str, float], synonyms_file: tuple[str, float], extra_words: tuple[str, ...]
) -> tuple[Any, list[SynonymEntry], frozenset[str], dict[tuple[str, ...], str], Any]:
    """(OpenCC converter, synonyms longest first, vocabulary, homophone index, jieba tokenizer)."""
    import jieba
    import opencc

    logging.getLogger("jieba").setLevel(logging.WARNING)
    dictionary_path, synonyms_path = Path(dictionary[0]), Path(synonyms_file[0])
    tokenizer = jieba.Tokenizer()
    initialize_jieba(tokenizer)
    if dictionary_path.is_file():
        tokenizer.load_userdict(str(dictionary_path))
    synonyms = sorted(load_synonyms(synonyms_path), key=lambda e: len(e.variant), reverse=True)
    vocabulary = {*read_dictionary_words(dictionary_path), *extra_words}
    vocabulary |= {word for entry in synonyms for word in entry.canonical}
    for word in extra_words:
        tokenizer.add_word(word, freq=max(2000, 500 * len(word)))
    known = frozenset(w for w in vocabulary | {e.variant for e in synonyms} if len(w) >= 2)
    homophones = cached_homophone_index(vocabulary)  # plan words only: colloquial variants may be typos themselves
    return opencc.OpenCC("t2s"), synonyms, known, homophones, tokenizer


def text_cache_dir() -> Path:
    """Where prepared text resources are kept between processes: $XDG_CACHE_HOME/elderbot/text (~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "elderbot" / "text"


def initialize_jieba(tokenizer: Any) -> None:
    """Load jieba's prefix dictionary from a cache of our own. jieba keeps one too (in the temp folder, which a
    container starts without, so it is rebuilt: ~0.7 s) and reads it with marshal.load on the file, which reads
    piece by piece; marshal.loads of the whole file is ~3× faster. Same dictionary either way."""
    import jieba

    source = Path(tokenizer.dictionary or Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
    try:
        stat = source.stat()
    except OSError:
        return tokenizer.initialize()
    key = hashlib.sha256(f"{jieba.__version__}|{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    cache = text_cache_dir() / f"jieba-{key[:16]}.marshal"
    try:
        frequencies, total = marshal.loads(cache.read_bytes())
        if isinstance(frequencies, dict) and isinstance(total, int) and frequencies:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
            return None
    except (OSError, EOFError, ValueError, TypeError):
        pass
    tokenizer.initialize()
    write_atomically(cache, marshal.dumps((tokenizer.FREQ, tokenizer.total)))
    return None


HOMOPHONE_INDEX_FORMAT = "3"  # words of 2–6 characters; near-sound keys for words of 3–6
NEAR_SOUND_KEY = "~"  # the first element of a near-sound key: (NEAR_SOUND_KEY, *folded syllables)
NEAR_SOUND_MIN = 3  # a run this long or longer may be repaired by near sound


def cached_homophone_index(words: Iterable[str]) -> dict[tuple[str, ...], str]:
    """`homophone_index`, kept on disk per vocabulary and pypinyin install: a cold process does not import
    pypinyin (~0.5 s) and spell out every word just to build it."""
    import importlib.util

    ordered = sorted(set(words))
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        return homophone_index(ordered)
    package = Path(spec.origin).parent
    stamps = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(package.glob("*.py"))]
    digest = hashlib.sha256("\n".join([HOMOPHONE_INDEX_FORMAT, str(package), *stamps, "", *ordered]).encode()).hexdigest()
    cache = text_cache_dir() / f"homophones-{digest[:16]}.marshal"
    try:
        index = marshal.loads(cache.read_bytes())
        if isinstance(index, dict):
            return index
    except (OSError, EOFError, ValueError, TypeError):
        pass
    index = homophone_index(ordered)
    write_atomically(cache, marshal.dumps(index))
    return index


def write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all; a read-only home only costs the time the cache saves."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError:
        pass


def homophone_index(words: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Toneless pinyin of each Chinese word of 2–6 characters → the word, and for words of 3–6 characters their
    folded syllables (`NEAR_SOUND_KEY` first) → the word; a sound shared by two words is dropped."""
    from pypinyin import lazy_pinyin

    index: dict[tuple[str, ...], str] = {}
    clashes: set[tuple[str, ...]] = set()
    for word in words:
        if not 2 <= len(word) <= 6 or not all(_HAN.match(ch) for ch in word):
            continue
        plain = tuple(lazy_pinyin(word))
        keys = [plain]
        if len(word) >= NEAR_SOUND_MIN:
            keys.append((NEAR_SOUND_KEY, *map(fold, plain)))
        for key in keys:
            if key in index and index[key] != word:
                clashes.add(key)
            index.setdefault(key, word)
    for key in clashes:
        del index[key]
    return index
