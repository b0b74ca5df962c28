"""The conversation as context: a follow-up turn resolved into a standalone question before retrieval.

- a region given after a clarification answers the question that waited (state.pending_question);
- a region switch (那巫溪呢, 资阳那边呢) asks the last question again, there;
- a place or group switch (焦石镇的呢, 农村的呢, 八十岁以上呢, 公办的呢) asks the last question again with the
  new place or group in place of the one of its kind the last question named;
- a question about the subject of the last answer (那个中心有多少床, 都提供些啥, 要自己出钱不) is asked with the
  subject words of the last question added;
- anything else is a question of its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.dialogue.relevance import AskedFor
from bot.dialogue.seam import Action
from bot.dialogue.state import ConversationState
from bot.dialogue.understanding import TurnAnalysis, Understanding
from knowledge.text.gazetteer import REGION_NAME_KINDS

NEW, PENDING, REGION_SWITCH, SWITCH, SUBJECT = "new", "pending", "region_switch", "switch", "subject"

# how about it there (怎么样, 又是什么情况): said after a place, it asks the last question there
_HOW_ABOUT = r"(又是|是)?(什么|怎么样的?)情况|情况(怎么样|如何)|又?怎么样|又?如何|又?怎样"
_SWITCH_END = re.compile(rf"(呢|嘞|喃|咧|哩|{_HOW_ABOUT})[？?！!。.，,\s]*$")
_LEAD = re.compile(
    r"^((好的|好|行|可以|要得|嗯+|哦|噢)[，,\s]+)?(那么|那(?![个些种样])|还有(?!呢)|另外|然后|再问一?下?|要是|如果|换成|换到|改成)[，,\s]*"
)
_ANAPHOR = re.compile(r"^(那么|那|还有|另外)?[，,\s]*(这个|那个|这些|那些|这种|那种|这项|这块|那块|这儿|那儿|它|其|该|都)")
_NOISE = re.compile(rf"{_HOW_ABOUT}|那边|这边|的话|那里|这里|那块|这块|一带|地区|[的呢嘞喃咧哩吗嘛啊呀哦那这还有么，,。.？?！!、\s]")
# a character of a name: no demonstrative, particle, pronoun or verb of going (他想上老年大学 names 老年大学)
_NAMING = r"(?:(?![那这的个呢我你他她人想要去上在到是有和])[\u4e00-\u9fff])"
# Words of one kind: a switch naming one of them replaces the one of the same kind the last question named.
_KINDS = (
    re.compile(r"\d+\s*(?:周岁|岁)(?:及?以上|以下|左右)?|\d+多岁"),
    re.compile(r"公办|民办|公立|私立|政府办|社会办|民营|国有|公建民营|民办公助"),
    re.compile(r"农村|乡下|乡镇|城市|城区|城里|县城|村里|镇上|乡上|街道|社区|村级|城镇"),
    re.compile(r"半失能|失能|失智|高龄|独居|空巢|留守|经济困难|困难|低保|特困|残疾|孤寡|计划生育特殊家庭"),
    re.compile(rf"{_NAMING}{{2,5}}?(?:敬老院|养老院|照护中心|服务中心|幸福院|服务站|食堂|助餐点|大学|学校|机构)"),
    re.compile(rf"{_NAMING}{{2,4}}?(?:补贴|津贴|补助|保险)"),
)
_CLAUSE = re.compile(r"[，,？?！!。；;]")
_ANAPHOR_LATER = re.compile(r"(这种|这些|这类|这样的|那种|那些)[\u4e00-\u9fff]|(这个|这些|这种|这样)[？?！!。.\s]*$")
# Words that ask about an aspect of something (what it costs and who pays, who gets it first, how many, when, what
# it takes, how one goes about it, how near or dear it is, how many are built), the people any question here is
# about and the time words of a plan: a turn of these alone names no subject of its own (要自己掏钱不,
# 哪些老人可以优先, 开销哪个出, 俺娘也能领不, 要准备啥材料, 每年新建几个).
_ASPECT = re.compile(
    r"(自己|个人)?(掏钱|出钱|花钱|给钱|交钱|要钱|收钱|付钱|自费|缴费|交费|收费|免费|费用|开销|花销|花费|经费|钱)"
    r"|哪个|哪家|哪些|哪里|哪儿|谁|多少|好多|几多|什么时候|啥时候|多久|时间|优先|条件|资格|标准|要求|手续|流程|材料"
    r"|准备|申请|办理|报名|领取|能领|去领|开始|发放|入住|参加|享受|咨询|联系"
    r"|公司|单位|企业|负责|[在来](?:搞|办|做|弄|管)"  # who runs it: 哪家公司来办, 哪个单位负责
    r"|新建|新增|建成|建设|增加|提高|提到|达到|建(?=几|多少|好多|了几)|贵不贵|远不远|近不近|快不快|方便不方便|划不划算|时候|几时"
    r"|老年人|老人家|老人|老年|我们|咱们|家里|家人|父母|爸妈|大家|母亲|父亲|老伴|老公|老婆|丈夫|妻子|爷爷|奶奶|外公"
    r"|外婆|公公|婆婆|岳父|岳母|儿子|女儿|儿女|子女|孩子|孙子|孙女|亲戚|邻居|我家|我妈|我爸|本人"
    r"|以后|今后|将来|现在|目前|每年|每月|每个月|一年|今年|明年|年底|到时候"
    r"|[嘛噻撒嘞哈哦嗦哟啵]"
)
_ASPECT_WORD = re.compile(rf"(?:{_ASPECT.pattern})+")  # a word made of aspect words only (自己出钱, 什么时候)
_SUBJECT_WORDS = 8
_PEOPLE = r"(我|我们|俺|咱|我家|家|她|他|老人|我爸|我妈|爸妈|父母|父亲|母亲|老伴|家里老人|公公婆婆|爷爷奶奶)"
_SAYS_WHERE_ONE_IS = re.compile(rf"{_PEOPLE}?住?(在|是)人?")
_WHERE_CLAUSE = re.compile(rf"{_PEOPLE}?(一个人|现在|一直)?住?(在|是)人?(那边|这边|那里|这里)?[的人]?")
_REGION_ONLY = 4  # what a turn naming a region may say besides (我是问, 有没有, 我在): it asks nothing of its own
_MIN_OWN_WEIGHT = 6.0  # rarity-weighted content a question needs to stand on its own
_UNSEEN_WEIGHT = 3.0  # a word no plan uses: the question is about something of its own (天气, 车票), not the last


@dataclass(frozen=True)
class Resolution:
    """The standalone question a turn asks, how it was found, and the kind of fact the turn itself asks for."""

    kind: str
    question: str
    asked: AskedFor
    regions: tuple[str, ...] = ()
    own_words: tuple[str, ...] = ()  # a subject follow-up's own content words: the answer must hold them too

    @property
    def follows(self) -> bool:
        return self.kind != NEW


class ConversationContext:
    """Resolves turns against a conversation's state; `weigh` is a word's rarity in the plans."""

    def __init__(self, understanding: Understanding, weigh: Callable[[str], float]) -> None:
        self.understanding = understanding
        self.weigh = weigh

    def resolve(self, turn: TurnAnalysis, state: ConversationState) -> Resolution:
        regions = turn.places.regions
        fragment = _NOISE.sub("", turn.places.text_without_places)
        waiting = state.pending_question or _unanswered_for_want_of_region(state)
        if waiting and regions and len(fragment) <= 2:
            pending = self.understanding.analyse(waiting)
            return Resolution(PENDING, pending.text, pending.asked, regions)
        last = state.last_question
        if not last:
            return Resolution(NEW, turn.text, turn.asked, regions)
        earlier = self.understanding.analyse(last)
        first, rest = _split_first(turn.text)
        gazetteer = self.understanding.index.gazetteer
        if regions and (_SWITCH_END.search(first) or _LEAD.match(first)):
            named = gazetteer.find(first)
            if named.regions and len(_NOISE.sub("", named.text_without_places)) <= 1:
                after = self.understanding.analyse(rest) if rest else None
                if after is not None and after.places.regions and len(_NOISE.sub("", after.places.text_without_places)) <= 6:
                    rest = ""  # 那资阳呢？我爸妈在资阳: the rest only says where
                elif after is not None and not self._incomplete(after):
                    return Resolution(NEW, turn.text, turn.asked, regions)
                base = self._without_places(earlier.text)
                if rest:
                    base = self._switched_text(base, rest)
                asked = turn.asked if turn.asked is not AskedFor.NONE else earlier.asked
                where = "".join(m.text for m in named.matches)
                return Resolution(REGION_SWITCH, _joined(where, base), asked, regions)
        if (regions and len(fragment) <= _REGION_ONLY and not _SAYS_WHERE_ONE_IS.fullmatch(fragment)
                and self._switchable(earlier)):
            # 我是问资阳的, 双桥有没有: only a region after a question: that question, asked there (我在巫溪 says
            # where one is: remembered, not asked)
            where = "".join(m.text for m in turn.places.matches if m.region in regions)
            return Resolution(REGION_SWITCH, _joined(where, self._without_places(earlier.text)), earlier.asked,
                              regions)
        if _SWITCH_END.search(turn.text) and len(fragment) <= 12 and self._names_something(turn):
            asked = turn.asked if turn.asked is not AskedFor.NONE else earlier.asked
            return Resolution(SWITCH, self._switched(earlier, turn), asked, regions)
        if self._incomplete(turn):
            return Resolution(SUBJECT, _joined(turn.text, self.subject(earlier)), turn.asked, regions,
                              self.subject_words(turn))
        return Resolution(NEW, turn.text, turn.asked, regions)

    def in_context(self, turn: TurnAnalysis, earlier_question: str) -> Resolution | None:
        """A turn read as a question about the subject of an earlier one (a follow-up whose standalone reading
        found nothing: 计划是要改好多户啊 after a question on 适老化改造); None when there is no earlier question
        or the turn says nothing of its own."""
        if not earlier_question or not turn.content_words:
            return None
        earlier = self.understanding.analyse(earlier_question)
        subject = self.subject(earlier)
        if not subject:
            return None
        return Resolution(SUBJECT, _joined(turn.text, subject), turn.asked, turn.places.regions,
                          self.subject_words(turn))

    def standalone(self, turn: TurnAnalysis) -> Resolution | None:
        """A follow-up read as a question of its own (read with the last subject, what it names of its own was
        not found: 有没有一按就能呼叫的 after a question on 信息共享); None when it names nothing the plans use."""
        words = self.subject_words(turn)
        if not any(self.weigh(word) > 0 for word in words if len(word) >= 2):  # 费用哪个出: 出 names nothing
            return None
        return Resolution(NEW, turn.text, turn.asked, turn.places.regions, words)

    def _switched(self, earlier: TurnAnalysis, turn: TurnAnalysis) -> str:
        """The earlier question with the turn's place or group in place of its own of the same kind."""
        question = earlier.text
        if turn.places.matches:
            same_region = set(turn.places.regions) <= set(earlier.places.regions)
            kinds = frozenset(m.place.kind for m in turn.places.matches) - REGION_NAME_KINDS
            question = self._without_places(question, kinds if same_region and kinds else None)
        return self._switched_text(question, turn.text)

    def _without_places(self, question: str, kinds: frozenset[str] | None = None) -> str:
        """The question without its place names (all, or those of `kinds`), and without a clause left saying only
        where someone is (我爸在涪陵，他想… → 他想…)."""
        cut = self.understanding.index.gazetteer.without_places(question, kinds)
        clauses = re.split(r"(?<=[，,？?！!。；;])", cut)
        kept = [c for c in clauses if not _WHERE_CLAUSE.fullmatch(_CLAUSE.sub("", c).strip())]
        return "".join(kept).strip(" ，,") or cut

    def _switched_text(self, question: str, text: str) -> str:
        """The question with each kind of word the fragment names (an age, 公办, 农村, 失能, a facility) put in
        place of the question's own of that kind; the fragment is added when it says more than that."""
        fragment = _LEAD.sub("", text)
        rest = fragment
        for kind in _KINDS:
            found = kind.search(fragment)
            if not found or len(found.group(0)) < 2:
                continue
            rest = rest.replace(found.group(0), " ")
            own = kind.search(question)
            if own is None:
                rest = fragment  # nothing of its kind to put it in place of: the fragment is said whole
                continue
            new = found.group(0)
            question = question[: own.start()] + new + kind.sub(" ", question[own.end():])
        words = self.understanding.index.text.tokenize(_NOISE.sub(" ", rest))
        if rest != fragment and all(word in question for word in words):
            return question.strip(" ，,")
        return _joined(question, fragment)

    def _switchable(self, earlier: TurnAnalysis) -> bool:
        """Whether the last question asks something of its own once its places are set aside."""
        return bool(earlier.content_words)

    def _names_something(self, turn: TurnAnalysis) -> bool:
        """Whether a short 呢 turn names a place, a group or a word the plans use (公立的呢, 焦石的呢), not only
        agreement (好的呢)."""
        return bool(turn.places.matches) or any(kind.search(turn.text) for kind in _KINDS) or any(
            self.weigh(word) > 0 for word in turn.content_words if len(word) >= 2)

    def _incomplete(self, turn: TurnAnalysis) -> bool:
        """A question that leans on the last one: it points back at it (那个中心, 这些费用, 都有啥) or says too
        little of its own to be searched alone (要自己出钱不, 以后要提到多少)."""
        if _ANAPHOR.search(turn.text) or _ANAPHOR_LATER.search(turn.text):
            return True
        return self.own_weight(turn) < _MIN_OWN_WEIGHT or self.subject_weight(turn) < _MIN_OWN_WEIGHT

    def own_weight(self, turn: TurnAnalysis) -> float:
        """How much a turn says of its own: its content words' rarity in the plans (a word they never use
        counts `_UNSEEN_WEIGHT`)."""
        return self._weight(turn.content_words)

    def subject_weight(self, turn: TurnAnalysis) -> float:
        """How much a turn's own words (not the plan words synonyms add) say of what it is about, once the
        words asking about an aspect of something (`_ASPECT`: cost, who, how many, when) are set aside."""
        return self._weight(self.subject_words(turn))

    def subject_words(self, turn: TurnAnalysis) -> tuple[str, ...]:
        """A turn's own words naming what it is about: without places, the plan words synonyms add, and the
        words asking about an aspect (`_ASPECT`) — not cut out of a longer plan word (老年大学 keeps its 老年)."""
        text = self.understanding.index.gazetteer.without_places(turn.own)
        tokenize = self.understanding.index.text.tokenize
        kept = sorted({word for word in tokenize(text) if len(word) >= 3 and self.weigh(word) > 0
                       and _ASPECT.search(word) and not _ASPECT_WORD.fullmatch(word)}, key=len, reverse=True)
        pieces = re.split(f"({'|'.join(map(re.escape, kept))})", text) if kept else [text]
        rest = "，".join(piece if piece in kept else _ASPECT.sub("，", piece) for piece in pieces)
        return tuple(tokenize(rest))

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self.weigh(word) or _UNSEEN_WEIGHT for word in dict.fromkeys(words) if len(word) >= 2)

    def subject(self, earlier: TurnAnalysis) -> str:
        """What the earlier question was about: its content words the plans use, not those asking about an
        aspect (longest, no word inside another kept), and the towns and streets it named, at most
        `_SUBJECT_WORDS`."""
        words = [w for w in dict.fromkeys(earlier.content_words) if not _ASPECT.fullmatch(w)]
        planned = [w for w in words if self.weigh(w) > 0]  # 多户, 人守: segmentation's guesses say nothing
        words = sorted(planned or words, key=len, reverse=True)
        kept: list[str] = []
        for word in words:
            if len(word) >= 2 and not any(word in other for other in kept):
                kept.append(word)
        order = {word: earlier.text.find(word) for word in kept}
        kept = sorted(kept, key=lambda w: order[w] if order[w] >= 0 else len(earlier.text))[:_SUBJECT_WORDS]
        places = [m.name for m in earlier.places.matches if m.place.kind not in REGION_NAME_KINDS and m.kind != "city"]
        return " ".join(dict.fromkeys([*places, *kept]))


def _unanswered_for_want_of_region(state: ConversationState) -> str:
    """The last question, when it was answered "not in the plans" with no region known: a region said now is
    the one it needed."""
    reply = state.last_reply
    if reply is not None and reply.action is Action.FALLBACK and reply.region is None and reply.understood:
        return state.last_question
    return ""


def _split_first(text: str) -> tuple[str, str]:
    """The first clause of a text and the rest (那巫溪呢，六十岁以上的 → 那巫溪呢, 六十岁以上的)."""
    found = _CLAUSE.search(text)
    if found is None:
        return text, ""
    return text[: found.end()], text[found.end():].strip(" ，,")


def _joined(first: str, second: str) -> str:
    first, second = first.strip(" ，,"), second.strip(" ，,")
    return f"{first} {second}".strip() if second else first
