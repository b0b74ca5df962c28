"""What several commands share: the --plans-dir / --index-dir options and the settings they give."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.settings import BotSettings


def add_location_arguments(parser: argparse.ArgumentParser) -> None:
    """--plans-dir / --index-dir, overriding ELDERBOT_PLANS_DIR / ELDERBOT_INDEX_DIR."""
    parser.add_argument("--plans-dir", type=Path, help="plans folder with manifest.csv (default: $ELDERBOT_PLANS_DIR)")
    parser.add_argument("--index-dir", type=Path, help="index folder (default: $ELDERBOT_INDEX_DIR)")


def settings_from(args: argparse.Namespace) -> BotSettings:
    """Settings from the environment, with the command line's folders on top."""
    environ = dict(os.environ)
    if getattr(args, "plans_dir", None):
        environ["ELDERBOT_PLANS_DIR"] = str(args.plans_dir)
    if getattr(args, "index_dir", None):
        environ["ELDERBOT_INDEX_DIR"] = str(args.index_dir)
    return BotSettings.from_env(environ)
