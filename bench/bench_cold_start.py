"""Cold start of `elderbot ask`: a new process per question, with the index (and intent model) already built.

    python bench/bench_cold_start.py ["问题"] [--runs 7] [--top 15]

Runs `python -m bot ask` once to build the index if needed, then N cold runs, and reports the median wall time
and CPU time (user + system of the child: on a loaded machine wall time also counts waiting for a core), then one
`python -X importtime` run's slowest top-level imports and a cProfile of where the rest of the time goes.
ELDERBOT_DATA_DIR / ELDERBOT_INDEX_DIR are passed through; unset, a temporary data dir is used.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUESTION = "万州高龄津贴怎么领"


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stderr) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


def import_times(stderr: str) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of top-level imports (the ones directly under the program)."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  "):  # depth 0: one space after the bar
            rows.append((int(parts[1]), int(parts[0]), name.strip()))
    return sorted(rows, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("question", nargs="?", default=DEFAULT_QUESTION)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile breakdown")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("ELDERBOT_DATA_DIR", tempfile.mkdtemp(prefix="elderbot-cold-"))
    env["PYTHONDONTWRITEBYTECODE"] = env.get("PYTHONDONTWRITEBYTECODE", "")
    command = [sys.executable, "-m", "bot", "ask", args.question]

    wall, cpu, _ = run_once(command, env)
    print(f"warm-up run (builds the index and intent model when missing): {wall:.2f} s wall, {cpu:.2f} s CPU")
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu, _ = run_once(command, env)
        walls.append(wall)
        cpus.append(cpu)
    print(f"cold `elderbot ask` × {args.runs}: median {statistics.median(walls):.2f} s wall "
          f"(min {min(walls):.2f}, max {max(walls):.2f}), median {statistics.median(cpus):.2f} s CPU "
          f"(user+sys; ≈ wall on an idle machine)")
    try:
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass

    _, _, stderr = run_once([sys.executable, "-X", "importtime", *command[1:]], env)
    print("\nslowest top-level imports (python -X importtime, cumulative ms, one run):")
    rows = import_times(stderr)
    total = sum(cumulative for cumulative, _, _ in rows)
    for cumulative, _, name in rows[: args.top]:
        print(f"  {cumulative / 1000:8.1f}  {name}")
    print(f"  {total / 1000:8.1f}  all imports")
    loaded = {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}
    heavy = [name for name in ("sklearn", "scipy", "scipy.sparse", "pandas", "pypinyin", "torch", "faiss", "jieba")
             if name in loaded]
    print(f"  heavy packages imported: {', '.join(heavy) or 'none'}")

    if not args.no_profile:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "ask.prof"
            script = (
                "import cProfile, runpy, sys, time\n"
                f"sys.argv = ['bot', 'ask', {args.question!r}]\n"
                "p = cProfile.Profile(time.process_time)\n"
                "p.enable()\n"
                "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
                f"p.disable(); p.dump_stats({str(out)!r})\n"
            )
            run_once([sys.executable, "-c", script], env)
            import pstats

            stats = pstats.Stats(str(out))
            rows_p = [(cumulative, f"{Path(file).name}:{line}({name})", file)
                      for (file, line, name), (_, _, _, cumulative, _) in stats.stats.items()]  # type: ignore[attr-defined]
            ours = [r for r in rows_p if str(ROOT) in r[2] or "jieba" in r[2] or "pypinyin" in r[2]]
            ours = [r for r in ours if "<module>" not in r[1]]
            print("\nslowest project / jieba / pypinyin functions (CPU s, cumulative, one run):")
            for cumulative, label, _ in sorted(ours, reverse=True)[: args.top]:
                print(f"  {cumulative:6.2f}  {label}")


if __name__ == "__main__":
    main()
