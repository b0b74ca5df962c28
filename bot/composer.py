"""Extractive answers: the sentences of the retrieved passages that answer best, the citation on its own
line, and a shorter form for speech. Nothing is reworded, so every number stays as the plan wrote it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.chunking import split_sentences
from knowledge.passages import Hit

_RESPONSIBLE_UNITS = re.compile(r"[（(〔](?:责任单位|牵头单位|配合单位)[^）)〕]*[）)〕]")
_LEADING_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、])\s*")
_BRACKETS = re.compile(r"[（）()〔〕【】\[\]《》]")
_TABLE_FIELD = re.compile(r"^[^：]{1,40}：")


@dataclass(frozen=True)
class ComposedAnswer:
    """The answer text (with citations), its spoken form, and the hits it quotes first."""

    text: str
    speech: str
    sentences: tuple[str, ...]
    cited: tuple[Hit, ...]


@dataclass(frozen=True)
class ScoredSentence:
    text: str
    hit: Hit
    rank: int
    score: float


class AnswerComposer:
    """Picks at most `max_sentences` sentences (about `max_chars` characters), the best one first."""

    def __init__(self, max_sentences: int = 3, max_chars: int = 240, passages_considered: int = 3) -> None:
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.passages_considered = passages_considered

    def rank_sentences(self, terms: Sequence[str], hits: Sequence[Hit]) -> list[ScoredSentence]:
        """Sentences of the best passages scored by the query terms they contain, best first."""
        weights = _term_weights(terms)
        scored: list[ScoredSentence] = []
        for rank, hit in enumerate(hits[: self.passages_considered]):
            prior = 1.0 - 0.15 * rank
            for sentence in _sentences_of(hit):
                score = sum(w for term, w in weights.items() if term in sentence) * prior
                scored.append(ScoredSentence(sentence, hit, rank, score))
        return sorted(scored, key=lambda s: (-s.score, s.rank))

    def compose(self, terms: Sequence[str], hits: Sequence[Hit]) -> ComposedAnswer | None:
        """The answer from the hits, or None when no sentence shares anything with the question."""
        ranked = [s for s in self.rank_sentences(terms, hits) if s.score > 0]
        if not ranked:
            return None
        chosen = [ranked[0]]
        length = len(ranked[0].text)
        for candidate in ranked[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < 0.5 * ranked[0].score:
                break
            if candidate.text in (c.text for c in chosen) or length + len(candidate.text) > self.max_chars:
                continue
            chosen.append(candidate)
            length += len(candidate.text)
        cited = tuple(dict.fromkeys(c.hit for c in chosen))
        sentences = tuple(c.text for c in chosen)
        citations = "\n".join(f"出处：{hit.passage.citation}" for hit in cited)
        text = "".join(sentences) + "\n" + citations
        return ComposedAnswer(text=text, speech=to_speech(sentences, cited[0]), sentences=sentences, cited=cited)


def to_speech(sentences: Sequence[str], source: Hit) -> str:
    """Short spoken form: who says it, then at most two sentences without brackets or numbering."""
    spoken = []
    for sentence in sentences[:2]:
        sentence = _RESPONSIBLE_UNITS.sub("", sentence)
        sentence = _LEADING_NUMBER.sub("", sentence)
        sentence = _BRACKETS.sub("", sentence)
        spoken.append(sentence.strip())
    return f"{source.passage.short_region}的规划里说：" + "".join(spoken)


def _sentences_of(hit: Hit) -> list[str]:
    """A table row is one sentence; prose is split at 。！？；."""
    if hit.passage.kind == "table_row":
        return [hit.passage.text]
    return [s.strip() for s in split_sentences(hit.passage.text) if len(s.strip()) >= 4]


def _term_weights(terms: Sequence[str]) -> dict[str, float]:
    """Words weigh by length (longer domain words say more); bigrams count a little."""
    weights: dict[str, float] = {}
    for term in terms:
        if term.startswith("_"):
            weights[term[1:]] = max(weights.get(term[1:], 0.0), 0.3)
        elif len(term) >= 2:
            weights[term] = max(weights.get(term, 0.0), min(len(term), 6) / 2)
    return weights
