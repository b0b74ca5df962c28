"""Is what we found an answer? Term coverage of the question, and the kind of fact it asks for."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from enum import Enum


class AskedFor(Enum):
    """The kind of fact a question wants, when it wants a specific one."""

    MONEY = "money"
    AGE = "age"
    COUNT = "count"
    SHARE = "share"
    FEE = "fee"
    LIST = "list"
    SIZE = "size"
    HOURS = "hours"
    PHONE = "phone"
    BECOMES = "becomes"
    NONE = "none"


_QUESTION_PATTERNS: tuple[tuple[AskedFor, re.Pattern[str]], ...] = (
    (AskedFor.PHONE, re.compile(r"电话|号码|联系方式|怎么联系")),
    (AskedFor.HOURS, re.compile(r"几点|开门|关门|营业|开放时间|上班时间|周末|礼拜天|星期天|晚上|夜里|半夜|节假日")),
    (AskedFor.MONEY, re.compile(
        r"(多少|好多|几多|几)[^，,。？?！!]{0,6}(钱|块|元)|(多少|好多|几多).{0,4}(津贴|补贴|补助|工资)|(学费|费用|收费)(是|要)?(多少|好多|几多)|收费标准(是|要)?(多少|好多|几多)|多少费用|价格是?多少|价钱|一顿.{0,4}(多少|好多)"
    )),
    # 能报多少 asks what share is reimbursed, whatever fee it names
    (AskedFor.SHARE, re.compile(r"报销?(多少|好多|几成|百分之)|报得(多少|好多)")),
    (AskedFor.FEE, re.compile(r"(要|收|交|掏|出|给)(不要|不收|不交|不)?.{0,3}(钱|费)|免费|学费|费用|打折|优惠|贵不贵|贵吗|便宜|价格")),
    (AskedFor.AGE, re.compile(r"多大岁数|多少岁|几岁|好大岁数|多大年纪|年龄|岁数")),
    (AskedFor.SHARE, re.compile(r"百分之(多少|几)|多少比例|比例是|几成|占比")),
    (AskedFor.SIZE, re.compile(r"(有|修|建|占)?(多大|好大|多宽|好宽)|多少平|几平|面积|占地")),
    (AskedFor.COUNT, re.compile(r"(几|多少|好多)(个|家|所|张|处|户|人|床|座|间)|一共|总共|多少床|有多少|有好多|有几")),
    # what a place becomes or is used for once changed (关了拿来干啥, 改成什么, 以后做什么用)
    (AskedFor.BECOMES, re.compile(
        r"(拿来|用来|用作|改来|留来)(干|做|搞|弄)?(啥|什么|啥子)|(改|变|转|建|弄)成(了)?(啥|什么|啥子|哪样)|"
        r"(做|作|派)(啥|什么|啥子)(用|用场|用途)|(干|做)(啥|什么|啥子)用|用途|怎么(处理|安置|利用)"
    )),
    (AskedFor.LIST, re.compile(
        r"哪些|哪几(种|样|类|项)|(有|干|做|管|教|学|上|提供|搞|弄|办)(点|些)?(啥|什么|啥子)|(点|些)(啥|什么|啥子)|包括|包含|都有"
    )),
    # 有没有床位: whether there are any is best answered by how many the plan says there are
    (AskedFor.COUNT, re.compile(r"有没有(?!人)|有没得|有无|有不有")),
)
_FACT_PATTERNS: dict[AskedFor, re.Pattern[str]] = {
    AskedFor.MONEY: re.compile(r"\d[\d.,，]*\s*(?:元|万元|亿元|块)"),
    AskedFor.AGE: re.compile(r"\d+\s*(?:周岁|岁)"),
    AskedFor.SHARE: re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之"),
    # what one pays, or who pays it (政府补贴/补助, 个人缴费, 购买服务, 财政…)
    AskedFor.FEE: re.compile(
        r"\d[\d.,，]*\s*(?:元|万元|块)|免费|免收|免交|减免|优惠|补贴|补助|资助|缴费|自费|价格|收费|定价|指导价|购买服务|"
        r"(?:由|从)[^，。；]{1,10}(?:承担|负担|支付|出资|列支)"
    ),
    AskedFor.COUNT: re.compile(r"\d+(?:\.\d+)?\s*(?:个(?!百分点)|家|所|张|处|户|人|座|间|万|余|多)"),
    AskedFor.PHONE: re.compile(r"\d{3,4}-\d{7,8}|1\d{10}|(?<!\d)\d{7,8}(?!\d)"),
    AskedFor.HOURS: re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2}\s*[点时](?!代)|24小时|全天|昼夜|夜间|周[一二三四五六日末]|工作日|节假日"),
    AskedFor.SIZE: re.compile(r"\d+(?:\.\d+)?\s*(?:平方米|平米|亩|公顷)"),
    AskedFor.LIST: re.compile(r"[^、，。]{2,12}、[^、，。]{2,12}、[^、，。]{2,12}"),
    AskedFor.BECOMES: re.compile(r"(转型|转变|转|改|改建|改造|改扩建|整合|培育|提升|变|调整)(为|成)(?!本)|用于|用作|改作"),
}


# The measure word of a how-many question (几所, 好多张床, 多少人) and the words a plan counts the same things with.
_ASKED_UNIT = re.compile(r"(?:几|多少|好多|几多)\s*(个|家|所|张|处|户|人|床|座|间|名|位|套|批|项|条|次)")
_SAME_UNIT: dict[str, str] = {"人": "人名位", "名": "人名位", "位": "人名位", "床": "张床", "张": "张床", "家": "家所个",
                              "所": "所家个", "套": "套户", "户": "户套"}


def asked_unit(question: str) -> str:
    """The measure words a how-many question's answer is counted in (好多张床 → 张床), "" when it names none
    or only the general 个."""
    found = _ASKED_UNIT.search(without_approximations(question))
    if found is None or found.group(1) == "个":
        return ""
    return _SAME_UNIT.get(found.group(1), found.group(1))


def counts_in(units: str) -> re.Pattern[str]:
    """How a sentence states a count in those units: a number with one of them (17所, 20 张以上, 1.2万人), or a
    table row naming the unit its figures are in (新增改造户数（户），2025年目标值：10000; 照护床位数，…：300; the
    cells of a passage are separated by ；)."""
    unit = f"[{re.escape(units)}]"
    return re.compile(rf"\d[\d.,]*\s*(?:万|余|多)?\s*{unit}|[（(]{unit}[）)][^。]{{0,16}}?\d|{unit}位?数[^。]{{0,16}}[：:]\s*\d")


_HOW_MANY = re.compile(r"几|多少|好多|几多|一共|总共")
_NUMBER_KINDS = frozenset({AskedFor.MONEY, AskedFor.AGE, AskedFor.SHARE, AskedFor.SIZE, AskedFor.HOURS, AskedFor.PHONE})


_APPROXIMATE = re.compile(r"(?<=[\d一二两三四五六七八九十百千万])几")


def without_approximations(question: str) -> str:
    """The question without the 几 of a number said roughly (八十几岁, 20几个人): it states a figure, it asks
    none."""
    return _APPROXIMATE.sub("", question)


def asks_number(question: str, kind: AskedFor) -> bool:
    """Whether the question asks for a figure itself (an amount, an age, a share, how many…), not whether
    something exists (有没有床位, which a count may answer but need not)."""
    asks_count = kind is AskedFor.COUNT and bool(_HOW_MANY.search(without_approximations(question)))
    return kind in _NUMBER_KINDS or asks_count


def asked_for(question: str) -> AskedFor:
    """The kind of fact the question asks for (an amount of money, an age, a count, a share), if any."""
    question = without_approximations(question)
    for kind, pattern in _QUESTION_PATTERNS:
        if pattern.search(question):
            return kind
    return AskedFor.NONE


def holds(kind: AskedFor, sentence: str) -> bool:
    """Whether one sentence states a fact of that kind."""
    pattern = _FACT_PATTERNS.get(kind)
    return pattern is None or bool(pattern.search(sentence))


# An amount asked of one person (我妈一个月能领多少, 一年发多少钱) is answered by a rate a person gets, never by
# what a whole place spends (发放高龄津贴2亿元, 累计投入…) or what a facility is paid once (一次性建设补助100万元).
# A question about those (一共, 全区, 投资建…, 床位) asks a total and takes them.
_TOTAL_QUESTION = re.compile(
    r"一共|总共|总计|累计|总额|合计|全区|全市|全县|全省|投入|投资|预算|资金|建设|新建|修建|建(个|一个|成|好)|开办|办(个|一个)|运营|床位|机构|项目|服务站|服务中心|互助点|综合体|验收"
)
_PER_PERSON_RATE = re.compile(r"每人|每名|每位|人均|/人|／人|元/|元／|每个?月|每年|每天|每日|每餐|每顿|每次|月人均")
_TOTAL_CLAUSE = re.compile(
    r"亿元|累计|共计|总计|合计|总额|总投资|投入|筹集|全区|全市|全县|全省|全年|建设补助|建设补贴|运营补贴|一次性|床位|机构|服务中心|服务站|互助点|项目|奖补|以奖代补"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;。：:]")


def asks_per_person(question: str, kind: AskedFor | None = None) -> bool:
    """Whether a question about an amount (`kind`, else what it asks for) asks what one person gets or pays,
    not a total or a facility's grant."""
    kind = asked_for(question) if kind is None else kind
    return kind is AskedFor.MONEY and not _TOTAL_QUESTION.search(question)


def total_amount(clause: str) -> bool:
    """Whether an amount in this clause is a total (a place's budget, a sum over years, a facility's grant)."""
    if "亿元" in clause:
        return True
    return bool(_TOTAL_CLAUSE.search(clause)) and not _PER_PERSON_RATE.search(clause)


def states_personal_amount(sentence: str) -> bool:
    """Whether the sentence states an amount of money one person gets or pays: some clause holds an amount
    that is not a total."""
    money = _FACT_PATTERNS[AskedFor.MONEY]
    return any(money.search(c) and not total_amount(c) for c in _CLAUSE_SPLIT.split(sentence))


def only_total_amounts(sentence: str) -> bool:
    """A sentence whose amounts of money are all totals (发放高龄津贴2亿元): no answer to a per-person question."""
    return holds(AskedFor.MONEY, sentence) and not states_personal_amount(sentence)


def fact_test(kind: AskedFor, per_person: bool = False, units: str = "") -> Callable[[str], bool]:
    """How a text states the fact asked: for an amount asked per person, an amount that is not a total; for a
    count asked in some unit (好多户), a number in that unit."""
    if kind is AskedFor.MONEY and per_person:
        return states_personal_amount
    if kind is AskedFor.COUNT and units:
        counted = counts_in(units)
        return lambda text: bool(counted.search(text))
    return lambda text: holds(kind, text)


_RATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"每个?月|一个月|月月|按月"), "月"),
    (re.compile(r"每年|一年|每一年"), "年"),
    (re.compile(r"每天|一天|一顿|每顿|每餐"), "天顿餐日"),
    (re.compile(r"每个?人|一个人|每位|人均"), "人"),
)


DETAILS_NEEDING_THEIR_FACT: dict[AskedFor, str] = {
    AskedFor.MONEY: "具体的数目",
    AskedFor.HOURS: "具体的开放时间",
    AskedFor.PHONE: "电话号码",
    AskedFor.FEE: "收不收费、谁来出钱",
}
"""Questions whose answer is the detail itself: without a cited sentence stating it, the bot says so."""


# Details a question may ask beyond the kinds above, each with what the reply calls it and how a sentence states it.
# Without a cited sentence stating it, the reply says first that the plans do not say it and where to ask.
_DETAILS: tuple[tuple[re.Pattern[str], str, re.Pattern[str]], ...] = (
    (re.compile(r"(带|准备|交|提供|要)(哪些|什么|啥|些啥)(材料|证件|证明|资料|手续)|(材料|证件|手续)(有哪些|要哪些|是什么)|要什么手续"),
     "要带的材料", re.compile(r"身份证|户口簿|户口本|证明材料|申请表|申请材料|所需材料")),
    (re.compile(r"(哪个|哪一个|什么)窗口|(在|去|到)(哪里|哪儿|哪)(办|领|交)"),
     "具体在哪里办", re.compile(r"窗口|服务大厅|便民服务中心|受理点|办理地点")),
    (re.compile(r"(几号|哪天|哪一天|什么时候|啥时候|几时)(发|到账|打款|给钱)|发放(时间|日期)"),
     "发放的日子", re.compile(r"\d{1,2}\s*[日号]|每月.{0,6}(前|底|初)")),
    (re.compile(r"网址|网站|网页|公众号|小程序|(哪个|什么)(app|APP|App)"),
     "网址", re.compile(r"https?://|www\.|\.cn|\.com|公众号|小程序")),
    (re.compile(r"(具体|详细)(地址|位置)|门牌|地址(是|在)|在哪个位置"),
     "具体地址", re.compile(r"\d+\s*号|路\d|街\d|门牌")),
    (re.compile(r"菜单|菜谱|(吃|有)(些)?(什么|啥|哪些)菜"),
     "菜单", re.compile(r"菜单|菜谱|菜品")),
    (re.compile(r"(名额|床位|位置)(还有|还剩|剩)|还(有|剩)(没有|多少)?(名额|空位|空床)|满了没"),
     "还剩多少名额", re.compile(r"剩余|空余名额|余额")),
)


def asked_details(question: str) -> list[tuple[str, re.Pattern[str]]]:
    """The details beyond `AskedFor` the question asks for: (what the reply calls it, how a sentence states it)."""
    return [(what, fact) for pattern, what, fact in _DETAILS if pattern.search(question)]


def states(kind: AskedFor, sentences: Sequence[str], question: str = "") -> bool:
    """Whether the sentences hold a fact of that kind; an amount asked per month (per year, per person…)
    must come with that rate in the same sentence."""
    rates = [chars for pattern, chars in _RATES if pattern.search(question)]
    test = fact_test(kind, bool(question) and asks_per_person(question, kind))
    return any(
        test(s) and all(any(ch in s for ch in chars) for chars in rates) for s in sentences
    )


GUESSED_WORD_WEIGHT = 1.0
"""The most a word weighs that no dictionary holds: segmentation guessed it from the characters around it
(点有 of 互助点有好多个, 张床 of 好多张床), so it says little, however rare the same characters are in the plans."""


class TermRarity:
    """How much a word says: log inverse document frequency over the passages, computed on demand; a word
    no plan uses weighs 0 here (no passage can contain it, so it cannot tell passages apart). With `known`
    (is it a dictionary word?), a word that is not weighs at most `GUESSED_WORD_WEIGHT`."""

    def __init__(self, documents: Sequence[str], known: Callable[[str], bool] | None = None) -> None:
        self.documents = documents
        self.known = known
        self._weights: dict[str, float] = {}

    def weight(self, word: str) -> float:
        if word not in self._weights:
            df = sum(1 for doc in self.documents if word in doc)
            weight = math.log((len(self.documents) + 1) / df) if df else 0.0
            if self.known is not None and len(word) >= 2 and not self.known(word):
                weight = min(weight, GUESSED_WORD_WEIGHT)
            self._weights[word] = weight
        return self._weights[word]


def coverage(content_words: Sequence[str], text: str, rarity: TermRarity, unseen_weight: float = 0.0) -> float:
    """Share of the question's content words, each weighted by its rarity, found in the text; a word
    found only through a shorter word inside it (助餐 of 助餐点) counts for the part it shares. A word no
    plan uses weighs `unseen_weight`: a question about 客车 and 发车 is not answered by a passage that only
    shares 重庆 with it, however rare 重庆 is."""
    words = [w for w in dict.fromkeys(content_words) if len(w) >= 2]
    # a word no plan uses counts once, not again for each part of it segmentation also gave (外孙女: 外孙, 孙女)
    words = [w for w in words if rarity.weight(w) > 0 or not any(w != other and w in other for other in words)]
    weights = {w: max(rarity.weight(w), 0.0) or unseen_weight for w in words}
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    found = {w for w in words if w in text}

    def share(word: str) -> float:
        if word in found:
            return 1.0
        return max((len(part) / len(word) for part in found if part in word), default=0.0)

    return sum(weight * share(word) for word, weight in weights.items()) / total


# Who runs a place. A question about one kind (公办的收费呢) is answered by the rule for that kind, not by the
# sentence about the next kind that shares more of its words. Mixed forms are a kind of their own.
_MIXED_OWNERSHIP = re.compile(r"公建民营|民办公助|公办民营")
_OWNERSHIP: dict[str, re.Pattern[str]] = {
    "public": re.compile(r"公办|公立|公营|政府(?:办|举办|运营|开办|主办)|国有"),
    "private": re.compile(r"民办|私立|私营|私人(?:办|开)|民营|社会力量(?:举办|兴办|办)|社会资本(?:举办|兴办|办)"
                          r"|社会上[^，,。？?]{0,4}办|企业(?:办|举办|开办)|个人(?:办|开办)"),
}
_OTHER_OWNERSHIP = {"public": "private", "private": "public"}
# what is set aside (除了政府办的, 不算公办的): the other kind is asked about
_SET_ASIDE = re.compile(r"(?:除了|除开|除去|不算)([^，,。？?]{1,10}?)(?:的|以外|之外)")


def ownership_named(text: str) -> set[str]:
    """The kinds of ownership a text names: "public", "private", "mixed" (公建民营…)."""
    kinds = {"mixed"} if _MIXED_OWNERSHIP.search(text) else set()
    rest = _MIXED_OWNERSHIP.sub("", text)
    return kinds | {kind for kind, pattern in _OWNERSHIP.items() if pattern.search(rest)}


def asked_ownership(question: str) -> str:
    """The one kind of ownership a question is about ("" when it names none, or several); a kind set aside
    (除了政府办的，社会上能不能办) is not the one asked, and alone it asks the other."""
    set_aside = {kind for found in _SET_ASIDE.finditer(question) for kind in ownership_named(found.group(1))}
    kinds = ownership_named(_SET_ASIDE.sub("", question)) - set_aside
    if not kinds and len(set_aside) == 1:
        kinds = {_OTHER_OWNERSHIP.get(next(iter(set_aside)), "")} - {""}
    return next(iter(kinds)) if len(kinds) == 1 else ""


# Whether every one of something does a thing (都能…不？ 是不是都…, 所有…都…吗, 每个…都有…吗) is answered by a
# sentence saying it of all of them (均具备…, 所有…, 全覆盖, 实现…覆盖), not by one saying what some of them do.
_EVERY_ONE = re.compile(r"所有|全部|全都|每(?:个|一个|一|家|所|位|名|处|户)|各(?:个|家|所|处)|(?<![成首京])都")
_YES_OR_NO = re.compile(r"(?:吗|么|嘛|不|没|没有|没得|不是)$|是否|(.)[不没]\1")
_ASKS_WHICH = re.compile(r"哪|啥|什么|谁|多少|好多|几|怎么|怎样|如何")
_SAID_OF_ALL = re.compile(
    r"(?<![人平])均(?![衡等匀])|所有|全部|全覆盖|全面覆盖|(?<![成首京])都|一律|每(?:个|一个|家|所|户)|"
    r"实现[^，,。；;]{0,12}覆盖|覆盖[^，,。；;]{0,6}100|100\s*[%％]"
)
_QUESTION_CLAUSES = re.compile(r"[，,。.？?！!；;\s]+")


def asks_about_all(question: str) -> bool:
    """Whether a clause of the question asks, yes or no, whether all of something does a thing (not which ones:
    都有哪些 asks a list)."""
    return any(_EVERY_ONE.search(clause) and _YES_OR_NO.search(clause) and not _ASKS_WHICH.search(clause)
               for clause in _QUESTION_CLAUSES.split(question))


def said_of_all(sentence: str) -> bool:
    """Whether a sentence says something of all of what it is about (均, 所有, 全部, 全覆盖…)."""
    return bool(_SAID_OF_ALL.search(sentence))


# Whether something is charged for (收不收学费, 要不要交钱, 是不是免费): answered only by a sentence saying what is
# charged, free or paid for (`states(AskedFor.FEE, …)`); a sentence about the thing alone leaves it unsaid.
_CHARGE_QUESTION = re.compile(
    r"(收|交|要|掏|出|给|付)不(收|交|要|掏|出|给|付)?[^，,。？?]{0,3}(钱|费)|(钱|费)(要|收|交|出)?不[？?]?$"
    r"|免不免|是不是免费|免费(吗|不|没)|要钱(不|吗|没|啵)|收费(吗|不)"
)
CHARGE_DETAIL = "收不收费"
# How many of what (住多少人, 有几张床, 改多少户, 建几个): a count of people or beds, of households, of places.
_COUNT_ASKED = re.compile(r"(?:多少|好多|几多|几)个?(人|名|位|张|床|户|家|所|处|座)")
_COUNTED_TOGETHER = ("人名位张床", "户", "家所处座个")
COUNT_DETAIL = "具体的数目"
INDICATOR_WORDS = "指标、目标值"  # what a plan's table of indicators is headed with (主要发展指标, 2025年目标值)


def counts_what_is_asked(question: str, sentences: list[str]) -> bool:
    """Whether, for a question asking how many of something, a sentence holds a number and a word counting
    things of that kind (能住多少人: people or beds, not 5所机构); True for any other question."""
    asked = _COUNT_ASKED.search(without_approximations(question))
    if asked is None:
        return True
    units = next(units for units in _COUNTED_TOGETHER if asked.group(1) in units)
    return any(re.search(r"\d", s) and any(u in s for u in units) for s in sentences)


def states_the_count_asked(question: str, text: str) -> bool:
    """Whether the text states a count in the unit a how-many question asks in (改多少户 → 10000户, or a table
    row of 户数（户）): a number next to the unit, stricter than `counts_what_is_asked`."""
    units = asked_unit(question)
    return bool(units) and counts_in(units).search(text) is not None


def asks_charge(question: str) -> bool:
    """Whether the question asks if something is charged for (收不收学费, 要钱不, 是不是免费)."""
    return bool(_CHARGE_QUESTION.search(question))
