"""The CSV format: validation with line numbers, type vocabulary, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.facilities.schema import (
    COLUMNS,
    FACILITY_TYPES,
    Facility,
    FacilityFileError,
    canonical_type,
    facilities_csv,
    parse_facilities,
    read_facility_file,
    types_for,
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(FacilityFileError) as caught:
        parse_facilities(text, "test.csv")
    return caught.value.problems


def test_good_file_parses_with_aliases_normalised(fixtures: Path) -> None:
    facilities = read_facility_file(fixtures / "good.csv")
    assert [f.name for f in facilities][:2] == ["示例甲社区助餐点", "示例乙养老服务站"]
    by_name = {f.name: f for f in facilities}
    assert by_name["示例甲社区助餐点"].type == "助餐点"  # 老年餐桌
    assert by_name["示例乙养老服务站"].type == "养老服务站"  # 社区养老服务站
    assert by_name["示例丁老年食堂"].type == "老年食堂"  # 长者食堂
    assert by_name["示例甲社区助餐点"].lat == pytest.approx(29.703)
    assert by_name["示例丙敬老院"].beds == "约60"
    assert by_name["示例戊敬老院"].closing and not by_name["示例丙敬老院"].closing
    assert by_name["示例丁老年食堂"].display_name == "乐至县示例丁老年食堂"


def test_bad_rows_are_all_reported_with_their_line_numbers(fixtures: Path) -> None:
    with pytest.raises(FacilityFileError) as caught:
        read_facility_file(fixtures / "bad_rows.csv")
    problems = caught.value.problems
    expected = {
        2: "type '火锅店'",
        3: "name is empty",
        4: "give both lat and lon",
        5: "lat 129.7 is outside",
        6: "phone '请打电话'",
        7: "beds '很多'",
        8: "region is empty",
        9: "placeholder",
        10: "not decimal degrees",
    }
    for line, fragment in expected.items():
        assert any(p.startswith(f"line {line}:") and fragment in p for p in problems), (line, problems)
    assert not any(p.startswith("line 11:") for p in problems)
    assert "nothing was changed" in str(caught.value)


def test_duplicates_name_both_lines(fixtures: Path) -> None:
    problems = problems_of((fixtures / "duplicates.csv").read_text(encoding="utf-8"))
    assert problems == ["line 4: repeats line 2 (same name, region and address: 示例重复助餐点)"]


def test_missing_coordinates_are_allowed(fixtures: Path) -> None:
    facilities = read_facility_file(fixtures / "missing_coords.csv")
    assert [f.has_coordinates for f in facilities] == [False, True]
    assert facilities[0].lat is None and facilities[0].lon is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "the file is empty"),
        ("name,type,region,source\n", "no facilities"),
        ("name,type,region\nA,助餐点,重庆市涪陵区\n", "missing required column(s): source"),
        ("name,type,region,source,colour\nA,助餐点,重庆市涪陵区,x,red\n", "unknown column(s) 'colour'"),
        ("name,type,region,source,name\nA,助餐点,重庆市涪陵区,x,B\n", "column(s) named twice: name"),
        ("name,type,region,source\nA,助餐点,重庆市涪陵区,x,extra\n", "line 2: 5 fields but the header has 4"),
        ("name,type,region,source\n\x00\x01\x02,助餐点,x,y\n", "binary file"),
    ],
)
def test_unusable_files_say_why(text: str, fragment: str) -> None:
    assert any(fragment in p for p in problems_of(text))


def test_encoding_problems_are_clear(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("name,type,region,source\n示例,助餐点,重庆市涪陵区,测试\n".encode("gbk"))
    with pytest.raises(FacilityFileError, match="not UTF-8"):
        read_facility_file(gbk)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffname,type,region,source\n示例,助餐点,重庆市涪陵区,测试\n".encode())
    assert read_facility_file(bom)[0].name == "示例"
    with pytest.raises(FacilityFileError, match="cannot read"):
        read_facility_file(tmp_path / "absent.csv")


def test_line_numbers_count_physical_lines_of_multiline_fields() -> None:
    text = 'name,type,region,source,services\n示例,助餐点,重庆市涪陵区,测试,"助餐\n助浴"\n示例二,火锅,重庆市涪陵区,测试,\n'
    assert problems_of(text) == ["line 4: type '火锅' is not one of: " + "、".join(FACILITY_TYPES)]


def test_blank_lines_and_full_width_spaces_are_ignored() -> None:
    text = "name,type,region,source\n\n\u3000示例\u3000, 助餐点 ,重庆市涪陵区,测试\n,,,\n"
    [facility] = parse_facilities(text)
    assert facility.name == "示例" and facility.type == "助餐点"


def test_type_vocabulary_and_topics() -> None:
    assert canonical_type("长者食堂") == "老年食堂"
    assert canonical_type("火锅店") is None
    assert types_for(["meal"]) == ("助餐点", "老年食堂")
    assert types_for(["institution", "敬老院"]) == ("养老机构", "敬老院", "养老院")
    assert "农村互助养老点" in types_for(["station"])
    with pytest.raises(ValueError, match="unknown facility type or topic"):
        types_for(["swimming"])


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=12)
_facility = st.builds(
    Facility,
    name=_text.filter(bool),
    type=st.sampled_from(FACILITY_TYPES),
    region=_text.filter(bool),
    source=_text.filter(bool),
    address=_text,
    services=_text,
    lat=st.none() | st.floats(-89.9, 89.9).map(lambda v: round(v, 6)).filter(bool),
).map(lambda f: f if f.lat is None else Facility(**{**f.__dict__, "lon": 100.5}))


@settings(max_examples=60, deadline=None)
@given(st.lists(_facility, min_size=1, max_size=5, unique_by=lambda f: f.key))
def test_written_csv_reads_back_the_same(facilities: list[Facility]) -> None:
    text = facilities_csv(facilities)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert parse_facilities(text) == facilities
