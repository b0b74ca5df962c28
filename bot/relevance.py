"""Is what we found an answer? Term coverage of the question, and the kind of fact it asks for."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from enum import Enum


class AskedFor(Enum):
    """The kind of fact a question wants, when it wants a specific one."""

    MONEY = "money"
    NONE = "none"


_ASKS_MONEY = re.compile(r"(多少|好多|几多|几)(钱|块|元)|学费|收费|多少费用|费用多少|贵不贵|打折|价格|价钱|一顿.{0,4}(多少|好多)")
_MONEY = re.compile(r"\d[\d.,，]*\s*(?:元|万元|亿元|块)")


def asked_for(question: str) -> AskedFor:
    """MONEY when the question asks for an amount of money."""
    return AskedFor.MONEY if _ASKS_MONEY.search(question) else AskedFor.NONE


def states(kind: AskedFor, sentences: Sequence[str]) -> bool:
    """Whether the sentences hold a fact of that kind (an amount of money for MONEY)."""
    if kind is AskedFor.MONEY:
        return any(_MONEY.search(s) for s in sentences)
    return True


class TermRarity:
    """How much a word says: log inverse document frequency over the passages, computed on demand;
    words the plans never use weigh nothing."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.documents = documents
        self._weights: dict[str, float] = {}

    def weight(self, word: str) -> float:
        if word not in self._weights:
            df = sum(1 for doc in self.documents if word in doc)
            # a word no plan uses cannot be covered by any passage: it says nothing about relevance
            self._weights[word] = math.log((len(self.documents) + 1) / df) if df else 0.0
        return self._weights[word]


def coverage(content_words: Sequence[str], text: str, rarity: TermRarity) -> float:
    """Share of the question's content words, each weighted by its rarity, found in the text."""
    words = [w for w in dict.fromkeys(content_words) if len(w) >= 2]
    weights = {w: max(rarity.weight(w), 0.0) for w in words}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(weight for word, weight in weights.items() if word in text) / total
