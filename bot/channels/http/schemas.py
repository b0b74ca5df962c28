"""Request and response models of the HTTP API; they are also what /openapi.json documents."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.dialogue.seam import topic_registry

MAX_QUESTION_CHARS = 500
MAX_SPEAK_CHARS = 1000
MAX_REGION_CHARS = 40
CALL_ID_PATTERN = r"^[A-Za-z0-9_.:@+\-]{1,128}$"
CONVERSATION_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"
AUDIO_ID_PATTERN = r"^[0-9a-f]{64}$"
MAX_HOTLINE_AUDIO_BYTES = 960_000  # 30 s of 16 kHz 16-bit mono, 60 s of 8 kHz
MAX_HOTLINE_AUDIO_BASE64 = (MAX_HOTLINE_AUDIO_BYTES + 2) // 3 * 4


# The topics of the one registry (knowledge.topics, through the seam): the search filter's enum and the
# facility filter's pattern are made from it.
Topic = Enum("Topic", {t.name.upper(): t.name for t in topic_registry()}, type=str)  # type: ignore[misc]
FACILITY_TOPIC_PATTERN = "^(" + "|".join(t.name for t in topic_registry() if t.has_facilities) + ")$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AskRequest(_Strict):
    """One question, optionally pinned to a region and continuing a conversation."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["涪陵高龄津贴怎么领？"])
    region: str | None = Field(default=None, min_length=1, max_length=MAX_REGION_CHARS, examples=["涪陵"])
    conversation: str | None = Field(default=None, pattern=CONVERSATION_PATTERN, examples=["staff:42"])
    staff: bool = Field(default=False, strict=True,  # "no" or "0" must not turn staff mode on
                        description="Ask for the exact policy wording (staff page); true or false only.")


class Source(BaseModel):
    """A cited passage of a plan."""

    text: str
    title: str
    region: str
    short_region: str
    section: str
    chunk_id: str
    score: float


class AskResponse(BaseModel):
    """Reply.to_dict(): the same contract as `elderbot ask --jsonl` and the Rasa actions."""

    intent: str
    confidence: float
    region: str | None
    action: str
    answer: str
    speech: str
    sources: list[Source]
    options: list[str]
    understood: str = Field(description="the standalone question the turn was understood as")


class SearchResponse(BaseModel):
    """Best passages for a query, best first."""

    sources: list[Source]


class CompareRow(BaseModel):
    """One region's best passage for the query, or none when its plan says nothing about it."""

    region: str
    short_region: str
    citation: str | None
    sentence: str | None = Field(description="the sentence that answers, from the source")
    source: Source | None


class CompareResponse(BaseModel):
    """One row per region, in manifest order, for side-by-side reading."""

    query: str
    rows: list[CompareRow]


class RegionInfo(BaseModel):
    name: str
    short_name: str


class RegionsResponse(BaseModel):
    regions: list[RegionInfo]


class TopicInfo(BaseModel):
    name: Topic
    label: str


class TopicsResponse(BaseModel):
    topics: list[TopicInfo]


class SpeakRequest(_Strict):
    """Text to read aloud and the audio format wanted."""

    text: str = Field(min_length=1, max_length=MAX_SPEAK_CHARS, examples=["高龄津贴按月发放。"])
    format: Literal["mp3", "ogg", "wav8k"] = "mp3"


class HotlineRequest(_Strict):
    """One caller turn: what the phone system's own recognition heard (`text`), or the caller's voice (`audio`)."""

    call_id: str = Field(pattern=CALL_ID_PATTERN, examples=["call-20240101-0001"])
    text: str | None = Field(default=None, min_length=1, max_length=MAX_QUESTION_CHARS,
                             examples=["我想问一下高龄津贴"])
    audio: str | None = Field(
        default=None, min_length=8, max_length=MAX_HOTLINE_AUDIO_BASE64,
        description=f"the caller's words as base64 WAV (8 kHz or more, PCM or G.711), at most "
                    f"{MAX_HOTLINE_AUDIO_BYTES // 1000} kB; send exactly one of text and audio")

    @model_validator(mode="after")
    def _one_of_text_and_audio(self) -> HotlineRequest:
        if (self.text is None) == (self.audio is None):
            raise ValueError("send exactly one of text and audio / 请只提供 text 或 audio 其中一个")
        return self


class HotlineResponse(BaseModel):
    """What to say on the call; action "handoff" asks the phone system to transfer to a person, "confirm" reads
    back an unsure hearing (您是问……吗？; the caller's 是 / 不是 comes as the next turn), "repeat" asks the caller
    to say it again (nothing was heard)."""

    speech: str
    answer: str
    action: str
    audio_url: str | None = Field(description="WAV 8 kHz mono 16-bit; null when no speech could be made.")
    heard: str | None = Field(default=None, description="what was heard in `audio` (after repair); null for text")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    detail: str | None = Field(default=None, description="why the core cannot answer (503 only)")


class ErrorBody(BaseModel):
    """Every error: a message in Chinese and English a person can act on."""

    detail: str
    errors: list[dict[str, object]] | None = None
