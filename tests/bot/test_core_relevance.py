"""What counts as an answer: rarity-weighted coverage, and the kind of fact a question asks for."""

from __future__ import annotations

from bot.dialogue.relevance import (
    AskedFor,
    TermRarity,
    asked_for,
    asks_per_person,
    coverage,
    only_total_amounts,
    states,
)

DOCS = ["高龄津贴制度", "老年人助餐服务", "老年人日间照料", "老年人健康", "老年大学建设", "社区助餐点建设"]


def test_common_words_weigh_less_than_rare_ones() -> None:
    rarity = TermRarity(DOCS)
    assert rarity.weight("老年人") < rarity.weight("高龄津贴")
    assert rarity.weight("火车票") == 0.0


def test_coverage_counts_rare_words_and_parts_of_words() -> None:
    rarity = TermRarity(DOCS)
    assert coverage(["高龄津贴", "老年人"], "高龄津贴制度", rarity) > 0.65
    assert coverage(["高龄津贴", "老年人"], "老年人健康", rarity) < 0.35
    partial = coverage(["助餐点", "助餐"], "老年人助餐服务", rarity)
    assert 0.5 < partial < 1.0


def test_words_no_plan_uses_can_be_given_weight_in_coverage() -> None:
    rarity = TermRarity(DOCS)
    question = ["老年人", "火车票", "发车"]
    assert coverage(question, "老年人健康", rarity) == 1.0
    assert coverage(question, "老年人健康", rarity, unseen_weight=1.0) < 0.3


def test_question_kinds() -> None:
    assert asked_for("高龄津贴每个月发好多钱？") is AskedFor.MONEY
    assert asked_for("多大岁数能领？") is AskedFor.AGE
    assert asked_for("一共有几家养老院？") is AskedFor.COUNT
    assert asked_for("报销百分之多少？") is AskedFor.SHARE
    assert asked_for("老年大学在哪里？") is AskedFor.NONE
    assert asked_for("老年大学要不要交学费？") is AskedFor.FEE
    assert asked_for("老年食堂的饭贵不贵？") is AskedFor.FEE
    assert asked_for("学费好多？") is AskedFor.MONEY
    assert asked_for("每个月有多少高龄津贴？") is AskedFor.MONEY
    assert asked_for("日间照料中心都有哪些服务？") is AskedFor.LIST
    assert asked_for("互助点平时能提供些啥？") is AskedFor.LIST
    assert asked_for("养老服务站一般有好大？") is AskedFor.SIZE
    assert asked_for("八十多大岁数能领？") is AskedFor.AGE
    assert asked_for("助餐点周末开门吗？") is AskedFor.HOURS
    assert asked_for("服务站的电话是多少？") is AskedFor.PHONE


def test_opening_hours_and_phone_numbers_are_stated_or_not() -> None:
    assert states(AskedFor.HOURS, ["服务站提供24小时紧急呼叫服务。"])
    assert not states(AskedFor.HOURS, ["到2025年建成10个养老服务站。"])
    assert states(AskedFor.PHONE, ["咨询电话：023-12345678。"])
    assert not states(AskedFor.PHONE, ["开通养老服务热线。"])


def test_a_fee_question_is_answered_by_free_or_a_price_word_a_list_question_by_an_enumeration() -> None:
    assert states(AskedFor.FEE, ["对70周岁以上老年人入学，免收学费。"])
    assert states(AskedFor.FEE, ["提供价格公道、营养均衡的餐食。"])
    assert not states(AskedFor.FEE, ["推动老年大学向基层延伸。"])
    assert states(AskedFor.LIST, ["提供助餐、助浴、助洁、助急等服务。"])
    assert not states(AskedFor.LIST, ["提供助餐服务。"])


def test_an_amount_asked_per_month_needs_a_monthly_amount() -> None:
    question = "高龄津贴每个月发好多钱？"
    assert not states(AskedFor.MONEY, ["发放高龄津贴2亿元，年惠及10.5万余名高龄老人。"], question)
    assert states(AskedFor.MONEY, ["对高龄失能老人每月发放200元补贴。"], question)
    assert not states(AskedFor.MONEY, ["建立高龄津贴制度。"], "高龄津贴发多少钱？")


def test_an_amount_asked_for_one_person_is_never_a_total_or_a_facility_grant() -> None:
    assert asks_per_person("我爸一个月能拿多少钱护理补贴")
    assert asks_per_person("这个津贴一年给好多钱")
    assert not asks_per_person("全市一共发了多少钱")
    assert not asks_per_person("投资建一个养老服务站政府补多少钱")
    budget = "全县共发放养老补贴3.5亿元，惠及老人8万人。"
    grant = "对新建的乡镇养老服务中心给予一次性建设补助50万元。"
    rate = "对失能老人按每人每月150元的标准发放护理补贴。"
    assert only_total_amounts(budget) and only_total_amounts(grant) and not only_total_amounts(rate)
    question = "我妈一年能领多少钱"
    assert not states(AskedFor.MONEY, [budget, grant], question)
    assert states(AskedFor.MONEY, [rate.replace("每月", "每年")], question)
    assert states(AskedFor.MONEY, [grant], "建一个养老服务中心一次性补多少钱")
    # a facility named, its grant asked, though nothing is built in the question (验收了补多少)
    assert not asks_per_person("社区养老服务站验收合格了补多少钱")
    assert states(AskedFor.MONEY, [grant], "乡镇养老服务中心验收以后能补好多钱")


def test_a_word_no_plan_uses_counts_once_not_again_for_its_parts() -> None:
    rarity = TermRarity(DOCS)
    whole = coverage(["老年大学", "曾孙女", "曾孙", "孙女"], "老年大学建设", rarity, unseen_weight=1.0)
    assert whole == coverage(["老年大学", "曾孙女"], "老年大学建设", rarity, unseen_weight=1.0)


def test_whether_there_are_any_is_answered_by_how_many() -> None:
    assert asked_for("那个中心里头有没有床位？") is AskedFor.COUNT
    assert asked_for("镇上有没得老年食堂") is AskedFor.COUNT
    assert asked_for("有没有人管") is AskedFor.NONE
    assert asked_for("有没有补贴，一个月多少钱") is AskedFor.MONEY
