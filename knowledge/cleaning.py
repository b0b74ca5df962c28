"""Undo what PDF/Word export did to the plans: marks, page headers, table-of-contents pages, spaces
inside Chinese, half-width punctuation, sentences broken across lines and tables flattened to lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_CJK = "\u3400-\u9fff"
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_TOC_LINE = re.compile(r"^(第[一二三四五六七八九十百]+[章节]|[^\t]{2,40}规划).*?(\.{2,}|…+|\t)\s*\d{1,3}\s*$")
_PAGE_NUMBER = re.compile(r"^[-—\s]*\d{1,3}[-—\s]*$")
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}，。、；：！？“”‘’（）《》〔〕])[ \u3000\xa0]+(?=[{_CJK}，。、；：！？“”‘’（）《》〔〕])")
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}，。、；：（])[ \u3000\xa0]+(?=[\d.%％]+)|(?<=[\d%％])[ \u3000\xa0]+(?=[{_CJK}）%％])")
_DASH_RUN = re.compile(r"-{3,}")
_HALF_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_IN_CJK = re.compile(rf"(?<=[{_CJK}”）])([,;:?!])|([,;:?!])(?=[{_CJK}“（])")
_SENTENCE_END = re.compile(r"[。！？；：”」』）)]\s*$|[。！？]”\s*$")
HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.．、]\s*\S|专栏\s*\d+|附件)"
)


@dataclass
class Table:
    """A table rebuilt from its lines: a header row and data rows of equal width."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Line:
    """A cleaned line of prose, or a whole table."""

    text: str = ""
    table: Table | None = None


def fix_spacing(text: str) -> str:
    """Remove spaces inside Chinese and between Chinese and numbers; half-width punctuation in Chinese to full."""
    text = _DASH_RUN.sub("", text)
    text = _SPACE_IN_CJK.sub("", text)
    text = _SPACE_CJK_DIGIT.sub("", text)
    text = _HALF_PUNCT_IN_CJK.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)
    return text.strip()


def repeated_page_headers(lines: list[str]) -> set[str]:
    """Short lines that recur on many pages (running headers such as 某某人民政府行政规范性文件)."""
    counts = Counter(line.strip() for line in lines if 4 <= len(line.strip()) <= 40 and "\t" not in line)
    return {text for text, n in counts.items() if n >= 3 and not HEADING_START.match(text)}


def clean_document(raw: str) -> list[Line]:
    """Cleaned prose lines and rebuilt tables, in document order."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [_BOOKMARK.sub("", line).rstrip() for line in raw.split("\n")]
    headers = repeated_page_headers(lines)
    lines = [line for line in lines if not _is_page_furniture(line, headers)]
    lines = _drop_table_of_contents(lines)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if _starts_cell_table(lines, i):
            table, i = _read_cell_per_line_table(lines, i)
            _append_table(out, table)
        elif lines[i].count("\t") >= 2 and not lines[i].startswith("\t"):
            table, i = _read_tab_separated_table(lines, i)
            _append_table(out, table)
        else:
            text = fix_spacing(lines[i])
            if text:
                out.append(Line(text=text))
            i += 1
    return _join_broken_sentences(out)


def _is_page_furniture(line: str, headers: set[str]) -> bool:
    """A running header or a bare page number such as '- 12 -' (a table cell, led by a tab, is neither)."""
    return "\t" not in line and (line.strip() in headers or bool(_PAGE_NUMBER.match(line)))


def _drop_table_of_contents(lines: list[str]) -> list[str]:
    """Remove 目录 pages: the 目录 line and heading lines that end in a page number."""
    kept = [line for line in lines if not _TOC_LINE.match(line.strip())]
    return [line for line in kept if line.strip() not in ("目录", "目 录", "目  录")]


def _starts_cell_table(lines: list[str], i: int) -> bool:
    """One cell per line, each starting with a tab: at least three such lines in a row."""
    return all(i + k < len(lines) and lines[i + k].startswith("\t") for k in range(3))


def _read_cell_per_line_table(lines: list[str], i: int) -> tuple[Table, int]:
    """Rows are runs of tab-led lines separated by blank lines; a line without a tab continues its cell."""
    rows: list[list[str]] = []
    current: list[str] = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t"):
            current.append(fix_spacing(line))
        elif not line.strip():
            if current:
                rows.append(current)
                current = []
            if i + 1 >= len(lines) or not lines[i + 1].startswith("\t"):
                break
        elif current and not HEADING_START.match(line.strip()) and len(line.strip()) <= 12:
            current[-1] += fix_spacing(line)
        else:
            break
        i += 1
    if current:
        rows.append(current)
    rows = [row for row in rows if any(cell for cell in row)]
    header, body = rows[0], rows[1:]
    return Table(header=header, rows=_mend_short_rows(body, len(header))), i


def _mend_short_rows(rows: list[list[str]], width: int) -> list[list[str]]:
    """Join a row cut by a page break with the fragment that follows it."""
    mended: list[list[str]] = []
    for row in rows:
        row = [cell for cell in row if cell] if len(row) > width else row
        if mended and len(mended[-1]) < width and len(mended[-1]) + len(row) <= width and not _is_number(row[0]):
            mended[-1].extend(row)
        else:
            mended.append(row)
    return mended


def _read_tab_separated_table(lines: list[str], i: int) -> tuple[Table, int]:
    """One row a line, cells split by tabs; rows cut by page breaks continue cell by cell."""
    header = [fix_spacing(cell) for cell in lines[i].split("\t")]
    numbered = header[0] in ("序号", "编号")
    rows: list[list[str]] = []
    i += 1
    while i < len(lines) and (not lines[i].strip() or "\t" in lines[i]):
        if not lines[i].strip():
            i += 1
            continue
        cells = [fix_spacing(cell) for cell in lines[i].split("\t")]
        cells = (cells + [""] * len(header))[: len(header)]
        if numbered and rows and not _is_number(cells[0]):
            rows[-1] = [old + new for old, new in zip(rows[-1], cells, strict=True)]
        else:
            if not numbered and rows and not cells[0]:
                cells[0] = rows[-1][0]
            rows.append(cells)
        i += 1
    return Table(header=header, rows=rows), i


def _append_table(out: list[Line], table: Table) -> None:
    if table.rows:
        out.append(Line(table=table))


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}", text.strip()))


def _join_broken_sentences(lines: list[Line]) -> list[Line]:
    """Join a prose line that stops mid-sentence with the next prose line, unless that one is a heading."""
    joined: list[Line] = []
    for line in lines:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.table is None
            and line.table is None
            and not _SENTENCE_END.search(prev.text)
            and not HEADING_START.match(prev.text)
            and not HEADING_START.match(line.text)
            and len(prev.text) >= 20
        ):
            prev.text += line.text
        else:
            joined.append(line)
    return joined
