"""Hearing: voice messages and phone audio → text (faster-whisper, Whisper base, int8, offline).

    from voice.hearing import Recognizer, Heard, HearingError
    recognizer = Recognizer(VoiceSettings.from_env())
    recognizer.warm_up()                                   # optional: load now, not at the first message
    heard = recognizer.transcribe(ogg_bytes, "audio/ogg")  # Heard(text, raw, avg_logprob, no_speech_prob, …)
    if heard.unsure: ...                                    # read back what was heard before answering

Nothing heavy is imported here; faster-whisper loads at the first transcription.
"""

from voice.hearing.recognizer import Heard, HearingError, HearingUnavailableError, Recognizer

__all__ = ["Heard", "HearingError", "HearingUnavailableError", "Recognizer"]
