"""Cut a structured plan into passages: sentence windows of paragraphs, one passage per table row."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from knowledge.ingest.cleaning import clean_document
from knowledge.ingest.structure import SECTION_SEPARATOR, Block, structure_document
from knowledge.retrieval.passages import Passage, Plan

_SENTENCE = re.compile(r"[^。！？；]*(?:[。！？；]”?|$)")


@dataclass(frozen=True)
class ChunkingSettings:
    """How long a passage may grow before it is cut, in characters."""

    target_chars: int = 240
    max_chars: int = 400
    min_chars: int = 40


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；, the closing quote kept with its sentence."""
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def sentence_windows(text: str, settings: ChunkingSettings) -> Iterator[tuple[int, int]]:
    """(start, end) character spans of windows of whole sentences, neighbours sharing one sentence."""
    if len(text) <= settings.max_chars:
        yield 0, len(text)
        return
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in split_sentences(text):
        start = text.index(sentence, pos)
        pos = start + len(sentence)
        spans.append((start, pos))
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= settings.target_chars:
            j += 1
        yield spans[i][0], spans[j][1]
        if j + 1 >= len(spans):
            break
        i = j if j > i else j + 1


def chunk_plan(plan: Plan, raw: str, settings: ChunkingSettings | None = None) -> tuple[str, list[Passage]]:
    """The plan's cleaned text and its passages, with offsets into that text."""
    settings = settings or ChunkingSettings()
    blocks = merge_short_paragraphs(structure_document(clean_document(raw)), settings.min_chars)
    cleaned_parts: list[str] = []
    passages: list[Passage] = []
    offset = 0
    seen_ids: set[str] = set()
    for block in blocks:
        cleaned_parts.append(block.text)
        if block.kind != "heading":
            for start, end in _spans(block, settings):
                text = block.text[start:end].strip()
                if text:
                    chunk_id = _chunk_id(plan.file, block.section, text, seen_ids)
                    passages.append(_passage(plan, block, text, chunk_id, offset + start, offset + end))
        offset += len(block.text) + 1
    return "\n".join(cleaned_parts), passages


def merge_short_paragraphs(blocks: list[Block], min_chars: int) -> list[Block]:
    """A paragraph too short to stand alone (a title line, a fragment) joins the next one of its section."""
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind == block.kind == "paragraph"
            and prev.section == block.section
            and len(prev.text) < min_chars
        ):
            merged[-1] = Block("paragraph", f"{prev.text}\n{block.text}", block.section)
        else:
            merged.append(block)
    return merged


def _spans(block: Block, settings: ChunkingSettings) -> Iterator[tuple[int, int]]:
    if block.kind == "table_row":
        yield 0, len(block.text)
    else:
        yield from sentence_windows(block.text, settings)


def _chunk_id(file: str, section: tuple[str, ...], text: str, seen: set[str]) -> str:
    """Stable across rebuilds: derived from the plan, the section and the text itself."""
    digest = hashlib.sha1(f"{SECTION_SEPARATOR.join(section)}\n{text}".encode()).hexdigest()[:10]
    base = f"{PurePath(file).stem}:{digest}"
    chunk_id, n = base, 1
    while chunk_id in seen:
        n += 1
        chunk_id = f"{base}-{n}"
    seen.add(chunk_id)
    return chunk_id


def _passage(plan: Plan, block: Block, text: str, chunk_id: str, start: int, end: int) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        text=text,
        doc=plan.file,
        title=plan.title,
        region=plan.region,
        short_region=plan.short_region,
        section=SECTION_SEPARATOR.join(block.section),
        start=start,
        end=end,
        kind=block.kind,
    )
