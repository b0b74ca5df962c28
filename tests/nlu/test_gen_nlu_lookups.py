"""scripts/gen_nlu_lookups.py: places.csv + manifest → Rasa lookup tables and place → region synonyms."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from knowledge.text.nlu_data import load_training_data

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_nlu_lookups.py"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_nlu_lookups", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_file_is_rasa_data_the_reader_understands(tmp_path: Path) -> None:
    gen = generator()
    regions = gen.region_names(gen.MANIFEST)
    assert set(regions) == {"涪陵", "资阳", "巫溪", "双桥", "万州"}
    assert "重庆市万州区" in regions["万州"] and "万州区" in regions["万州"]
    places = tmp_path / "places.csv"
    places.write_text("name,region,kind,aliases,source\n龙沙镇,万州,town,龙沙,test\n新华路街道,双桥,street,,test\n"
                      "同名镇,万州,town,,test\n同名镇,涪陵,town,,test\n远方镇,北京,town,,test\n", encoding="utf-8")
    text = gen.render(regions, gen.read_places(places, regions))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lookups.yml").write_text(text, encoding="utf-8")
    data = load_training_data(tmp_path / "data")
    synonyms = data.synonym_map()
    assert synonyms["龙沙镇"] == synonyms["龙沙"] == "万州"
    assert synonyms["新华路街道"] == "双桥" and synonyms["河北省承德市双桥区"] == "双桥"
    assert "同名镇" not in synonyms  # two regions share the name: no synonym can resolve it
    assert "同名镇" in data.lookup("town")
    assert "远方镇" not in text  # a region without a plan is left out
    assert "龙沙镇" in data.lookup("town") and "新华路街道" in data.lookup("street")


def test_project_lookups_are_up_to_date() -> None:
    """nlu_data/data/lookups.yml was generated from the current places.csv (run the script after editing it)."""
    assert generator().main(["--check"]) == 0, "run: python3 scripts/gen_nlu_lookups.py"
