"""Recover a plan's heading hierarchy (第一章/第一节, 一、/（一）/1., 专栏N, 附件) and place every
paragraph and table row under its section path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.ingest.cleaning import Line, Table

SECTION_SEPARATOR = " › "
PREAMBLE = "前言"

# (pattern, rank): a heading closes every open heading of equal or higher rank.
_HEADING_KINDS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^附件"), 0),
    (re.compile(r"^第[一二三四五六七八九十百]+章"), 1),
    (re.compile(r"^第[一二三四五六七八九十百]+节"), 2),
    (re.compile(r"^[一二三四五六七八九十]+、"), 3),
    (re.compile(r"^（[一二三四五六七八九十]+）"), 4),
    (re.compile(r"^\d{1,2}(?:[.．、](?!\d)|\s)\s*(?=\S)"), 5),
    (re.compile(r"^专栏\s*\d+"), 6),
)
_MAX_HEADING_LENGTH = 40
_NUMBER_THEN_TITLE = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|专栏\s*\d+|附件\s*\d*|\d{1,2}[.．、])\s*[：:]?\s*(?=\S)")
_STALE_NUMBER = re.compile(r"^第[一二三四五六七八九十百]+([章节])\s*(?=第[一二三四五六七八九十百]+\1)")
_BOX_NUMBER = re.compile(r"^专栏\s*(\d+)")
_ANNEX_RANK = 0
_ITEM_RANK = 5
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


def split_heading(text: str, rank: int | None = None) -> tuple[str, str]:
    """(title, body): a short line is all title; '（三）加大资金投入。正文…' keeps its body. A numbered item
    ('2.开展失能老年人“健康敲门行动”，每年…', rank 4 or 5) without a short first sentence is titled by its
    first clause."""
    text = _STALE_NUMBER.sub("", text)
    if len(text) <= _MAX_HEADING_LENGTH and "。" not in text[:-1]:
        return _space_after_number(text.rstrip("。：:")), ""
    head, sep, _ = text.partition("。")
    if sep and len(head) <= _MAX_HEADING_LENGTH:
        return _space_after_number(head), text
    clause, comma, _ = text.partition("，")
    if rank is not None and rank >= _ITEM_RANK - 1 and comma and len(clause) <= _MAX_HEADING_LENGTH:
        return _space_after_number(clause), text
    return "", text


def _space_after_number(title: str) -> str:
    """'第一章全面开启…' → '第一章 全面开启…'; '专栏 1：涪陵区…' → '专栏1 涪陵区…'; '附件：…' → '附件 …'."""
    title = _BOX_NUMBER.sub(r"专栏\1", title, count=1)
    return _NUMBER_THEN_TITLE.sub(r"\1 ", title, count=1).strip()


def structure_document(lines: list[Line]) -> list[Block]:
    """Blocks in document order, each under the headings open at that point."""
    outline = _Outline()
    blocks: list[Block] = []
    item_lines: dict[int, str] = {}  # heading block → its line, for items that turn out to have no body
    caption = ""
    for index, line in enumerate(lines):
        if line.table is not None:
            title = caption or outline.innermost()
            blocks += [Block("table_row", text, outline.content_path()) for text in table_row_texts(line.table, title)]
            outline.close_box()  # a box (专栏) holding a table ends with it
            caption = ""
            continue
        rank = heading_rank(line.text)
        title, body = split_heading(line.text, rank) if rank is not None else ("", line.text)
        if rank is not None and title and outline.open(rank, title):
            if rank >= _ITEM_RANK - 1 and not body:
                item_lines[len(blocks)] = line.text
            blocks.append(Block("heading", title, outline.path()))
        if not body:
            continue
        next_is_table = index + 1 < len(lines) and lines[index + 1].table is not None
        if next_is_table and len(body) <= _MAX_HEADING_LENGTH and "。" not in body:
            caption = body.strip()
            continue
        blocks.append(Block("paragraph", body, outline.content_path()))
    return _with_bare_items(blocks, item_lines)


def _with_bare_items(blocks: list[Block], item_lines: dict[int, str]) -> list[Block]:
    """A numbered line with nothing under it ('3.新建市老年病医院，扩增老年医疗服务供给') is a list item,
    not only a title: it also becomes a paragraph of its own section, so it can be found and cited."""
    out: list[Block] = []
    for index, block in enumerate(blocks):
        out.append(block)
        if index not in item_lines:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is None or (following.kind == "heading" and len(following.section) <= len(block.section)):
            out.append(Block("paragraph", item_lines[index], block.section))
    return out


class _Outline:
    """The headings open at a point of the document, outermost first."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = [(-1, PREAMBLE)]
        self._fresh = False  # the innermost heading has nothing under it yet

    def innermost(self) -> str:
        return self._open[-1][1] if self._open else "表"

    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self._open)

    def content_path(self) -> tuple[str, ...]:
        """The path of a paragraph or table row placed here."""
        self._fresh = False
        return self.path()

    def open(self, rank: int, title: str) -> bool:
        """Open a heading, closing those it ends; False for a bare repeat of the heading just opened
        ('附件' right after '附件 养老托育…')."""
        if self._fresh and self._open and self._open[-1][0] == rank and self._open[-1][1].startswith(title):
            return False
        if self._open and self._open[0][1] == PREAMBLE:
            self._open.clear()
        while self._open and self._closes(rank):
            self._open.pop()
        self._open.append((rank, title))
        self._fresh = True
        return True

    def close_box(self) -> None:
        if self._open and self._open[-1][0] == _BOX_RANK:
            self._open.pop()

    def _closes(self, rank: int) -> bool:
        """Whether a new heading of `rank` closes the innermost open one. A box (专栏) stays open for the
        numbered items listed inside it, unless it sits inside a numbered item itself."""
        top = self._open[-1][0]
        if top == _BOX_RANK:
            inside_item = any(r == _ITEM_RANK for r, _ in self._open[:-1])
            return not (rank == _ITEM_RANK and not inside_item)
        return top >= rank


def table_row_texts(table: Table, caption: str) -> list[str]:
    """Each row as readable text: '表名：列名：值；列名：值'."""
    texts = []
    for row in table.rows:
        cells = [f"{name}：{value}" for name, value in zip(table.header, row, strict=False) if value and name]
        if cells:
            texts.append(f"{caption}：{'；'.join(cells)}")
    return texts
