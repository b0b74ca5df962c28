"""What the load benches share: stopping the server process they started."""

from __future__ import annotations

import signal
import subprocess


def stop_server(server: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Ask the server to stop as Ctrl-C would (SIGINT), and kill it if it has not stopped within the timeout."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.kill()
