"""`elderbot chat`: a conversation in the terminal, on the embedded core by default."""

from __future__ import annotations

import argparse
import sys
import uuid


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in this terminal (Ctrl-D or 再见 to leave)")
    parser.add_argument("--region", help="start with this district or county, e.g. 万州")
    parser.add_argument("--staff", action="store_true", help="staff mode: region by region when none is given")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.dialogue.seam import Action, Turn, build_backend
    from bot.settings import BotSettings

    console = Console()
    backend = build_backend(BotSettings.from_env())
    with console.status("正在准备规划资料…"):
        backend.warm_up()
    console.print("[bold]银龄助手[/bold]：您好！请问想了解哪方面的养老政策？（输入“再见”或按 Ctrl-D 结束）")
    conversation = f"cli:{uuid.uuid4().hex[:8]}"
    region = args.region
    while True:
        try:
            text = input("您：")
        except EOFError:
            console.print()
            return 0
        reply = backend.respond(Turn(text, conversation, region, args.staff))
        region = None
        console.print(f"[bold]银龄助手[/bold]：{reply.answer}", highlight=False)
        if reply.options:
            console.print("  可以回答：" + " · ".join(reply.options), highlight=False)
        if reply.intent == "goodbye" and reply.action is Action.SMALLTALK:
            return 0
        sys.stdout.flush()
