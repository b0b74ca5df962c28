"""The systematic false-match check: the gazetteer over every sentence and every jieba token of the five plans
and over every NLU example finds no place by sound (they spell places right), and outside places only where a
real one is named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from knowledge.ingest.corpus import read_plans
from knowledge.text.chinese import ChineseText
from knowledge.text.gazetteer import Gazetteer

ROOT = Path(__file__).resolve().parents[2]
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
# Outside places the plans really name (reviewed): 涪陵 and 资阳 work with 成都, 双桥 lies near 内蒙古, 万州
# brought in an operator from 南京.
PLANS_NAME_OUTSIDE = {"成都市", "内蒙古自治区", "南京市"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    found = Gazetteer.load()
    found.warm_up()
    return found


@pytest.fixture(scope="module")
def chinese() -> ChineseText:
    text = ChineseText()
    text.warm_up()
    return text


def _plan_sentences(chinese: ChineseText) -> list[str]:
    return [chinese.normalize(s) for plan in read_plans() for s in re.split(r"[。；！？\n]", plan.raw) if s.strip()]


def _nlu_examples(chinese: ChineseText) -> list[str]:
    examples = []
    for path in sorted((ROOT / "nlu_data" / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                example = _ANNOTATION.sub(r"\1", line.strip().removeprefix("-").strip())
                if example:
                    examples.append(chinese.normalize(example))
    return examples


def test_no_sound_match_in_the_plans_or_the_nlu_examples(gazetteer: Gazetteer, chinese: ChineseText) -> None:
    texts = _plan_sentences(chinese) + _nlu_examples(chinese)
    assert len(texts) > 3000
    found = [(m.text, m.name, text) for text in texts for m in gazetteer.find(text).sound_matches]
    assert found == []


def test_no_sound_match_in_any_jieba_token_of_the_plans(gazetteer: Gazetteer, chinese: ChineseText) -> None:
    tokens = {token for sentence in _plan_sentences(chinese) for token in chinese._tokenizer.lcut(sentence)}
    assert len(tokens) > 3000
    found = sorted((t, [m.name for m in gazetteer.find(t).sound_matches]) for t in tokens if gazetteer.find(t).sound_matches)
    assert found == []


def test_outside_places_in_the_plans_are_real_ones(gazetteer: Gazetteer, chinese: ChineseText) -> None:
    named = {o.name for text in _plan_sentences(chinese) for o in gazetteer.find(text).outside}
    assert named == PLANS_NAME_OUTSIDE


def test_nlu_region_annotations_resolve(gazetteer: Gazetteer) -> None:
    """Every place the NLU data marks as a region is one the gazetteer resolves."""
    annotated = set()
    for path in sorted((ROOT / "nlu_data" / "data" / "nlu").glob("*.yml")):
        annotated |= set(re.findall(r"\[([^\]]+)\]\(region\)", path.read_text(encoding="utf-8")))
    assert len(annotated) > 20
    assert [name for name in sorted(annotated) if gazetteer.resolve_region(name) is None] == []
