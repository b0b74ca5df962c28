"""What Whisper hears, tidied: Simplified characters, Chinese punctuation, no subtitle-credit hallucinations.

Homophone repair (高灵补贴 → 高龄补贴) is the bot's job; this module only undoes Whisper's own habits:
Traditional characters (it often writes 補貼), spaces between Chinese words, ASCII or doubled punctuation, and
the captions it invents on silence or noise ("字幕由Amara.org社区提供", "请不吝点赞订阅").
"""

from __future__ import annotations

import re
import threading
from typing import Any

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Phrases Whisper produces from silence, music or noise (subtitle credits of its training videos).
HALLUCINATIONS: tuple[str, ...] = (
    "字幕由Amara.org社区提供", "字幕由Amara.org社群提供", "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", "明镜与点点栏目", "点赞订阅转发打赏", "中文字幕志愿者",
    "谢谢观看", "感谢观看", "谢谢大家观看", "字幕by索兰娅", "优优独播剧场", "YoYo Television Series Exclusive",
)
_ASCII_TO_CJK = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
_converter: Any = None
_converter_lock = threading.Lock()
_MIN_ECHO_CHARS = 8  # shorter prompt clauses are words people say (老年大学, 高龄津贴), never echoes


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC t2s, a core dependency of the project)."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return str(_converter.convert(text))


def prompt_echoes(prompt: str) -> list[str]:
    """The parts of the decoding prompt Whisper may echo back on noise: the whole prompt and its opening
    clause ("以下是普通话的句子"), each only when long enough (8 characters or more) not to be a word someone
    asks about. A prompt opening with one of the service's words ("老年大学，高龄津贴…") echoes nothing
    but its whole self, so a question starting with that word keeps it."""
    prompt = prompt.strip()
    clauses = [prompt, re.split(r"[，。,.！？!?；;]", prompt)[0].strip()]
    return [c for i, c in enumerate(clauses) if len(c) >= _MIN_ECHO_CHARS and c not in clauses[:i]]


def _without_echo(text: str, echo: str) -> str:
    """`text` without `echo` where it stands as a clause of its own (at the start, or between punctuation):
    never out of the middle of a sentence someone said."""
    bounded = r"(?:^|(?<=[，。！？；：、,.!?;:\s]))" + re.escape(echo) + r"(?:[，。！？；：、,.!?;:]+|(?=$))"
    leading = r"^\s*" + re.escape(echo)
    return re.sub(leading, "", re.sub(bounded, "", text))


def strip_hallucinations(text: str, prompt: str = "") -> str:
    """`text` without Whisper's invented subtitle credits, nor the decoding prompt echoed back on noise."""
    for phrase in HALLUCINATIONS:
        text = text.replace(phrase, "")
    for echo in prompt_echoes(prompt):
        text = _without_echo(text, echo)
    return re.sub(r"^[（(【\[]?\s*字幕[^，。！？]*[)）】\]]?$", "", text.strip())


def tidy_punctuation(text: str) -> str:
    """Chinese punctuation, no spaces between Chinese words, no doubled or dangling marks."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[" + CJK + r"，。？！：；、])\s+|\s+(?=[" + CJK + r"，。？！：；、])", "", text)
    # ASCII marks next to Chinese become Chinese marks; "3.5" and "Wi-Fi" stay as they are
    text = re.sub(r"(?<![0-9A-Za-z])[,.?!:;]|[,.?!:;](?![0-9A-Za-z])",
                  lambda m: _ASCII_TO_CJK[m.group(0)], text)
    text = re.sub(r"[…]+|\.{3,}|。{2,}", "。", text)
    text = re.sub(r"([，、；：])[，、；：]+", r"\1", text)
    text = re.sub(r"[，、；：]+([。！？])", r"\1", text)
    text = re.sub(r"([。！？])[，、；：。！？]+", r"\1", text)
    text = re.sub(r"[“”\"「」『』]", "", text)
    text = re.sub(r"^[\s，、；：。！？]+", "", text).rstrip(" ，、；：")
    return text if re.search(r"[" + CJK + r"0-9A-Za-z]", text) else ""


def prompt_words(prompt: str) -> frozenset[str]:
    """The words a prompt lists after its opening clause: "以下是…，关于涪陵、资阳的老年大学、助餐点。" → {涪陵, 资阳,
    老年大学, 助餐点}."""
    parts = re.split(r"[，,]", prompt, maxsplit=1)
    body = parts[1].strip().removeprefix("关于") if len(parts) == 2 else ""
    return frozenset(word for word in re.split(r"[、的。，,.；;\s]+", body) if word)


def only_prompt_words(text: str, prompt: str) -> bool:
    """Whether `text` is nothing but words the prompt lists, the last maybe cut short ("评估。", "老年大学、养老"):
    what Whisper writes when it echoes its prompt on silence or noise. A caller may say one such word alone
    too; the recogniser tells the two apart by how sure it was."""
    said = re.sub(r"[^" + CJK + r"0-9A-Za-z]", "", text)
    words = prompt_words(prompt)
    if not said or not words:
        return False
    starts = {word[:k] for word in words for k in range(2, len(word) + 1)}  # a word cut short at the end
    longest = max(map(len, words))
    reachable = [True] + [False] * len(said)
    for end in range(1, len(said) + 1):
        reachable[end] = any(
            reachable[start] and (said[start:end] in words or (end == len(said) and said[start:end] in starts))
            for start in range(max(0, end - longest), end)
        )
    return reachable[-1]


def clean_heard_text(raw: str, prompt: str = "") -> str:
    """Whisper's raw text → what the bot should read (still before homophone repair)."""
    return tidy_punctuation(strip_hallucinations(to_simplified(raw), to_simplified(prompt)))


_REPEAT = re.compile(r"(.{1,12}?)\1{2,}")


def collapse_repeats(text: str) -> tuple[str, bool]:
    """A phrase said three or more times in a row (Whisper looping) kept once; True when any was collapsed."""
    collapsed = _REPEAT.sub(r"\1", text)
    return collapsed, collapsed != text
