"""Chinese text handling in one place: normalisation, Traditional → Simplified, jieba with the domain
dictionary, stop words, colloquial synonyms and voice-typing homophone repair for queries. What it loads (jieba,
OpenCC, the synonym table, the plan words by sound) is made and cached in knowledge/text/text_resources.py."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.text.place_sounds import fold
from knowledge.text.text_resources import (
    NEAR_SOUND_KEY,
    NEAR_SOUND_MIN,
    SynonymEntry,
    file_key,
    load_resources,
)

LEXICON_DIR = Path(__file__).resolve().parents[1] / "lexicon"
DOMAIN_DICTIONARY = LEXICON_DIR / "domain_dict.txt"
DEFAULT_SYNONYMS = Path(__file__).resolve().parents[2] / "nlu_data" / "data" / "synonyms.yml"
DEFAULT_DIALECT = Path(__file__).resolve().parents[2] / "nlu_data" / "data" / "dialect.yml"

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}（）《》“”：，。、；！？])\s+(?=[{_CJK}（）《》“”：，。、；！？])")
_SPACE_AROUND_DIGITS = re.compile(rf"(?<=[{_CJK}])\s+(?=\d)|(?<=\d)\s+(?=[{_CJK}%％])")
_WHITESPACE = re.compile(r"\s+")
_DIGIT_OF = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_COUNTED = re.compile(
    r"(?<![第十百千万一二两三四五六七八九])([零〇一二两三四五六七八九十百千]{1,6})(?=[多余]?(周岁|岁|万|千|元|块|张|人|所|家|户|名|床|平方米|%))"
)
# A compound numeral said on its own (八十三了, 二十四小时): a digit and a unit 十百千, not inside a longer run
# of numerals nor after 第; 十三五 and 十四五 are no numbers and stay. Lone 十/百 (十分, 百姓) are words.
_NUMERAL = re.compile(
    r"(?<![第零〇一二两三四五六七八九十百千])"
    r"(?=[零〇一二两三四五六七八九十百千]*[一二两三四五六七八九][零〇一二两三四五六七八九十百千]*(?![零〇一二两三四五六七八九十百千]))"
    r"(?=[零〇一二两三四五六七八九]*[十百千])([零〇一二两三四五六七八九十百千]{2,8})(?![零〇一二两三四五六七八九十百千])"
)
_HAN = re.compile(rf"[{_CJK}]")
# 个 inside a separable verb (送个饭, 洗个澡, 打扫个卫生), not after a numeral or demonstrative (这个, 两个)
_VERB_INFIX = re.compile(rf"(?<=[{_CJK}])(?<![这那哪一几两每各整某半三四五六七八九十百千万])个(?=[{_CJK}])")
_FUNCTION_CHARACTERS = frozenset("的了是在和有与及我你他她它们不也都就还吗呢啊吧呀么个这那哪啥咋把被给让对从到能会要想去来")
_MEMO_SIZE = 4096
_HAN_RUN = re.compile(rf"[{_CJK}]+")
_TOKEN_KEEP = re.compile(rf"[{_CJK}A-Za-z0-9]")
_LONE_ASCII = re.compile(r"[A-Za-z0-9]")

CHARACTER_MARK = "__"  # single-character terms; "_" + two characters marks a bigram

STOP_WORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "等", "我", "你", "他", "她", "它", "我们", "你们", "他们", "咱", "咱们", "俺", "吗", "呢", "啊", "吧", "呀", "么", "嘛", "哦", "哈", "啦", "喽", "哟", "噢", "啥", "啥子", "什么", "怎么", "怎么样", "咋", "咋个", "咋样", "哪", "哪里", "哪儿", "哪些", "那个", "这个", "那些", "这些", "有没有", "能不能", "可不可以", "是不是", "会不会", "可以", "能", "要", "会", "想", "就", "都", "也", "还", "又", "再", "这", "那", "个", "一个", "一下", "一些", "给", "把", "被", "对", "向", "从", "到", "为", "为了", "让", "请问", "请", "问问", "问", "一", "知道", "晓得", "听说", "听人说", "说", "讲", "告诉", "帮", "帮忙", "麻烦", "谢谢", "多少", "几", "多", "呗", "嗯", "哎", "喂", "您好", "你好", "现在", "今年", "如果", "那么", "所以", "因为", "但是", "而且", "或者", "还是", "之", "其", "其中", "以及", "并", "并且", "上", "下", "里", "中", "内", "时", "后", "前", "没", "没有", "不", "有", "着", "过", "得", "地", "之类", "方面", "情况", "问题", "好多", "多大", "几个", "几家", "一共", "总共", "莫得", "没得", "咋整", "咋办", "怎么办", "咋弄", "能否", "是否", "这边", "那边", "这里", "那里", "这儿", "那儿", "头", "里头", "屋头", "我妈", "我爸", "我娘", "我爹", "老伴", "家里", "家人", "儿子", "女儿", "媳妇", "孙子", "自己", "本人", "他家", "人家", "一下子", "真的", "对吧", "是吧", "行不行", "好不好", "要不要",
     "以后", "以前", "原来", "后来", "将来", "平时", "平常", "一般", "专门", "到底", "究竟", "好像", "大概", "差不多", "多个", "好多个", "那种", "这种", "哪种", "不能", "能够", "一直", "已经", "其实", "反正", "就是", "有些", "一样", "怎么回事", "咋回事", "意思", "拿来", "是啥", "地方"]
)


@dataclass
class ChineseText:
    """Normalises and tokenises Chinese; heavy resources (jieba, OpenCC, pinyin) load in `warm_up`."""

    dictionary: Path = DOMAIN_DICTIONARY
    synonyms_file: Path = DEFAULT_SYNONYMS
    extra_words: Iterable[str] = ()
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _converter: Any = field(default=None, init=False, repr=False)
    _synonyms: list[SynonymEntry] = field(default_factory=list, init=False, repr=False)
    _homophones: dict[tuple[str, ...], str] = field(default_factory=dict, init=False, repr=False)
    _vocabulary: frozenset[str] = field(default_factory=frozenset, init=False, repr=False)
    _repaired: dict[tuple[str, bool], str] = field(default_factory=dict, init=False, repr=False)
    _folded: dict[tuple[str, ...], str] | None = field(default=None, init=False, repr=False)

    def warm_up(self) -> None:
        """Load jieba with the domain dictionary, OpenCC and the synonym and homophone tables (shared by
        every ChineseText with the same files and words, so a process loads them once)."""
        if self._tokenizer is not None:
            return
        resources = load_resources(
            file_key(self.dictionary), file_key(self.synonyms_file), tuple(sorted(set(self.extra_words)))
        )
        self._converter, self._synonyms, self._vocabulary, self._homophones, self._tokenizer = resources

    def normalize(self, text: str) -> str:
        """NFKC, Traditional → Simplified, spaces inside Chinese removed, other runs of space folded."""
        self.warm_up()
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text).replace("\ufffd", " ")
        text = self._converter.convert(text)
        text = _SPACE_BETWEEN_CJK.sub("", text)
        text = _SPACE_AROUND_DIGITS.sub("", text)
        text = _COUNTED.sub(lambda m: _arabic(m.group(1)), text)
        text = _NUMERAL.sub(lambda m: _arabic(m.group(1)), text)
        return _WHITESPACE.sub(" ", text).strip()

    @staticmethod
    def has_chinese(text: str) -> bool:
        """Whether the text holds any Chinese character (queries without one cannot match the plans)."""
        return bool(_HAN.search(text))

    def is_word(self, word: str) -> bool:
        """Whether the dictionary (jieba's and the domain's) holds the word, rather than segmentation guessing it."""
        self.warm_up()
        return bool(self._tokenizer.FREQ.get(word))

    def word_frequency(self, word: str) -> int:
        """How often jieba's dictionary (with the domain's words) has the word; 0 for words it does not hold."""
        self.warm_up()
        return int(self._tokenizer.FREQ.get(word) or 0)

    def word_frequencies(self) -> tuple[Mapping[str, int], int]:
        """(jieba's word → count table with the domain's words and place names, the sum of its counts)."""
        self.warm_up()
        return self._tokenizer.FREQ, int(self._tokenizer.total)

    def vocabulary(self) -> frozenset[str]:
        """The plans' own words of two characters or more: the domain dictionary, place names, synonyms."""
        self.warm_up()
        return self._vocabulary

    def tokenize(self, text: str) -> list[str]:
        """Search-mode jieba tokens of normalised text, without stop words and punctuation."""
        self.warm_up()
        return self._search_tokens(self._tokenizer.lcut(self.normalize(text).lower()))

    def terms(self, text: str) -> list[str]:
        """Retrieval terms: jieba tokens plus character bigrams of what is left once stop words are cut
        out, which catch partial and unsegmented matches (日间照料点 ~ 日间照料服务点)."""
        return self.terms_and_characters(text)[0]

    def terms_and_characters(self, text: str) -> tuple[list[str], list[str]]:
        """(`terms`, the single Chinese characters of the same content, each marked with CHARACTER_MARK)
        from one segmentation. Characters are the back-off when words differ (饭堂 ~ 食堂, 失智 ~ 智力):
        retrievers weigh them low."""
        self.warm_up()
        words = self._tokenizer.lcut(self.normalize(text).lower())
        runs = _HAN_RUN.findall("".join(w if w not in STOP_WORDS else " " for w in words))
        bigrams = [f"_{run[i : i + 2]}" for run in runs for i in range(len(run) - 1)]
        characters = [f"{CHARACTER_MARK}{char}" for run in runs for char in run]
        return self._search_tokens(words) + bigrams, characters

    def _search_tokens(self, words: list[str]) -> list[str]:
        """jieba's search mode from one segmentation: the dictionary words of 2 and 3 characters inside each
        longer word come before it (what lcut_for_search does, without cutting the text twice)."""
        frequency = self._tokenizer.FREQ
        tokens: list[str] = []
        for word in words:
            for size in (2, 3):
                if len(word) > size:
                    tokens += [
                        word[i : i + size] for i in range(len(word) - size + 1) if frequency.get(word[i : i + size])
                    ]
            tokens.append(word)
        return [t for t in tokens if t not in STOP_WORDS and _TOKEN_KEEP.search(t) and not _LONE_ASCII.fullmatch(t)]

    def repair_homophones(self, text: str, heard: bool = False) -> str:
        """Replace runs that sound like a domain word but are written otherwise (高灵补贴 → 高龄补贴, 住餐点 →
        助餐点, 不贴 → 补贴). A run is replaced only when it spans whole jieba tokens and one of them is not a real
        word or a lone character: correct text (护理员, 消费权益, 养老园区, 忠心敬老院, 不住) is left alone. A
        two-character run of typed text also needs a character that is not a function word (他是能走 stays);
        `heard` text (a speech recogniser's) is trusted less: 是能 → 失能. A run of three characters or more may
        also only sound near the word, as southwestern speech and its typing blur n/l, -an/-ang, -in/-ing, zh/z
        (老年食谈 → 老年食堂, 日间招料 → 日间照料): every syllable the same once folded (`place_sounds.fold`),
        at most one in three differing before folding.
        Pinyin is slow, and one question is repaired several times on its way: results are memoised."""
        key = (text, heard)
        repaired = self._repaired.get(key)
        if repaired is None:
            if len(self._repaired) >= _MEMO_SIZE:
                self._repaired.clear()
            repaired = self._repaired[key] = self._repair_homophones(text, heard)
        return repaired

    def _repair_homophones(self, text: str, heard: bool) -> str:
        self.warm_up()
        from pypinyin import lazy_pinyin

        syllables = lazy_pinyin(text, errors=lambda chars: list(chars))
        if len(syllables) != len(text):
            return text
        tokens = self._tokenizer.lcut(text)
        starts = list(itertools.accumulate((len(token) for token in tokens), initial=0))
        token_at = {start: token for start, token in zip(starts, tokens, strict=False)}
        folded = [fold(syllable) for syllable in syllables]
        out = list(text)
        i = 0
        while i < len(text):
            for size in range(6, 1, -1):
                word = self._homophones.get(tuple(syllables[i : i + size])) or self._near_sound(
                    syllables[i : i + size], folded[i : i + size])
                if (
                    word
                    and _HAN.match(text[i])
                    and "".join(out[i : i + size]) != word
                    and (size > 2 or heard or not all(ch in _FUNCTION_CHARACTERS for ch in text[i : i + size]))
                    and self._is_misheard(i, i + size, token_at)
                ):
                    out[i : i + size] = list(word)
                    i += size - 1
                    break
            i += 1
        return self._repair_heard_sounds("".join(out)) if heard else "".join(out)

    def _repair_heard_sounds(self, text: str) -> str:
        """Heard text only, after the exact repair: a run of 3+ characters that sounds like a domain word once near
        sounds are folded (`_heard_sound`: 金老院 jin-lao-yuan → 敬老院 jing-lao-yuan) becomes that word. A
        recogniser's garbled words also make jieba invent words, so the run may start or end inside a token
        that is no dictionary word (互助养老|殿管 → 互助养老点); at least one piece it spans must be no word or a
        lone character, as in the exact repair."""
        index = self._folded_homophones()
        folded = [_heard_sound(ch) for ch in text]
        frequency = self._tokenizer.FREQ
        pieces: list[tuple[int, int, bool]] = []  # (start, end, whether a known word) of each jieba token
        position = 0
        for token in self._tokenizer.lcut(text):
            pieces.append((position, position + len(token), bool(frequency.get(token))))
            position += len(token)
        cuts = {start for start, _, _ in pieces} | {len(text)}
        cuts |= {k for start, end, known in pieces if not known for k in range(start + 1, end)}
        out = list(text)
        i = 0
        while i < len(text):
            for size in range(6, 2, -1):
                word = index.get(tuple(folded[i : i + size])) if i in cuts and i + size in cuts else None
                if word and all(folded[i : i + size]) and "".join(out[i : i + size]) != word and any(
                    end - start == 1 or not known or start < i or end > i + size
                    for start, end, known in pieces
                    if start < i + size and end > i
                ):
                    out[i : i + size] = list(word)
                    i += size - 1
                    break
            i += 1
        return "".join(out)

    def _folded_homophones(self) -> dict[tuple[str, ...], str]:
        """Folded first readings of the domain words of 3+ characters → the word; sounds shared by two dropped."""
        if self._folded is None:
            index: dict[tuple[str, ...], str] = {}
            clashes: set[tuple[str, ...]] = set()
            for word in sorted(set(self._homophones.values())):
                key = tuple(_heard_sound(ch) for ch in word)
                if len(word) >= 3 and all(key):
                    clashes |= {key} if index.setdefault(key, word) != word else set()
            self._folded = {key: word for key, word in index.items() if key not in clashes}
        return self._folded

    def _is_misheard(self, start: int, end: int, token_at: dict[int, str]) -> bool:
        """Whether text[start:end] is made of whole tokens, at least one of them no real word of its own; a run
        may also begin or end inside a token that is no real word when it is three characters or more (做室老化 → 做适老化:
        做室 is no word; 北倚辽蒙 stays)."""
        frequency = self._tokenizer.FREQ
        starts = sorted(token_at)
        first = max((s for s in starts if s <= start), default=None)
        if first is None:
            return False
        cut_words = []
        if first < start:  # the run begins inside a token: only one that is no real word may be cut
            cut_words.append(token_at[first])
        spanned: list[str] = []
        position = first
        while position < end:
            token = token_at.get(position)
            if token is None:
                return False
            spanned.append(token)
            position += len(token)
        if position != end:
            cut_words.append(spanned[-1])
        if cut_words and (end - start < 3 or any(frequency.get(word) for word in cut_words)):
            return False  # a cut is trusted only for a run of three characters or more
        if len(spanned) == 1 and frequency.get(spanned[0]):
            return False
        return any(len(token) == 1 or not frequency.get(token) for token in spanned)

    def _near_sound(self, syllables: list[str], folded: list[str]) -> str | None:
        """The plan word a run of 3+ syllables sounds near (`text_resources.homophone_index`'s folded keys), when no more than
        one syllable in three differs before folding."""
        if len(syllables) < NEAR_SOUND_MIN:
            return None
        word = self._homophones.get((NEAR_SOUND_KEY, *folded))
        if word is None:
            return None
        from pypinyin import lazy_pinyin

        differing = sum(a != b for a, b in zip(lazy_pinyin(word), syllables, strict=False))
        return word if differing <= len(syllables) // NEAR_SOUND_MIN else None

    def expand_query(self, text: str) -> str:
        """Normalised query with homophones repaired and the plan words of colloquial synonyms appended."""
        own, added = self.query_parts(text)
        return f"{own}、{added}" if added else own

    def query_parts(self, text: str) -> tuple[str, str]:
        """(the user's words normalised, homophones repaired; the plan words their colloquial synonyms add,
        separated by 、 so that no bigram spans two of them, "" when none). Retrievers may weigh the second
        part below the first."""
        text = self.repair_homophones(self.normalize(text))
        joined = _VERB_INFIX.sub("", text)
        added: list[str] = []
        for entry in self._synonyms:
            if entry.variant in text or entry.variant in joined:
                added.extend(word for word in entry.canonical if word not in text and word not in added)
        return text, "、".join(added)

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of the expanded query: what retrievers match against."""
        return self.tokenize(self.expand_query(text))


def _heard_sound(character: str) -> str:
    """The first reading of a character, toneless, near sounds folded (place_sounds.fold: zh/z, -ng/-n, n/l, f/hu)
    and aspiration dropped (pu → bu, qin → jin); "" for anything but a Chinese character."""
    from knowledge.text.place_sounds import character_sound, unaspirated

    return unaspirated(character_sound(character).primary)


def _arabic(numeral: str) -> str:
    """'八十' → '80', '三' → '3', '一百二十' → '120', '两千' → '2000'; anything else is returned unchanged."""
    total, digit = 0, None
    for char in numeral:
        if char in _DIGIT_OF:
            if digit is not None:
                return numeral  # 二三: not a number
            digit = _DIGIT_OF[char]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[char]
            total += (1 if digit is None else digit) * unit
            digit = None
    return str(total + (digit or 0))
