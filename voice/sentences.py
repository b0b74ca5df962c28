"""Splitting speech text into sentences so a pause can be put between them (senior pace)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_CLAUSE_END = re.compile(r"(?<=[，、：,:])")


def split_sentences(text: str, max_chars: int = 80) -> list[str]:
    """Sentences of `text`; a sentence longer than `max_chars` is cut at clause ends, then hard-cut."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        current = ""
        for clause in _CLAUSE_END.split(sentence):
            if current and len(current) + len(clause) > max_chars:
                pieces.append(current)
                current = ""
            current += clause
            while len(current) > max_chars:
                pieces.append(current[:max_chars])
                current = current[max_chars:]
        if current.strip():
            pieces.append(current)
    return [p for p in pieces if p.strip("，、：,:。！？；!?; ")]


def limit_sentences(sentences: list[str], max_chars: int) -> tuple[list[str], bool]:
    """The leading sentences that fit in `max_chars` (at least one) and whether any were left out."""
    kept: list[str] = []
    total = 0
    for sentence in sentences:
        if kept and total + len(sentence) > max_chars:
            return kept, True
        kept.append(sentence[:max_chars])
        total += len(sentence)
    return kept, False
