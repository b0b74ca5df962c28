"""Extractive answers: the sentences of the retrieved passages that answer best, the citation on its own
line, and a shorter form for speech. Nothing is reworded, so every number stays as the plan wrote it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.dialogue.scoring import SentenceScorer
from knowledge.ingest.chunking import split_sentences
from knowledge.retrieval.passages import Hit

_RESPONSIBLE_UNITS = re.compile(r"[（(〔](?:责任单位|牵头单位|配合单位)[^）)〕]*[）)〕]")
_LEADING_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、])\s*")
_HEADING = re.compile(r"\s*(?:\d{1,2}[.．、]|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)?[^，,；;：:]{2,18}。?")
_BRACKETS = re.compile(r"[（）()〔〕【】\[\]《》]")


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
    position: int = 0


class AnswerComposer:
    """Picks at most `max_sentences` sentences (about `max_chars` characters), the best one first."""

    def __init__(
        self, max_sentences: int = 3, max_chars: int = 240, passages_considered: int = 3, min_share: float = 0.35,
        rank_decay: float = 0.15,
    ) -> None:
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.passages_considered = passages_considered
        self.min_share = min_share
        self.rank_decay = rank_decay

    def rank_sentences(self, scorer: SentenceScorer, hits: Sequence[Hit]) -> list[ScoredSentence]:
        """Sentences of the best passages, best first; a passage further down weighs a little less."""
        scored: list[ScoredSentence] = []
        for rank, hit in enumerate(hits[: self.passages_considered]):
            prior = 1.0 - self.rank_decay * rank
            scored += [
                ScoredSentence(s, hit, rank, scorer.score(s) * prior, i) for i, s in enumerate(_sentences_of(hit))
            ]
        return sorted(scored, key=lambda s: (-s.score, s.rank))

    @staticmethod
    def best_sentence_scores(scorer: SentenceScorer, hits: Sequence[Hit]) -> list[float]:
        """For each hit, the score of its best sentence (no rank prior): evidence for re-ranking."""
        return [max((scorer.ranking_score(s) for s in _sentences_of(hit)), default=0.0) for hit in hits]

    def compose(
        self, scorer: SentenceScorer, hits: Sequence[Hit], facets: Sequence[SentenceScorer] = ()
    ) -> ComposedAnswer | None:
        """The answer from the hits, or None when no sentence shares anything with the question. When the
        question asks several things (`facets`, one scorer per part), each part's best sentence comes next."""
        ranked = [s for s in self.rank_sentences(scorer, hits) if s.score > 0]
        if not ranked:
            return None
        chosen = [ranked[0]]
        for facet in facets:
            best = next((s for s in self.rank_sentences(facet, hits) if s.score > 0 and self._fits(s, chosen)), None)
            if best is not None:
                chosen.append(best)
        for candidate in ranked[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < self.min_share * ranked[0].score:
                break
            if self._fits(candidate, chosen):
                chosen.append(candidate)
        chosen = self._with_what_headings_introduce(chosen)
        cited = tuple(dict.fromkeys(c.hit for c in chosen))
        sentences = tuple(c.text for c in chosen)
        citations = "\n".join(f"出处：{hit.passage.citation}" for hit in cited)
        text = "".join(sentences) + "\n" + citations
        return ComposedAnswer(text=text, speech=to_speech(sentences, cited[0]), sentences=sentences, cited=cited)


    def _with_what_headings_introduce(self, chosen: list[ScoredSentence]) -> list[ScoredSentence]:
        """A heading (关停并撤一批农村敬老院。) says what follows it is about, not what it says: the sentence
        after it in its passage comes with it, budget permitting."""
        result: list[ScoredSentence] = []
        for sentence in chosen:
            result.append(sentence)
            following = _sentences_of(sentence.hit)[sentence.position + 1 : sentence.position + 2]
            if _HEADING.fullmatch(sentence.text) and following:
                after = ScoredSentence(following[0], sentence.hit, sentence.rank, 0.0, sentence.position + 1)
                # a heading and what it introduces count as one sentence
                others = [c for c in [*result, *chosen[len(result) :]] if c is not sentence]
                if self._fits(after, others) and not _repeats(after.text, result):
                    result.append(after)
        return result

    def _fits(self, candidate: ScoredSentence, chosen: Sequence[ScoredSentence]) -> bool:
        """Whether the sentence says something new and the answer stays within its budget."""
        length = sum(len(c.text) for c in chosen) + len(candidate.text)
        return len(chosen) < self.max_sentences and length <= self.max_chars and not _repeats(candidate.text, chosen)


def to_speech(sentences: Sequence[str], source: Hit) -> str:
    """Short spoken form: who says it, then at most two sentences without brackets or numbering."""
    spoken = []
    for sentence in sentences[:2]:
        sentence = _RESPONSIBLE_UNITS.sub("", sentence)
        sentence = _LEADING_NUMBER.sub("", sentence)
        sentence = _BRACKETS.sub("", sentence)
        spoken.append(sentence.strip())
    return f"{source.passage.short_region}的规划里说：" + "".join(spoken)


def _repeats(text: str, chosen: Sequence[ScoredSentence]) -> bool:
    """The same sentence again (overlapping passages share sentences), or one inside another, whatever
    punctuation closes them."""
    compact = _compact(text)
    return any(compact in _compact(c.text) or _compact(c.text) in compact for c in chosen)


def _compact(sentence: str) -> str:
    return re.sub(r"\s+", "", sentence).rstrip("。；！？，,.;!?")


def _sentences_of(hit: Hit) -> list[str]:
    """A table row is one sentence, closed with 。 so that it reads as one; prose is split at 。！？；."""
    if hit.passage.kind == "table_row":
        return [hit.passage.text.rstrip("。；") + "。"]
    return [s.strip() for s in split_sentences(hit.passage.text) if len(s.strip()) >= 4]
