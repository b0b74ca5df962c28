"""`elderbot say "文字" -o answer.ogg`: speak a text into an audio file (senior pace, Chinese number reading)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ENGINE_CHOICES = ("neural", "gtts", "edge", "espeak")
FORMAT_CHOICES = ("mp3", "ogg", "wav8k")


def register(subparsers: Any) -> None:
    """Add the `say` subcommand."""
    parser = subparsers.add_parser(
        "say", help="把文字读成语音文件 (text → speech)",
        description="Speak a text for seniors into MP3, OGG/Opus (Telegram voice) or 8 kHz WAV (phone).",
    )
    parser.add_argument("text", help='要朗读的文字; "-" reads the text from standard input')
    parser.add_argument("-o", "--output", required=True, type=Path, help="audio file to write")
    parser.add_argument("--engine", choices=ENGINE_CHOICES,
                        help="engine to try first (the others stay as fallbacks); default from ELDERBOT_TTS_ENGINES")
    parser.add_argument("--format", choices=FORMAT_CHOICES,
                        help="audio format; default from the output suffix (.mp3, .ogg, .wav), else ogg")
    parser.add_argument("--show-text", action="store_true", help="also print the text as it is spoken")
    parser.set_defaults(run=run)


def _read_text(arg: str) -> str:
    if arg != "-":
        return arg
    return sys.stdin.buffer.read().decode("utf-8", errors="replace")


def run(args: argparse.Namespace) -> int:
    """Synthesize, write the file, report which engine spoke."""
    from voice.formats import AudioFormat
    from voice.settings import VoiceSettings
    from voice.speaker import NothingToSpeakError, Speaker, SpeechError

    settings = VoiceSettings.from_env()
    if args.engine:
        settings = settings.with_engine_first(args.engine)
    fmt = AudioFormat.parse(args.format) if args.format else AudioFormat.for_path(args.output)
    try:
        result = Speaker(settings).synthesize(_read_text(args.text), fmt)
    except NothingToSpeakError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    except SpeechError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    try:
        args.output.write_bytes(result.audio)
    except OSError as exc:
        print(f"无法写入 {args.output}：{exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.show_text:
        print(result.text)
    note = "，来自缓存" if result.cached else ""
    cut = "；内容较长，只读了前面部分" if result.truncated else ""
    print(f"已保存 {args.output}（{fmt.value}，{result.engine}{note}{cut}）", file=sys.stderr)
    return 0
