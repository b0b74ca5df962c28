"""How well one sentence answers a question: the question's terms it contains, weighed by their rarity in
the plans, against the sentence's length, with a bonus when it states the kind of fact asked for."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from bot.dialogue.relevance import (
    AskedFor,
    asked_ownership,
    asked_unit,
    asks_about_all,
    asks_number,
    fact_test,
    ownership_named,
    said_of_all,
)
from knowledge.ingest.chunking import split_sentences

Weigh = Callable[[str], float]
ANSWER_TYPE_BONUS = 1.5
BIGRAM_FACTOR = 0.3
CONTEXT_FACTOR = 0.5
TOPIC_FACTOR = 0.2  # the topic's plan words a search added: a hint, never outweighing the question's own words
OTHER_OWNERSHIP_FACTOR = 0.3  # a sentence about another kind of ownership than the one asked (民办… for 公办的呢)
# A sentence that goes on with what the one before it names (内容包括：…, 其中…) is about that too.
CONTINUES = re.compile(r"^(?:其中|内容包括|主要包括|具体包括|包括|内容有|主要有|具体有|具体为|分别为|分别是)")


# A figure said with its order of magnitude (3万多人): segmentation leaves the digit alone, too short to count as a
# term, yet a sentence with the same figure (人口3万人以上) is about what is asked.
_FIGURE_WITH_MAGNITUDE = re.compile(r"\d+(?:\.\d+)?[万千百亿]")


def figures_said(question: str) -> list[str]:
    """The figures with their order of magnitude a question says (3万, 1.5万), as terms to match sentences by."""
    return _FIGURE_WITH_MAGNITUDE.findall(question)


def term_weights(terms: Sequence[str], weigh: Weigh) -> dict[str, float]:
    """Retrieval terms (jieba words and `_`-prefixed character bigrams) → weight: a word weighs its rarity,
    a bigram a little of its rarity (it catches what segmentation split differently)."""
    weights: dict[str, float] = {}
    for term in terms:
        word, share = (term[1:], BIGRAM_FACTOR) if term.startswith("_") else (term, 1.0)
        if len(word) >= 2:
            weights[word] = max(weights.get(word, 0.0), share * weigh(word))
    return weights


def average_sentence_length(texts: Iterable[str]) -> float:
    """Mean length in characters of the sentences of the texts (40 when there are none)."""
    lengths = [len(sentence) for text in texts for sentence in split_sentences(text)]
    return sum(lengths) / len(lengths) if lengths else 40.0


class SentenceScorer:
    """Scores sentences for one question: the summed weights of the terms a sentence contains, divided by
    BM25's length norm (1 - b + b·length/average) so that a long sentence does not win by length alone;
    a sentence shorter than average (a heading, a fragment) gets no bonus for it. For one part of a
    question, the rest of the question is `context_terms`, weighing `CONTEXT_FACTOR` of their weight."""

    def __init__(
        self,
        terms: Sequence[str],
        weigh: Weigh,
        asked: AskedFor = AskedFor.NONE,
        b: float = 0.25,
        average_length: float = 40.0,
        context_terms: Sequence[str] = (),
        per_person: bool = False,
        context_factor: float = CONTEXT_FACTOR,
        question: str = "",
    ) -> None:
        context = {term: context_factor * weight for term, weight in term_weights(context_terms, weigh).items()}
        self.weights = context | term_weights(terms, weigh)
        self.asked = asked
        self.per_person = per_person and asked is AskedFor.MONEY
        self.units = asked_unit(question) if asked is AskedFor.COUNT else ""
        self.wants_figure = asks_number(question, asked)
        self.states_fact = fact_test(asked, per_person, self.units)
        self.ownership = asked_ownership(question)
        self.about_all = asks_about_all(question)
        self._ownership_weight = max((w for t, w in self.weights.items() if ownership_named(t)),
                                     default=max(self.weights.values(), default=0.0))
        self.b, self.average_length = b, average_length
        self._compounds = [t for t in self.weights if any(t != o and o in t for o in self.weights)]

    def score(self, sentence: str, previous: str = "") -> float:
        """Which sentence to quote: each thing the question names counts once (养老护理员 is not counted
        again as 护理员, 护理 and 理员), so a sentence covering more of the question wins. A sentence going on
        from the `previous` one (内容包括：…) also counts the words that one names."""
        words = previous + sentence if previous and CONTINUES.match(sentence) else sentence
        return self._normalised(sum(self.matched_weights(words).values()), sentence)

    def ranking_score(self, sentence: str) -> float:
        """Which passage to rank first: every matched term counts, terms inside a longer one too, so that
        saying the question's exact long phrase weighs like a phrase match."""
        return self._normalised(sum(w for term, w in self.weights.items() if term in sentence), sentence)

    def matched_weights(self, sentence: str) -> dict[str, float]:
        """The longest question terms the sentence contains → the highest weight among them and the terms
        inside them."""
        matched = [term for term in self.weights if term in sentence]
        longest = [term for term in matched if not any(term != other and term in other for other in matched)]
        found = {term: max(self.weights[inner] for inner in matched if inner in term) for term in longest}
        return self._parts_for_their_share(found)

    def _parts_for_their_share(self, found: dict[str, float]) -> dict[str, float]:
        """Parts of a question word the sentence holds without the word itself (互助, 助养 of 互助养老点 in
        互助养老服务) count together no more than the word would, times the share of it they cover: a sentence
        saying part of the thing named never outweighs one saying all of it. Only for a word at least as rare
        as its parts (a word the plans use, not a guess of segmentation)."""
        scale: dict[str, float] = {}
        for word in sorted(self._compounds, key=lambda w: -self.weights[w]):
            parts = [t for t in found if t != word and t in word and t not in scale]
            if not parts or word in found or self.weights[word] < max(found[t] for t in parts):
                continue
            covered = set()
            for part in parts:
                start = word.find(part)
                covered.update(range(start, start + len(part)))
            allowed = self.weights[word] * len(covered) / len(word)
            total = sum(found[t] for t in parts)
            for part in parts:
                scale[part] = min(1.0, allowed / total) if total > 0 else 1.0
        return {term: weight * scale.get(term, 1.0) for term, weight in found.items()}

    def _normalised(self, total: float, sentence: str) -> float:
        if self.asked is not AskedFor.NONE and self.states_fact(sentence):
            total *= ANSWER_TYPE_BONUS
        if self.about_all and said_of_all(sentence):  # 都能…吗 is answered by what all of them do
            total *= ANSWER_TYPE_BONUS
        if self.ownership:
            total = self._owned(total, sentence)
        length = max(len(sentence), self.average_length)
        return total / (1.0 - self.b + self.b * length / self.average_length)

    def _owned(self, total: float, sentence: str) -> float:
        """The kind of ownership asked, said in other words (政府运营 for 公办), counts as the question's word for
        it; a sentence only about another kind (民办…, 公建民营…) counts for little."""
        named = ownership_named(sentence)
        if self.ownership in named:
            said = any(term in sentence for term in self.weights if ownership_named(term))
            return total if said else total + self._ownership_weight
        return total * OTHER_OWNERSHIP_FACTOR if named else total


# How a sentence is chosen to lead an answer: its passage's retrieval score (BM25 fused with the dense leg), its
# own lexical score and its semantic similarity to the question, each rescaled over the candidates; a passage far
# down the retrieval list weighs a little less. Measured on labelled questions (the lead sentence holds the key
# facts / comes from the passage that answers), not per question.
FUSED_WEIGHT = 0.4
LEXICAL_WEIGHT = 0.5
SEMANTIC_WEIGHT = 0.6
RETRIEVAL_RANK_DECAY = 0.2
RANKS_DECAYED = 5


def combined_sentence_scores(
    retrieval: Sequence[float], lexical: Sequence[Sequence[float]], semantic: Sequence[Sequence[float]] | None
) -> list[list[float]]:
    """Per passage (in retrieval order), per sentence: FUSED·retrieval/max + LEXICAL·lexical/max +
    SEMANTIC·(similarity − min)/(max − min), times 1 − decay·min(rank, 5)/5. Without semantic evidence the
    semantic share is left out. (Adding a share for stating the kind of fact asked moved passages that answer
    down on the dev set: which sentence leads is `composer._fact_first`'s, not the passage order's.)"""
    top_retrieval = max(retrieval, default=0.0) or 1.0
    top_lexical = max((s for row in lexical for s in row), default=0.0) or 1.0
    similarities = [s for row in semantic or () for s in row]
    low, high = (min(similarities), max(similarities)) if similarities else (0.0, 0.0)
    spread = (high - low) or 1.0
    out = []
    for rank, (passage_score, row) in enumerate(zip(retrieval, lexical, strict=True)):
        prior = 1.0 - RETRIEVAL_RANK_DECAY * min(rank, RANKS_DECAYED) / RANKS_DECAYED
        meaning = semantic[rank] if semantic is not None else [low] * len(row)
        out.append([
            prior * (FUSED_WEIGHT * passage_score / top_retrieval + LEXICAL_WEIGHT * lex / top_lexical
                     + SEMANTIC_WEIGHT * (sim - low) / spread)
            for lex, sim in zip(row, meaning, strict=True)
        ])
    return out
