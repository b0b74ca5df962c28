"""Spoken and dialect Chinese → written words: the one reading of nlu_data/data/dialect.yml's spoken forms (dialect
words, fillers, greetings, acknowledgements), used on every turn before it is understood."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.text.chinese import _CJK, _HAN, DEFAULT_DIALECT
from knowledge.text.text_resources import file_key

_SPOKEN_BOUND = " \t\n，。、,.!?！？；;：:…~～"
_PAUSE_MARKS = " \t，,、…~～"


@dataclass(frozen=True)
class SpokenForms:
    """Spoken and dialect Chinese → written words (nlu_data/data/dialect.yml, read by knowledge.text.nlu_data):
    dialect words mapped to the standard ones (啥子 → 什么, 屋头 → 家里, 俺 → 我), filler words of speech dropped
    where they stand alone (喂 嗯 那个 就是), a greeting before a question set apart, and the pauses of
    speech-recognised text (spaces between Chinese words) made commas; an acknowledgement before a question
    (好的，要得，晓得了) is set aside too."""

    mapping: tuple[tuple[str, str], ...]
    fillers: tuple[str, ...]
    greetings: tuple[str, ...]
    acknowledgements: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = DEFAULT_DIALECT) -> SpokenForms:
        return _spoken_forms(file_key(path))

    def written(self, text: str) -> tuple[str, bool]:
        """(the text in written words, whether a greeting came before a question)."""
        text = pauses_as_commas(text)
        for variant, value in self.mapping:
            if variant in text:
                text = text.replace(variant, value)
        greeted = False
        text = text.lstrip(_SPOKEN_BOUND)
        leads = [(greeting, True) for greeting in self.greetings]
        leads += [(word, False) for word in self.acknowledgements]  # 要得，啷个申请: the question is what follows
        while True:
            for lead, greeting in leads:
                rest = text[len(lead):]
                if (text.startswith(lead) and (greeting or rest[:1] in _PAUSE_MARKS)
                        and len(_HAN.findall(rest)) >= 4):
                    text, greeted = rest.lstrip(_SPOKEN_BOUND), greeted or greeting
                    break
            else:
                break
        text = self._without_fillers(text)
        text = _REPEATED_MARKS.sub(lambda m: m.group(0)[-1], text).strip(_SPOKEN_BOUND.replace("?", "").replace("？", ""))
        return text, greeted

    def _without_fillers(self, text: str) -> str:
        """Fillers that stand alone (between pauses, or a word of two characters or more before a pause or after
        one inside the text) are dropped: "问一下那个 嗯 就是给老人" → "问一下，给老人"; 那个中心 stays."""
        for filler in self.fillers:
            start = text.find(filler)
            while start >= 0:
                end = start + len(filler)
                before = start == 0 or text[start - 1] in _SPOKEN_BOUND
                after = end == len(text) or text[end] in _SPOKEN_BOUND
                pause_after = end < len(text) and text[end] in _PAUSE_MARKS  # not 搞这个？, where it is a word
                inner_pause = start > 0 and text[start - 1] in _PAUSE_MARKS
                if (before and after and (len(filler) == 1 or pause_after or start == 0)) or (
                        len(filler) >= 2 and (pause_after or inner_pause)):
                    text = text[:start] + "，" + text[end:]
                    start = text.find(filler, start + 1)
                else:
                    start = text.find(filler, end)
        return text


_PAUSE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_REPEATED_MARKS = re.compile(r"[，,\s]*[，,][，,\s]*")


@functools.lru_cache(maxsize=2)
def _spoken_forms(path_key: tuple[str, float]) -> SpokenForms:
    from knowledge.text.nlu_data import read_file

    data = read_file(Path(path_key[0]))
    pairs = {variant: synonym.value for synonym in data.synonyms for variant in synonym.examples if variant}
    mapping = tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0])))
    fillers = tuple(sorted(data.lookup("spoken_filler"), key=len, reverse=True))
    greetings = tuple(sorted(data.lookup("spoken_greeting"), key=len, reverse=True))
    acknowledgements = tuple(sorted(data.lookup("spoken_acknowledgement"), key=len, reverse=True))
    return SpokenForms(mapping, fillers, greetings, acknowledgements)


def pauses_as_commas(text: str) -> str:
    """The pauses of speech-recognised text (spaces between Chinese words) as commas."""
    return _PAUSE.sub("，", text.strip())
