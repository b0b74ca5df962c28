"""Undo what PDF/Word export did to the plans: marks, page headers, table-of-contents pages, spaces
inside Chinese, half-width punctuation, sentences broken across lines and tables flattened to lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from knowledge.ingest.tables import (
    Table,
    read_cell_per_line_table,
    read_tab_separated_table,
    starts_cell_per_line_table,
    starts_tab_separated_table,
)

__all__ = ["HEADING_START", "Line", "Table", "clean_document", "fix_spacing", "repeated_page_headers"]

_CJK = "\u3400-\u9fff"
_CJK_PUNCT = "，。、；：！？“”‘’（）《》〔〕【】"
_MARKS = re.compile(r"\[bookmark:[^\]]*\]|\*\*")
_BULLET = re.compile(r"^\s*[-•·●▪]\s+(?=\S)")
_TOC_LINE = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[^\t]{2,40}规划).*?(\.{2,}|…+|\t)\s*\d{1,3}\s*$")
_TOC_TITLES = frozenset({"目录", "目 录", "目  录"})
_PAGE_NUMBER = re.compile(r"^[-—\s]*\d{1,3}[-—\s]*$|^第\s*\d{1,3}\s*页(\s*共\s*\d{1,3}\s*页)?$")
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}{_CJK_PUNCT}])[ \t\u3000\xa0]+(?=[{_CJK}{_CJK_PUNCT}])")
_SPACE_CJK_DIGIT = re.compile(
    rf"(?<=[{_CJK}{_CJK_PUNCT}])[ \u3000\xa0]+(?=[\d.%％]+)|(?<=[\d%％])[ \u3000\xa0]+(?=[{_CJK}{_CJK_PUNCT}%％])"
)
_DASH_RUN = re.compile(r"-{3,}")
_ENGLISH_AND = re.compile(rf"(?<=[{_CJK}])\s+and\s+(?=[{_CJK}])")
_HALF_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_IN_CJK = re.compile(rf"(?<=[{_CJK}”）%％])([,;:?!])|([,;:?!])(?=[{_CJK}“（])")
_HALF_PARENS = re.compile(rf"\(([^()]{{0,40}}[{_CJK}][^()]{{0,40}})\)")
_SENTENCE_END = re.compile(r"[。！？；：”」』）)]\s*$|[。！？]”\s*$")
_CLAUSE_MARK = re.compile(r"[，、；。：]")
_DOCUMENT_TITLE_END = re.compile(r"(通知|规划|方案|意见|办法|决定|纲要|报告|细则)[）)]?$")
HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）"
    r"|\d{1,2}[.．、](?!\d)\s*\S|专栏\s*\d+|附件)"
)
_PURE_HEADING_LENGTH = 40
_LONG_LINE = 40


@dataclass
class Line:
    """A cleaned line of prose, or a whole table."""

    text: str = ""
    table: Table | None = None


def fix_spacing(text: str) -> str:
    """Remove spaces inside Chinese and between Chinese and numbers; half-width punctuation and brackets
    in Chinese to full width; an English 'and' left between Chinese words by translation back to 和."""
    text = _DASH_RUN.sub("", text)
    text = _ENGLISH_AND.sub("和", text)
    text = _SPACE_IN_CJK.sub("", text)
    text = _SPACE_CJK_DIGIT.sub("", text)
    text = _HALF_PUNCT_IN_CJK.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)
    text = _HALF_PARENS.sub(r"（\1）", text)
    text = _SPACE_IN_CJK.sub("", text)
    return text.strip()


def repeated_page_headers(lines: list[str]) -> set[str]:
    """Short lines that recur on many pages (running headers such as 某某人民政府行政规范性文件)."""
    counts = Counter(line.strip() for line in lines if 4 <= len(line.strip()) <= 40 and "\t" not in line)
    return {text for text, n in counts.items() if n >= 3 and not HEADING_START.match(text)}


def clean_document(raw: str) -> list[Line]:
    """Cleaned prose lines and rebuilt tables, in document order."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\ufeff", "")
    lines = [_BULLET.sub("", _MARKS.sub("", line)).rstrip(" \u3000\xa0") for line in raw.split("\n")]
    lines = [line if line.strip() else "" for line in lines]
    headers = repeated_page_headers(lines)
    lines = [line for line in lines if not _is_page_furniture(line, headers)]
    lines = _drop_table_of_contents(lines)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if starts_cell_per_line_table(lines, i):
            table, i = read_cell_per_line_table(lines, i, fix_spacing, _looks_like_heading)
            _append_table(out, table)
        elif starts_tab_separated_table(lines[i]):
            table, i = read_tab_separated_table(lines, i, fix_spacing)
            _append_table(out, table)
        else:
            text = fix_spacing(lines[i])
            if text:
                out.append(Line(text=text))
            i += 1
    return _join_broken_sentences(out)


def _is_page_furniture(line: str, headers: set[str]) -> bool:
    """A running header or a bare page number such as '- 12 -' (a table cell, led by a tab, is neither)."""
    return "\t" not in line and (line.strip() in headers or bool(_PAGE_NUMBER.match(line.strip())))


def _drop_table_of_contents(lines: list[str]) -> list[str]:
    """Remove 目录 pages: the 目录 line and heading lines that end in a page number."""
    return [line for line in lines if not _TOC_LINE.match(line.strip()) and line.strip() not in _TOC_TITLES]


def _looks_like_heading(text: str) -> bool:
    return bool(HEADING_START.match(text))


def _is_pure_heading(text: str) -> bool:
    """A heading line with no body after it ('（三）加大资金投入。正文…' is not)."""
    return _looks_like_heading(text) and len(text) <= _PURE_HEADING_LENGTH and "。" not in text[:-1]


def _append_table(out: list[Line], table: Table) -> None:
    if table.rows:
        out.append(Line(table=table))


def _is_cut_prose(text: str) -> bool:
    """A prose line that stops mid-sentence: no sentence end, and prose rather than a title or a date
    (it has clause punctuation or runs the full width of a page)."""
    if _SENTENCE_END.search(text) or _is_pure_heading(text):
        return False
    if _CLAUSE_MARK.search(text):
        return True
    return len(text) >= _LONG_LINE and not _DOCUMENT_TITLE_END.search(text)


def _join_broken_sentences(lines: list[Line]) -> list[Line]:
    """Join a prose line that stops mid-sentence with the next prose line (blank lines between them are
    already gone), unless the next one is a heading."""
    joined: list[Line] = []
    for line in lines:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.table is None
            and line.table is None
            and _is_cut_prose(prev.text)
            and not _looks_like_heading(line.text)
        ):
            prev.text += line.text
        else:
            joined.append(line)
    return joined
