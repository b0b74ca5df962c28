"""`elderbot index [--rebuild]`: build (or check) the knowledge index and report passages per plan."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from bot.channels.cli.options import add_location_arguments
from bot.channels.cli.options import settings_from as cli_settings


def register(subparsers: Any) -> None:
    """Add the `index` subcommand."""
    parser = subparsers.add_parser(
        "index", help="build the plan index (clean, structure, chunk, BM25)",
        description="Build the knowledge index from the plans, or reuse it when plans and settings are unchanged.",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if the index is up to date")
    parser.add_argument("--finetune", action="store_true",
                        help="fine-tune the packaged encoder on domain pairs (minutes on CPU); kept only if it measures better")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure the configured embedding model against BM25 and store its fusion weight")
    parser.add_argument("--eval", type=Path, dest="eval_file",
                        help="labelled questions (dev.jsonl format) to measure on; default: the plans' section titles")
    add_location_arguments(parser)
    parser.set_defaults(run=run)


def settings_from(args: argparse.Namespace) -> Any:
    """KnowledgeSettings from the environment, with the command line's folders on top."""
    return cli_settings(args).knowledge


def run(args: argparse.Namespace) -> int:
    """Open or build the index with a progress bar, then print one line per plan."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from knowledge.ingest.corpus import CorpusError
    from knowledge.retrieval.search import KnowledgeBase

    console = Console(stderr=True)
    settings = settings_from(args)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("opening index", total=None)

        def progress(message: str, done: int, total: int) -> None:
            bar.update(task, description=message, completed=done, total=total)

        try:
            index = KnowledgeBase(settings).warm_up(rebuild=args.rebuild, progress=progress)
        except CorpusError as exc:
            console.print(f"[red]plans folder problem:[/red] {exc}")
            return 1
        except OSError as exc:
            console.print(f"[red]cannot write the index to {settings.index_dir}:[/red] {exc.strerror or exc}")
            return 1
    elapsed = time.perf_counter() - started

    counts: dict[tuple[str, str], int] = {}
    for passage in index.store.passages:
        key = (passage.short_region, passage.title)
        counts[key] = counts.get(key, 0) + 1
    table = Table(title="passages per plan")
    table.add_column("region")
    table.add_column("plan")
    table.add_column("passages", justify="right")
    for (region, title), n in counts.items():
        table.add_row(region, title, str(n))
    Console().print(table)
    verb = "built" if index.built else "up to date, loaded"
    print(f"index {verb}: {len(index.store)} passages from {len(counts)} plans in {elapsed:.2f} s → {settings.index_dir}")
    sys.stdout.flush()
    if args.finetune or args.calibrate:
        from knowledge.tuning.gate import calibrate, finetune_and_gate, gate_lines, outcome_lines

        if args.finetune:
            lines = outcome_lines(finetune_and_gate(settings, eval_file=args.eval_file))
        else:
            lines = gate_lines(calibrate(settings, eval_file=args.eval_file))
        print("\n".join(lines))
    return 0
