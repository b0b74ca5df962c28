"""Region names in what a speech recogniser heard. A recogniser writes real words, so a region's short name can come
back as another word that sounds the same (资阳 zi-yang as 自养, 巫溪 wu-xi as 无息, 涪陵 fu-ling as 福林): the typed-text
gazetteer rightly refuses such words, but in heard text with no place in it at all, a window that sounds like exactly
one covered region's short name (by folded, toneless pinyin) is taken as that region.

Over a phone line (8 kHz) a recogniser also mishears one sound of a name: 双桥 shuang-qiao as 商桥 shang-qiao, 涪陵
fu-ling as 普林 pu-lin. When no window sounds like a region, a window whose syllables all sound like the name's but one,
and that one is a letter away from it (shang / shuang, pu / fu), is taken as the region when exactly one region is
that near and the window is no common word (护理 hu-li is not 涪陵 hu-lin; 商桥 is a rare place name)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from knowledge.text.chinese import ChineseText
from knowledge.text.place_sounds import CharacterSound, character_sound, name_sounds

if TYPE_CHECKING:
    from knowledge.text.gazetteer import Gazetteer

_RARE_WORD_FREQUENCY = 5  # jieba's count below which a word is a name or a rarity, not an ordinary word
Matcher = Callable[[tuple[str, ...], tuple[str, ...]], bool]


def repair_heard_regions(gazetteer: Gazetteer, text: str) -> str:
    """`text` with a misheard region short name respelled; unchanged when the text already names a place (covered,
    outside or a city/province), or when windows sound like several regions, or none."""
    text = gazetteer.repair(text)
    found = gazetteer.find(text)
    if found.regions or found.outside or found.areas:
        return text
    boundaries = gazetteer.word_boundaries(text)  # a window across two words (投资|养老) is no name
    hits = _region_windows(gazetteer, text, _same_sound, _every_reading, boundaries)
    if not hits:
        frequency = ChineseText(extra_words=gazetteer.place_names()).word_frequency  # the index's jieba
        cuts = _inside_invented_words(text, boundaries, frequency)  # 不凌有: jieba made one word of a garble
        near = _region_windows(gazetteer, text, _one_sound_off, _first_reading, boundaries | cuts)
        hits = [(start, short) for start, short in near
                if frequency(text[start : start + len(short)]) < _RARE_WORD_FREQUENCY]
    if len({short for _, short in hits}) != 1:
        return text
    for start, short in sorted(hits, reverse=True):
        text = text[:start] + short + text[start + len(short) :]
    return text


def _inside_invented_words(text: str, boundaries: frozenset[int], frequency: Callable[[str], int]) -> frozenset[int]:
    """Offsets inside the words jieba made up (no dictionary word: 不凌有), where a heard name may end."""
    edges = sorted(boundaries | {0, len(text)})
    return frozenset(k for start, end in itertools.pairwise(edges) if end - start > 1 and not frequency(text[start:end])
                     for k in range(start + 1, end))


def _region_windows(gazetteer: Gazetteer, text: str, matches: Matcher,
                   reading: Callable[[CharacterSound], tuple[str, ...]],
                   boundaries: frozenset[int]) -> list[tuple[int, str]]:
    """(start, short name) of each window between `boundaries` whose characters' readings `match` a reading of a
    short name (both folded, one syllable each)."""
    hits: list[tuple[int, str]] = []
    for short in gazetteer.short_names():
        sounds = {sound.folded for sound in name_sounds(short)}
        width = len(short)
        for start in range(len(text) - width + 1):
            if start not in boundaries or start + width not in boundaries or text[start : start + width] == short:
                continue
            readings = [reading(character_sound(character)) for character in text[start : start + width]]
            if all(readings) and any(matches(combo, sound) for combo in itertools.product(*readings) for sound in sounds):
                hits.append((start, short))
    return hits


def _every_reading(sound: CharacterSound) -> tuple[str, ...]:
    return sound.folded


def _first_reading(sound: CharacterSound) -> tuple[str, ...]:
    return (sound.primary,) if sound.primary else ()


def _same_sound(heard: tuple[str, ...], name: tuple[str, ...]) -> bool:
    return heard == name


def _one_sound_off(heard: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """All syllables alike but one, which keeps its initial and gains or loses one letter of its final (shang /
    shuang, xin / xi), or keeps its final after a lip sound taken for another (pu / fu)."""
    differing = [(a, b) for a, b in zip(heard, name, strict=True) if a != b]
    return len(name) >= 2 and len(differing) == 1 and _near_syllables(*differing[0])


def _near_syllables(a: str, b: str) -> bool:
    (initial_a, final_a), (initial_b, final_b) = _split(a), _split(b)
    if initial_a == initial_b:
        longer, shorter = (final_a, final_b) if len(final_a) > len(final_b) else (final_b, final_a)
        return len(longer) == len(shorter) + 1 and any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
    return final_a == final_b and {initial_a, initial_b} <= _LIP_SOUNDS


_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
_LIP_SOUNDS = frozenset({"b", "p", "f", "h"})  # f is folded to hu-: hu / pu / bu


def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial) :]
    return "", syllable
