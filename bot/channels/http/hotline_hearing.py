"""The hotline's ears: a caller's WAV → what was heard (repaired as typed text is), and the read-back of an unsure
hearing (您是问……吗？) waiting for the caller's 是 / 不是 on the next turn of the same call. The question waiting is
kept in the call's conversation state (bot/dialogue/state.py: SQLite, or Redis shared by every replica), so the
caller's yes reaches it after a restart or on another replica."""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from bot.channels.hearing_vocabulary import prime_recognizer
from bot.dialogue.seam import DialogueBackend, open_conversation_store
from voice.hearing.readback import confirmation, read_back

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.dialogue.seam import ConversationStore

MIN_RATE = 8000
READ_BACK_MAX_AGE_S = 300.0  # a yes later than this does not answer the question read back
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
    """One recogniser (built at first audio, or given) and the questions read back, kept in `conversations` under
    the call's conversation id (in this process only when no store is given)."""

    def __init__(self, recognizer: Any = None, conversations: ConversationStore | None = None) -> None:
        self._recognizer = recognizer
        self._conversations = conversations if conversations is not None else open_conversation_store()
        self._primed = False
        self._lock = threading.Lock()

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
            except HearingError as exc:
                log.warning("hotline audio not heard: %s", exc)
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
            self._read_back(conversation, "")
            if answer is True:
                return CallerTurn(heard, question=waiting)
            if answer is False:
                return CallerTurn(heard, say=ASK_AGAIN, action="repeat")
        if not said:
            return CallerTurn(heard, say=SAY_AGAIN, action="repeat")
        if unsure:
            self._read_back(conversation, said)
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
        """The question read back on this call and not yet answered, if it is recent."""
        state = self._conversations.get(conversation)
        if state.read_back and time.time() - state.read_back_at > READ_BACK_MAX_AGE_S:
            self._read_back(conversation, "")  # too late for a yes: forgotten
            return None
        return state.read_back or None

    def _read_back(self, conversation: str, question: str) -> None:
        """Keep `question` as the one waiting for the caller's yes ("" when nothing waits any more)."""
        state = self._conversations.get(conversation)
        if not question and not state.read_back:
            return
        state.read_back, state.read_back_at = question, time.time() if question else 0.0
        self._conversations.put(conversation, state)


def hotline_hearing(app: FastAPI) -> HotlineHearing:
    """The app's HotlineHearing over the app's conversation store (made at first use; a test may set
    app.state.hotline_hearing)."""
    found = getattr(app.state, "hotline_hearing", None)
    if found is None:
        with _APP_LOCK:
            found = getattr(app.state, "hotline_hearing", None)
            if found is None:
                found = app.state.hotline_hearing = HotlineHearing(
                    conversations=app.state.services.conversations)
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
