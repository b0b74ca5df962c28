"""`elderbot search "问题" [--region R] [--k 5] [--json]` and `elderbot search --jsonl` (one JSON question a line
on stdin, one line of sources on stdout)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.channels.cli.options import add_location_arguments, settings_from
from bot.dialogue.seam import BadQuery, DialogueBackend

MAX_LINE_BYTES = 1_000_000


def register(subparsers: Any) -> None:
    """Add the `search` subcommand."""
    parser = subparsers.add_parser(
        "search", help="find the plan passages that answer a question",
        description="Search the plans. With --jsonl, read {\"question\": …, \"region\"?: …} lines from stdin and "
        "write {\"sources\": […]} (or {\"error\": …}) lines to stdout.",
    )
    parser.add_argument("question", nargs="?", help="the question, e.g. 高龄津贴怎么领")
    parser.add_argument("--region", help="region or place, e.g. 涪陵 / 重庆市涪陵区 / 蔺市")
    parser.add_argument("--k", type=int, default=5, help="how many passages (default 5)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the sources as JSON")
    output.add_argument("--jsonl", action="store_true", help="answer JSON lines from stdin, one line each")
    add_location_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Search once, or answer every stdin line in --jsonl mode."""
    from bot.dialogue.seam import build_backend

    if args.jsonl == bool(args.question):
        print("give a question, or --jsonl to read questions from stdin (not both)", file=sys.stderr)
        return 2
    settings = settings_from(args)
    backend = build_backend(settings)
    try:
        backend.warm_up()
    except OSError as exc:
        print(f"cannot build the index in {settings.knowledge.index_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a plans folder that cannot be read (CorpusError)
        print(f"plans folder problem: {exc}", file=sys.stderr)
        return 1
    if args.jsonl:
        return answer_lines(backend, sys.stdin.buffer, sys.stdout, args.k)
    return search_once(backend, args)


def search_once(backend: DialogueBackend, args: argparse.Namespace) -> int:
    """Print the passages for one question: score, plan title, section, text."""
    try:
        found = backend.search(args.question, region=args.region, k=args.k)
    except BadQuery as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([source.to_dict() for source in found], ensure_ascii=False, indent=1))
        return 0
    if not found:
        print("规划里没有找到相关内容。可以换个说法，或问区县民政局、12345热线。")
        return 0
    for rank, source in enumerate(found, start=1):
        print(f"{rank}. [{source.score:.2f}] {source.short_region} 《{source.title}》")
        print(f"   {source.section}")
        print(f"   {source.text}")
        print(f"   ({source.chunk_id})")
    return 0


def answer_lines(backend: DialogueBackend, stdin: Any, stdout: Any, k: int) -> int:
    """One output line per input line, in order; a bad line gets {"error": …} and the rest go on."""
    for raw in stdin:
        if not raw.strip():
            continue
        stdout.write(json.dumps(answer_line(backend, raw, k), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def answer_line(backend: DialogueBackend, raw: bytes, k: int) -> dict[str, object]:
    """{"sources": […]} for a good line, {"error": "…"} for anything else."""
    item = read_json_line(raw)
    if "error" in item:
        return item
    question, region = item.get("question"), item.get("region")
    if not isinstance(question, str):
        return {"error": '"question" must be a string'}
    if region is not None and not isinstance(region, str):
        return {"error": '"region" must be a string'}
    try:
        found = backend.search(question, region=region or None, k=k)
    except BadQuery as exc:
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one bad line must not end the stream
        return {"error": f"search failed: {type(exc).__name__}: {exc}"}
    return {"sources": [source.to_dict() for source in found]}


def read_json_line(raw: bytes) -> dict[str, Any]:
    """The JSON object of one input line, or {"error": "…"} saying kindly what is wrong with it."""
    if len(raw) > MAX_LINE_BYTES:
        return {"error": f"line too long ({len(raw)} bytes; at most {MAX_LINE_BYTES})"}
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {"error": "line is not UTF-8 text"}
    except RecursionError:
        return {"error": "line is nested too deeply"}
    except json.JSONDecodeError as exc:
        return {"error": f"line is not JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"error": 'each line must be a JSON object like {"question": "…"}'}
    return item
