"""What the load benches share: stopping the server they started, percentiles, the tests' fake APIs."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType


def stop_server(server: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Ask the server to stop as Ctrl-C would (SIGINT), and kill it if it has not stopped within the timeout."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of already sorted values, nearest rank; NaN for none."""
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def load_module(path: Path, name: str) -> ModuleType:
    """A test helper module (a fake API under tests/) loaded by path, under `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
