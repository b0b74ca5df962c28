"""Each kind of export noise in the plans is undone: spaces inside Chinese, running page headers, bookmark
marks, sentences broken across lines, half-width punctuation, tables flattened to lines, the 目录 pages."""

from __future__ import annotations

import re

from knowledge.ingest.cleaning import Line, clean_document, fix_spacing
from knowledge.ingest.tables import Table


def prose(lines: list[Line]) -> list[str]:
    return [line.text for line in lines if line.table is None]


def tables(lines: list[Line]) -> list[Table]:
    return [line.table for line in lines if line.table is not None]


def rows_as_dicts(table: Table) -> list[dict[str, str]]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def table_with(lines: list[Line], column: str) -> Table:
    found = [t for t in tables(lines) if column in t.header]
    assert found, f"no table with a {column} column"
    return found[0]


def full_text(lines: list[Line]) -> str:
    parts = []
    for line in lines:
        if line.table is None:
            parts.append(line.text)
        else:
            parts += ["\t".join(line.table.header), *("\t".join(row) for row in line.table.rows)]
    return "\n".join(parts)


# --- spaces, punctuation -------------------------------------------------------------------------------


def test_spaces_inside_chinese_are_removed() -> None:
    assert fix_spacing("老 年人") == "老年人"
    assert fix_spacing("年满 60 周岁的老 年人") == "年满60周岁的老年人"
    assert fix_spacing("社区日间照料\u3000服务点") == "社区日间照料服务点"


def test_spaces_between_latin_words_are_kept() -> None:
    assert fix_spacing("Wi Fi 覆盖").startswith("Wi Fi")
    assert fix_spacing("“互联网+” 智慧养老") == "“互联网+”智慧养老"


def test_half_width_punctuation_in_chinese_becomes_full_width() -> None:
    assert fix_spacing("立足区情实际,坚持需求导向;完善服务:") == "立足区情实际，坚持需求导向；完善服务："
    assert fix_spacing("(九) 加强部门协作") == "（九）加强部门协作"
    assert fix_spacing("版本 1.5,共 3 项") == "版本1.5，共3项"


def test_english_and_between_chinese_words_becomes_he(cleaned: dict[str, list[Line]]) -> None:
    assert fix_spacing("社会主义思想 and 党的十九大") == "社会主义思想和党的十九大"
    assert fix_spacing("Rock and Roll 养老").startswith("Rock and Roll")
    assert " and " not in full_text(cleaned["万州"]) and " and " not in full_text(cleaned["资阳"])


def test_numbers_with_half_width_points_are_left_alone() -> None:
    assert fix_spacing("人均预期寿命77.12岁") == "人均预期寿命77.12岁"
    assert fix_spacing("3.5万人次") == "3.5万人次"


def test_wanzhou_spaces_and_commas_are_fixed_in_the_plan(cleaned: dict[str, list[Line]]) -> None:
    text = full_text(cleaned["万州"])
    assert "年满60周岁且生活不能自理" in text
    assert "60 周岁" not in text and "老 年人" not in text
    assert "立足区情实际，坚持需求导向，" in text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text)


# --- page furniture, marks ----------------------------------------------------------------------------


def test_repeated_page_header_is_dropped_but_a_heading_is_not() -> None:
    raw = "\n".join(
        ["某某区人民政府行政规范性文件", "一、总体目标", "第一段正文。", "某某区人民政府行政规范性文件", "- 2 -",
         "第二段正文。", "  某某区人民政府行政规范性文件  ", "二、工作任务", "第三段正文。"]
    )
    texts = prose(clean_document(raw))
    assert texts == ["一、总体目标", "第一段正文。", "第二段正文。", "二、工作任务", "第三段正文。"]


def test_wanzhou_running_header_is_gone(cleaned: dict[str, list[Line]]) -> None:
    assert "重庆市万州区人民政府行政规范性文件" not in full_text(cleaned["万州"])


def test_bookmark_marks_are_removed(cleaned: dict[str, list[Line]]) -> None:
    assert prose(clean_document("[bookmark: _GoBack]承双政字〔2022〕27号")) == ["承双政字〔2022〕27号"]
    text = full_text(cleaned["双桥"])
    assert "[bookmark" not in text and "bookmark" not in text
    assert "（一）“十三五”时期主要成就" in prose(cleaned["双桥"])


def test_bullets_and_bold_marks_are_removed(cleaned: dict[str, list[Line]]) -> None:
    texts = prose(cleaned["资阳"])
    assert "**" not in full_text(cleaned["资阳"])
    assert any(t.startswith("1.实施社区医养结合能力提升") for t in texts)
    assert not any(t.startswith("- ") for t in texts)


# --- broken sentences, titles ---------------------------------------------------------------------------


def test_sentence_broken_across_lines_and_blank_lines_is_joined() -> None:
    raw = "建立农村留守老人档案，完善为老服务措施，充分发挥基层自治组织作用，探索\n\n政府长效投入机制。\n下一段。"
    assert prose(clean_document(raw)) == [
        "建立农村留守老人档案，完善为老服务措施，充分发挥基层自治组织作用，探索政府长效投入机制。",
        "下一段。",
    ]


def test_broken_sentence_is_joined_in_ziyang(cleaned: dict[str, list[Line]]) -> None:
    texts = prose(cleaned["资阳"])
    assert any("经济困难家庭的独居、空巢、留守、失能、重残、计划生育特殊家庭等老年人纳入政府救助范围" in t for t in texts)
    assert not any(t.startswith("能、重残") for t in texts)


def test_short_line_cut_after_a_full_stop_is_joined(cleaned: dict[str, list[Line]]) -> None:
    texts = prose(cleaned["资阳"])
    assert any("规划新建资阳市老年大学。各县（区）至少开设1所老年大学，县级老年大学覆盖率达100%，60%的乡镇" in t for t in texts)
    assert not any(t.startswith("（区）至少开设") for t in texts)


def test_inline_heading_paragraph_continues_after_a_line_break(cleaned: dict[str, list[Line]]) -> None:
    texts = prose(cleaned["万州"])
    joined = [t for t in texts if t.startswith("3. 建立督促机制。")]
    assert joined and "督促试点工作开展" in joined[0]
    assert not any(t.startswith("指导，督促试点工作开展") for t in texts)


def test_a_complete_sentence_is_not_joined_to_the_next() -> None:
    assert prose(clean_document("第一句话说完了。\n第二句话也完了。")) == ["第一句话说完了。", "第二句话也完了。"]


def test_titles_dates_and_numbers_are_not_glued_to_the_text_after_them(cleaned: dict[str, list[Line]]) -> None:
    ziyang = prose(cleaned["资阳"])
    assert "资阳市“十四五”养老服务体系建设专项规划" in ziyang
    assert "2023年4月" in ziyang
    wanzhou = prose(cleaned["万州"])
    assert "万州府办发〔2020〕28号" in wanzhou
    assert any(t.endswith("工作方案的通知") for t in wanzhou)
    shuangqiao = prose(cleaned["双桥"])
    assert "关于印发承德市双桥区养老服务体系建设“十四五”规划的通知" in shuangqiao


# --- table of contents ----------------------------------------------------------------------------------


def test_ziyang_table_of_contents_is_dropped(cleaned: dict[str, list[Line]]) -> None:
    texts = prose(cleaned["资阳"])
    assert "目录" not in texts
    assert not any(re.search(r"(\.{2,}|\t)\s*\d+$", t) for t in texts)
    assert texts.count("第一章规划背景") == 1
    assert texts.count("第二节推进标准化制度建设") == 1
    assert not tables(cleaned["资阳"]) or all("第一章" not in "".join(t.header) for t in tables(cleaned["资阳"]))


def test_a_synthetic_toc_is_dropped_and_body_headings_kept() -> None:
    raw = "目 录\n第一章 总则\t1\n第一节 目标.....3\n某某规划\t2\n\n第一章 总则\n正文。"
    assert prose(clean_document(raw)) == ["第一章总则", "正文。"]


# --- tables -----------------------------------------------------------------------------------------------


def test_fuling_box_table_with_one_cell_per_line(cleaned: dict[str, list[Line]]) -> None:
    table = table_with(cleaned["涪陵"], "指标名称")
    assert table.header == ["序号", "指标名称", "2020年现状", "2025年目标", "指标属性"]
    rows = rows_as_dicts(table)
    assert [r["序号"] for r in rows] == [str(n) for n in range(1, 14)]
    beds = next(r for r in rows if r["指标名称"] == "养老服务床位总量（张）")
    assert (beds["2020年现状"], beds["2025年目标"], beds["指标属性"]) == ("5108", "≥8000", "预期性")


def test_wuxi_annex_indicator_table(cleaned: dict[str, list[Line]]) -> None:
    table = table_with(cleaned["巫溪"], "责任单位")
    assert table.header[:2] == ["序号", "指标"]
    assert "2021年目标值" in table.header and "指标性质" in table.header
    rows = rows_as_dicts(table)
    assert len(rows) == 22
    university = next(r for r in rows if r["指标"] == "老年大学覆盖面")
    assert university["序号"] == "16" and university["责任单位"] == "县卫生健康委"
    assert all(len(row) == len(table.header) for row in table.rows)


def test_wanzhou_task_table_rows_continue_across_page_breaks(cleaned: dict[str, list[Line]]) -> None:
    table = table_with(cleaned["万州"], "工作任务")
    rows = {r["序号"]: r for r in rows_as_dicts(table)}
    assert sorted(rows, key=int) == [str(n) for n in range(1, 31)]
    # the 具体内容 of row 5 continues on the next page
    assert rows["5"]["具体内容"].startswith("健全养老服务补贴和高龄补贴制度。")
    assert rows["5"]["具体内容"].endswith("将90周岁及以上的低收入老年人纳入高龄津贴发放范围。")
    # 完成时限 split over two pages: '2020 年' + '12 月'
    assert rows["7"]["完成时限"] == "2020年12月"
    assert rows["7"]["具体内容"].endswith("不少于8处养老服务设施适老化改造。")
    # a fragment continuing 具体内容 after a finished 工作任务 cell goes to 具体内容
    assert rows["27"]["具体内容"].endswith("形成一批具有辐射带动作用和推广价值的标准化建设试点示范单位。")
    assert "推广价值" not in rows["27"]["工作任务"]


def test_wanzhou_merged_task_cells_are_whole_in_every_row(cleaned: dict[str, list[Line]]) -> None:
    rows = {r["序号"]: r for r in rows_as_dicts(table_with(cleaned["万州"], "工作任务"))}
    task = "关爱困境老人，完善特殊困难老人基本服务制度。"
    assert [rows[n]["工作任务"] for n in ("4", "5", "6", "7")] == [task] * 4
    assert rows["1"]["工作任务"] == rows["3"]["工作任务"] == "健全体制机制着力构建养老服务工作体系。"
    # rows whose empty 工作任务 cell was dropped keep their content under 具体内容
    for number in ("18", "19", "28"):
        assert rows[number]["具体内容"] and rows[number]["完成时限"].startswith("2021年")
    assert rows["18"]["具体内容"].startswith("探索社会化运营模式。")
    assert rows["18"]["工作任务"] == "构建服务体系，发展农村居家和社区养老服务。"
    assert rows["2"]["牵头单位"] == "区民政局、区财政局"


def test_cell_per_line_table_with_a_row_split_by_a_page_break() -> None:
    raw = "\n".join(
        ["指标表", "\t序号", "\t指标", "\t目标值", "", "\t1", "\t床位总量", "\t600", "", "\t2", "\t护理型床位",
         "", "\t55%", "", "正文继续。"]
    )
    lines = clean_document(raw)
    table = tables(lines)[0]
    assert table.header == ["序号", "指标", "目标值"]
    assert table.rows == [["1", "床位总量", "600"], ["2", "护理型床位", "55%"]]
    assert prose(lines)[-1] == "正文继续。"


def test_tab_separated_table_with_a_continued_row() -> None:
    raw = "\n".join(
        ["序号\t工作任务\t具体内容\t完成时限", "1\t健全机制\t建立领导小组，统筹\t2020年", "\t\t推进试点。\t6月",
         "2\t\t完善政策体系。\t2020年7月", "", "后面的正文。"]
    )
    table = tables(clean_document(raw))[0]
    assert table.rows == [
        ["1", "健全机制", "建立领导小组，统筹推进试点。", "2020年6月"],
        ["2", "健全机制", "完善政策体系。", "2020年7月"],
    ]
