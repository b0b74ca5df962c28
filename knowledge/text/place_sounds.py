"""Place names by sound, for the gazetteer: the pinyin readings of characters, the near-sound folding of
syllables that southwestern Mandarin and voice typing blur, and an index of names by sound
(福陵 → 涪陵, 林市 → 蔺市, 万洲 → 万州, 巫西 → 巫溪, 资扬 → 资阳).

Readings come from pypinyin one character at a time (the first two readings of each, cached), so a text costs a
dictionary look-up per character rather than a phrase segmentation; a name's readings are its contextual
pinyin and each character's first reading (重庆 chong-qing and zhong-qing)."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parents[1] / "lexicon"
NOT_PLACES_FILE = LEXICON_DIR / "not_places.txt"

# Longest first: 高新区 before 新区 before 区. What follows a place's own name and says it is one.
PLACE_SUFFIXES = ("高新区", "经开区", "新区", "街道", "社区", "地区", "区", "县", "市", "镇", "乡", "省", "州")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TONE = re.compile(r"\d")
_READINGS_PER_CHARACTER = 2
_COMBINATIONS_PER_NAME = 16

# f- and hu- merge in much of the southwest (湖 fu, 飞 hui): each f-syllable is written as its hu- partner.
_F_TO_HU = {"fu": "hu", "fa": "hua", "fan": "huan", "fei": "hui", "fen": "hun", "fo": "huo"}


def fold(syllable: str) -> str:
    """A toneless syllable with the usual near-sound confusions merged: zh/ch/sh → z/c/s, n- → l-, -ang → -an,
    -eng → -en, -ing → -in, f- → hu- (after the finals, so feng and fen both become hun)."""
    if syllable[:2] in ("zh", "ch", "sh"):
        syllable = syllable[0] + syllable[2:]
    if syllable.startswith("n") and len(syllable) > 1 and syllable != "ng":
        syllable = "l" + syllable[1:]
    if syllable.endswith("ng") and len(syllable) > 2 and syllable[-3] in "aei":
        syllable = syllable[:-1]
    return _F_TO_HU.get(syllable, syllable)


# Over a phone line a recogniser confuses a stop or affricate with its aspirated twin (补 bu / 埔 pu)
_UNASPIRATED = {"p": "b", "t": "d", "k": "g", "q": "j", "c": "z"}


def unaspirated(folded: str) -> str:
    """A folded syllable with its aspirated initial made plain (pu → bu, qin → jin, ci → zi), as a phone line
    blurs them."""
    return _UNASPIRATED.get(folded[:1], folded[:1]) + folded[1:] if folded else folded


@dataclass(frozen=True)
class Reading:
    """One reading of a character: with tone number (ling2), toneless (ling) and folded (lin)."""

    tone: str
    plain: str
    folded: str

    @classmethod
    def of(cls, tone: str) -> Reading:
        plain = _TONE.sub("", tone)
        return cls(tone, plain, fold(plain))


@functools.lru_cache(maxsize=16384)
def character_readings(character: str) -> tuple[Reading, ...]:
    """The first two readings of a Chinese character (most common first); () for anything else."""
    if not _HAN.fullmatch(character):
        return ()
    from pypinyin import Style, pinyin

    tones = pinyin(character, style=Style.TONE3, heteronym=True, errors=lambda _: [[]])[0]
    return tuple(Reading.of(t) for t in dict.fromkeys(tones[:_READINGS_PER_CHARACTER]) if t)


@dataclass(frozen=True)
class CharacterSound:
    """A character's readings as sets: with tones, toneless, folded; and the folded first reading."""

    tones: frozenset[str]
    plain: frozenset[str]
    folded: tuple[str, ...]
    primary: str


_NO_SOUND = CharacterSound(frozenset(), frozenset(), (), "")


@functools.lru_cache(maxsize=16384)
def character_sound(character: str) -> CharacterSound:
    readings = character_readings(character)
    if not readings:
        return _NO_SOUND
    folded = tuple(dict.fromkeys(r.folded for r in readings))
    return CharacterSound(
        frozenset(r.tone for r in readings), frozenset(r.plain for r in readings), folded, readings[0].folded
    )


@dataclass(frozen=True)
class TextSounds:
    """Per character of a text: its readings (CharacterSound)."""

    characters: tuple[CharacterSound, ...]

    @classmethod
    def of(cls, text: str) -> TextSounds:
        return cls(tuple(map(character_sound, text)))


@dataclass(frozen=True)
class NameSound:
    """One way to read a name: syllables with tones, toneless and folded."""

    name: str
    tones: tuple[str, ...]
    plain: tuple[str, ...]
    folded: tuple[str, ...]


def name_sounds(name: str) -> list[NameSound]:
    """The readings of a name: its contextual pinyin, and each character's first reading in its place."""
    from pypinyin import Style, lazy_pinyin

    contextual = lazy_pinyin(name, style=Style.TONE3, errors=lambda chars: [""] * len(chars))
    if len(contextual) != len(name):
        return []
    options: list[list[str]] = []
    for character, reading in zip(name, contextual, strict=True):
        first = [r.tone for r in character_readings(character)[:1]]
        choices = list(dict.fromkeys([reading, *first]))
        if not all(choices):
            return []
        options.append(choices)
    sounds = []
    for tones in itertools.islice(itertools.product(*options), _COMBINATIONS_PER_NAME):
        readings = [Reading.of(t) for t in tones]
        sounds.append(NameSound(name, tuple(tones), tuple(r.plain for r in readings), tuple(r.folded for r in readings)))
    return sounds


@dataclass(frozen=True)
class SoundHit:
    """A span of the text that sounds like a name: how many syllables differ beyond tone (0 = same sound,
    else near sound through folding), whether every tone agrees too, and how many syllables match only a
    character's second reading (祝 zhu/zhou)."""

    start: int
    end: int
    name: str
    differing: int
    same_tones: bool
    secondary: int = 0


class SoundIndex:
    """Names by the folded sound of their first two syllables; finds spans of a text that sound like one."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_start: dict[tuple[str, str], list[NameSound]] = {}
        for name in dict.fromkeys(names):
            for sound in name_sounds(name):
                if len(sound.folded) >= 2:
                    self._by_start.setdefault(sound.folded[:2], []).append(sound)

    def __len__(self) -> int:
        return sum(len(sounds) for sounds in self._by_start.values())

    def hits(self, text: str, sounds: TextSounds) -> list[SoundHit]:
        """Every span (2+ characters) that sounds like a name without being written like it; per span and name
        the closest reading."""
        best: dict[tuple[int, str], SoundHit] = {}
        characters = sounds.characters
        n = len(text)
        by_start = self._by_start
        for start in range(n - 1):
            here, after = characters[start], characters[start + 1]
            for first in here.folded:
                for second in after.folded:
                    for sound in by_start.get((first, second), ()):
                        end = start + len(sound.folded)
                        if end > n or text[start:end] == sound.name:
                            continue
                        span = characters[start:end]
                        if not all(sound.folded[k] in span[k].folded for k in range(2, len(span))):
                            continue
                        differing = sum(p not in c.plain for p, c in zip(sound.plain, span, strict=True))
                        same_tones = all(t in c.tones for t, c in zip(sound.tones, span, strict=True))
                        secondary = sum(f != c.primary for f, c in zip(sound.folded, span, strict=True))
                        hit = SoundHit(start, end, sound.name, differing, same_tones, secondary)
                        old = best.get((start, sound.name))
                        if old is None or _closeness(hit) < _closeness(old):
                            best[(start, sound.name)] = hit
        return list(best.values())


def _closeness(hit: SoundHit) -> tuple[int, int, bool]:
    return hit.secondary, hit.differing, not hit.same_tones


def split_suffix(name: str) -> tuple[str, str]:
    """(核心, suffix): 蔺市街道 → (蔺市, 街道), 涪陵区 → (涪陵, 区), 涪陵 → (涪陵, ""). The core keeps 2+ characters."""
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)], suffix
    return name, ""


def read_word_list(path: Path) -> frozenset[str]:
    """Words one a line; # starts a comment."""
    if not path.is_file():
        return frozenset()
    words = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(word for word in words if word)
