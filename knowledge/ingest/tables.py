"""Rebuild tables that PDF/Word export flattened to lines: one cell per line (rows split by blank lines) or
one row per line (cells split by tabs), rows cut by page breaks, merged cells spread over several rows and
rows whose empty cells were dropped."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

CellCleaner = Callable[[str], str]

_ROW_NUMBER = re.compile(r"\d{1,3}")
_DATE_LIKE = re.compile(r"^(\d{4}\s*年(\s*\d{1,2}\s*月)?|\d{1,2}\s*月|\d{4}[-.]\d{1,2})")
_SENTENCE_END = ("。", "；", "！", "？")


@dataclass
class Table:
    """A table rebuilt from its lines: a header row and data rows of equal width."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def starts_cell_per_line_table(lines: list[str], i: int) -> bool:
    """One cell per line, each starting with a tab: at least three such lines in a row."""
    return all(i + k < len(lines) and lines[i + k].startswith("\t") for k in range(3))


def starts_tab_separated_table(line: str) -> bool:
    """A row of at least three tab-separated cells, the first one filled."""
    return line.count("\t") >= 2 and not line.startswith("\t")


def read_cell_per_line_table(
    lines: list[str], i: int, clean: CellCleaner, is_heading: Callable[[str], bool]
) -> tuple[Table, int]:
    """Rows are runs of tab-led lines separated by blank lines; a short line without a tab continues its cell."""
    rows: list[list[str]] = []
    current: list[str] = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t"):
            current.append(clean(line))
        elif not line.strip():
            if current:
                rows.append(current)
                current = []
            if i + 1 >= len(lines) or not lines[i + 1].startswith("\t"):
                break
        elif current and not is_heading(line.strip()) and len(line.strip()) <= 12:
            current[-1] += clean(line)
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
        if mended and len(mended[-1]) < width and len(mended[-1]) + len(row) <= width and not is_row_number(row[0]):
            mended[-1].extend(row)
        else:
            mended.append(row)
    return mended


def read_tab_separated_table(lines: list[str], i: int, clean: CellCleaner) -> tuple[Table, int]:
    """One row a line, cells split by tabs. In a numbered table (序号 first) a line without a number continues
    the row above cell by cell (a page break cut it); merged cells are filled in afterwards."""
    header = [clean(cell) for cell in lines[i].split("\t")]
    width = len(header)
    raw_rows: list[list[str]] = []
    i += 1
    while i < len(lines) and (not lines[i].strip() or "\t" in lines[i]):
        if lines[i].strip():
            cells = [clean(cell) for cell in lines[i].split("\t")]
            if any(cells):
                raw_rows.append(cells)
        i += 1
    profile = _ColumnProfile.of([row for row in raw_rows if len(row) == width], width)
    numbered = header[0] in ("序号", "编号")
    rows: list[list[str]] = []
    for cells in raw_rows:
        continues = numbered and bool(rows) and not is_row_number(cells[0])
        if len(cells) < width:
            cells = profile.align(cells, rows[-1] if continues else None)
        cells = cells[:width]
        if continues:
            rows[-1] = [_join_cell(old, new) for old, new in zip(rows[-1], cells, strict=True)]
        else:
            if not numbered and rows and not cells[0]:
                cells[0] = rows[-1][0]
            rows.append(cells)
    if numbered:
        rows = fill_merged_cells(rows)
    return Table(header=header, rows=rows), i


def _join_cell(old: str, new: str) -> str:
    return old + new


@dataclass
class _ColumnProfile:
    """What the cells of each column look like in full rows: share of dates and typical length."""

    date_share: list[float]
    log_length: list[float]

    @classmethod
    def of(cls, rows: list[list[str]], width: int) -> _ColumnProfile:
        dates, lengths = [], []
        for column in range(width):
            values = [row[column] for row in rows if row[column]]
            dates.append(sum(bool(_DATE_LIKE.match(v)) for v in values) / len(values) if values else 0.0)
            lengths.append(sum(math.log1p(len(v)) for v in values) / len(values) if values else 0.0)
        return cls(dates, lengths)

    def align(self, cells: list[str], continued: list[str] | None = None) -> list[str]:
        """Put the cells of a row that lost empty cells back under the columns they resemble most; a
        fragment continuing a row above prefers a cell that is still unfinished there. With no evidence
        either way the missing cells are taken to be the last ones."""
        width = len(self.date_share)
        missing = width - len(cells)
        best = cells + [""] * missing
        best_cost = self._cost(best, continued)
        for gaps in combinations(range(width), missing):
            candidate = list(cells)
            for gap in gaps:
                candidate.insert(gap, "")
            cost = self._cost(candidate, continued)
            if cost < best_cost - 1e-9:
                best, best_cost = candidate, cost
        return best

    def _cost(self, row: list[str], continued: list[str] | None) -> float:
        cost = 0.0
        for column, value in enumerate(row):
            if value:
                cost += 4 * abs(float(bool(_DATE_LIKE.match(value))) - self.date_share[column])
                cost += abs(math.log1p(len(value)) - self.log_length[column])
                if continued is not None and continued[column].endswith(_SENTENCE_END):
                    cost += 2
        return cost


def fill_merged_cells(rows: list[list[str]]) -> list[list[str]]:
    """A merged cell spanning several rows comes out as fragments in its first rows and blanks below them.
    In a column with such blanks every row of the span gets the whole text; fragments are joined only in
    columns of sentences (some cell ends in 。), up to the fragment that ends one."""
    filled = [list(row) for row in rows]
    for column in range(1, len(rows[0]) if rows else 0):
        values = [row[column] for row in rows]
        if all(values) or not any(values):
            continue
        joins = any(value.endswith(_SENTENCE_END) for value in values)
        spans: list[tuple[str, list[int]]] = []
        for index, value in enumerate(values):
            if not value:
                if spans:
                    spans[-1][1].append(index)
                continue
            text, members = spans[-1] if spans else ("", [])
            continues = joins and members and values[index - 1] and not text.endswith(_SENTENCE_END)
            if continues:
                spans[-1] = (text + value, [*members, index])
            else:
                spans.append((value, [index]))
        for text, members in spans:
            for index in members:
                filled[index][column] = text
    return filled


def is_row_number(text: str) -> bool:
    return bool(_ROW_NUMBER.fullmatch(text.strip()))
