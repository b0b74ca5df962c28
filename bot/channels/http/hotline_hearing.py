"""The hotline's ears: a caller's WAV → what was heard (repaired as typed text is), and the read-back of an unsure
hearing (您是问……吗？) waiting for the caller's 是 / 不是 on the next turn of the same call."""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from bot.channels.hearing_vocabulary import prime_recognizer
from bot.dialogue.seam import DialogueBackend
from voice.hearing.readback import confirmation, read_back

if TYPE_CHECKING:
    from fastapi import FastAPI

MIN_RATE = 8000
PENDING_MAX_AGE_S = 300.0
PENDING_MAX_CALLS = 5000
SAY_AGAIN = "不好意思，没听清楚。请您再说一遍，说慢一点。"
ASK_AGAIN = "好的，请您再说一遍您的问题。"
CONFIRM_HINT = "是的话请说“是”，不是请再说一遍。"


@dataclass(frozen=True)
class CallerTurn:
    """What to do with one turn: `question` to answer, else `say` (with `action`) without asking the core."""

    heard: str | None
    question: str | None = None
    say: str = ""
    action: str = ""


class HotlineHearing:
    """One recogniser (built at first audio, or given) and the questions read back, per call, for a while.
    The waiting questions live in this process: with several workers the phone system should keep a call on
    one worker (or send the caller's 是 as text with the question again)."""

    def __init__(self, recognizer: Any = None) -> None:
        self._recognizer = recognizer
        self._primed = False
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, tuple[str, float]] = OrderedDict()

    @property
    def recognizer(self) -> Any:
        if self._recognizer is None:
            with self._lock:
                if self._recognizer is None:
                    from voice.hearing import Recognizer

                    self._recognizer = Recognizer.from_env()
        return self._recognizer

    def turn(self, backend: DialogueBackend, conversation: str, text: str | None, audio: str | None) -> CallerTurn:
        """Hear the audio (if any), then: a yes answers the question read back, a no asks again, an unsure
        hearing is read back, anything else is the question."""
        heard: str | None = None
        unsure = False
        if audio is not None:
            from voice.hearing import HearingError, HearingUnavailableError

            wav = decode_wav(audio)
            self._prime(backend)
            try:
                if self._waiting(conversation) is not None:  # a 是 / 不是 to the read-back: no service words
                    result = self.recognizer.transcribe(wav, "audio/wav", general=True)
                else:
                    result = self.recognizer.transcribe(wav, "audio/wav")
            except HearingUnavailableError as exc:
                raise HTTPException(503, f"{exc.user_message} / Speech recognition is not installed here; "
                                         "send text instead.") from exc
            except HearingError:
                return CallerTurn("", say=SAY_AGAIN, action="repeat")
            heard = backend.repair_heard(result.text) if result.text else ""
            unsure = result.unsure
            text = heard
        said = (text or "").strip()
        waiting = self._waiting(conversation)
        if waiting is not None:
            answer = confirmation(said)
            if answer is None and not said:  # nothing heard: ask the same again, the question still waits
                return CallerTurn(heard, say=read_back(waiting) + CONFIRM_HINT, action="confirm")
            self._drop(conversation)
            if answer is True:
                return CallerTurn(heard, question=waiting)
            if answer is False:
                return CallerTurn(heard, say=ASK_AGAIN, action="repeat")
        if not said:
            return CallerTurn(heard, say=SAY_AGAIN, action="repeat")
        if unsure:
            self._put(conversation, said)
            return CallerTurn(heard, say=read_back(said) + CONFIRM_HINT, action="confirm")
        return CallerTurn(heard, question=said)

    def _prime(self, backend: DialogueBackend) -> None:
        """The recogniser learns the bot's places and words before the first audio it hears."""
        if not self._primed:
            recognizer = self.recognizer
            with self._lock:
                if not self._primed:
                    prime_recognizer(recognizer, backend)
                    self._primed = True

    def _waiting(self, conversation: str) -> str | None:
        with self._lock:
            found = self._pending.get(conversation)
        if found is None or time.monotonic() - found[1] > PENDING_MAX_AGE_S:
            return None
        return found[0]

    def _drop(self, conversation: str) -> None:
        with self._lock:
            self._pending.pop(conversation, None)

    def _put(self, conversation: str, question: str) -> None:
        with self._lock:
            self._pending[conversation] = (question, time.monotonic())
            while len(self._pending) > PENDING_MAX_CALLS:
                self._pending.popitem(last=False)


def hotline_hearing(app: FastAPI) -> HotlineHearing:
    """The app's HotlineHearing (made at first use; a test may set app.state.hotline_hearing)."""
    found = getattr(app.state, "hotline_hearing", None)
    if found is None:
        with _APP_LOCK:
            found = getattr(app.state, "hotline_hearing", None)
            if found is None:
                found = app.state.hotline_hearing = HotlineHearing()
    return found


_APP_LOCK = threading.Lock()


def decode_wav(audio: str) -> bytes:
    """The WAV bytes of base64 `audio`; 422 when it is not base64, not WAV, or below 8 kHz."""
    try:
        data = base64.b64decode(audio, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(422, "audio 不是有效的 base64。 / `audio` is not valid base64.") from exc
    rate = wav_sample_rate(data)
    if rate is None:
        raise HTTPException(422, "audio 需要是 WAV 录音。 / `audio` must be a WAV file (RIFF/WAVE).")
    if rate < MIN_RATE:
        raise HTTPException(422, f"录音采样率太低（{rate} Hz），至少 8000 Hz。 / `audio` must be sampled at "
                                 f"8 kHz or more (got {rate} Hz).")
    return data


def wav_sample_rate(data: bytes) -> int | None:
    """The sample rate of a RIFF/WAVE file's fmt chunk, None when it is not one."""
    if len(data) < 28 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position:position + 4], int.from_bytes(data[position + 4:position + 8], "little")
        if chunk == b"fmt ":
            return int.from_bytes(data[position + 12:position + 16], "little") if size >= 16 else None
        position += 8 + size + (size & 1)
    return None
