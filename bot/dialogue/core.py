"""The dialogue core: cited extractive answers and an honest fallback, for the questions the turn flow
(`turn_flow.TurnFlow`: intent, region slot, clarification, follow-ups, 还有呢/再说一遍) hands it.
Every channel reaches it through `respond(Turn) -> Reply`."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path

from bot.dialogue import replies
from bot.dialogue.clauses import answering_span
from bot.dialogue.composer import AnswerComposer, ComposedAnswer, plan_sentences, retrieval_order
from bot.dialogue.conversation import SUBJECT, SWITCH, ConversationContext, Resolution
from bot.dialogue.facility_answers import FacilityAnswerer
from bot.dialogue.nlu.intent import IntentClassifier
from bot.dialogue.relevance import (
    CHARGE_DETAIL,
    COUNT_DETAIL,
    DETAILS_NEEDING_THEIR_FACT,
    GUESSED_WORD_WEIGHT,
    INDICATOR_WORDS,
    AskedFor,
    TermRarity,
    asked_details,
    asked_for,
    asks_charge,
    asks_number,
    asks_per_person,
    counts_what_is_asked,
    coverage,
    states,
    states_the_count_asked,
)
from bot.dialogue.scoring import TOPIC_FACTOR, SentenceScorer, average_sentence_length, figures_said
from bot.dialogue.seam import Action, Reply, Source
from bot.dialogue.semantics import SentenceSemantics, semantics_for
from bot.dialogue.state import ConversationState, ConversationStore, MemoryConversations
from bot.dialogue.turn_flow import TOPIC_WORD_CONFIDENCE, TurnFlow, _say
from bot.dialogue.understanding import TurnAnalysis, Understanding
from bot.settings import AnswerSettings
from knowledge.retrieval.passages import Hit
from knowledge.retrieval.search import KnowledgeBase, QueryError
from knowledge.topics import TOPICS

TOPICS_SEARCHED_BY_WORD = frozenset({"meal", "elder_university", "station"})  # 补贴 is too broad to add
_HAN = re.compile(r"[\u3400-\u9fff]")
_QUESTION_PARTS = re.compile(r"[？?！!。；;]")
OWN_WORDS_CHECKED = 4.0  # a follow-up whose own plan words weigh this much must find them in what it cites
NEAR_LAST_ANSWER = 0.15  # a follow-up's passages of the section the last answer cited: a nudge up, not a rule
SAID_CHARS = 80  # what a partial answer quotes of what the plans do say
SPOKEN_LEAD = "的规划里说："  # whose plan a spoken answer quotes: said once, by the line that comes first


class DialogueCore(TurnFlow):
    """The embedded backend: NLU, per-conversation state, retrieval and the answer composer."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        classifier_cache: Path,
        conversations: ConversationStore | None = None,
        settings: AnswerSettings | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.classifier_cache = classifier_cache
        self.settings = settings = settings or AnswerSettings()
        self.composer = AnswerComposer(settings.max_sentences, settings.max_chars)
        self.conversations = conversations or MemoryConversations()
        self.min_coverage = settings.min_coverage
        self.sentence_weight = settings.sentence_weight
        self.candidates = settings.candidates
        self.unseen_weight = settings.unseen_weight
        self.sentence_b = settings.sentence_b
        self._warm_lock = threading.Lock()
        self._sentence_length = 40.0
        self._classifier: IntentClassifier | None = None
        self._rarity: TermRarity | None = None
        self._asked: dict[str, TurnAnalysis] = {}
        self._understanding: Understanding | None = None
        self.context: ConversationContext | None = None
        self.facilities = FacilityAnswerer(knowledge)

    def warm_up(self) -> None:
        """Open the index and train (or load) the intent classifier; once, even when two first turns race."""
        if self._classifier is not None:
            return
        with self._warm_lock:
            if self._classifier is None:
                index = self.knowledge.warm_up()
                self._rarity = TermRarity([p.section + p.text for p in index.store.passages], known=index.text.is_word)
                self._sentence_length = average_sentence_length(p.text for p in index.store.passages)
                self._understanding = Understanding(index)
                self.context = ConversationContext(self._understanding, self._weigh)
                self._classifier = IntentClassifier.train_or_load(self.classifier_cache, text=index.text)
                semantics = self._semantics()
                if semantics is not None:  # the regions' names, which a question's meaning may add to its words
                    for name in self.region_names():
                        semantics.query_vector(name)

    @property
    def understanding(self) -> Understanding:
        self.warm_up()
        assert self._understanding is not None
        return self._understanding

    def region_names(self) -> list[str]:
        return [r.short_name for r in self.knowledge.index.gazetteer.regions]

    def _topic(self, resolution: Resolution, intent: str, confidence: float, state: ConversationState,
               staff: bool) -> Reply:
        text = resolution.question
        self._asked[text] = self.understanding.analyse(text).asking(resolution.asked)
        try:
            return self._topic_reply(text, resolution, intent, confidence, state, staff)
        finally:
            self._asked.pop(text, None)

    def _topic_reply(self, text: str, resolution: Resolution, intent: str, confidence: float,
                     state: ConversationState, staff: bool) -> Reply:
        named = list(resolution.regions)
        state.topic, state.last_question = intent, text
        if len(named) == 1:
            state.region = named[0]
        regions = named or ([state.region] if state.region else [])
        if len(regions) == 1:
            reply = self._answer(text, intent, confidence, state, regions[0],
                                 follows=resolution.kind in (SUBJECT, SWITCH), own_words=resolution.own_words,
                                 staff=staff)
        elif not self._relevant_anywhere(text):
            reply = self._fallback(intent, confidence, None)
        elif staff or len(regions) > 1:
            reply = self._compare(text, intent, confidence, regions or self.knowledge.region_names())
        else:
            reply = self._clarify(intent, confidence, state, text)
        if reply.action is Action.ANSWER:
            state.last_sources = list(reply.sources)
        return replace(reply, understood=text)

    def _answer(self, text: str, intent: str, confidence: float, state: ConversationState, region: str,
                follows: bool = False, own_words: tuple[str, ...] = (), staff: bool = False) -> Reply:
        query = with_topic_words(text, self._analyse(text).expanded, intent, confidence)
        topic = query[len(text) :]
        meaning = self._meaning(text)
        hits = self.knowledge.search(query, region=region, k=self.candidates, meaning=meaning)
        if follows:  # a follow-up looks near the passages the last answer cited
            hits = near_last_answer(hits, state.last_sources, region)
        hits = self._rerank(text, hits, topic, meaning)[:8]
        composed = self._compose(text, hits, topic, staff)
        short = self.knowledge.index.gazetteer.short_name(region)
        if composed is None:
            return self._fallback(intent, confidence, region)
        checked = [w for w in own_words if len(w) >= 2 and self._weigh(w) > 0]
        cited = " ".join(h.passage.section + h.passage.text for h in composed.cited)
        if sum(map(self._weigh, checked)) >= OWN_WORDS_CHECKED and coverage(
                checked, cited, self._rarity, self.unseen_weight) < self.min_coverage:
            return self._fallback(intent, confidence, region)  # the last subject found, not what is asked of it
        question = self._analyse(text)
        detail = DETAILS_NEEDING_THEIR_FACT.get(question.asked)
        if detail and not states(question.asked, composed.sentences, question.normalized):
            return _say(intent, confidence, replies.no_detail(detail, short), Action.FALLBACK, region)
        if asks_charge(question.normalized) and not states(AskedFor.FEE, composed.sentences):
            return _say(intent, confidence, replies.no_detail(CHARGE_DETAIL, short), Action.FALLBACK, region)
        if not counts_what_is_asked(question.normalized, composed.sentences):
            # the count may stand in a passage ranked lower (an indicator table's row): answer from those that
            # state one, when they answer the question; else say the plan gives no count
            counting = [h for h in hits if states_the_count_asked(question.normalized, h.passage.text)]
            if not counting:  # a plan's indicator table states its counts: look there too
                tables = self.knowledge.search(f"{query}、{INDICATOR_WORDS}", region=region, k=self.candidates)
                counting = [h for h in tables if states_the_count_asked(question.normalized, h.passage.text)][:3]
            composed = self._compose(text, counting, topic, staff) if counting else None
            if composed is None or not any(states_the_count_asked(question.normalized, s) for s in composed.sentences):
                return _say(intent, confidence, replies.no_detail(COUNT_DETAIL, short), Action.FALLBACK, region)
        missing = [what for what, fact in asked_details(question.normalized)
                   if not any(fact.search(s) for s in composed.sentences)]
        if missing:  # what is asked is not there: say so first, then briefly and cited what the plans do say
            said = replies.partial(missing, short, answering_span(composed.sentences[0], lambda _: 0.0, SAID_CHARS))
            cited = "\n".join(dict.fromkeys(f"出处：{h.passage.short_citation}" for h in composed.cited[:1]))
            return Reply(intent, confidence, Action.FALLBACK, f"{said}\n{cited}", replies.no_detail("、".join(missing), short),
                         region, sources_of(list(composed.cited[:1])))
        sources = [*composed.cited, *(h for h in hits if h not in composed.cited)]
        state.remaining = sources_of(sources[len(composed.cited) :])
        lead = next((replies.city_means(m.text, short) for m in self._analyse(text).places.matches
                     if m.kind == "city" and m.region == region), "")
        reply = Reply(intent, confidence, Action.ANSWER, lead + composed.text, lead + composed.speech, region,
                      sources_of(sources[:5]))
        return self._with_facilities(text, intent, region, reply)

    def _with_facilities(self, text: str, intent: str, region: str, reply: Reply) -> Reply:
        """For a place question, the facilities the plans name there come first, cited; not for a question asking
        a number (how many people, how much) the list does not state."""
        found = self.facilities.answer(text, region)
        if found is None:
            return reply
        asked = self._analyse(text).asked
        if (asks_number(text, asked) or asked is AskedFor.FEE) and not states(asked, found.lines):
            return reply
        citations = [f"出处：{hit.passage.citation}" for hit in found.sources]
        answer = "\n".join([*found.lines, *dict.fromkeys(citations)])
        if found.sources:
            speech = "，".join(line.lstrip("· ") for line in found.lines[:4])
            cited = sources_of(found.sources)
            sources = [*cited, *(s for s in reply.sources if s not in cited)][:5]
            return Reply(intent, reply.confidence, Action.ANSWER, answer, speech, region, sources)
        return Reply(intent, reply.confidence, Action.ANSWER, f"{answer}\n{reply.answer}",
                     found.lines[0] + reply.speech.split(SPOKEN_LEAD, 1)[-1], region, reply.sources)

    def _compose(self, text: str, hits: list[Hit], topic: str = "", staff: bool = False) -> ComposedAnswer | None:
        """An answer only when the passages cover enough of what the question asks about."""
        if not hits:
            return None
        words = self._content_words(text)
        covered = max(coverage(words, " ".join(h.passage.section + h.passage.text for h in best[:3]), self._rarity,
                               self.unseen_weight) for best in (hits, retrieval_order(hits)))
        if covered < self.min_coverage:
            return None
        return self.composer.compose(self._scorer(text, topic), hits, self._facets(text), staff=staff)

    def _meaning(self, text: str) -> str | None:
        """What a turn embeds, once, for retrieval's dense leg and sentence meaning alike: the question's own
        words without the names of whole regions (the region filter says where; a region's name in the vector
        only pulls towards passages that repeat it). None when no dense leg is in use."""
        index = self.knowledge.index
        if index.dense is None or index.dense_weight <= 0:
            return None
        return index.gazetteer.without_region_names(text).strip() or text

    def _rerank(self, text: str, hits: list[Hit], topic: str = "", meaning: str | None = None) -> list[Hit]:
        """Passages re-ordered by their best sentence: retrieval's fused score, the sentence's words and its
        meaning (`composer.rerank`, `semantics`: the turn's one embedding, with the regions it names)."""
        if not hits:
            return hits
        semantics = self._semantics()
        similarities = None
        if semantics is not None:
            gazetteer = self.knowledge.index.gazetteer
            named = [gazetteer.short_name(r) for r in self._analyse(text).places.regions]
            vector = semantics.question_vector(meaning or self._meaning(text) or text, named)
            similarities = semantics.similarities(vector, hits[: self.composer.reranked])
        return self.composer.rerank(self._scorer(text, topic), hits, similarities)

    def _semantics(self) -> SentenceSemantics | None:
        return semantics_for(self.knowledge.index, plan_sentences, self.knowledge.settings.embedding_cache_dir)

    def _weigh(self, word: str) -> float:
        return self._rarity.weight(word) if self._rarity else 1.0

    def compare_sources(self, text: str, topic: str | None = None) -> dict[str, tuple[Source, str, str]]:
        """Each region's best cited sentence for a query, through the same relevance gate as every answer;
        a region whose plan says nothing relevant is left out."""
        self.warm_up()
        found: dict[str, tuple[Source, str, str]] = {}
        for region in self.knowledge.region_names():  # with a topic, only passages about it (as the staff search)
            composed = self._compose(text, self.knowledge.search(text, region=region, k=3, topic=topic,
                                                                 meaning=self._meaning(text)))
            if composed is not None:
                speech = composed.speech.split("：", 1)[-1]
                found[region] = (source_of(composed.cited[0]), composed.sentences[0], speech)
        return found

    def _compare(self, text: str, intent: str, confidence: float, regions: list[str]) -> Reply:
        """Region by region, one best sentence each, for staff or a question naming several regions."""
        found = self.compare_sources(text)
        lines, speech, sources = [], [], []
        for region in regions:
            short = self.knowledge.index.gazetteer.short_name(region)
            if region not in found:
                lines.append(f"【{short}】规划里没有找到相关内容。")
                continue
            source, sentence, spoken = found[region]
            lines.append(f"【{short}】{sentence}\n  出处：{source.citation}")
            speech.append(f"{short}：{spoken}")
            sources.append(source)
        if not sources:
            return self._fallback(intent, confidence, None)
        return Reply(intent, confidence, Action.ANSWER, "\n".join(lines), "。".join(speech), None, sources)

    def _fallback(self, intent: str, confidence: float, region: str | None) -> Reply:
        short = self.knowledge.index.gazetteer.short_name(region) if region else None
        return _say(intent, confidence, replies.fallback(short), Action.FALLBACK, region)

    def _holds_own_words(self, words: tuple[str, ...], reply: Reply) -> bool:
        """Whether a turn says more in the plans' words than outside them (each word no plan uses counting
        `GUESSED_WORD_WEIGHT`): a question about the weather is not answered by the last subject's passages."""
        words = tuple(w for w in dict.fromkeys(words) if len(w) >= 2)
        planned = sum(self._weigh(w) for w in words)
        return planned > 0 and planned >= GUESSED_WORD_WEIGHT * sum(1 for w in words if self._weigh(w) <= 0)

    def _relevant_anywhere(self, text: str) -> bool:
        hits = self.knowledge.search(text, k=3, meaning=self._meaning(text))
        found = " ".join(h.passage.section + h.passage.text for h in hits)
        return bool(hits) and coverage(self._content_words(text), found, self._rarity, self.unseen_weight) >= self.min_coverage

    def _content_words(self, text: str) -> list[str]:
        return list(self._analyse(text).content_words)

    def _scorer(self, text: str, topic: str = "") -> SentenceScorer:
        """The question's sentence scorer; the topic's plan words, when searched with, count as context."""
        question = self._analyse(text)
        context = self.knowledge.index.text.terms(topic) if topic else []
        terms = [*question.terms, *figures_said(question.normalized)]
        return SentenceScorer(terms, self._weigh, question.asked, self.sentence_b,
                              self._sentence_length, context_terms=context,
                              per_person=asks_per_person(question.normalized, question.asked),
                              context_factor=TOPIC_FACTOR, question=question.normalized)

    def _facets(self, text: str) -> list[SentenceScorer]:
        """A scorer for each part of a question that asks several things (有好大？里头有啥？), else none."""
        question = self._analyse(text)
        parts = [p for p in _QUESTION_PARTS.split(question.normalized) if _HAN.search(p)]
        if len(parts) < 2:
            return []
        index = self.knowledge.index
        facets = []
        for part in parts:
            terms = index.text.terms(index.gazetteer.without_places(index.text.expand_query(part)))
            if terms:
                facets.append(SentenceScorer(terms, self._weigh, asked_for(part), self.sentence_b,
                                             self._sentence_length, context_terms=list(question.terms),
                                             per_person=asks_per_person(part), question=part))
        return facets if len(facets) > 1 else []

    def _analyse(self, text: str) -> TurnAnalysis:
        """The question's analysis (memoised by the understanding); for the standalone question of this turn, with
        the kind of fact the turn itself asks for."""
        return self._asked.get(text) or self.understanding.analyse(text)

    def _region(self, name: str) -> str | None:
        try:
            return self.knowledge.resolve_region(name)
        except QueryError:
            return None


def with_topic_words(question: str, expanded: str, intent: str, confidence: float) -> str:
    """The text to search with: a question sure of its topic but naming it in no plan word (弄饭吃, 上课 —
    `expanded` is the question with its synonyms' plan words) also searches with the topic's plan words."""
    topic = TOPICS.get(intent) if intent in TOPICS_SEARCHED_BY_WORD else None
    if topic is None or confidence < TOPIC_WORD_CONFIDENCE or topic.about(expanded):
        return question
    return f"{question} {' '.join(topic.search_words)}"


def near_last_answer(hits: list[Hit], last: list[Source], region: str) -> list[Hit]:
    """A follow-up's hits, those of the sections the last answer cited (same region) a little higher."""
    sections = {(s.region, s.section) for s in last[:3] if s.region == region}
    if not sections or not hits:
        return hits
    top = hits[0].score or 1.0
    nudged = [Hit(h.passage, h.score + NEAR_LAST_ANSWER * top * ((h.passage.region, h.passage.section) in sections))
              for h in hits]
    return sorted(nudged, key=lambda h: -h.score)


def source_of(hit: Hit) -> Source:
    """The seam's value for a retrieved passage."""
    p = hit.passage
    return Source(p.text, p.title, p.region, p.short_region, p.section, p.chunk_id, float(hit.score))


def sources_of(hits: list[Hit]) -> list[Source]:
    return [source_of(hit) for hit in hits]
