"""Recognised speech read again: among the word sequences that sound like what a recogniser wrote, the likeliest.

A speech recogniser writes what it hears as characters it guesses, and a wrong guess is often a real word of the
same sound (在网上 heard as 再往上, 托儿所 as 托耳所, 上网 as 上往). Each Chinese run of the text is read as a
lattice: every span may stay as written, or become a dictionary word of two characters or more with the same
toneless pinyin (or, at a further cost, the same sound once near sounds are folded: zh/z, n/l, -ng/-n, f/hu and
aspiration). The path with the highest unigram word probability wins (jieba's word frequencies, the way jieba
itself chooses a segmentation), where every character changed costs `CHANGE_COST` (more for another tone, a
sound matched only once folded, or a character the known texts pair with its neighbour as written) and the plans'
own words (`favoured`) earn `FAVOURED_BONUS`: correct text keeps its words, because a swap must be far likelier
than what was written to pay for its changed characters. Single characters are never swapped on their own (再 → 在
would need the sentence). A reading may be given context words (those of the passages the text finds), which earn
`CONTEXT_BONUS` more. Heard text only: typed text is repaired by `ChineseText.repair_homophones`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.text.chinese import ChineseText

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
MIN_FREQUENCY = 20  # rarer dictionary words are never read into a text (the plans' words always may be)
MAX_WORD = 6
CANDIDATES_PER_SOUND = 4
CHANGE_COST = 3.5  # log-probability a changed character costs
TONE_COST = 3.0  # and a syllable of another tone, on top (the word's neutral tone matches any)
NEAR_SOUND_COST = 3.0  # and a syllable matched only once folded, on top
FAVOURED_BONUS = 2.5  # log-probability the plans' own words and place names earn
KNOWN_FREQUENCY = 1000  # the least count a favoured word is given
KNOWN_COST = 4.0  # and a changed character next to which the known texts have it, on top
CONTEXT_BONUS = 3.0  # log-probability a word of the passages the text finds earns (`reread`'s context)
def near_sound(syllable: str) -> str:
    """A toneless syllable folded as speech heard over a phone blurs it (`place_sounds.fold`, aspiration dropped)."""
    from knowledge.text.place_sounds import fold, unaspirated

    return unaspirated(fold(syllable))


@dataclass(frozen=True)
class SoundIndex:
    """Words by toneless sound and by near sound (most frequent first, at most `CANDIDATES_PER_SOUND` a sound
    unless `keep_all`), and each word's syllables with tone numbers."""

    plain: dict[tuple[str, ...], list[str]]
    near: dict[tuple[str, ...], list[str]]
    tones: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, words: Iterable[str], frequency: Mapping[str, int], keep_all: bool = False) -> SoundIndex:
        plain: dict[tuple[str, ...], list[str]] = {}
        near: dict[tuple[str, ...], list[str]] = {}
        tones: dict[str, tuple[str, ...]] = {}
        for word in words:
            toned = tone_syllables(word)
            if len(toned) != len(word):
                continue
            tones[word] = toned
            sound = tuple(toneless(s) for s in toned)
            plain.setdefault(sound, []).append(word)
            near.setdefault(tuple(map(near_sound, sound)), []).append(word)
        limit = None if keep_all else CANDIDATES_PER_SOUND

        def likeliest(found: list[str]) -> list[str]:
            return sorted(found, key=lambda w: -(frequency.get(w) or 0))[:limit]

        return cls({k: likeliest(v) for k, v in plain.items()}, {k: likeliest(v) for k, v in near.items()}, tones)

    def words_like(self, sounds: Sequence[str], near: Sequence[str]) -> list[str]:
        return [*self.plain.get(tuple(sounds), ()), *self.near.get(tuple(near), ())]


_general_indexes: dict[int, tuple[Mapping[str, int], SoundIndex]] = {}
_general_lock = threading.Lock()


def general_sound_index(frequency: Mapping[str, int]) -> SoundIndex:
    """The sound index of a frequency table's words of 2–6 characters said at least MIN_FREQUENCY times, built
    once a process per table (a few seconds of pinyin)."""
    with _general_lock:
        cached = _general_indexes.get(id(frequency))
        if cached is None or cached[0] is not frequency:
            words = (w for w, f in frequency.items() if f and f >= MIN_FREQUENCY and 2 <= len(w) <= MAX_WORD
                     and _HAN_RUN.fullmatch(w))
            cached = _general_indexes[id(frequency)] = (frequency, SoundIndex.of(words, frequency))
        return cached[1]


@dataclass
class SameSoundReader:
    """Reads heard text again as the likeliest words of the same sound. `frequency` is a word → count table
    (jieba's, with the domain dictionary's words), `total` its sum; `favoured` the words of the plans and their
    places, which are always candidates; `known_pairs` the character pairs the plans and the users' example
    questions hold."""

    frequency: Mapping[str, int]
    total: int
    favoured: frozenset[str] = frozenset()
    known_pairs: frozenset[str] = frozenset()
    _general: SoundIndex | None = field(default=None, init=False, repr=False)
    _favoured: SoundIndex | None = field(default=None, init=False, repr=False)

    def warm_up(self) -> None:
        """Index the words by sound (a few seconds of pinyin, once a process for the dictionary's words)."""
        if self._favoured is None:
            self._general = general_sound_index(self.frequency)
            words = (w for w in self.favoured if 2 <= len(w) <= MAX_WORD and _HAN_RUN.fullmatch(w))
            self._favoured = SoundIndex.of(words, self.frequency, keep_all=True)

    def log_probability(self, word: str, context: SoundIndex | None = None) -> float:
        """log P(word) by the frequency table; a favoured word, or one of the `context`, counts at least
        KNOWN_FREQUENCY and earns FAVOURED_BONUS, a word of the context CONTEXT_BONUS on top."""
        count = self.frequency.get(word) or 0
        in_context = context is not None and word in context.tones
        if in_context or word in self.favoured:
            bonus = FAVOURED_BONUS + (CONTEXT_BONUS if in_context else 0.0)
            return math.log(max(count, KNOWN_FREQUENCY) + 1) - math.log(self.total) + bonus
        return math.log(count + 1) - math.log(self.total)

    def reread(self, text: str, context: Iterable[str] = ()) -> str:
        """The text with each Chinese run read as its likeliest same-sound words; `context` words (those of
        the passages the text itself finds: what the plans say about it) are likelier still."""
        self.warm_up()
        words = [w for w in dict.fromkeys(context) if 2 <= len(w) <= MAX_WORD and _HAN_RUN.fullmatch(w)]
        index = SoundIndex.of(words, self.frequency, keep_all=True) if words else None
        return _HAN_RUN.sub(lambda m: self._reread_run(m.group(0), index), text)

    def _reread_run(self, run: str, context: SoundIndex | None) -> str:
        toned = tone_syllables(run)
        if len(toned) != len(run):
            return run
        sounds = [toneless(s) for s in toned]
        near = [near_sound(s) for s in sounds]
        best: list[tuple[float, int, str]] = [(0.0, 0, "")] + [(-math.inf, 0, "")] * len(run)
        for start in range(len(run)):
            if best[start][0] == -math.inf:
                continue
            for end in range(start + 1, min(len(run), start + MAX_WORD) + 1):
                for word, cost in self._readings(run, start, end, toned[start:end], sounds[start:end],
                                                 near[start:end], context):
                    score = best[start][0] + self.log_probability(word, context) - cost
                    if score > best[end][0]:
                        best[end] = (score, start, word)
        words: list[str] = []
        end = len(run)
        while end > 0:
            _, start, word = best[end]
            words.append(word)
            end = start
        return "".join(reversed(words))

    def _readings(self, run: str, start: int, end: int, toned: list[str], sounds: list[str], near: list[str],
                  context: SoundIndex | None) -> Iterable[tuple[str, float]]:
        """(word, cost) for run[start:end]: as written when it is a word or one character, and the same-sound
        words."""
        written = run[start:end]
        if len(written) == 1 or self.frequency.get(written) or written in self.favoured:
            yield written, 0.0
        if len(written) == 1:
            return
        assert self._general is not None and self._favoured is not None
        indexes = [self._favoured, self._general] if context is None else [context, self._favoured, self._general]
        found = dict.fromkeys(word for index in indexes for word in index.words_like(sounds, near))
        for word in found:
            if word != written:
                own_tones = next(index.tones[word] for index in indexes if word in index.tones)
                yield word, self._cost(word, own_tones, run, start, toned)

    def _cost(self, word: str, own_tones: Sequence[str], run: str, start: int, toned: list[str]) -> float:
        """What reading run[start:] (heard as `toned`) as `word` costs: each changed character, more when its
        tone differs, when its sound matches only once folded, or when the known texts pair it with a neighbour
        as written."""
        cost = 0.0
        for k, (have, own, heard) in enumerate(zip(word, own_tones, toned, strict=False)):
            at = start + k
            if have == run[at]:
                continue
            cost += CHANGE_COST
            if toneless(own) != toneless(heard):
                cost += NEAR_SOUND_COST
            if own[-1:] not in (heard[-1:], "5"):  # the word's neutral tone may be heard as any
                cost += TONE_COST
            if run[max(0, at - 1) : at + 1] in self.known_pairs or run[at : at + 2] in self.known_pairs:
                cost += KNOWN_COST
        return cost


def tone_syllables(text: str) -> tuple[str, ...]:
    """Pinyin with tone numbers, neutral tone 5 (ma5), one per character of Chinese text."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))


def toneless(syllable: str) -> str:
    return syllable.rstrip("012345")


def same_sound_reader(text: ChineseText, known_texts: Iterable[str]) -> SameSoundReader:
    """A reader over the project's text handling (jieba's frequencies with the domain words and place names,
    which it favours) and the character pairs of `known_texts` (the plans, the users' example questions)."""
    frequency, total = text.word_frequencies()
    pairs = frozenset(run[i : i + 2] for known in known_texts for run in _HAN_RUN.findall(text.normalize(known))
                      for i in range(len(run) - 1))
    return SameSoundReader(frequency, total, text.vocabulary(), pairs)
