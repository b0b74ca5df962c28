"""`elderbot eval FILE`: the dev-set figures for any file in the eval format."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="score the bot on a labelled eval file (JSONL)")
    parser.add_argument("file", type=Path, help="eval file, one JSON object per line (question, intent, …)")
    parser.add_argument("--k", type=int, default=5, help="cut-off for recall and MRR")
    parser.add_argument("--answers", type=Path, help="also write the bot's answers here (JSONL)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.admin.evaluation import ask_all, read_jsonl, score
    from bot.dialogue.core import DialogueCore
    from bot.dialogue.embedded import EmbeddedBackend
    from bot.settings import BotSettings
    from knowledge.retrieval.search import KnowledgeBase

    if not args.file.is_file():
        print(f"没有这个文件：{args.file}", file=sys.stderr)
        return 2
    items = read_jsonl(args.file)
    settings = BotSettings.from_env()  # conversations in memory: an evaluation leaves no state behind
    backend = EmbeddedBackend(DialogueCore(KnowledgeBase(settings.knowledge),
                                           settings.knowledge.index_dir / "intent-classifier.pkl",
                                           settings=settings.answers))
    backend.warm_up()
    answers = ask_all(backend, items)
    if args.answers:
        args.answers.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), "utf-8")
    short_names = [region.short_name for region in backend.regions()]
    for line in score(items, answers, short_names, k=args.k).lines():
        print(line)
    return 0
