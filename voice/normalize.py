"""Speech-text normalisation for Chinese: what a TTS engine should say for a written answer.

The written plans are full of things engines read badly: years (2025年 → 二零二五年), hotlines (12345 →
幺二三四五, cn2an would say 一万二千三百四十五), ranges (200-300元), comparators (≥60%), ratios (1︰3), clock
times (8:30-17:00), units (㎡, km), brackets, quotes and section numbering. `to_speech_text` rewrites them into
plain Chinese characters and punctuation; every engine receives only that text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from voice.spoken_numbers import read_cardinal, read_clock, read_digits, read_percent, read_year

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
NUM = r"\d+(?:\.\d+)?"
RANGE = r"\s*(?:-{1,2}|－|—{1,2}|–|~|～|至|到)\s*"
QUOTES = "“”‘’\"'「」『』《》〈〉"

# Full-width ASCII and look-alike symbols folded to plain ASCII before any rule runs.
_FOLD = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    "％": "%", "．": ".", "～": "~", "－": "-", "＋": "+", "／": "/", "＜": "<", "＞": ">", "＝": "=",
    "≧": "≥", "≦": "≤", "≈": "约", "﹪": "%", "∶": "︰", "\u3000": " ", "\u00a0": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
})

# Hotlines read digit by digit even without 热线/拨打 next to them (12345 政务服务, 12348 法律援助, 12349 养老
#服务, 96xxx local service lines); 110/120/119 only after a phone word, as they are also plain counts.
_SERVICE_HOTLINE = r"(?:123\d\d|96\d{3})"
_PHONE_CONTEXT_BEFORE = r"(?:热线|电话|拨打|致电|号码|专线|手机|服务台)[：:\s]*[" + QUOTES + r"]?"
_PHONE_CONTEXT_AFTER = r"[" + QUOTES + r"]?(?:热线|专线|电话|服务热线)"
_MEASURE_AFTER = r"(?:[个家所张人名位次元岁年月日天号条项户间座层台辆套份亩米万亿千百%]|平方|周岁|公里|小时|分钟)"

_UNITS: tuple[tuple[str, str], ...] = (
    ("km²", "平方公里"), ("km2", "平方公里"), ("㎡", "平方米"), ("m²", "平方米"), ("m2", "平方米"),
    ("平米", "平方米"), ("km", "公里"), ("kg", "公斤"), ("cm", "厘米"), ("mm", "毫米"), ("min", "分钟"),
    ("m", "米"), ("h", "小时"), ("℃", "摄氏度"), ("°C", "摄氏度"),
)
_WRAPPED = "\x00"  # marks a line that continues on the next one
_WRAP_MIN_CHARS = 40
_CHAPTER = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[章节篇]")
_HEADING = re.compile(
    r"^\s*(?:"
    r"第[一二三四五六七八九十百零〇\d]+[章节条篇部分]|"
    r"[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．]|"
    r"[（(]\d{1,2}[)）]|\d{1,2}(?:[.．、](?!\d)|\t)|[①-⑳]|"
    r"专栏\s*\d+[：:]?|[-•·*▪●○■□]\s"
    r")\s*"
)


@dataclass(frozen=True)
class Rule:
    """One rewrite: a compiled pattern and what each match becomes."""

    name: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]

    def apply(self, text: str) -> str:
        return self.pattern.sub(self.replace, text)


def _rule(name: str, pattern: str, replace: Callable[[re.Match[str]], str]) -> Rule:
    return Rule(name, re.compile(pattern), replace)


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and 1900 <= int(digits) <= 2099


def _phone(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g]
    return "，".join(read_digits(g, phone=True) for g in groups)


def _year_range(match: re.Match[str]) -> str:
    first, second, suffix = match.group(1), match.group(2), match.group(3) or ""
    if not (_is_year(first) and _is_year(second)):
        return read_cardinal(first) + "到" + read_cardinal(second) + suffix
    return read_year(first) + "到" + read_year(second) + ("年" if suffix.strip() else "")


def _iso_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1), int(match.group(2)), match.group(3)
    if not (_is_year(year) and 1 <= month <= 12) or (day and not 1 <= int(day) <= 31):
        return match.group(0).replace("-", "，")
    spoken = read_year(year) + "年" + read_cardinal(str(month)) + "月"
    return spoken + (read_cardinal(str(int(day))) + "日" if day else "")


def _year(match: re.Match[str]) -> str:
    digits = match.group(1)
    return (read_year(digits) if _is_year(digits) else read_cardinal(digits)) + "年"


def _clock_range(match: re.Match[str]) -> str:
    h1, m1, h2, m2 = match.group(1), match.group(2), match.group(3), match.group(4)
    if int(h1) > 24 or int(m1) > 59 or (h2 and (int(h2) > 24 or int(m2) > 59)):
        return match.group(0)
    spoken = read_clock(int(h1), int(m1))
    return spoken + ("到" + read_clock(int(h2), int(m2)) if h2 else "")


def _next_char(match: re.Match[str]) -> str:
    return match.string[match.end() : match.end() + 1]


def _cardinal(match: re.Match[str]) -> str:
    return read_cardinal(match.group(0), _next_char(match))


# Order matters: phones before dates before clocks before ratios before plain numbers.
RULES: tuple[Rule, ...] = (
    _rule("thousands separator", r"(?<=\d),(?=\d{3}(?!\d))", lambda m: ""),
    _rule("document number", r"[〔\[［](\d{4})[〕\]］]\s*第?\s*(\d+)\s*号",
          lambda m: read_year(m.group(1)) + "年第" + read_cardinal(m.group(2)) + "号"),
    _rule("landline", r"(?<![\d.])[(（]?(0\d{2,3})[)）]?[-\s]?(\d{7,8})(?![\d.])", _phone),
    _rule("toll-free", r"(?<![\d.])([48]00)[-\s]?(\d{3})[-\s]?(\d{4})(?![\d.])", _phone),
    _rule("mobile", r"(?<![\d.])(1[3-9]\d)(\d{4})(\d{4})(?![\d.])", _phone),
    _rule("number after phone words", r"(" + _PHONE_CONTEXT_BEFORE + r")(\d{3,12})(?![\d.])(?!\s*" + _MEASURE_AFTER + ")",
          lambda m: m.group(1) + read_digits(m.group(2), phone=True)),
    _rule("number before phone words", r"(?<![\d.])(\d{3,12})(?=" + _PHONE_CONTEXT_AFTER + ")",
          lambda m: read_digits(m.group(1), phone=True)),
    _rule("service hotline", r"(?<![\d.])(" + _SERVICE_HOTLINE + r")(?![\d.])(?!\s*" + _MEASURE_AFTER + ")",
          lambda m: read_digits(m.group(1), phone=True)),
    _rule("ISO date", r"(?<![\d.])(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?![\d.]|\s*[-—~至到])", _iso_date),
    _rule("dotted date", r"(?<![\d.])(\d{4})\.(\d{1,2})\.(\d{1,2})(?![\d.])", _iso_date),
    _rule("year range", r"(?<![\d.])(\d{4})" + RANGE + r"(\d{4})(\s*年)?", _year_range),
    _rule("year", r"(?<![\d.])(\d{4})\s*年", _year),
    _rule("clock time", r"(?<![\d.])(\d{1,2})[:：](\d{2})(?:" + RANGE + r"(\d{1,2})[:：](\d{2}))?(?!\d)",
          _clock_range),
    _rule("at least", r"≥\s*|大于等于|>=", lambda m: "不低于"),
    _rule("at most", r"≤\s*|小于等于|<=", lambda m: "不高于"),
    _rule("more than", r">\s*(?=\d)", lambda m: "高于"),
    _rule("less than", r"<\s*(?=\d)", lambda m: "低于"),
    _rule("range with unit on both sides", r"(" + NUM + r")([岁元年月日天个万亿])" + r"\s*(?:-{1,2}|—{1,2}|–|~)\s*(?=\d)",
          lambda m: read_cardinal(m.group(1), m.group(2)) + m.group(2) + "到"),
    _rule("percent range", r"(" + NUM + r")\s*%?" + RANGE + r"(" + NUM + r")\s*%",
          lambda m: read_percent(m.group(1)) + "到" + read_percent(m.group(2))),
    _rule("percent", r"(" + NUM + r")\s*%", lambda m: read_percent(m.group(1))),
    _rule("per mille", r"(" + NUM + r")\s*‰", lambda m: "千分之" + read_cardinal(m.group(1))),
    _rule("ratio", r"(?<![\d.])(\d+)\s*[︰:：]\s*(\d+)(?![\d.])",
          lambda m: read_cardinal(m.group(1)) + "比" + read_cardinal(m.group(2))),
    _rule("fraction", r"(?<![\d./])(\d{1,3})/(\d{1,3})(?![\d./])",
          lambda m: read_cardinal(m.group(2)) + "分之" + read_cardinal(m.group(1))),
    _rule("number range", r"(" + NUM + r")" + r"\s*(?:-{1,2}|—{1,2}|–|~)\s*" + r"(" + NUM + r")",
          lambda m: read_cardinal(m.group(1)) + "到" + read_cardinal(m.group(2), _next_char(m))),
    _rule("per unit pair", r"/([" + CJK + r"])[·•]([" + CJK + r"])", lambda m: f"每{m.group(1)}每{m.group(2)}"),
    _rule("per unit", r"/(?=[" + CJK + r"])", lambda m: "每"),
    _rule("plus", r"(?<=[\w" + CJK + r"])\s*\+\s*", lambda m: "加"),
    _rule("cardinal", NUM, _cardinal),
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    text = re.sub(r"\[([^\]\n]+)\]\((?:https?://|mailto:)[^)\s]*\)", r"\1", text)  # markdown link → its words
    text = re.sub(r"(?:https?://|www\.)[\w\-.~:/?#\[\]@!$&'()*+,;=%]+", "，网址请看文字，", text)
    text = re.sub(r"\[bookmark:[^\]]*\]", "", text)
    text = re.sub(r"\*{1,3}|#{1,6}\s|`+", "", text)
    return "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\t\n" else ch for ch in text)


def _drop_headings(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"[.…·]{3,}\s*\d*\s*$", "", line)  # table-of-contents leaders and page numbers
        if _CHAPTER.match(line):  # "第二章 总体要求\t10": a contents line, its page number goes too
            line = re.sub(r"\s+\d{1,3}\s*$", "", line)
        previous = None
        while previous != line:
            previous, line = line, _HEADING.sub("", line, count=1)
        line = line.strip()
        if not line:
            continue
        if lines and lines[-1].endswith(_WRAPPED):  # a long line cut mid-sentence by PDF extraction
            lines[-1] = lines[-1][: -len(_WRAPPED)] + line
        else:
            lines.append(line)
        if not re.search(r"[。！？；!?;:：，,]$", lines[-1]):
            # titles end without punctuation; a long paragraph line that does was wrapped mid-sentence
            wrapped = len(lines[-1]) >= _WRAP_MIN_CHARS and re.search(r"[。；]", lines[-1])
            lines[-1] += _WRAPPED if wrapped else "。"
    text = "".join(lines).replace(_WRAPPED, "。")
    # numbering glued after a sentence end: "……制度。2.推进……", "（一）" anywhere
    text = re.sub(r"(?<=[。；！？：])\s*(?:\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）])\s*", "", text)
    text = re.sub(r"[（(][一二三四五六七八九十]{1,3}[)）]", "", text)
    return re.sub(r"(?<=[。；！？])\s*第[一二三四五六七八九十百\d]+[章节条篇]\s*", "", text)


def _tidy_spaces(text: str) -> str:
    text = re.sub(r"\t+", "，", text)
    text = re.sub(r"[ \t]+", " ", text)
    # spaces next to Chinese are layout, not words: "到 2022 年" → "到2022年", "养老服 务" → "养老服务"
    return re.sub(r"(?<=[" + CJK + r"，。、；：！？“”（）%])\s+|\s+(?=[" + CJK + r"，。、；：！？“”（）%])", "", text)


def _read_units(text: str) -> str:
    for written, spoken in _UNITS:
        text = re.sub(r"(?<=\d)\s*" + re.escape(written) + r"(?![A-Za-z])", spoken, text)
    return text


def _punctuation(text: str) -> str:
    text = re.sub(r"[" + QUOTES + r"]", "", text)
    # a short aside between words reads as one word: 县（区） → 县区, 乡镇（街道） → 乡镇街道
    text = re.sub(r"(?<=[" + CJK + r"])[（(]([" + CJK + r"]{1,4})[）)](?=[" + CJK + r"—\-，。、；：！？”’」]|$)", r"\1", text)
    text = re.sub(r"[（(【\[〔［{]", "，", text)
    text = re.sub(r"[）)】\]〕］}]", "，", text)
    text = re.sub(r"——|—|–|…+|·|•|~|/|\\|\||_|=|-(?=[" + CJK + r"])|(?<=[" + CJK + r"])-", "，", text)
    text = text.replace("&", "和")
    text = re.sub(r"(?<=[" + CJK + r"])\s*and\s*(?=[" + CJK + r"])", "和", text)
    ascii_to_cjk = {",": "，", ";": "；", "?": "？", "!": "！", ":": "："}
    text = re.sub(r"[,;?!:]", lambda m: ascii_to_cjk[m.group(0)], text)
    text = re.sub(r"\.(?!\w)", "。", text)
    # keep only what can be spoken: Chinese, Latin letters, digits already read, Chinese punctuation
    text = re.sub(r"[^" + CJK + r"A-Za-z0-9，。、；：！？ .]", "", text)
    text = re.sub(r"([，、；：])[，、；：]+", r"\1", text)
    text = re.sub(r"[，、；：]+([。！？])", r"\1", text)
    text = re.sub(r"([。！？])[，、；：。！？]+", r"\1", text)
    text = re.sub(r"^[，、；：。！？\s]+", "", text)
    return text.strip()


def has_speakable_text(text: str) -> bool:
    """True when the text holds at least one Chinese character, Latin letter or digit."""
    return re.search(r"[" + CJK + r"A-Za-z0-9０-９]", text) is not None


def to_speech_text(text: str) -> str:
    """Written answer → the plain Chinese an engine should read (empty if nothing speakable remains)."""
    text = _drop_headings(_fold(text))
    text = _tidy_spaces(text)
    text = _read_units(text)
    for rule in RULES:
        text = rule.apply(text)
    text = _punctuation(text)
    if text and not re.search(r"[。！？]$", text):
        text = text.rstrip("，、；：") + "。"
    return text if has_speakable_text(text) else ""
