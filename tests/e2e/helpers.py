"""Helpers shared by the end-to-end tests (plain functions and classes; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

#: The API key the end-to-end tests type into the settings dialog (never a real one).
KEY = "e2e-key-5f4e3d2c1b0a"

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)\s*$")
START_TIMEOUT = 20.0


def console_script(name: str, module: str) -> list[str]:
    """The venv's console script `name`, or `python -m module` when it is not installed."""
    script = Path(sys.executable).parent / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


@dataclass
class SandboxServer:
    """A running `ideogram-sandbox` process and its control endpoints."""

    url: str
    process: subprocess.Popen[str]
    stderr_lines: list[str] = field(default_factory=list)

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, trust_env=False)

    def stats(self) -> dict[str, Any]:
        with self._client() as c:
            response = c.get("/sandbox/stats")
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result

    def api_requests_seen(self) -> int:
        """API calls received since the last reset, over every endpoint (refused ones included)."""
        return sum(self.stats()["requests_seen"].values())

    def inject(self, *faults: dict[str, Any]) -> None:
        with self._client() as c:
            c.post("/sandbox/faults", json=list(faults)).raise_for_status()

    def reset(self) -> None:
        with self._client() as c:
            c.delete("/sandbox/faults").raise_for_status()
            c.delete("/sandbox/stats").raise_for_status()


def _pump(stream: Any, sink: queue.Queue[str | None], keep: list[str] | None) -> None:
    with stream:  # the pipe is this thread's: closed at the end of the output (the process has exited)
        for line in stream:
            if keep is not None:
                keep.append(line)
            sink.put(line)
    sink.put(None)


def start_sandbox(*extra: str) -> SandboxServer:
    """Start the server as a real process and wait for its "listening on" line."""
    cmd = [*console_script("ideogram-sandbox", "ideogram_studio.sandbox.server"), "--port", "0", *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None and process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    stderr_lines: list[str] = []
    # Reader threads, so a silent or stuck server fails the fixture after a timeout instead of
    # hanging the run; they also keep the pipes drained while the server lives.
    threading.Thread(target=_pump, args=(process.stdout, lines, None), daemon=True).start()
    threading.Thread(target=_pump, args=(process.stderr, queue.Queue(), stderr_lines), daemon=True).start()
    try:
        line = lines.get(timeout=START_TIMEOUT)
    except queue.Empty:
        line = ""
    match = LISTENING.search(line or "")
    if match is None:
        stop_process(process)
        raise RuntimeError(
            f"ideogram-sandbox did not report its address (first line {line!r}, exit code {process.poll()}, "
            f"stderr {''.join(stderr_lines)[-2000:]!r})"
        )
    return SandboxServer(match.group(1), process, stderr_lines)


def stop_process(process: subprocess.Popen[str]) -> int | None:
    """SIGTERM by PID, wait, then SIGKILL; returns the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.returncode


def wait(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class App:
    """One run of the real `ideogram-studio` process with its own home folders."""

    def __init__(self, home: Path, api_base: str) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "IDEOGRAM_API_BASE": api_base,
            "IDEOGRAM_API_KEY": KEY,
        }
        self.proc: subprocess.Popen[str] | None = None
        self._stderr = ""
        self.window = ""

    @property
    def library(self) -> Path:
        return self.home / "data" / "IdeogramStudio"

    @property
    def log(self) -> Path:
        return self.home / "state" / "IdeogramStudio" / "log" / "ideogram-studio.log"

    def start(self) -> None:
        # The window shows before the studio is filled in; "start-up:" is logged once it is. The log
        # may hold earlier runs' lines: wait for this run's.
        earlier = self.log_text().count("start-up:")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ideogram_studio"], env=self.env, stderr=subprocess.PIPE, text=True
        )

        def find() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:  # ended before its window showed: say how, not "timed out"
                raise AssertionError(f"the studio exited with {self.proc.returncode} before its window showed:\n"
                                     f"{self.stderr()[-3000:]}\nlog:\n{self.log_text()[-2000:]}")
            out = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "Ideogram Studio$"], capture_output=True, text=True
            ).stdout.split()
            self.window = out[0] if out else ""
            return bool(self.window)

        try:
            wait(find, 30, "the main window")
        except AssertionError as exc:
            if "timed out" not in str(exc):
                raise
            raise AssertionError(f"{exc} (the studio still running; its log:\n{self.log_text()[-2000:]})") from None
        # No window manager under Xvfb: give the window the input focus directly, so Qt treats it
        # as active (its shortcuts then work) and XTEST key events reach it like real typing.
        subprocess.run(["xdotool", "windowfocus", "--sync", self.window], check=True)
        wait(lambda: self.log_text().count("start-up:") > earlier, 30, "the start-up to finish")

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "5", text], check=True)

    def key(self, *keys: str) -> None:
        subprocess.run(["xdotool", "key", *keys], check=True)

    def results(self) -> int:
        index = self.library / "index.sqlite3"
        if not index.exists():
            return 0
        with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM images WHERE is_input = 0").fetchone()[0])

    def quit(self) -> int:
        assert self.proc is not None
        self.key("ctrl+q")
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise
        finally:
            self.stderr()  # read and closed now that the process has ended
        return code

    def stderr(self) -> str:
        """What the process wrote to stderr; read once (the pipe is closed after)."""
        stream = self.proc.stderr if self.proc else None
        if stream is None or stream.closed:
            return self._stderr
        self._stderr = stream.read()
        stream.close()
        return self._stderr


def screenshot(path: Path) -> None:
    """Grab the whole X screen with Qt itself (a separate process on the same display)."""
    code = (
        "import sys;from PySide6.QtGui import QGuiApplication;"
        "app=QGuiApplication(['shot','-platform','xcb']);"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, env={**os.environ, "QT_QPA_PLATFORM": "xcb"})


def run_driver(flow: str, home: Path, api_base: str, shots: Path, extra: str = "") -> dict[str, Any]:
    """Run a flow of `tests.e2e.drive_studio` (the real studio in a real X window, driven with X input)
    with its own home folders against the sandbox at `api_base`; its JSON report, checked to be ok."""
    import json

    report = home / f"{flow}.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "IDEOGRAM_API_BASE": api_base,
        "IDEOGRAM_API_KEY": KEY,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tests.e2e.drive_studio", flow, str(report), str(shots), extra],
        env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=240,
    )
    data: dict[str, Any] = json.loads(report.read_text()) if report.exists() else {"ok": False, "error": "no report"}
    assert data.get("ok"), f"{data.get('error')}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return data
