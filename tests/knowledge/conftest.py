"""Shared fixtures: the shipped plans, their cleaned and structured forms, and one knowledge base built once
into a temporary index folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.ingest.chunking import chunk_plan
from knowledge.ingest.cleaning import Line, clean_document
from knowledge.ingest.corpus import PlanText, read_plans
from knowledge.ingest.structure import Block, structure_document
from knowledge.retrieval.index import chinese_text_for
from knowledge.retrieval.passages import Passage
from knowledge.retrieval.search import KnowledgeBase
from knowledge.settings import KnowledgeSettings
from knowledge.text.chinese import ChineseText
from knowledge.text.gazetteer import Gazetteer


@pytest.fixture(scope="session")
def plan_texts() -> dict[str, PlanText]:
    """The shipped plans by short region name: 涪陵, 资阳, 巫溪, 双桥, 万州."""
    return {text.plan.short_region: text for text in read_plans()}


@pytest.fixture(scope="session")
def cleaned(plan_texts: dict[str, PlanText]) -> dict[str, list[Line]]:
    return {name: clean_document(text.raw) for name, text in plan_texts.items()}


@pytest.fixture(scope="session")
def blocks(cleaned: dict[str, list[Line]]) -> dict[str, list[Block]]:
    return {name: structure_document(lines) for name, lines in cleaned.items()}


@pytest.fixture(scope="session")
def chunked(plan_texts: dict[str, PlanText]) -> dict[str, tuple[str, list[Passage]]]:
    """Each plan's cleaned text and passages."""
    return {name: chunk_plan(text.plan, text.raw) for name, text in plan_texts.items()}


@pytest.fixture(scope="session")
def text() -> ChineseText:
    """The project's text handling with the domain dictionary and every place name."""
    chinese = chinese_text_for(Gazetteer.load())
    chinese.warm_up()
    return chinese


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A knowledge base over the shipped plans, its index built in a temporary folder."""
    index_dir = Path(tmp_path_factory.mktemp("kb")) / "index"
    base = KnowledgeBase(replace(KnowledgeSettings(), index_dir=index_dir))
    base.warm_up()
    return base

