"""Is what we found an answer? Term coverage of the question, and the kind of fact it asks for."""

from __future__ import annotations

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


def coverage(content_words: Sequence[str], text: str) -> float:
    """Share of the question's content words (each weighted by its length) found in the text."""
    words = [w for w in dict.fromkeys(content_words) if len(w) >= 2]
    if not words:
        return 0.0
    total = sum(min(len(w), 4) for w in words)
    return sum(min(len(w), 4) for w in words if w in text) / total
