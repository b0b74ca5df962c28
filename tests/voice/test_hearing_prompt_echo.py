"""The prompt-echo cleanup keeps what was said: a prompt clause is removed only where Whisper echoes it (as a
clause of its own), never a service word out of a question, whatever the configured prompt opens with."""

from __future__ import annotations

import pytest

from voice.formats import AudioFormat, render
from voice.hearing import Recognizer
from voice.hearing.text_cleanup import clean_heard_text, prompt_echoes
from voice.settings import HEARING_PROMPT, VoiceSettings

WORDS_FIRST = "老年大学，高龄津贴，养老服务补贴，助餐点，养老服务站。"


@pytest.mark.parametrize("prompt", [HEARING_PROMPT, WORDS_FIRST, "老年大学", "以下是普通话的句子。"])
@pytest.mark.parametrize(("raw", "clean"), [
    ("老年大学怎么报名?", "老年大学怎么报名？"),
    ("老年大学。", "老年大学。"),
    ("我想问老年大学怎么报名", "我想问老年大学怎么报名"),
    ("高龄津贴怎么领。", "高龄津贴怎么领。"),
])
def test_service_words_survive_any_prompt(prompt: str, raw: str, clean: str) -> None:
    assert clean_heard_text(raw, prompt) == clean


@pytest.mark.parametrize(("raw", "clean"), [
    ("以下是普通话的句子。", ""),
    ("以下是普通话的句子,老年大学怎么报名?", "老年大学怎么报名？"),
    ("以下是普通话的句子老年大学怎么报名", "老年大学怎么报名"),
    (HEARING_PROMPT, ""),
    ("老年大学怎么报名？以下是普通话的句子。", "老年大学怎么报名？"),
])
def test_the_echoed_prompt_is_still_removed(raw: str, clean: str) -> None:
    assert clean_heard_text(raw, HEARING_PROMPT) == clean


def test_short_prompt_clauses_are_never_echoes() -> None:
    assert prompt_echoes(WORDS_FIRST) == [WORDS_FIRST]
    assert prompt_echoes("老年大学") == []
    assert prompt_echoes(HEARING_PROMPT) == [HEARING_PROMPT, "以下是普通话的句子"]


def test_neural_speech_of_a_question_opening_with_a_prompt_word_keeps_it(neural_engine, recognizer) -> None:  # type: ignore[no-untyped-def]
    """The reported case: 老年大学怎么报名 spoken by the neural voice, heard with a prompt opening with 老年大学."""
    worded = Recognizer(VoiceSettings(model_dir=recognizer.settings.model_dir, cache_dir=None,
                                      hearing_prompt=WORDS_FIRST))
    worded._model = recognizer._loaded()  # share the loaded model; only the prompt differs
    try:
        for fmt in (AudioFormat.OGG_OPUS, AudioFormat.WAV_8K):
            audio = render([neural_engine.synthesize("老年大学怎么报名？")], neural_engine.native_rate, 300, fmt)
            heard = worded.transcribe(audio, fmt.mime_type)
            assert "老年大学" in heard.raw, heard
            assert heard.text.startswith("老年大学"), heard
    finally:
        worded.close()
