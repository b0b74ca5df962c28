"""From the core's reply to what WeChat shows: the cited text within WeChat's size, the nearest places, the
speech cut to a voice message's length. Pure functions; sending is in channel.py."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from bot.channels.wechat import texts
from bot.dialogue.seam import NearbyFacility, Reply

MAX_TEXT_BYTES = 2047  # WeChat cuts text messages (passive and customer-service) at 2048 bytes
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
# WeChat's own emoticons arrive inside text as codes: /::) /:rose [微笑] [Smile]
_EMOTICON = re.compile(r"/:[^\s/\[]{1,8}|\[[^\[\]\s]{1,8}\]")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def user_tag(openid: str | None) -> str:
    """A short hash of an openid for logs (no personal data in logs)."""
    if not openid:
        return "-"
    return hashlib.sha256(conversation_id(openid).encode()).hexdigest()[:12]


def conversation_id(openid: str) -> str:
    """The dialogue core's conversation id of a WeChat user (one per FromUserName)."""
    return f"wx:{openid}"


def utf8_len(text: str) -> int:
    return len(text.encode())


def is_only_emoticons(text: str) -> bool:
    """A message of stickers and emoji only (WeChat codes, brackets, Unicode pictographs): nothing to ask."""
    return not _WORD.search(_EMOTICON.sub("", text))


def cut_to_bytes(text: str, limit: int) -> str:
    """The leading whole sentences of `text` within `limit` bytes (a hard cut only when one sentence is longer)."""
    if utf8_len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        if utf8_len(kept + sentence) > limit:
            break
        kept += sentence
    return kept.rstrip() or text.encode()[:limit].decode(errors="ignore")


def reply_text(reply: Reply, limit: int = MAX_TEXT_BYTES) -> str:
    """The core's answer with the first source's citation (when the answer does not cite it already), within
    WeChat's size: a long answer keeps its leading sentences, says there is more, and keeps the citation."""
    answer = reply.answer.strip()
    if not answer:
        return texts.ERROR
    source = reply.sources[0] if reply.sources else None
    cited = source is not None and bool(source.title) and source.title in answer
    citation = texts.CITATION.format(citation=source.citation) if source is not None and source.title else ""
    tail = f"\n{citation}" if citation and not cited else ""
    if utf8_len(answer + tail) <= limit:
        return answer + tail
    tail = f"\n{citation}" if citation else ""
    budget = limit - utf8_len(texts.TRIMMED + tail)
    return cut_to_bytes(answer, budget) + texts.TRIMMED + tail


def distance_text(metres: float) -> str:
    return f"{metres / 1000:.1f}公里" if metres >= 1000 else f"{metres:.0f}米"


def nearest_text(places: Sequence[NearbyFacility], limit: int = MAX_TEXT_BYTES) -> str:
    """The nearest facilities, one a line with kind, distance, address and phone, each with its plan."""
    lines = [texts.NEAREST_HEADER]
    for number, place in enumerate(places, 1):
        details = place.details
        kind = str(details.get("type") or "")
        about = "，".join(part for part in (kind, f"约{distance_text(place.distance_m)}") if part)
        address = str(details.get("address") or "")
        phone = str(details.get("phone") or "")
        contact = "，".join(part for part in (address, phone and f"电话{phone}") if part)
        entry = [f"{number}. {place.name or kind or '服务点'}（{about}）" + (f"：{contact}" if contact else "")]
        if place.citation:
            entry.append(f"   来源：{place.citation}")
        if utf8_len("\n".join([*lines, *entry, texts.NEAREST_NOTE])) > limit:
            break
        lines.extend(entry)
    lines.append(texts.NEAREST_NOTE)
    return "\n".join(lines)


def speech_sentences(speech: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(speech.strip()) if s.strip()]


def shorten_speech(speech: str, ratio: float) -> str:
    """The leading whole sentences of `speech` holding about `ratio` of its characters (at least one)."""
    sentences = speech_sentences(speech)
    budget = max(1, int(len(speech) * ratio))
    kept: list[str] = []
    for sentence in sentences:
        if kept and len("".join(kept)) + len(sentence) > budget:
            break
        kept.append(sentence)
    shorter = "".join(kept)
    if len(shorter) >= len(speech) and len(sentences) <= 1:
        return speech[:budget]  # one long sentence: cut it (the text reply has all of it)
    return shorter
