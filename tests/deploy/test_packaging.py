"""A non-editable install must carry everything the core reads at run time: plans, lexicon, facilities and
the Rasa project data (the embedded NLU's examples and the query synonyms)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_wheel_carries_the_data_the_core_reads(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = tmp_path.glob("elderbot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "nlu_data" / "data").rglob("*.yml")),
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "knowledge" / "plans").iterdir() if p.is_file()),
        "knowledge/lexicon/domain_dict.txt",
        "nlu_data/domain.yml",
        "nlu_data/config.yml",
    ]
    assert [name for name in expected if name not in names] == []
    assert not any(name.startswith(("nlu_data/models/", "tests/")) for name in names)
