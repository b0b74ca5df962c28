"""Latin letters for a voice that reads only Chinese characters: APP → 诶批批, Wi-Fi → 歪飞, 5G → 五G → 五吉.

The neural voice's front end silently drops every Latin letter, so an answer about a 微信小程序 or an APP
would lose words. Words people say as words get their usual Chinese reading; everything else is spelt out
letter by letter with the characters Chinese speakers use for English letter names.
"""

from __future__ import annotations

import re

LETTER_NAMES: dict[str, str] = {
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批", "Q": "丘", "R": "阿",
    "S": "艾斯", "T": "踢", "U": "优", "V": "维", "W": "达不溜", "X": "艾克斯", "Y": "歪", "Z": "贼",
}

# Said as words, not spelt (compared without case, hyphens or dots).
SPOKEN_WORDS: dict[str, str] = {
    "WIFI": "歪飞",
    "OK": "欧开",
    "QQ": "扣扣",
    "EMAIL": "伊妹儿",
    "EXCEL": "伊克赛尔",
    "WORD": "沃德",
    "PPT": "批批踢",
    "PDF": "批迪艾弗",
}

_LATIN_WORD = re.compile(r"[A-Za-z]+(?:[-.·][A-Za-z]+)*")


def _speak_word(match: re.Match[str]) -> str:
    word = match.group(0)
    key = re.sub(r"[-.·]", "", word).upper()
    if key in SPOKEN_WORDS:
        return SPOKEN_WORDS[key]
    return "".join(LETTER_NAMES[letter] for letter in key)


def spell_latin(text: str) -> str:
    """Every run of Latin letters in `text` as Chinese characters; the rest of the text unchanged."""
    return _LATIN_WORD.sub(_speak_word, text)
