"""Choosing the sentence that answers: the figure asked in its unit, the rule for the kind of ownership asked,
a sentence going on from the one before it, a heading with the sentence it introduces (hand-made passages)."""

from __future__ import annotations

from bot.dialogue.clauses import without_listed_asides
from bot.dialogue.composer import AnswerComposer, plan_sentences
from bot.dialogue.relevance import (
    DETAILS_NEEDING_THEIR_FACT,
    AskedFor,
    asked_for,
    asked_ownership,
    asked_unit,
    asks_about_all,
    asks_number,
    fact_test,
    ownership_named,
    said_of_all,
    states,
)
from bot.dialogue.scoring import SentenceScorer
from knowledge.retrieval.passages import Hit, Passage


def passage(text: str, chunk_id: str = "p1") -> Passage:
    return Passage(chunk_id=chunk_id, text=text, doc="plan.txt", title="某县养老方案", region="重庆市某县",
                   short_region="某县", section="第二章 › 第一节", start=0, end=len(text))


def weights(table: dict[str, float]):  # noqa: ANN201 - a weigh function
    return lambda word: table.get(word, 0.0)


def test_the_unit_a_question_counts_in_and_the_sentences_that_count_in_it() -> None:
    assert asked_unit("镇上的敬老院有几所？") == "所家个"
    assert asked_unit("一个点配好多名护理员") == "人名位"
    assert asked_unit("有多少个") == ""  # 个 counts anything
    in_rooms = fact_test(AskedFor.COUNT, units=asked_unit("能放几张床"))
    assert in_rooms("每个站设置 12 张护理床位。")
    assert in_rooms("托养床位数，2025年目标值：80。")  # a table row read as a sentence
    assert not in_rooms("建成助餐点15个。")
    assert not in_rooms("床位利用率提高到常住人口的3%。")
    by_household = fact_test(AskedFor.COUNT, units=asked_unit("改了多少户"))
    assert by_household("完成困难家庭改造户数（户），目标值：2500。")


def test_a_figure_is_asked_by_how_many_not_by_whether_there_is_one() -> None:
    assert asks_number("乡里有几家养老院", AskedFor.COUNT)
    assert not asks_number("乡里有没有养老院", AskedFor.COUNT)
    assert asks_number("每月发多少钱", AskedFor.MONEY)
    assert not asks_number("有些什么课", AskedFor.LIST)


def test_the_sentence_stating_the_count_asked_leads_over_the_one_naming_the_subject() -> None:
    hit = Hit(passage("支持乡镇养老服务中心按规定申请床位运营补助，简化手续。乡镇养老服务中心原则上设置 15 张以上床位。"), 1.0)
    rarity = {"乡镇": 2.0, "养老服务中心": 3.0, "床位": 2.5, "运营": 2.0, "补助": 3.0}
    question = "乡镇养老服务中心有好多张床位"
    scorer = SentenceScorer(["乡镇", "养老服务中心", "床位", "补助", "运营"], weights(rarity), AskedFor.COUNT,
                            average_length=25, question=question)
    composed = AnswerComposer(max_sentences=1).compose(scorer, [hit])
    assert composed is not None
    assert "15 张以上" in composed.sentences[0]


def test_the_rule_for_the_kind_of_ownership_asked_is_chosen_over_the_others() -> None:
    text = ("民办养老机构的收费标准由经营者自主确定。公建民营的养老机构，收费标准由运营方依据协议确定。"
            "政府运营的养老机构，按非营利原则实行政府定价。")
    rarity = {"养老机构": 2.0, "收费标准": 4.0, "公办": 3.5}
    scorer = SentenceScorer(["公办", "养老机构", "收费标准"], weights(rarity), AskedFor.FEE, average_length=25,
                            question="公办养老机构的收费标准谁定")
    composed = AnswerComposer(max_sentences=1).compose(scorer, [Hit(passage(text), 1.0)])
    assert composed is not None
    assert composed.sentences[0].startswith("政府运营")
    assert ownership_named("对公建民营机构给予补助") == {"mixed"}
    assert asked_ownership("公办和民办的都说说") == ""  # both kinds: none is preferred


def test_the_kind_of_ownership_set_aside_is_not_the_one_asked() -> None:
    assert asked_ownership("除了政府办的，社会上能不能办养老院") == "private"
    assert asked_ownership("不算民办的，还有几家") == "public"
    assert asked_ownership("社会上能不能办老年食堂") == "private"
    assert asked_ownership("除了这些还有啥") == ""


def test_a_list_going_on_from_the_sentence_naming_the_subject_answers_what_it_holds() -> None:
    text = ("建设全县居家养老信息平台。内容包括：紧急呼叫、健康档案、服务派单、补贴发放。"
            "依托居家养老信息平台开展服务质量监管，推动养老服务规范化。")
    rarity = {"居家养老": 2.0, "信息平台": 4.0, "功能": 1.0}
    scorer = SentenceScorer(["居家养老", "信息平台", "功能"], weights(rarity), AskedFor.LIST, average_length=25,
                            question="居家养老信息平台有哪些功能")
    composed = AnswerComposer(max_sentences=1).compose(scorer, [Hit(passage(text), 1.0)])
    assert composed is not None
    assert "紧急呼叫" in composed.sentences[0]
    assert scorer.score("内容包括：紧急呼叫、健康档案。") == 0.0  # alone it names nothing asked


def test_a_bracketed_list_split_at_semicolons_stays_one_sentence_and_seniors_read_it_without_the_names() -> None:
    text = "撤并一批村级敬老院。对入住率低的3所敬老院进行撤并（东镇敬老院；西乡敬老院、南岭敬老院、北坪分院）。"
    sentences = plan_sentences(passage(text))
    assert sentences[1].endswith("北坪分院）。")
    assert without_listed_asides(sentences[1]) == "对入住率低的3所敬老院进行撤并。"
    assert without_listed_asides("床位1200张（其中公办600张、民办500张、其他100张）。").endswith("100张）。")
    rarity = {"撤并": 4.0, "敬老院": 3.0}
    scorer = SentenceScorer(["撤并", "敬老院"], weights(rarity), AskedFor.COUNT, average_length=25,
                            question="要撤并好多所敬老院")
    composed = AnswerComposer(max_sentences=1).compose(scorer, [Hit(passage(text), 1.0)])
    assert composed is not None
    assert composed.sentences[0] == "对入住率低的3所敬老院进行撤并。"  # seniors: the count, not the names


def test_a_fee_question_needs_a_sentence_saying_what_is_paid_or_who_pays() -> None:
    question = "去社区食堂吃饭要交钱不"
    assert asked_for(question) is AskedFor.FEE and AskedFor.FEE in DETAILS_NEEDING_THEIR_FACT
    assert not states(AskedFor.FEE, ["每个街道建成1个社区食堂。"], question)
    assert states(AskedFor.FEE, ["对特困老年人就餐给予每餐3元补助。"], question)
    assert states(AskedFor.FEE, ["运营经费由区财政统筹承担。"], question)
    assert asked_for("住院的护理费能报销多少") is AskedFor.SHARE  # what share is paid back, not whether it costs


def test_what_a_place_becomes_is_asked_and_stated() -> None:
    assert asked_for("敬老院撤了以后拿来干啥") is AskedFor.BECOMES
    assert asked_for("那栋老楼要改成什么") is AskedFor.BECOMES
    assert asked_for("老年大学平时都干些啥") is AskedFor.LIST  # what it does, not what it becomes
    becomes = fact_test(AskedFor.BECOMES)
    assert becomes("将闲置校舍改造为社区养老服务站。")
    assert becomes("撤并后的敬老院转型为互助养老点。")
    assert not becomes("撤并3所敬老院。")


def test_a_number_said_roughly_asks_no_figure() -> None:
    assert asked_for("我妈八十几岁了，有没有高龄津贴") is AskedFor.COUNT  # 有没有, not 几岁
    assert asked_for("高龄津贴几岁能领") is AskedFor.AGE
    assert not asks_number("家里20几个人有没有补贴", AskedFor.COUNT)
    assert asked_unit("村里七十几个老人，有几所养老院") == "所家个"


def test_each_part_of_a_question_gets_the_sentence_stating_what_it_asks() -> None:
    closing = Hit(passage("撤并一批村级敬老院。对入住率低的3所敬老院进行撤并。", "p1"), 1.0)
    others = [Hit(passage(f"加强敬老院消防安全管理，第{i}批整改。", f"o{i}"), 0.9 - i / 10) for i in range(2)]
    after = Hit(passage("将撤并后的村级敬老院转型为互助养老点，方便老人就近养老。", "p2"), 0.5)
    rarity = {"撤并": 4.0, "敬老院": 3.0, "村级": 2.0}
    question = "要撤并好多所敬老院？撤了拿来干啥？"
    scorer = SentenceScorer(["撤并", "敬老院"], weights(rarity), AskedFor.COUNT, average_length=25,
                            question=question)
    parts = [SentenceScorer([], weights(rarity), asked_for(part), average_length=25, question=part,
                            context_terms=["撤并", "敬老院"]) for part in question.split("？")[:2]]
    composed = AnswerComposer(max_sentences=3).compose(scorer, [closing, *others, after], parts)
    assert composed is not None
    assert any("3所" in s for s in composed.sentences)
    assert any("转型为互助养老点" in s for s in composed.sentences)


def test_a_yes_or_no_question_about_all_of_something_is_told_from_one_asking_which() -> None:
    assert asks_about_all("村里的卫生室都能看病不？")
    assert asks_about_all("是不是每家敬老院都有护士")
    assert asks_about_all("所有老人都可以去吗")
    assert asks_about_all("这些站都管不管送药")
    assert not asks_about_all("那里都有些什么活动")  # a list is asked
    assert not asks_about_all("哪些老人都能申请")
    assert not asks_about_all("卫生室能看病吗")  # about one place, not all of them
    assert not asks_about_all("成都能报销吗")  # 都 of a place name


def test_what_a_sentence_says_of_all_of_its_subject() -> None:
    assert said_of_all("到2024年全县村卫生室均配备全科医生。")
    assert said_of_all("实现乡镇养老服务中心全覆盖。")
    assert said_of_all("城区所有小区配建养老服务设施。")
    assert not said_of_all("推进基本公共服务均等化。")
    assert not said_of_all("人均养老床位数有所提高。")
    assert not said_of_all("部分卫生室开设老年门诊。")


def test_asked_whether_all_of_them_do_it_the_sentence_saying_all_do_leads() -> None:
    hit = Hit(passage("卫生室为村里老人提供基本医疗和健康管理服务，开展家庭医生签约。"
                      "到2025年全县村卫生室均能提供老年人医疗服务。"), 1.0)
    rarity = {"卫生室": 3.0, "老人": 1.0, "医疗": 2.0, "老年人": 1.0}
    terms = ["卫生室", "老人", "医疗"]

    def lead(question: str) -> str:
        scorer = SentenceScorer(terms, weights(rarity), asked_for(question), average_length=25, question=question)
        composed = AnswerComposer(max_sentences=1).compose(scorer, [hit])
        assert composed is not None
        return composed.sentences[0]

    assert "均能" in lead("卫生室都能给老人看病不？")
    assert "均能" not in lead("卫生室给老人看病不？")
