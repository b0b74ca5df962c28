"""`elderbot listen FILE`: the recogniser's text goes through the text path's repair (backend.repair_heard), and the
raw transcript is shown beside it; repair_heard itself on the embedded backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.cli.main import main
from bot.dialogue.embedded import EmbeddedBackend
from voice.formats import AudioFormat, render
from voice.hearing.text_cleanup import clean_heard_text
from voice.settings import HEARING_PROMPT


@pytest.mark.parametrize(("heard", "repaired"), [
    ("高灵津贴怎么领", "高龄津贴怎么领"),          # a plan word by its sound
    ("萬州老年大學怎麼報名？", "万州老年大学怎么报名？"),  # Traditional → Simplified, Chinese marks kept
    ("万周老年大学怎么报名？", "万州老年大学怎么报名？"),  # a place name by its sound
    ("福陵的住餐点在哪里", "涪陵的助餐点在哪里"),
    ("八十岁以上每月发多少钱", "80岁以上每月发多少钱"),    # numbers as the text path writes them
    ("老年大学怎么报名？", "老年大学怎么报名？"),        # right text is left alone
    ("孙子白天送到托耳所", "孙子白天送到托儿所"),        # a real-word slip: the likelier word of the same sound
    ("养老院有没有传委", "养老院有没有床位"),            # the reading the passages it finds speak of
    ("万州村里的养老互助、点有好多个", "万州村里的养老互助点有好多个"),  # the recogniser's 、 inside a phrase
    ("", ""),
])
def test_repair_heard_is_the_text_paths_repair(embedded: EmbeddedBackend, heard: str, repaired: str) -> None:
    assert embedded.repair_heard(heard) == repaired


@pytest.fixture
def listen_env(monkeypatch: pytest.MonkeyPatch, shared_index_dir: Path, tmp_path: Path, model_dir: Path) -> None:
    monkeypatch.setenv("ELDERBOT_INDEX_DIR", str(shared_index_dir))
    monkeypatch.setenv("ELDERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ELDERBOT_BACKEND", "embedded")
    monkeypatch.setenv("ELDERBOT_VOICE_MODEL_DIR", str(model_dir))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("ELDERBOT_STT_PROMPT", raising=False)


def test_listen_prints_repaired_text_and_raw_transcript(listen_env: None, neural_engine, recognizer,  # type: ignore[no-untyped-def]
                                                         embedded: EmbeddedBackend, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    audio = render([neural_engine.synthesize("万州老年大学怎么报名？")], neural_engine.native_rate, 300,
                   AudioFormat.OGG_OPUS)
    path = tmp_path / "question.ogg"
    path.write_bytes(audio)
    assert main(["listen", str(path), "--json"]) == 0
    heard = json.loads(capsys.readouterr().out)
    assert heard["raw"] and "老年大学" in heard["raw"]
    assert heard["text"] == embedded.repair_heard(clean_heard_text(heard["raw"], HEARING_PROMPT))
    assert heard["text"].startswith("万州老年大学"), heard  # the neural voice's 万州 is heard 万周 and repaired
    assert main(["listen", str(path)]) == 0
    text, raw = capsys.readouterr().out.splitlines()
    assert text == heard["text"] and raw == f"原始识别：{heard['raw']}"


def test_listen_a_missing_file_is_a_clear_error(listen_env: None, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen", str(tmp_path / "nothing.wav")]) == 2
    assert "没有这个文件" in capsys.readouterr().err
