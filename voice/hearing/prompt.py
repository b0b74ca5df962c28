"""Whisper's decoding prompt from the words callers say: "以下是普通话的句子，关于涪陵、资阳…的老年大学、助餐点…。"

The words come from the caller of the recogniser (the bot builds them from its knowledge: region and place names,
the domain words its users say); this module only shapes them into a prompt that fits. Whisper keeps the last 223
tokens of a prompt (a Chinese character costs one to three), so a longer one would lose its opening: the prompt
is filled word by word, in the order given (most telling first), while it fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Simplified characters in the prompt nudge Whisper away from Traditional ones
PROMPT_OPENING = "以下是普通话的句子"
MAX_PROMPT_TOKENS = 223  # Whisper's max_length // 2 - 1: what the decoder keeps of a prompt
_WORD = re.compile(r"[\u3400-\u9fff0-9A-Za-z]+")


def estimated_tokens(text: str) -> int:
    """A cautious token count without the tokenizer: Whisper's byte-level BPE spends ~1.35 tokens a Chinese
    character on this vocabulary (one for common characters, two or three for rarer ones)."""
    return int(len(text.encode("utf-8")) * 0.45) + 1


def vocabulary_prompt(
    places: Sequence[str],
    words: Sequence[str],
    *,
    opening: str = PROMPT_OPENING,
    tokens: Callable[[str], int] = estimated_tokens,
    max_tokens: int = MAX_PROMPT_TOKENS,
) -> str:
    """The prompt "{opening}，关于{places}的{words}。" with as many places, then words, as fit in
    `max_tokens` (counted by `tokens`); just the opening when none fit. What is no plain word is skipped."""
    chosen: tuple[list[str], list[str]] = ([], [])

    def text() -> str:
        where, said = "、".join(chosen[0]), "、".join(chosen[1])
        if where and said:
            return f"{opening}，关于{where}的{said}。"
        return f"{opening}，关于{where or said}。" if where or said else f"{opening}。"

    for bucket, source in zip(chosen, (places, words), strict=True):
        for word in dict.fromkeys(source):
            if not _WORD.fullmatch(word) or word in chosen[0] or word in chosen[1]:
                continue
            bucket.append(word)
            if tokens(text()) > max_tokens:
                bucket.pop()
                break
    return text()
