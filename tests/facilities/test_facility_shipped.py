"""The shipped directory holds only what the plans say: every row's quote is in its plan's text."""

from __future__ import annotations

import re

import pytest

from knowledge.facilities.schema import read_facility_file
from knowledge.facilities.store import PACKAGED_FACILITIES_DIR
from knowledge.ingest.corpus import PACKAGED_PLANS_DIR, load_manifest

SHIPPED = PACKAGED_FACILITIES_DIR / "plan_facilities.csv"
ROWS = read_facility_file(SHIPPED)


def squeeze(text: str) -> str:
    """Plan texts break lines inside sentences (page breaks): compare without any whitespace."""
    return re.sub(r"\s+", "", text)


PLANS = {plan.file: plan for plan in load_manifest()}
PLAN_TEXT = {name: squeeze((PACKAGED_PLANS_DIR / name).read_text(encoding="utf-8")) for name in PLANS}


def covered_by(name: str, pool: str, max_pieces: int = 3) -> bool:
    """The name is made of at most `max_pieces` pieces each found in the pool (longest pieces first)."""
    pieces, rest = 0, name
    while rest:
        size = next((n for n in range(len(rest), 0, -1) if rest[:n] in pool), 0)
        if size == 0:
            return False
        rest, pieces = rest[size:], pieces + 1
    return pieces <= max_pieces


def test_shipped_file_validates_and_is_the_only_file() -> None:
    assert len(ROWS) > 50
    assert sorted(p.name for p in PACKAGED_FACILITIES_DIR.glob("*.csv")) == ["plan_facilities.csv"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_every_row_is_backed_by_its_plan(row) -> None:
    assert row.source in PLANS, f"{row.name}: source must be a plan file of the manifest"
    plan = PLANS[row.source]
    assert row.region == plan.region
    assert row.quotes, f"{row.name}: no source_quote"
    text = PLAN_TEXT[row.source]
    for quote in row.quotes:
        assert squeeze(quote) in text, f"{row.name}: quote not in {row.source}: {quote}"
    pool = "".join(squeeze(q) for q in row.quotes)
    short = plan.short_region
    assert covered_by(row.name, pool + "|" + short + plan.city), f"{row.name} is not named by its quote"
    for value in (row.town, row.address, row.beds.removeprefix("约")):
        assert squeeze(value) in pool, f"{row.name}: {value!r} is not in the quote"
    if row.county:
        assert place_short(row.county) in pool, f"{row.name}: county {row.county} not in the quote"


def place_short(county: str) -> str:
    return county[:-1] if len(county) > 2 and county[-1] in "区县" else county


def test_nothing_is_invented() -> None:
    for row in ROWS:
        assert row.lat is None and row.lon is None, row.name
        assert not row.phone and not row.hours, row.name


def test_examples_of_the_plans_are_present() -> None:
    shown = {row.display_name: row for row in ROWS}
    for name in ["乐至县童家镇敬老院", "雁江区祥符镇中心敬老院", "美心养老院", "资阳市老年大学",
                 "清溪特困供养设施", "蔺市敬老院"]:
        assert name in shown, name
    assert shown["江北街道医养结合项目"].address == "江北街道北坪社区云海路800号"
    assert shown["焦石特困供养设施"].beds == "162"
    assert shown["雁江区祥符镇中心敬老院"].closing
    assert {row.region for row in ROWS} == {"重庆市涪陵区", "四川省资阳市"}
