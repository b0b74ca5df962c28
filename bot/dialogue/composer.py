"""Extractive answers: the sentences of the retrieved passages that answer best, the citation on its own
line, and a shorter form for speech. Nothing is reworded, so every number stays as the plan wrote it.

Two forms: for seniors the clauses that answer (the best one first, `clauses.answering_span`) and a short
citation (《万州方案》二、(二)5.); for staff the whole sentences and the full section path."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.dialogue.clauses import (
    answering_span,
    clean_sentence,
    join_sentences,
    table_row_sentences,
    without_listed_asides,
)
from bot.dialogue.relevance import AskedFor, only_total_amounts, said_of_all
from bot.dialogue.scoring import SentenceScorer, combined_sentence_scores
from knowledge.ingest.chunking import split_sentences
from knowledge.retrieval.passages import Hit, Passage

_RESPONSIBLE_UNITS = re.compile(r"[（(〔](?:责任单位|牵头单位|配合单位)[^）)〕]*[）)〕]")
_LEADING_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、])\s*")
_HEADING = re.compile(r"\s*(?:\d{1,2}[.．、]|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)?[^，,；;：:]{2,18}。?")
_BRACKETS = re.compile(r"[（）()〔〕【】\[\]《》]")
SENIOR_WHOLE_CHARS = 140  # a first sentence this short a senior reads whole
SENIOR_LEAD_CHARS = 120  # of a longer one, the clauses that answer
SENIOR_MORE_CHARS = 80  # a further sentence: whole up to this, else the clauses that answer
SENIOR_MAX_CHARS = 200  # all a senior reads before the citation
SENIOR_PLAIN_CHARS = 105  # ... when a further sentence adds no word of the question and no fact asked
SPEECH_CHARS = 62  # what is spoken after "万州的规划里说：" (under 80 characters in all)
FACET_PASSAGES = 5  # a part asking a figure or what a thing becomes (…关了拿来干啥？) may be answered a little further down
FACT_LEAD_SHARE = 0.7  # a sentence stating the fact asked leads when it scores this share of the best one


@dataclass(frozen=True)
class ComposedAnswer:
    """The answer text (with citations), its spoken form, and the hits it quotes first."""

    text: str
    speech: str
    sentences: tuple[str, ...]
    cited: tuple[Hit, ...]


@dataclass(frozen=True)
class RankedHit(Hit):
    """A hit after re-ranking: `score` is its best sentence's combined score, `retrieval` the score retrieval
    gave it, `sentence_scores` the combined score of each of its sentences (`sentences_of`)."""

    retrieval: float = 0.0
    sentence_scores: tuple[float, ...] = ()


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
        rank_decay: float = 0.15, reranked: int = 20,
    ) -> None:
        self.reranked = reranked
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.passages_considered = passages_considered
        self.min_share = min_share
        self.rank_decay = rank_decay

    def rank_sentences(
        self, scorer: SentenceScorer, hits: Sequence[Hit], combined: bool = True, passages: int = 0
    ) -> list[ScoredSentence]:
        """Sentences of the best `passages` (default `passages_considered`) that share words with the question,
        best first: by their combined score where re-ranking gave one (`rerank`), else by the lexical score, a
        passage further down weighing a little less."""
        scored: list[ScoredSentence] = []
        for rank, hit in enumerate(hits[: passages or self.passages_considered]):
            prior = 1.0 - self.rank_decay * rank
            sentences = _sentences_of(hit)
            evidence = hit.sentence_scores if combined and isinstance(hit, RankedHit) else ()
            for i, (sentence, lexical) in enumerate(zip(sentences, lexical_scores(scorer, sentences), strict=True)):
                if lexical > 0:
                    score = evidence[i] if len(evidence) == len(sentences) else lexical * prior
                    scored.append(ScoredSentence(sentence, hit, rank, score, i))
        return sorted(scored, key=lambda s: (-s.score, s.rank))

    def rerank(
        self, scorer: SentenceScorer, hits: Sequence[Hit], semantic: Sequence[Sequence[float]] | None = None
    ) -> list[Hit]:
        """The first `reranked` passages ordered by their best sentence's combined score
        (`scoring.combined_sentence_scores`: retrieval, lexical and, when given, semantic evidence), each
        keeping every sentence's score; the rest follow in retrieval order."""
        head = hits[: self.reranked]
        lexical = [lexical_scores(scorer, _sentences_of(hit)) for hit in head]
        combined = combined_sentence_scores([h.score for h in head], lexical,
                                            None if semantic is None else semantic[: len(head)])
        ranked = [
            RankedHit(hit.passage, max(scores, default=0.0), hit.score, tuple(scores))
            for hit, scores in zip(head, combined, strict=True)
        ]
        return [*sorted(ranked, key=lambda h: -h.score), *hits[self.reranked :]]

    def compose(
        self, scorer: SentenceScorer, hits: Sequence[Hit], facets: Sequence[SentenceScorer] = (), staff: bool = False
    ) -> ComposedAnswer | None:
        """The answer from the hits, or None when no sentence shares anything with the question. When the
        question asks several things (`facets`, one scorer per part), each part's best sentence comes next.
        Seniors get the clauses that answer and short citations; staff whole sentences and full paths."""
        ranked = [s for s in self.rank_sentences(scorer, hits) if s.score > 0 and not _total_for_one(scorer, s.text)]
        if not ranked:
            return None
        ranked = _fact_first(scorer, ranked)
        chosen = [ranked[0]]
        for facet in facets:
            candidates = [s for s in self.rank_sentences(facet, hits, combined=False, passages=FACET_PASSAGES)
                          if s.score > 0 and self._fits(s, chosen) and not _total_for_one(facet, s.text)
                          and not _total_for_one(scorer, s.text)]
            nearer = [s for s in candidates if s.rank < self.passages_considered]
            stating = [] if any(facet.states_fact(c.text) for c in chosen) else _stating_the_fact(facet, candidates)
            best = next(iter(stating or nearer), None)
            if best is not None:
                chosen.append(best)
        for candidate in ranked[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < self.min_share * ranked[0].score:
                break
            if self._fits(candidate, chosen):
                chosen.append(candidate)
        chosen = self._with_what_headings_introduce(chosen)
        shown = chosen if staff else self._for_seniors(scorer, chosen, facets)
        cited = tuple(dict.fromkeys(c.hit for c in shown))
        sentences = tuple(c.text for c in shown)
        cite = (lambda hit: hit.passage.citation) if staff else (lambda hit: hit.passage.short_citation)
        citations = "\n".join(f"出处：{line}" for line in dict.fromkeys(cite(hit) for hit in cited))
        text = join_sentences(sentences) + "\n" + citations
        speech = to_speech(self._spoken(scorer, shown), cited[0])
        return ComposedAnswer(text=text, speech=speech, sentences=sentences, cited=cited)

    def _for_seniors(self, scorer: SentenceScorer, chosen: Sequence[ScoredSentence],
                     facets: Sequence[SentenceScorer] = ()) -> list[ScoredSentence]:
        """The first sentence whole when short, else its clauses that answer (with what each part of the question
        asks); a further sentence within `SENIOR_MAX_CHARS` when it adds a word of the question or the kind of fact
        asked that what is shown lacks (or a heading introduces it), else only while the answer stays short."""
        fact = _fact_test(scorer)
        shown: list[ScoredSentence] = []
        matched: set[str] = set()
        used = 0
        for index, sentence in enumerate(chosen):
            plain = without_listed_asides(sentence.text)
            if index == 0:
                budget = SENIOR_WHOLE_CHARS if len(plain) <= SENIOR_WHOLE_CHARS else SENIOR_LEAD_CHARS
                text = answering_span(plain, scorer.score, budget, fact, [f.score for f in facets])
            else:
                introduced = _HEADING.fullmatch(chosen[index - 1].text) is not None
                new_words = set(scorer.matched_weights(sentence.text)) - matched
                new_fact = fact is not None and fact(sentence.text) and not any(fact(s.text) for s in shown)
                adds = introduced or new_words or new_fact
                text = answering_span(plain, scorer.score, SENIOR_MORE_CHARS, fact, [f.score for f in facets])
                if used + len(text) > (SENIOR_MAX_CHARS if adds else SENIOR_PLAIN_CHARS):
                    continue
            shown.append(ScoredSentence(text, sentence.hit, sentence.rank, sentence.score, sentence.position))
            matched |= set(scorer.matched_weights(text))
            used += len(text)
        return shown

    @staticmethod
    def _spoken(scorer: SentenceScorer, shown: Sequence[ScoredSentence]) -> list[str]:
        """What is said aloud: the clauses that answer of the first sentence, the next one if it still fits."""
        spoken = [answering_span(_speakable(shown[0].text), scorer.score, SPEECH_CHARS, _fact_test(scorer))]
        for sentence in shown[1:]:
            text = _speakable(sentence.text)
            if sum(map(len, spoken)) + len(text) > SPEECH_CHARS:
                break
            spoken.append(text)
        return spoken

    def _with_what_headings_introduce(self, chosen: list[ScoredSentence]) -> list[ScoredSentence]:
        """A heading (关停并撤一批农村敬老院。) says what follows it is about, not what it says: the sentence
        after it in its passage comes with it, budget permitting."""
        result: list[ScoredSentence] = []
        for index, sentence in enumerate(chosen):
            if _repeats(sentence.text, result):
                continue
            result.append(sentence)
            following = _sentences_of(sentence.hit)[sentence.position + 1 : sentence.position + 2]
            if not _HEADING.fullmatch(sentence.text) or not following or _repeats(following[0], result):
                continue
            later = [c for c in chosen if c.hit == sentence.hit and c.position == sentence.position + 1]
            if later:  # chosen already: it comes next to its heading
                result.append(later[0])
            else:
                after = ScoredSentence(following[0], sentence.hit, sentence.rank, 0.0, sentence.position + 1)
                # a heading and what it introduces count as one sentence
                others = [c for c in [*result, *chosen[index + 1 :]] if c is not sentence]
                if self._fits(after, others):
                    result.append(after)
        return result

    def _fits(self, candidate: ScoredSentence, chosen: Sequence[ScoredSentence]) -> bool:
        """Whether the sentence says something new and the answer stays within its budget."""
        length = sum(len(without_listed_asides(c.text)) for c in [*chosen, candidate])
        return len(chosen) < self.max_sentences and length <= self.max_chars and not _repeats(candidate.text, chosen)


def _fact_first(scorer: SentenceScorer, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """When the best sentence does not state the figure asked (how many, an amount, a share…), or what all of
    them do when that is asked (都能…吗), but one scoring nearly as well does, that one leads: the number asked, not
    the sentence naming the subject. A heading whose next sentence states it keeps the lead (it brings that
    sentence)."""
    states = _leading_test(scorer)
    top = ranked[0]
    if states is None or states(top.text):
        return ranked
    following = _sentences_of(top.hit)[top.position + 1 : top.position + 2]
    if _HEADING.fullmatch(top.text) and following and states(following[0]):
        return ranked
    best = next((s for s in ranked if s.score >= FACT_LEAD_SHARE * top.score and states(s.text)), None)
    return ranked if best is None else [best, *(s for s in ranked if s is not best)]


def _leading_test(scorer: SentenceScorer) -> Callable[[str], bool] | None:
    """What the sentence leading an answer should state: the figure asked, else what all of them do."""
    if scorer.wants_figure:
        return scorer.states_fact
    return said_of_all if scorer.about_all else None


def _stating_the_fact(scorer: SentenceScorer, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """Of a part of a question asking a figure or what a thing becomes (要关好多所？关了拿来干啥？), the sentences
    stating it: the part's few own words may match nothing, what it asks still says which sentence answers it.
    Whether there is one (有没有), a list or a fee is answered by sentences about the subject, not told apart so."""
    if not (scorer.wants_figure or scorer.asked is AskedFor.BECOMES):
        return []
    return [s for s in ranked if scorer.states_fact(s.text)]


def lexical_scores(scorer: SentenceScorer, sentences: Sequence[str]) -> list[float]:
    """Each sentence's lexical score, one that goes on from the sentence before it (内容包括：…) read with it."""
    return [scorer.score(s, sentences[i - 1] if i else "") for i, s in enumerate(sentences)]


def _fact_test(scorer: SentenceScorer) -> Callable[[str], bool] | None:
    """Whether a text states the kind of fact the question asks for; None when it asks for none."""
    if scorer.asked is AskedFor.NONE:
        return None
    return scorer.states_fact


def _total_for_one(scorer: SentenceScorer, sentence: str) -> bool:
    """A sentence stating only totals (a budget, a facility's grant), for a question asking what one person gets."""
    return scorer.per_person and only_total_amounts(sentence)


def to_speech(sentences: Sequence[str], source: Hit) -> str:
    """Short spoken form: whose plan says it, then the spoken sentences (see `_speakable`)."""
    return f"{source.passage.short_region}的规划里说：" + join_sentences([_speakable(s) for s in sentences[:2]])


def _speakable(sentence: str) -> str:
    """A sentence without responsible units, numbering or brackets."""
    sentence = _RESPONSIBLE_UNITS.sub("", sentence)
    sentence = _LEADING_NUMBER.sub("", sentence)
    return _BRACKETS.sub("", sentence).strip()


def _repeats(text: str, chosen: Sequence[ScoredSentence]) -> bool:
    """The same sentence again (overlapping passages share sentences), or one inside another, whatever
    punctuation closes them."""
    compact = _compact(text)
    return any(compact in _compact(c.text) or _compact(c.text) in compact for c in chosen)


def _compact(sentence: str) -> str:
    return re.sub(r"\s+", "", sentence).rstrip("。；！？，,.;!?")


def retrieval_order(hits: Sequence[Hit]) -> list[Hit]:
    """Hits in the order retrieval gave them (re-ranked hits keep their retrieval score)."""
    return sorted(hits, key=lambda h: -(h.retrieval if isinstance(h, RankedHit) else h.score))


def plan_sentences(passage: Passage) -> list[str]:
    """The sentences the composer reads of a passage (see `_sentences_of`)."""
    return _sentences_of(Hit(passage, 0.0))


def _sentences_of(hit: Hit) -> list[str]:
    """A table row reads as plain sentences (`clauses.table_row_sentences`); prose is split at 。！？；. Stray
    heading numbers are left out (5.健全… → 健全…)."""
    if hit.passage.kind == "table_row":
        return table_row_sentences(hit.passage.text)
    cleaned = (clean_sentence(s, staff=True) for s in _bracketed_whole(split_sentences(hit.passage.text)))
    return [s for s in cleaned if len(s) >= 4 and len(_RESPONSIBLE_UNITS.sub("", s).strip("。；;，, ")) >= 4]


def _bracketed_whole(pieces: Sequence[str]) -> list[str]:
    """Sentences with a bracket split inside them (a list of names separated by ；) joined back whole."""
    joined: list[str] = []
    open_brackets = 0
    for piece in pieces:
        if open_brackets > 0 and joined:
            joined[-1] += piece
        else:
            joined.append(piece)
        open_brackets = max(0, open_brackets + sum(piece.count(c) for c in "（(") - sum(piece.count(c) for c in "）)"))
    return joined
