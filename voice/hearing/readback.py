"""Reading back what was heard when the recogniser is unsure (您是问……吗？), and reading the caller's yes or no.

The channels keep the question waiting for the answer; this module only words the read-back and tells a yes
(是 / 对 / 嗯 / 没错…) from a no (不是 / 不对…) from anything else (a new question)."""

from __future__ import annotations

import re

_MARKS = re.compile(r"[\s，。！？、；：,.!?;:~～…“”\"'‘’]+")
_FILLERS = re.compile(r"^(?:嗯+|啊+|哦+|喔+|呃+|诶|唉|欸|那个)(?=.)|(?:啊|呀|吧|呢|嘛|哈|哦|的呀)+$")
YES = frozenset({
    "是", "是的", "是是", "是是是", "对", "对的", "对对", "对对对", "嗯", "嗯嗯", "没错", "没有错", "就是", "就是的",
    "就是这个", "是这个", "对就是这个", "对是的", "是对的", "好", "好的", "可以", "行", "正确", "对了", "是滴", "对头",
})
NO = frozenset({
    "不是", "不是的", "不对", "不对不对", "不是不是", "错了", "说错了", "听错了", "你听错了", "不", "没有", "不是这个",
    "不是这样", "也不是",
})


def read_back(heard: str) -> str:
    """The question a caller is asked back: 您是问“高龄津贴怎么领”吗？"""
    question = heard.strip().rstrip("。？！?!.，, ")
    return f"您是问“{question}”吗？"


def confirmation(text: str) -> bool | None:
    """True for a yes (是的，没错), False for a no (不是，不对), None for anything else (a new question, nothing)."""
    said = _MARKS.sub("", text or "")
    said = _FILLERS.sub("", said) if len(said) > 1 else said
    if not said:
        return None
    if _made_of(said, YES):
        return True
    if _made_of(said, NO) or (len(said) <= 6 and said.startswith(("不是", "不对", "错了", "听错"))):
        return False
    return None


def _made_of(said: str, words: frozenset[str]) -> bool:
    """Whether `said` is a run of `words` (是的没错, 不是不对), fillers between them allowed."""
    reachable = [True] + [False] * len(said)
    for end in range(1, len(said) + 1):
        reachable[end] = any(reachable[start] and (said[start:end] in words or said[start:end] in _SMALL_FILLERS)
                             for start in range(max(0, end - 6), end))
    return reachable[-1]


_SMALL_FILLERS = frozenset({"嗯", "啊", "呀", "哦", "吧", "呢", "嘛", "哈"})
