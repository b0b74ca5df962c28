"""The plans folder: the manifest, errors that say how to fix them, and a plan added to it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, CorpusError, corpus_fingerprint, load_manifest
from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings

NEW_PLAN = """某某县人民政府
关于印发某某县养老服务发展方案的通知

一、总体要求
（一）工作目标。到2025年，全县建成银杏树老年食堂12个，为80周岁以上老年人每月发放
敬老关爱金100元。
二、保障措施
（一）加强领导。县民政局牵头负责。
"""


@pytest.fixture()
def plans_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plans"
    shutil.copytree(PACKAGED_PLANS_DIR, folder)
    return folder


def add_plan(folder: Path) -> None:
    (folder / "new-county-plan.txt").write_text(NEW_PLAN, encoding="utf-8")
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("new-county-plan.txt,某某县养老服务发展方案,某某县人民政府,,2024-01,四川省,乐山市,某某县,\n")


def test_manifest_lists_the_five_plans() -> None:
    plans = load_manifest()
    assert [p.short_region for p in plans] == ["涪陵", "资阳", "巫溪", "双桥", "万州"]
    assert plans[3].region == "河北省承德市双桥区" and plans[0].region == "重庆市涪陵区"


def test_an_added_plan_is_picked_up(plans_dir: Path, tmp_path: Path) -> None:
    settings = replace(KnowledgeSettings(), plans_dir=plans_dir, index_dir=tmp_path / "index")
    before = corpus_fingerprint(plans_dir)
    add_plan(plans_dir)
    assert corpus_fingerprint(plans_dir) != before
    kb = KnowledgeBase(settings)
    assert "四川省乐山市某某县" in kb.region_names()
    hits = kb.search("某某县的敬老关爱金发多少", k=3)
    assert hits and hits[0].passage.region == "四川省乐山市某某县"
    assert "100元" in hits[0].passage.text
    assert hits[0].passage.section == "一、总体要求 › （一）工作目标"


def test_an_index_is_rebuilt_when_a_plan_is_added(plans_dir: Path, tmp_path: Path) -> None:
    settings = replace(KnowledgeSettings(), plans_dir=plans_dir, index_dir=tmp_path / "index")
    first = KnowledgeBase(settings).warm_up()
    assert first.built
    assert not KnowledgeBase(settings).warm_up().built  # reloaded, not rebuilt
    add_plan(plans_dir)
    again = KnowledgeBase(settings).warm_up()
    assert again.built and len(again.store) > len(first.store)


def test_missing_plan_file_is_a_clear_error(plans_dir: Path) -> None:
    (plans_dir / "chongqing-wuxi-2022-elderly-childcare-solution.txt").unlink()
    with pytest.raises(CorpusError, match="chongqing-wuxi-2022-elderly-childcare-solution.txt not found"):
        load_manifest(plans_dir)


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no manifest.csv"):
        load_manifest(tmp_path)
