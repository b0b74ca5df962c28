"""Region names in what a speech recogniser heard. A recogniser writes real words, so a region's short name can come
back as another word that sounds the same (资阳 zi-yang as 自养, 巫溪 wu-xi as 无息, 涪陵 fu-ling as 福林): the typed-text
gazetteer rightly refuses such words, but in heard text with no place in it at all, a window that sounds like exactly
one covered region's short name (by folded, toneless pinyin) is taken as that region."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from knowledge.text.place_sounds import character_sound, name_sounds

if TYPE_CHECKING:
    from knowledge.text.gazetteer import Gazetteer


def repair_heard_regions(gazetteer: Gazetteer, text: str) -> str:
    """`text` with a misheard region short name respelled; unchanged when the text already names a place (covered,
    outside or a city/province), or when windows sound like several regions, or none."""
    text = gazetteer.repair(text)
    found = gazetteer.find(text)
    if found.regions or found.outside or found.areas:
        return text
    hits: list[tuple[int, str]] = []
    boundaries = gazetteer.word_boundaries(text)  # a window across two words (投资|养老) is no name
    for short in gazetteer.short_names():
        sounds = {sound.folded for sound in name_sounds(short)}
        width = len(short)
        for start in range(len(text) - width + 1):
            if start not in boundaries or start + width not in boundaries:
                continue
            readings = [character_sound(character).folded for character in text[start : start + width]]
            if all(readings) and any(combo in sounds for combo in itertools.product(*readings)):
                hits.append((start, short))
    if len({short for _, short in hits}) != 1:
        return text
    for start, short in sorted(hits, reverse=True):
        text = text[:start] + short + text[start + len(short) :]
    return text
