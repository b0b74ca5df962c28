"""Two short plans in the manifest format of knowledge/plans/, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

MANIFEST = (
    "file,title,issuer,doc_number,date,province,city,county,source_file\n"
    "fuling.txt,涪陵区养老服务小规划,涪陵区人民政府,,2022-06-29,重庆市,,涪陵区,\n"
    "ziyang.txt,资阳市养老服务小规划,资阳市人民政府,,2023-04,四川省,资阳市,,\n"
)

FULING = """第一章 发展基础
一、养老服务现状
全区共有养老机构30家，床位4000张，社区日间照料中心120个，基本形成居家社区机构相协调的养老服务体系。
第二章 主要任务
一、完善老年人福利制度
（一）落实高龄津贴。对80周岁以上老年人按月发放高龄津贴，90周岁以上老年人提高发放标准，所需资金由区财政保障。
（二）落实护理补贴。为经济困难的失能老年人发放护理补贴，按照失能等级分档发放，每年动态调整一次。
二、发展老年教育
（三）办好老年大学。扩大老年大学办学规模，开设书法、绘画、声乐、智能手机使用等课程，推动线上老年教育。
三、建设助餐服务网络
（四）建设老年食堂。依托社区养老服务站建设老年食堂和助餐点，为高龄、独居老年人提供送餐上门服务。
"""

ZIYANG = """一、发展目标
到2025年，每个街道至少建成一所具备综合功能的社区养老服务中心，社区养老服务设施覆盖率达到100%。
二、重点任务
（一）推进医养结合。支持养老机构与周边医疗卫生机构签约合作，为居家失能老年人提供上门医疗服务。
（二）发展智慧养老。建设全市养老服务信息平台，推广紧急呼叫、健康监测等智能设备在家庭中的使用。
（三）培养养老护理人才。开展养老护理员职业技能培训，对取得证书的护理员给予一次性补贴。
"""


def write_small_plans(directory: Path) -> Path:
    """The folder, holding manifest.csv, fuling.txt and ziyang.txt."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    (directory / "fuling.txt").write_text(FULING, encoding="utf-8")
    (directory / "ziyang.txt").write_text(ZIYANG, encoding="utf-8")
    return directory
