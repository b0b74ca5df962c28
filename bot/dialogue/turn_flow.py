"""The turn flow: a turn's text checked, the conversation's state read, the turn understood once and resolved
against the conversation (`conversation.ConversationContext`), its intent decided, then dispatched — smalltalk,
转人工, 再说一遍 (the last reply), 还有呢 (the next passage), a region given or asked for, or a question
answered by the core (`core.DialogueCore`, which this class is the base of)."""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.dialogue import replies
from bot.dialogue.conversation import (
    NEW,
    PENDING,
    REGION_SWITCH,
    SUBJECT,
    SWITCH,
    ConversationContext,
    Resolution,
)
from bot.dialogue.nlu.intent import IntentClassifier, IntentPrediction
from bot.dialogue.relevance import AskedFor
from bot.dialogue.seam import Action, Reply, Turn
from bot.dialogue.state import ConversationState, ConversationStore
from bot.dialogue.understanding import TurnAnalysis, Understanding
from knowledge.topics import TOPICS

if TYPE_CHECKING:
    from knowledge.retrieval.search import KnowledgeBase

TOPIC_INTENTS = frozenset({*(t.name for t in TOPICS.values() if t.is_intent), "policy_other"})
SMALLTALK = {
    "greet": replies.GREETING,
    "goodbye": replies.GOODBYE,
    "thanks": replies.THANKS,
    "affirm": replies.AFFIRM,
    "deny": replies.DENY,
}
TOPIC_WORD_CONFIDENCE = 0.5  # the topic more likely than not
MAX_INPUT_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
NO_CONTEXT_INTENTS = frozenset({*SMALLTALK, "repeat", "ask_more", "human_handoff"})
HANDOFF_CONFIDENCE = 0.7  # 转人工 only when the model is sure: a question mentioning 喊人 is a question
OUT_OF_SCOPE_IN_CONTEXT = 0.7  # within a conversation, a follow-up the model is unsure about stays on its topic
_LEADS_ON = re.compile(r"^(那么|那|还有|另外|然后)")
_QUESTION_WORD = re.compile(r"哪[个些里儿家位样种]?|什么|啥子?|几[个家所张]?|多少|好多|怎么|咋|谁|有没有|能不能|是不是|要不要|会不会")


class TurnFlow:
    """What happens to a turn before and around its answer; the answering itself (`_topic`, `_fallback`,
    `region_names`, `_region`) is the core's."""

    knowledge: KnowledgeBase
    conversations: ConversationStore
    context: ConversationContext | None
    _classifier: IntentClassifier | None

    def warm_up(self) -> None:
        raise NotImplementedError

    @property
    def understanding(self) -> Understanding:
        raise NotImplementedError

    def region_names(self) -> list[str]:
        raise NotImplementedError

    def _region(self, name: str) -> str | None:
        raise NotImplementedError

    def _topic(self, resolution: Resolution, intent: str, confidence: float, state: ConversationState,
               staff: bool) -> Reply:
        raise NotImplementedError

    def _fallback(self, intent: str, confidence: float, region: str | None) -> Reply:
        raise NotImplementedError

    def _holds_own_words(self, words: tuple[str, ...], reply: Reply) -> bool:
        raise NotImplementedError

    def respond(self, turn: Turn) -> Reply:
        """Answer one turn, keeping the conversation's state: the turn is understood once, resolved against the
        conversation into a standalone question, then answered."""
        self.warm_up()
        text, problem = _clean_input(turn.text)
        if problem is not None:
            return _say("out_of_scope", 1.0, problem, Action.SMALLTALK)
        state = self.conversations.get(turn.conversation)
        if turn.region:
            state.region = self._region(turn.region) or state.region
        analysis = self.understanding.analyse(text)
        assert self.context is not None
        resolution = self.context.resolve(analysis, state)
        prediction = self._predict(analysis, resolution, state)
        earlier, topic = state.last_question, state.topic
        before = copy.deepcopy(state)
        reply = self._dispatch(analysis, resolution, prediction, state, turn.staff)
        if _worth_retrying(reply, resolution, prediction, analysis) and topic:
            # its standalone reading found nothing: read it with the conversation's subject; read with the
            # subject, what it names of its own was not found: read it alone
            retry = (self.context.in_context(analysis, earlier) if resolution.kind == NEW
                     else self.context.standalone(analysis))
            if retry is not None:
                trial = copy.deepcopy(before)
                second = self._topic(retry, topic, prediction.confidence, trial, turn.staff)
                if second.action is Action.ANSWER and self._holds_own_words(analysis.content_words, second):
                    reply, state = second, trial
        if prediction.name == "repeat":
            reply = replace(reply, intent="repeat", confidence=prediction.confidence)
        else:
            state.last_reply = reply  # 再说一遍 repeats the last thing said, 还有呢 included
        if reply.action is not Action.CLARIFY_REGION:
            state.pending_question = ""  # answered, or another question came instead: nothing waits any more
        self.conversations.put(turn.conversation, state)
        return reply

    def _predict(self, turn: TurnAnalysis, resolution: Resolution, state: ConversationState) -> IntentPrediction:
        assert self._classifier is not None
        prediction = self._classifier.predict(turn.text)
        # smalltalk asks no fact, and names no place or group to ask the last question of; a follow-up of aspect
        # words alone (要准备啥材料, 每年新建几个) asks one of the last subject
        aspect_only = (resolution.kind == SUBJECT and any(len(word) >= 2 for word in turn.content_words)
                       and not any(len(word) >= 2 for word in resolution.own_words))
        asks_a_fact = resolution.kind == SWITCH or (
            resolution.kind == SUBJECT and (turn.asked is not AskedFor.NONE or aspect_only))
        if turn.greeted and prediction.name not in TOPIC_INTENTS and not (asks_a_fact and state.topic):
            said = self._classifier.predict(turn.raw)  # 喂 是养老政策咨询吗: the greeting was the point
            if said.name in SMALLTALK:
                return said
        if prediction.name in SMALLTALK and prediction.name != "greet" and _asks_of_its_own(turn):
            prediction = _without(prediction, *SMALLTALK)  # 那六项是哪六项: a question, whatever 是 suggests
        sure = HANDOFF_CONFIDENCE if prediction.name == "human_handoff" else TOPIC_WORD_CONFIDENCE
        if prediction.name in NO_CONTEXT_INTENTS and prediction.confidence >= sure and not (
                asks_a_fact and prediction.name in SMALLTALK):
            return prediction
        if prediction.name == "human_handoff":  # 一按就能喊人的: not sure it asks for a person
            prediction = _without(prediction, "human_handoff")
        topic = state.topic or turn.topic or "policy_other"
        if resolution.kind in (REGION_SWITCH, SWITCH, PENDING) and (state.topic or resolution.kind == PENDING):
            return IntentPrediction(topic, max(prediction.confidence, 0.5), prediction.ranking)
        named = turn.places.regions
        rest = turn.places.text_without_places
        region_only = len(_HAN.findall(rest)) <= 4
        if named and region_only and prediction.name not in TOPIC_INTENTS | {"human_handoff"}:
            return IntentPrediction("set_region", 1.0, prediction.ranking)
        asks_something = len(turn.content_words) >= 2
        if prediction.name == "set_region" and not region_only and (asks_something or prediction.confidence < 0.5):
            name, confidence = next((n, c) for n, c in prediction.ranking if n != "set_region")
            confidence = min(1.0, confidence / max(1.0 - prediction.confidence, 1e-6))  # given: not set_region
            prediction = IntentPrediction(name, confidence, prediction.ranking)
        if (prediction.name == "out_of_scope" and prediction.confidence < OUT_OF_SCOPE_IN_CONTEXT and named
                and len(turn.content_words) >= 2):
            # the model is unsure, and it asks something of a covered region: read as the likeliest topic (the
            # relevance gate still decides whether the plans answer it)
            topic_first = next(((n, c) for n, c in prediction.ranking if n in TOPIC_INTENTS), None)
            if topic_first is not None:
                prediction = IntentPrediction(topic_first[0], topic_first[1], prediction.ranking)
        leans = resolution.kind == SUBJECT or _LEADS_ON.match(turn.text)
        unsure = prediction.name not in TOPIC_INTENTS | {"out_of_scope"} or prediction.confidence < (
            OUT_OF_SCOPE_IN_CONTEXT if prediction.name == "out_of_scope" else TOPIC_WORD_CONFIDENCE)
        unsure = unsure or prediction.name == "policy_other" or aspect_only  # a follow-up keeps its topic
        if leans and state.topic and unsure:
            return IntentPrediction(state.topic, prediction.confidence, prediction.ranking)
        return prediction

    def _dispatch(self, turn: TurnAnalysis, resolution: Resolution, prediction: IntentPrediction,
                  state: ConversationState, staff: bool) -> Reply:
        intent, confidence = prediction.name, prediction.confidence
        if intent in SMALLTALK:
            named = turn.places.regions if intent == "greet" else ()
            if len(named) == 1:  # 你好，我是巫溪的: remembered like set_region
                state.region = named[0]
            return _say(intent, confidence, SMALLTALK[intent], Action.SMALLTALK, state.region)
        if intent == "human_handoff":
            return _say(intent, confidence, replies.HANDOFF, Action.HANDOFF, state.region)
        if intent == "repeat":
            return state.last_reply or _say(intent, confidence, replies.NOTHING_TO_REPEAT, Action.SMALLTALK)
        if intent == "ask_more":
            return self._more(state, confidence)
        findings = turn.places
        if findings.only_outside and intent in TOPIC_INTENTS | {"set_region", "out_of_scope"}:
            place = findings.outside[0].text
            if intent != "set_region" and len(turn.content_words) >= 2:  # 那万州呢 asks it again of 万州
                state.last_question = functools.reduce(lambda q, o: q.replace(o.text, ""), findings.outside,
                                                       resolution.question)
                state.topic = intent if intent in TOPIC_INTENTS else turn.topic or "policy_other"
            return _say(intent, confidence, replies.only_plans_of(self.region_names(), place), Action.FALLBACK)
        city = findings.ambiguous_city
        if city is not None and intent in TOPIC_INTENTS | {"set_region"}:
            return self._clarify(intent, confidence, state, state.pending_question or resolution.question,
                                 list(city.candidates))
        if intent == "set_region":
            return self._set_region(turn, state, confidence)
        if intent in TOPIC_INTENTS:
            return self._topic(resolution, intent, confidence, state, staff)
        return self._fallback(intent, confidence, state.region)

    def _set_region(self, turn: TurnAnalysis, state: ConversationState, confidence: float) -> Reply:
        named = turn.places.regions
        if len(named) != 1:
            return self._clarify("set_region", confidence, state, state.pending_question)
        state.region = named[0]
        short = self.knowledge.index.gazetteer.short_name(named[0])
        return _say("set_region", confidence, replies.region_remembered(short), Action.SMALLTALK, named[0])

    def _clarify(self, intent: str, confidence: float, state: ConversationState, question: str,
                 among: list[str] | None = None) -> Reply:
        """Ask which region: all of them, or those of a city named (重庆: 涪陵, 巫溪, 万州)."""
        state.pending_question = question
        gazetteer = self.knowledge.index.gazetteer
        names = [gazetteer.short_name(r) for r in among] if among else self.region_names()
        return Reply(intent, confidence, Action.CLARIFY_REGION, replies.clarify_region(names),
                     replies.clarify_region(names), None, [], names)

    def _more(self, state: ConversationState, confidence: float) -> Reply:
        """The next best passage of the last answer, whole."""
        if not state.remaining:
            return _say("ask_more", confidence, replies.NOTHING_MORE, Action.SMALLTALK, state.region)
        source = state.remaining.pop(0)
        text = f"{source.text}\n出处：{source.citation}"
        speech = f"{source.short_region}的规划里还说：{source.text}"
        return Reply("ask_more", confidence, Action.ANSWER, text, speech, state.region, [source])


def _worth_retrying(reply: Reply, resolution: Resolution, prediction: IntentPrediction, turn: TurnAnalysis) -> bool:
    """A fallback for a turn read on its own or with the last subject (a question, or text the intent model is
    unsure is out of scope) that names no place outside the plans: within a conversation the other reading may
    find it."""
    unsure_out = prediction.name == "out_of_scope" and prediction.confidence < OUT_OF_SCOPE_IN_CONTEXT
    return (reply.action is Action.FALLBACK and resolution.kind in (NEW, SUBJECT) and not turn.places.outside
            and (prediction.name in TOPIC_INTENTS or unsure_out))


def _without(prediction: IntentPrediction, *names: str) -> IntentPrediction:
    """The best intent but `names`, its confidence given that it is none of them."""
    left = 1.0 - sum(c for n, c in prediction.ranking if n in names)
    other, confidence = next(((n, c) for n, c in prediction.ranking if n not in names), ("out_of_scope", 0.0))
    return IntentPrediction(other, min(1.0, confidence / max(left, 1e-6)), prediction.ranking)


def _asks_of_its_own(turn: TurnAnalysis) -> bool:
    """A question word and a word of two characters or more besides: it asks something (六项是哪六项), it is no
    thanks, yes or no."""
    return bool(_QUESTION_WORD.search(turn.text)) and any(
        len(word) >= 2 and not _QUESTION_WORD.fullmatch(word) for word in turn.content_words)


def _clean_input(raw: object) -> tuple[str, str | None]:
    """(text, None) for a usable question, else ("", a kind message saying what to do)."""
    if not isinstance(raw, str):
        return "", replies.UNREADABLE
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw)).strip()[:MAX_INPUT_CHARS]
    if not text:
        return "", replies.EMPTY_INPUT
    if not _HAN.search(text):
        return "", replies.NOT_CHINESE if _LATIN.search(text) else replies.UNREADABLE
    return text, None


def _say(intent: str, confidence: float, text: str, action: Action, region: str | None = None) -> Reply:
    return Reply(intent, confidence, action, text, text, region)
