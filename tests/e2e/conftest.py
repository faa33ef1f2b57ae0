"""End-to-end fixtures: the sandbox as a real server process on 127.0.0.1.

``sandbox_server`` starts ``ideogram-sandbox --port 0`` (the venv's console script, or
``python -m ideogram_studio.sandbox.server`` when the script is not installed), reads its
"listening on" line (the socket is listening before the line is printed), and stops the process by
its PID at the end of the module (SIGTERM, then SIGKILL if it does not exit). ``sandbox`` gives
each test the same server with its faults cleared and counters reset.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from .helpers import SandboxServer, start_sandbox, stop_process


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[SandboxServer]:
    server = start_sandbox()
    try:
        yield server
    finally:
        code = stop_process(server.process)
        # The server ends a SIGTERM like Ctrl+C: a graceful shutdown, exit status 0.
        assert code == 0, f"ideogram-sandbox exited with {code}: {''.join(server.stderr_lines)[-2000:]}"


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The module's server, with no faults and zeroed counters."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    """The X server of scripts/test.sh (xvfb-run), or one of our own when run without it."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    display = ":" + proc.stdout.readline().strip()
    os.environ["DISPLAY"] = display
    try:
        yield display
    finally:
        del os.environ["DISPLAY"]
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
