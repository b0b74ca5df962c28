"""Heading hierarchy and section paths of each of the five plans, 专栏 boxes and inline headings."""

from __future__ import annotations

import pytest

from knowledge.ingest.cleaning import Line
from knowledge.ingest.structure import Block, heading_rank, split_heading, structure_document

SEP = " › "


def paths(blocks: list[Block], kind: str | None = None) -> list[str]:
    return [SEP.join(b.section) for b in blocks if kind is None or b.kind == kind]


def headings(blocks: list[Block]) -> list[str]:
    return paths(blocks, "heading")


def section_of(blocks: list[Block], text_start: str) -> str:
    found = [SEP.join(b.section) for b in blocks if b.kind != "heading" and b.text.startswith(text_start)]
    assert found, f"no block starts with {text_start}"
    return found[0]


def test_fuling_chapters_sections_and_boxes(blocks: dict[str, list[Block]]) -> None:
    fuling = headings(blocks["涪陵"])
    assert "第三章 完善居家社区养老服务网络 › 第一节 强化养老服务设施建设" in fuling
    assert "第十二章 强化规划实施保障 › 第四节 落实评估考核" in fuling
    assert (
        "第六章 提升医养康养结合服务能力 › 第三节 完善老年健康支持和服务体系 › 专栏4 医养康养融合重点项目" in fuling
    )
    assert sum(h.count(SEP) == 0 for h in fuling) == 12  # 第一章 … 第十二章
    assert section_of(blocks["涪陵"], "江北街道医养结合项目").endswith("专栏4 医养康养融合重点项目")


def test_fuling_box_holding_a_table_ends_with_the_table(blocks: dict[str, list[Block]]) -> None:
    rows = [b for b in blocks["涪陵"] if b.kind == "table_row"]
    box = "第一章 全面开启健康养老新时代 › 第四节 发展目标 › 专栏1 涪陵区养老事业发展“十四五”发展目标指标体系"
    assert {SEP.join(r.section) for r in rows} == {box}
    assert any("养老服务床位总量（张）" in r.text and "≥8000" in r.text for r in rows)
    assert section_of(blocks["涪陵"], "至2035年") == "第一章 全面开启健康养老新时代 › 第四节 发展目标"


def test_ziyang_chapter_with_a_stale_number_and_numbered_items_inside_boxes(blocks: dict[str, list[Block]]) -> None:
    ziyang = headings(blocks["资阳"])
    assert not any("第三章 第四章" in h for h in ziyang)
    assert "第四章 优化多层次养老服务供给" in ziyang
    box = "第四章 优化多层次养老服务供给 › 第一节 大力发展居家社区养老服务 › 专栏1 居家社区养老服务提质增效工程"
    assert box in ziyang
    assert section_of(blocks["资阳"], "3.建立老年人助餐服务网络") == f"{box} › 3. 建立老年人助餐服务网络"
    assert "第四章 优化多层次养老服务供给 › 第二节 提高机构养老服务水平" in ziyang
    assert "第十章 保障措施 › 第四节 注重宣传引导" in ziyang


def test_wuxi_inline_headings_and_annex(blocks: dict[str, list[Block]]) -> None:
    wuxi = blocks["巫溪"]
    assert "四、保障要素 › （十三）加大资金投入" in headings(wuxi)
    assert section_of(wuxi, "（十三）加大资金投入。") == "四、保障要素 › （十三）加大资金投入"
    assert (
        "三、重点任务 › （九）积极发展老年大学 › 13. 搭建教育阵地" in headings(wuxi)
    )
    annex = [h for h in headings(wuxi) if h.startswith("附件")]
    assert annex == ["附件 养老托育服务健康发展主要指标"]
    rows = [b for b in wuxi if b.kind == "table_row"]
    assert len(rows) == 22 and all(SEP.join(r.section) == annex[0] for r in rows)
    assert any(r.text.startswith("养老托育服务健康发展主要指标：序号：16；指标：老年大学覆盖面") for r in rows)


def test_shuangqiao_boxes_inside_numbered_items(blocks: dict[str, list[Block]]) -> None:
    shuangqiao = headings(blocks["双桥"])
    item = "三、主要任务及重点工程 › （二）优化普惠型养老服务供给体系 › 3. 丰富社区养老服务内容"
    assert f"{item} › 专栏1 社区居家养老服务能力提升工程" in shuangqiao
    # the next numbered item closes the box and is a sibling of 3.
    assert "三、主要任务及重点工程 › （二）优化普惠型养老服务供给体系 › 4. 推动机构养老提质发展" in shuangqiao
    assert section_of(blocks["双桥"], "助餐服务网络建设").endswith("专栏1 社区居家养老服务能力提升工程")
    assert "四、实施保障 › （四）落实评估考核" in shuangqiao


def test_wanzhou_sections_with_half_width_brackets_and_the_task_table(blocks: dict[str, list[Block]]) -> None:
    wanzhou = headings(blocks["万州"])
    assert "二、试点工作任务 › （九）加强部门协作，推动医养融合发展 › 23. 推进家庭医生签约制度" in wanzhou
    assert "二、试点工作任务 › （十一）建立时间银行，打造区块链+养老生态服务体系 › 29. 建立时间银行" in wanzhou
    rows = [b for b in blocks["万州"] if b.kind == "table_row"]
    assert len(rows) == 30
    assert {SEP.join(r.section) for r in rows} == {"附件 重庆市万州区居家和社区养老服务改革试点工作任务分工表"}
    assert rows[28].text.startswith("重庆市万州区居家和社区养老服务改革试点工作任务分工表：序号：29；")
    assert "“当下储存、未来支取”" in rows[28].text


@pytest.mark.parametrize("name", ["涪陵", "资阳", "巫溪", "双桥", "万州"])
def test_every_plan_has_a_preamble_then_only_real_sections(name: str, blocks: dict[str, list[Block]]) -> None:
    plan = blocks[name]
    assert plan[0].section == ("前言",)
    first_heading = next(i for i, b in enumerate(plan) if b.kind == "heading")
    assert all(b.section != ("前言",) for b in plan[first_heading:])
    assert all(b.text.strip() for b in plan)
    assert len(set(headings(plan))) == len(headings(plan))


def test_heading_rank_and_split() -> None:
    assert heading_rank("第一章 总体要求") == 1
    assert heading_rank("（十三）加大资金投入。正文") == 4
    assert heading_rank("1.5万人次参加") is None
    assert heading_rank("2025年，全市建成") is None
    assert split_heading("（十三）加大资金投入。县财政每年安排资金。") == (
        "（十三）加大资金投入",
        "（十三）加大资金投入。县财政每年安排资金。",
    )
    assert split_heading("专栏 1：居家社区养老服务提质增效工程") == ("专栏1 居家社区养老服务提质增效工程", "")
    assert split_heading("第三章 第四章 优化多层次养老服务供给") == ("第四章 优化多层次养老服务供给", "")
    assert split_heading("附件：主要指标") == ("附件 主要指标", "")


def test_numbered_items_in_a_box_stay_in_the_box_until_the_next_section() -> None:
    lines = [Line(t) for t in ["第一节 居家养老", "专栏1 重点工程", "1.甲项目。内容。", "2.乙项目。内容。",
                                "第二节 机构养老", "正文。"]]
    result = {b.text: SEP.join(b.section) for b in structure_document(lines) if b.kind == "paragraph"}
    assert result == {
        "1.甲项目。内容。": "第一节 居家养老 › 专栏1 重点工程 › 1. 甲项目",
        "2.乙项目。内容。": "第一节 居家养老 › 专栏1 重点工程 › 2. 乙项目",
        "正文。": "第二节 机构养老",
    }


def test_list_items_in_a_box_are_paragraphs_of_their_own_sections(blocks: dict[str, list[Block]]) -> None:
    box = "第四章 优化多层次养老服务供给 › 第四节 加快推进医养康养结合服务 › 专栏4 医养康养融合发展保障工程"
    ziyang = blocks["资阳"]
    # a short item with nothing under it is still content
    assert section_of(ziyang, "3.新建市老年病医院") == f"{box} › 3. 新建市老年病医院，扩增老年医疗服务供给"
    # a long item without a short first sentence is titled by its first clause
    assert section_of(ziyang, "2.开展失能老年人“健康敲门行动”") == f"{box} › 2. 开展失能老年人“健康敲门行动”"
    # a section heading with children under it is not repeated as a paragraph
    assert not any(b.kind == "paragraph" and b.text == "第四章 优化多层次养老服务供给" for b in ziyang)
