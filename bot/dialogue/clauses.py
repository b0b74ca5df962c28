"""The words a senior hears of a plan sentence: no stray heading numbers or lists of responsible units, table
rows read as plain sentences, and of a long sentence the clauses that answer, led by the best one.

Nothing is reworded: every clause is the plan's own text, so every number stays as the plan wrote it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from knowledge.ingest.chunking import split_sentences

ClauseScore = Callable[[str], float]

HEADING_NUMBER = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百]+[章节]\s*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[）)]|"
    r"\d{1,2}[.．、](?!\d)|\d{1,2}[）)]|[①-⑳])\s*"
)
TRAILING_NUMBER = re.compile(r"(?<=[。；！？])\s*\d{1,2}[.．、]?\s*$")
RESPONSIBLE_UNITS = re.compile(r"[（(〔](?:责任单位|牵头单位|配合单位)[^）)〔〕]*[）)〕]")
# a bracketed list of names (（雁江区祥符镇中心敬老院、祥符镇三柏二分院、…）): what staff check, not what a senior reads;
# a bracket with figures in it (（其中公办床位1086张、…）) stays
LISTED_ASIDE = re.compile(r"[（(][^（）()\d]*、[^（）()\d]*、[^（）()\d]*[）)]")
LISTED_ASIDE_CHARS = 24
_CLAUSE = re.compile(r"[^，,；;：:]*(?:[，,；;：:]|$)")
_END = "。；！？;!?"
_OPENING, _CLOSING = "“‘（(《〔【", "”’）)》〕】"
# table columns that say nothing to a senior (a row number, a target's kind, who is responsible)
_QUIET_COLUMNS = re.compile(r"^(?:序号|编号|分类|指标属性|属性|指标性质|牵头单位|责任单位|配合单位)$")
_NAME_COLUMNS = re.compile(r"^(?:指标名称|指标|名称|项目名称|项目|工作任务|任务|内容|具体内容|工程)$")
_PROSE_CELL = 30  # a cell this long with a sentence in it is prose: it is read as sentences of its own


def clean_sentence(sentence: str, staff: bool = False) -> str:
    """A sentence without the heading number it starts with (5.健全… → 健全…) or that a split left at its end;
    for seniors also without （责任单位：…）."""
    text = HEADING_NUMBER.sub("", sentence.strip())
    text = TRAILING_NUMBER.sub("", text)
    if not staff:
        text = RESPONSIBLE_UNITS.sub("", text)
    return re.sub(r"\s*\n\s*", "", text).strip()


def without_listed_asides(sentence: str) -> str:
    """A sentence without its long bracketed lists of names (`LISTED_ASIDE`, at least `LISTED_ASIDE_CHARS` long)."""
    return LISTED_ASIDE.sub(lambda m: "" if len(m.group()) >= LISTED_ASIDE_CHARS else m.group(), sentence)


def table_row_sentences(row: str) -> list[str]:
    """A table row ("caption：序号：5；指标：老年大学覆盖面；2021年目标值：1；…") as plain sentences: a row of
    prose cells is read as its sentences; a row of figures as "老年大学覆盖面，2021年目标值：1，2025年完成值：1。"."""
    cells = _cells(row)
    if not cells:
        return [row.rstrip("。；") + "。"]
    prose = [value for _, value in cells if len(value) >= _PROSE_CELL and re.search(r"[。，]", value)]
    if prose:
        return [s.strip() for value in prose for s in split_sentences(value.rstrip("；;") + ("" if value[-1] in _END
                else "。")) if len(s.strip()) >= 4]
    name = next((value for key, value in cells if _NAME_COLUMNS.match(key)), "")
    name = HEADING_NUMBER.sub("", name)
    figures = [f"{key}：{value}" for key, value in cells
               if value and value not in "—-" and not _QUIET_COLUMNS.match(key) and not _NAME_COLUMNS.match(key)]
    parts = [name, *figures] if name else figures
    return ["，".join(parts).rstrip("。；") + "。"] if parts else [row.rstrip("。；") + "。"]


def _cells(row: str) -> list[tuple[str, str]]:
    """(column, value) pairs of a row written "caption：column：value；column：value"."""
    body = row.split("：", 1)[1] if row.count("：") > row.count("；") + 1 else row
    pairs = []
    for cell in re.split(r"；(?=[^；：]{1,16}：)", body):
        key, sep, value = cell.partition("：")
        if not sep or len(key) > 16:
            return []
        pairs.append((key.strip(), value.strip().rstrip("；")))
    return pairs


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, each with the punctuation that closes it; a comma inside quotation marks or
    brackets (“一街道一中心，一社区一站”) closes none."""
    found: list[str] = []
    open_marks = 0
    for piece in _CLAUSE.findall(sentence):
        if not piece.strip():
            continue
        if open_marks > 0 and found:
            found[-1] += piece
        else:
            found.append(piece)
        open_marks = max(0, open_marks + sum(map(piece.count, _OPENING)) - sum(map(piece.count, _CLOSING)))
    return found


def answering_span(sentence: str, score: ClauseScore, budget: int, holds_fact: Callable[[str], bool] | None = None,
                   also: Sequence[ClauseScore] = ()) -> str:
    """The sentence itself when it fits the budget; else the run of its clauses around the one that answers
    that fits, grown towards the clauses that score, closed with 。.

    The clause that answers is the best-scoring one, among those that state the kind of fact asked
    (`holds_fact`) when any does; the best clause of each other part of the question (`also`) is taken in
    too when the run still fits."""
    if len(sentence) <= budget:
        return sentence
    parts = clauses(sentence)
    if len(parts) < 2:
        return sentence
    scores = [score(p) for p in parts]
    stating = [i for i, p in enumerate(parts) if holds_fact is not None and holds_fact(p) and scores[i] >= 0]
    top = max(range(len(parts)), key=lambda i: (scores[i], -i))
    if stating and top not in stating and any(i > top for i in stating):
        # the clause naming what is asked is followed by the one stating the fact: that one, next to it
        best = min((i for i in stating if i > top), key=lambda i: i - top)
    else:
        among = stating or range(len(parts))
        best = max(among, key=lambda i: (scores[i], -i))
    start = end = best
    length = len(parts[best])
    for other in also:
        found = [other(p) for p in parts]
        wanted = max(range(len(parts)), key=lambda i: (found[i], -i))
        low, high = min(start, wanted), max(end, wanted)
        if found[wanted] > 0 and sum(len(p) for p in parts[low : high + 1]) <= budget:
            start, end = low, high
            length = sum(len(p) for p in parts[start : end + 1])
    while True:
        options = []
        if start > 0 and length + len(parts[start - 1]) <= budget:
            options.append((scores[start - 1], 1, start - 1))
        if end + 1 < len(parts) and length + len(parts[end + 1]) <= budget:
            options.append((scores[end + 1], 0, end + 1))
        if not options:
            break
        gain, _, index = max(options)
        if gain <= 0 and length >= budget * 0.6:
            break
        if index < start:
            start = index
        else:
            end = index
        length += len(parts[index])
    span = "".join(parts[start : end + 1]).rstrip("，,；;：: ")
    return span if span.endswith(tuple(_END)) else span + "。"


def join_sentences(sentences: Sequence[str]) -> str:
    return "".join(s if s.endswith(tuple(_END)) else s + "。" for s in sentences)
