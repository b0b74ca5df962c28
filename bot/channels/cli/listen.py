"""`elderbot listen FILE [--json]`: what the offline recogniser heard in an audio file (WAV, OGG/Opus, MP3…):
the text after the same repair typed questions get (homophones of plan words and place names, Traditional →
Simplified, numbers), and the raw transcript."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MAX_AUDIO_BYTES = 20_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("listen", help="transcribe an audio file with the offline recogniser")
    parser.add_argument("file", type=Path, help="audio file (WAV 8 kHz or more, OGG/Opus, MP3)")
    parser.add_argument("--json", action="store_true", help="print text, raw transcript and confidence as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"没有这个文件：{args.file}", file=sys.stderr)
        return 2
    if args.file.stat().st_size > MAX_AUDIO_BYTES:
        print(f"文件太大（最多 {MAX_AUDIO_BYTES // 1_000_000} MB）：{args.file}", file=sys.stderr)
        return 2
    from bot.channels.hearing_vocabulary import prime_recognizer
    from bot.dialogue.seam import build_backend
    from bot.settings import BotSettings
    from voice.hearing.recognizer import HearingError, Recognizer

    backend = build_backend(BotSettings.from_env())
    recognizer = Recognizer.from_env()
    prime_recognizer(recognizer, backend)  # the regions' and the service's words
    try:
        heard = recognizer.transcribe(args.file.read_bytes())
    except HearingError as exc:
        print(f"{exc.user_message} ({exc})", file=sys.stderr)
        return 1
    text = backend.repair_heard(heard.text) if heard.text else ""
    if args.json:
        print(json.dumps({"text": text, "raw": heard.raw, "confidence": round(heard.confidence, 3),
                          "unsure": heard.unsure}, ensure_ascii=False))
    else:
        print(text)
        print(f"原始识别：{heard.raw}")
    return 0
