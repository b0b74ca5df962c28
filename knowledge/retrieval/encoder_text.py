"""What an encoder reads of a Chinese text.

The one packaged encoder (all-MiniLM-L6-v2) has an English word-piece vocabulary: it knows 244
Chinese characters and reads almost every other one as [UNK]. Spelled in toneless pinyin, the same
text becomes word pieces it does know, and voice-typing homophones (高灵/高龄) spell alike. A
fine-tuned encoder records the view it was trained on next to its weights (TEXT_VIEW_FILE).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from knowledge.retrieval.dense import TEXT_VIEW_FILE
from knowledge.text.chinese import ChineseText

PLAIN = "plain"
PINYIN = "pinyin"


def plain_view(text: ChineseText) -> Callable[[str], str]:
    """Normalised text (NFKC, Simplified), for encoders with a Chinese vocabulary."""
    return text.normalize


def pinyin_view(text: ChineseText) -> Callable[[str], str]:
    """Normalised text spelled as space-separated toneless pinyin syllables; other characters kept one by one."""
    from pypinyin import lazy_pinyin

    def view(raw: str) -> str:
        syllables = lazy_pinyin(text.normalize(raw), errors=lambda chars: list(chars))
        return " ".join(s for s in syllables if s.strip())

    return view


_VIEWS: dict[str, Callable[[ChineseText], Callable[[str], str]]] = {PLAIN: plain_view, PINYIN: pinyin_view}


def text_view_named(name: str, text: ChineseText) -> Callable[[str], str]:
    """The view of that name (unknown names read as plain text)."""
    return _VIEWS.get(name, plain_view)(text)


def write_text_view_name(model_dir: Path, name: str) -> None:
    """Record next to a model's weights which view it was trained on."""
    (model_dir / TEXT_VIEW_FILE).write_text(json.dumps({"view": name}), encoding="utf-8")
