"""The words callers say, for a speech recogniser's vocabulary: the covered regions and their districts and
counties (the gazetteer, the nlu_data region lookup), then the domain dictionary's words ranked by how many of the
nlu_data examples say them (老年大学, 养老院, 助餐点, 失能, 高龄津贴…).

A recogniser primed with these words writes 双桥 rather than 商桥 and 互助 rather than 护住; the list is built from
the plans' gazetteer and the project's own training data, never from evaluation items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.text.chinese import DOMAIN_DICTIONARY
from knowledge.text.place_sounds import split_suffix
from knowledge.text.text_resources import read_dictionary_words

# A word is left out when a longer domain word holding it is said at least this share as often (助餐 inside
# 助餐点): the longer word primes the same sounds.
_SUBSUMED_SHARE = 0.75
_PLACE_CORE_CHARS = (2, 3)  # 乐至, 雁江; not 承德双桥 nor 临空经济


def place_words(short_names: Sequence[str], region_lookup: Iterable[str]) -> list[str]:
    """Region short names (涪陵, 资阳…), then the short cores of the region lookup's names (乐至县 → 乐至)."""
    cores = [split_suffix(name)[0] for name in region_lookup]
    return list(dict.fromkeys([*short_names, *(c for c in cores if len(c) in _PLACE_CORE_CHARS)]))


def said_words(words: Iterable[str], examples: Sequence[str]) -> list[str]:
    """Domain words that the examples say, most often said first; a word inside a longer domain word that is
    said nearly as often is left to the longer one."""
    counts = {word: sum(word in text for text in examples) for word in dict.fromkeys(words) if len(word) >= 2}
    said = {word: count for word, count in counts.items() if count}
    kept = [
        word
        for word, count in said.items()
        if not any(
            word != longer and word in longer and said[longer] >= _SUBSUMED_SHARE * count for longer in said
        )
    ]
    return sorted(kept, key=lambda word: -said[word])


@dataclass(frozen=True)
class HearingWords:
    """What callers say, most telling first: place names, and the service's words (no place among them)."""

    places: tuple[str, ...]
    words: tuple[str, ...]


def hearing_vocabulary(
    short_names: Sequence[str],
    examples: Sequence[str] | None = None,
    region_lookup: Iterable[str] | None = None,
    dictionary: Path = DOMAIN_DICTIONARY,
) -> HearingWords:
    """The covered regions' short names (涪陵, 资阳…) and their districts' and counties', then the domain words
    callers say. `examples` and `region_lookup` default to the nlu_data examples and region lookup."""
    if examples is None or region_lookup is None:
        from knowledge.text.nlu_data import load_training_data

        data = load_training_data()
        examples = [example.text for example in data.examples] if examples is None else examples
        region_lookup = data.lookup("region") if region_lookup is None else region_lookup
    places = place_words(short_names, region_lookup)
    words = [word for word in said_words(read_dictionary_words(dictionary), examples) if word not in places]
    return HearingWords(tuple(places), tuple(words))
