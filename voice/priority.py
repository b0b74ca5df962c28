"""The programs that make speech (espeak-ng, ffmpeg) run as background work: below the CPU priority of the process
that starts them, so that a flood of speech requests takes the CPU the answers leave idle rather than the CPU the
answers need (bench/bench_resilience.py: /v1/ask latency while /v1/speak is flooded). On an idle machine a lower
priority changes nothing."""

from __future__ import annotations

import logging
import os
import subprocess

log = logging.getLogger(__name__)

DEFAULT_NICENESS = 10  # CFS weight 110 against 1024: about a tenth of a contended core, all of an idle one


def run_in_background(
    cmd: list[str], stdin: bytes | None, timeout_s: float, niceness: int = DEFAULT_NICENESS
) -> subprocess.CompletedProcess[bytes]:
    """`subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout_s)` with the child `niceness`
    steps below this process. The child is lowered right after it starts (no preexec_fn, which is not safe in a
    threaded server); a child that is gone by then is fine. TimeoutExpired is raised as subprocess.run raises it."""
    with subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        if niceness > 0:
            lower_priority(process.pid, niceness)
        try:
            out, err = process.communicate(stdin, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    return subprocess.CompletedProcess(
        cmd, process.returncode if process.returncode is not None else -1, out, err
    )


def lower_priority(pid: int, niceness: int) -> None:
    """Set process `pid` `niceness` steps below this process (at most 19); quietly nothing where not allowed."""
    try:
        target = min(19, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
        os.setpriority(os.PRIO_PROCESS, pid, target)
    except (OSError, AttributeError) as exc:  # gone already, not permitted, or no priorities on this platform
        log.debug("could not lower the priority of process %d (%s)", pid, exc)
