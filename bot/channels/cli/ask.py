"""`elderbot ask`: one question, or a JSONL stream of them, through the dialogue core."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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
    from bot.dialogue.backends import build_backend
    from bot.settings import BotSettings

    backend = build_backend(BotSettings.from_env())
    if args.jsonl:
        return _run_jsonl(backend)
    if args.question is None:
        print("请在 ask 后面写上问题，例如：elderbot ask \"万州高龄津贴怎么领\"", file=sys.stderr)
        return 2
    from bot.dialogue.seam import Turn

    reply = backend.respond(Turn(args.question, region=args.region, staff=args.staff))
    print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2) if args.json else reply.answer)
    if args.speak:
        return _speak(reply.speech, args.output)
    return 0


def _run_jsonl(backend: object) -> int:
    """Each stdin line → one stdout line; lines sharing a "conversation" share state, in order."""
    from bot.dialogue.seam import Turn

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
            turn = Turn(str(item.get("question") or ""), item.get("conversation"), item.get("region"),
                        bool(item.get("staff", False)))
            out = backend.respond(turn).to_dict()  # type: ignore[attr-defined]
        except ValueError as exc:
            out = {"error": f"bad line: {exc}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def _speak(text: str, output: Path | None) -> int:
    if output is None:
        print("--speak 需要 -o 文件名，例如 -o answer.ogg", file=sys.stderr)
        return 2
    from voice.formats import AudioFormat
    from voice.speaker import Speaker, SpeechError

    fmt = {".mp3": AudioFormat.MP3, ".wav": AudioFormat.WAV_8K}.get(output.suffix.lower(), AudioFormat.OGG_OPUS)
    try:
        output.write_bytes(Speaker().synthesize(text, fmt).audio)
    except SpeechError as exc:
        print(exc.user_message, file=sys.stderr)
        return 1
    return 0
