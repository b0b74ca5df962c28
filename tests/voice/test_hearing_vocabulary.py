"""The recogniser's vocabulary prompt: the caller's places and words, most telling first, as many as Whisper keeps
of a prompt; a prompt named in the settings wins; the bot's channels prime their recogniser with the knowledge's
words before the first audio."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from bot.channels.hearing_vocabulary import prime_recognizer, vocabulary_of
from bot.channels.http.hotline_hearing import HotlineHearing
from bot.dialogue.embedded import EmbeddedBackend
from voice.hearing import Recognizer
from voice.hearing.prompt import MAX_PROMPT_TOKENS, PROMPT_OPENING, estimated_tokens, vocabulary_prompt
from voice.hearing.text_cleanup import only_prompt_words
from voice.settings import VoiceSettings

PLACES = ["涪陵", "双桥"]
WORDS = ["老年大学", "助餐点", "高龄津贴"]


def test_the_prompt_names_places_then_words_in_order() -> None:
    assert (
        vocabulary_prompt(PLACES, WORDS) == f"{PROMPT_OPENING}，关于涪陵、双桥的老年大学、助餐点、高龄津贴。"
    )
    assert vocabulary_prompt([], WORDS) == f"{PROMPT_OPENING}，关于老年大学、助餐点、高龄津贴。"
    assert vocabulary_prompt([], []) == f"{PROMPT_OPENING}。"


def test_the_prompt_stops_where_whisper_would_cut_it() -> None:
    many = [f"养老服务第{n}站" for n in range(200)]
    prompt = vocabulary_prompt(PLACES, many)
    assert estimated_tokens(prompt) <= MAX_PROMPT_TOKENS
    assert (
        prompt.startswith(f"{PROMPT_OPENING}，关于涪陵、双桥的养老服务第0站、")
        and "养老服务第199站" not in prompt
    )
    first = f"{PROMPT_OPENING}，关于涪陵、双桥的老年大学。"
    assert vocabulary_prompt(PLACES, WORDS, max_tokens=estimated_tokens(first)) == first


def test_what_is_no_plain_word_and_repeats_are_left_out() -> None:
    assert (
        vocabulary_prompt(["涪陵", "涪陵"], ["助餐点", "涪陵", "a、b", "。"])
        == f"{PROMPT_OPENING}，关于涪陵的助餐点。"
    )


def test_the_estimate_never_undercounts_whispers_tokens() -> None:
    """The estimate keeps the prompt inside the 223 tokens Whisper keeps, on the project's own words."""
    tokenizers = pytest.importorskip("tokenizers")
    from optional_models import need_hearing

    need_hearing()
    from voice.hearing.model_files import whisper_base_dir

    tokenizer = tokenizers.Tokenizer.from_file(
        str(whisper_base_dir(VoiceSettings().model_dir) / "tokenizer.json")
    )
    for text in (
        "以下是普通话的句子，关于涪陵、资阳、巫溪、双桥、万州的老年大学、养老院、助餐点、高龄津贴。",
        "长期护理保险、适老化改造、计划生育特殊家庭、喘息服务、蔺市、乐至、雁江",
    ):
        assert estimated_tokens(text) >= len(tokenizer.encode(" " + text, add_special_tokens=False).ids)


@pytest.mark.parametrize(
    ("heard", "echo"),
    [
        ("评估。", True),
        ("涪陵、双桥", True),
        ("老年大学、助餐", True),
        ("老年大学怎么报名", False),
        ("双桥的助餐点在哪", False),
    ],
)
def test_prompt_words_alone_are_taken_for_an_echo(heard: str, echo: bool) -> None:
    prompt = vocabulary_prompt(PLACES, [*WORDS, "评估"])
    assert only_prompt_words(heard, prompt) is echo


def test_use_vocabulary_sets_the_prompt_unless_the_settings_name_one() -> None:
    recognizer = Recognizer(VoiceSettings())
    general = recognizer.prompt
    recognizer.use_vocabulary(PLACES, WORDS)
    assert recognizer.prompt == vocabulary_prompt(PLACES, WORDS) != general
    own = Recognizer(VoiceSettings(hearing_prompt="以下是普通话。"), places=PLACES, words=WORDS)
    assert own.prompt == "以下是普通话。"


def test_the_bots_vocabulary_comes_from_its_regions_and_domain_words(embedded: EmbeddedBackend) -> None:
    words = vocabulary_of(embedded)
    assert [r.short_name for r in embedded.regions()] == list(words.places[: len(embedded.regions())])
    assert {"老年大学", "助餐点", "高龄津贴"} <= set(words.words)
    assert not set(words.places) & set(words.words)


class _ListeningRecognizer:
    """A stand-in that records the vocabulary it is given and hears nothing (the hotline's priming, not Whisper)."""

    def __init__(self) -> None:
        self.vocabularies: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def use_vocabulary(self, places: Any, words: Any) -> None:
        self.vocabularies.append((tuple(places), tuple(words)))

    def transcribe(self, audio: bytes, mime_type: str | None = None) -> Any:
        from voice.hearing import HearingError

        raise HearingError("nothing heard")


def test_the_hotline_primes_its_recognizer_once_before_the_first_audio(embedded: EmbeddedBackend) -> None:
    recognizer = _ListeningRecognizer()
    hearing = HotlineHearing(recognizer)
    wav = _silence_wav()
    for call in ("a", "b"):
        hearing.turn(embedded, call, None, base64.b64encode(wav).decode("ascii"))
    expected = vocabulary_of(embedded)
    assert recognizer.vocabularies == [(expected.places, expected.words)]


def test_a_recognizer_without_a_vocabulary_is_left_alone(embedded: EmbeddedBackend) -> None:
    prime_recognizer(object(), embedded)  # no use_vocabulary: nothing to do, no error


def _silence_wav() -> bytes:
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(8000)
        handle.writeframes(b"\0\0" * 8000)
    return out.getvalue()


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("双桥的老年食堂在哪里？", ["双桥", "老年食堂"]),  # without the words: 老年是躺
        ("巫溪的养老院收不收失能老人？", ["巫溪"]),  # without them: 无锡, a city elsewhere
    ],
)
def test_the_primed_recogniser_hears_the_services_words_on_the_phone_line(
    neural_engine: Any, recognizer: Recognizer, embedded: EmbeddedBackend, said: str, meant: list[str]
) -> None:
    from voice.formats import AudioFormat, render

    words = vocabulary_of(embedded)
    primed = Recognizer(
        VoiceSettings(model_dir=recognizer.settings.model_dir, cache_dir=None),
        places=words.places,
        words=words.words,
    )
    try:
        audio = render([neural_engine.synthesize(said)], neural_engine.native_rate, 300, AudioFormat.WAV_8K)
        heard = primed.transcribe(audio, "audio/wav").text
    finally:
        primed.close()
    assert all(word in heard for word in meant), heard
