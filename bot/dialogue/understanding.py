"""One turn understood once: its text as written words (NFKC, Traditional → Simplified, spoken and dialect words,
fillers, homophones and place names repaired), the places it names, the topic its plan words point to, the kind of
fact it asks for, and its own words and the plan words synonyms add. Built at the start of a turn and handed to
intent, conversation resolution, retrieval and scoring, which do not normalise or scan places again."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.dialogue.relevance import AskedFor, asked_for
from knowledge.retrieval.index import KnowledgeIndex
from knowledge.text.place_findings import PlaceFindings
from knowledge.text.spoken_forms import SpokenForms, pauses_as_commas
from knowledge.topics import TOPICS

_MEMO_SIZE = 2048
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class TurnAnalysis:
    """A text as the core weighs it.

    raw: as received; text: written words, homophones and place names repaired (what is searched); greeted: a
    greeting came before it; places: what it says about place (on the text before place repair, so sound matches
    are known); asked: the kind of fact asked; own / added: its words, and the plan words synonyms add;
    content_words (relevance gate) and terms (sentence scoring): without place names; topic: the topic its
    plan words name, if any."""

    raw: str
    text: str
    greeted: bool
    places: PlaceFindings
    asked: AskedFor
    own: str
    added: str
    content_words: tuple[str, ...]
    terms: tuple[str, ...]
    topic: str | None

    @property
    def normalized(self) -> str:
        return self.text

    @property
    def expanded(self) -> str:
        return f"{self.own}、{self.added}" if self.added else self.own

    def asking(self, asked: AskedFor) -> TurnAnalysis:
        """The same words asking for another kind of fact (a follow-up's own kind, not its context's)."""
        return self if asked is self.asked else replace(self, asked=asked)


class Understanding:
    """Builds (and memoises) the analysis of a text against one index's text handling and gazetteer."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self.spoken = SpokenForms.load()
        self._memo: dict[str, TurnAnalysis] = {}

    def analyse(self, raw: str) -> TurnAnalysis:
        found = self._memo.get(raw)
        if found is None:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            found = self._memo[raw] = self._analyse(raw)
        return found

    def written(self, raw: str) -> tuple[str, bool]:
        """NFKC, Traditional → Simplified, then spoken words as written ones (the pauses of speech-recognised text,
        spaces between Chinese words, become commas before normalising would join the words)."""
        return self.spoken.written(self.index.text.normalize(pauses_as_commas(raw)))

    def _analyse(self, raw: str) -> TurnAnalysis:
        text_handling, gazetteer = self.index.text, self.index.gazetteer
        written, greeted = self.written(raw)
        repaired = text_handling.repair_homophones(written)
        places = gazetteer.find(repaired)
        text = gazetteer.repair(repaired)
        own, added = text_handling.query_parts(text)
        expanded = f"{own}、{added}" if added else own
        stripped = gazetteer.without_places(expanded)
        topic = next((t.name for t in TOPICS.values() if t.is_intent and t.about(expanded)), None)
        return TurnAnalysis(
            raw=raw, text=text, greeted=greeted, places=places, asked=asked_for(text), own=own, added=added,
            content_words=tuple(text_handling.tokenize(stripped)), terms=tuple(text_handling.terms(stripped)),
            topic=topic,
        )

    def han_count(self, text: str) -> int:
        return len(_HAN.findall(text))
