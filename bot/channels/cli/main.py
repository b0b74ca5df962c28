"""The `elderbot` command: each subcommand lives in its own module under bot.channels.cli."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "bot.admin.index",
    "bot.channels.cli.search",
    "bot.channels.cli.ask",
    "bot.channels.cli.chat",
    "bot.admin.eval",
    "bot.channels.cli.say",
    "bot.admin.facilities",
    "bot.channels.cli.telegram",
    "bot.channels.cli.serve",
    "bot.channels.cli.wechat",
    "bot.channels.cli.listen",
)


def build_parser() -> argparse.ArgumentParser:
    """One parser; every command module adds its subcommand with `register(subparsers)`."""
    parser = argparse.ArgumentParser(prog="elderbot", description="银龄助手 elderbot")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
