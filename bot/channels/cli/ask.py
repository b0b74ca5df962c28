"""`elderbot ask`: one question, or a JSONL stream of them, through the dialogue core."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.channels.cli.search import read_json_line
from bot.dialogue.seam import BadQuery, DialogueBackend, Turn


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ask", help="ask one question (or --jsonl: one JSON question per stdin line)")
    parser.add_argument("question", nargs="?", default=None, help="the question, in Chinese")
    parser.add_argument("--region", help="district or county, e.g. 万州")
    parser.add_argument("--json", action="store_true", help="print the reply as JSON")
    parser.add_argument("--jsonl", action="store_true", help="read {question, region?, conversation?} lines from stdin")
    parser.add_argument("--staff", action="store_true", help="answer region by region when no region is given")
    parser.add_argument("--speak", action="store_true", help="also write the spoken answer as audio (-o FILE)")
    parser.add_argument("-o", "--output", type=Path, help="audio file for --speak (.ogg, .mp3 or .wav)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.dialogue.seam import build_backend
    from bot.settings import BotSettings

    backend = build_backend(BotSettings.from_env())
    if args.jsonl:
        return _run_jsonl(backend)
    if args.question is None:
        print("请在 ask 后面写上问题，例如：elderbot ask \"万州高龄津贴怎么领\"", file=sys.stderr)
        return 2
    reply = backend.respond(Turn(args.question, region=args.region, staff=args.staff))
    print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2) if args.json else reply.answer)
    if args.speak:
        return _speak(reply.speech, args.output)
    return 0


def _run_jsonl(backend: DialogueBackend) -> int:
    """Each stdin line → one stdout line; lines sharing a "conversation" share state, in order. A bad line
    gets its own {"error": …} line and the lines after it are still answered."""
    for raw in sys.stdin.buffer:
        if raw.strip():
            print(json.dumps(_answer_line(backend, raw), ensure_ascii=False), flush=True)
    return 0


def _answer_line(backend: DialogueBackend, raw: bytes) -> dict[str, object]:
    item = read_json_line(raw)
    if "error" in item:
        return item
    question, region = item.get("question"), item.get("region")
    conversation, staff = item.get("conversation"), item.get("staff", False)
    if not isinstance(question, str):
        return {"error": '"question" must be a string'}
    if region is not None and not isinstance(region, str):
        return {"error": '"region" must be a string, e.g. "万州"'}
    if conversation is not None and not isinstance(conversation, str | int):
        return {"error": '"conversation" must be a string'}
    if not isinstance(staff, bool):
        return {"error": '"staff" must be true or false'}
    conversation = f"cli:{conversation}" if conversation is not None else None
    try:
        return backend.respond(Turn(question, conversation, region or None, staff)).to_dict()
    except BadQuery as exc:
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad line must not end the stream
        return {"error": f"answer failed: {type(exc).__name__}"}


def _speak(text: str, output: Path | None) -> int:
    if output is None:
        print("--speak 需要 -o 文件名，例如 -o answer.ogg", file=sys.stderr)
        return 2
    from voice.formats import AudioFormat
    from voice.settings import VoiceSettings
    from voice.speaker import Speaker, SpeechError

    fmt = {".mp3": AudioFormat.MP3, ".wav": AudioFormat.WAV_8K}.get(output.suffix.lower(), AudioFormat.OGG_OPUS)
    try:
        output.write_bytes(Speaker(VoiceSettings.from_env()).synthesize(text, fmt).audio)
    except SpeechError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    return 0
