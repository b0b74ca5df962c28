"""Recover a plan's heading hierarchy (第一章/第一节, 一、/（一）/1., 专栏N, 附件) and place every
paragraph and table row under its section path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.cleaning import Line, Table

SECTION_SEPARATOR = " › "
PREAMBLE = "前言"

# (pattern, rank): a heading closes every open heading of equal or higher rank.
_HEADING_KINDS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^附件"), 0),
    (re.compile(r"^第[一二三四五六七八九十百]+章"), 1),
    (re.compile(r"^第[一二三四五六七八九十百]+节"), 2),
    (re.compile(r"^[一二三四五六七八九十]+、"), 3),
    (re.compile(r"^（[一二三四五六七八九十]+）"), 4),
    (re.compile(r"^\d{1,2}(?:[.．、]|\s)\s*(?=\S)"), 5),
    (re.compile(r"^专栏\s*\d+"), 6),
)
_MAX_HEADING_LENGTH = 40
_NUMBER_THEN_TITLE = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|专栏\s*\d+|\d{1,2}[.．、])\s*(?=\S)")
_BOX_RANK = 6


@dataclass(frozen=True)
class Block:
    """A paragraph, a table row or a heading, with the section path it lies under."""

    kind: str
    text: str
    section: tuple[str, ...]


def heading_rank(text: str) -> int | None:
    """The rank of a heading line, or None for prose."""
    for pattern, rank in _HEADING_KINDS:
        if pattern.match(text):
            return rank
    return None


def split_heading(text: str) -> tuple[str, str]:
    """(title, body): a short line is all title; '（三）加大资金投入。正文…' keeps its body."""
    if len(text) <= _MAX_HEADING_LENGTH and "。" not in text[:-1]:
        return _space_after_number(text.rstrip("。：")), ""
    head, sep, _ = text.partition("。")
    if sep and len(head) <= _MAX_HEADING_LENGTH:
        return _space_after_number(head), text
    return "", text


def _space_after_number(title: str) -> str:
    """'第一章全面开启…' → '第一章 全面开启…'; '专栏1涪陵区…' → '专栏1 涪陵区…'."""
    return _NUMBER_THEN_TITLE.sub(r"\1 ", title, count=1)


def structure_document(lines: list[Line]) -> list[Block]:
    """Blocks in document order, each under the headings open at that point."""
    open_headings: list[tuple[int, str]] = [(-1, PREAMBLE)]
    blocks: list[Block] = []
    caption = ""
    for index, line in enumerate(lines):
        if line.table is not None:
            title = caption or (open_headings[-1][1] if open_headings else "表")
            path = _path(open_headings)
            blocks += [Block("table_row", text, path) for text in table_row_texts(line.table, title)]
            caption = ""
            continue
        rank = heading_rank(line.text)
        title, body = split_heading(line.text) if rank is not None else ("", line.text)
        if rank is not None and title:
            if open_headings[0][1] == PREAMBLE:
                open_headings.clear()
            while open_headings and (open_headings[-1][0] >= rank or open_headings[-1][0] == _BOX_RANK):
                open_headings.pop()
            open_headings.append((rank, title))
            blocks.append(Block("heading", title, _path(open_headings)))
        if not body:
            continue
        next_is_table = index + 1 < len(lines) and lines[index + 1].table is not None
        if next_is_table and len(body) <= _MAX_HEADING_LENGTH and "。" not in body:
            caption = body.strip()
            continue
        blocks.append(Block("paragraph", body, _path(open_headings)))
    return blocks


def table_row_texts(table: Table, caption: str) -> list[str]:
    """Each row as readable text: '表名：列名：值；列名：值'."""
    texts = []
    for row in table.rows:
        cells = [f"{name}：{value}" for name, value in zip(table.header, row) if value and name]
        if cells:
            texts.append(f"{caption}：{'；'.join(cells)}")
    return texts


def _path(open_headings: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(title for _, title in open_headings)
