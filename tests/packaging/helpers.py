"""Helpers shared by the packaging tests (plain functions and classes; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
APP_ID = "ai.ideogram.studio.IdeogramStudio"
BUILD_TIMEOUT = 900


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def wait(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def no_traceback(text: str) -> None:
    assert "Traceback (most recent call last)" not in text, text[-3000:]


def xdotool(*args: str, display: str) -> str:
    result = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, env={**os.environ, "DISPLAY": display}, check=False
    )
    return result.stdout.strip()


def bundle_env(display: str | None, **extra: str | None) -> dict[str, str]:
    """The test's (isolated) environment for the bundle: no key, no API base, X11 only.

    ``extra`` sets variables; a value of None removes one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEOGRAM_")}
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DISPLAY"):
        env.pop(name, None)
    if display:
        env["DISPLAY"] = display
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class BundleApp:
    """One run of the bundle's window; the library lands in the test's XDG_DATA_HOME."""

    def __init__(self, bundle: Path, display: str, env: dict[str, str]) -> None:
        self.exe = bundle / "ideogram-studio"
        self.display = display
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.window = ""
        self._stderr = ""

    @property
    def library(self) -> Path:
        return Path(self.env["XDG_DATA_HOME"]) / "IdeogramStudio"

    @property
    def log(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "IdeogramStudio" / "log" / "ideogram-studio.log"

    def start(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [str(self.exe), *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )

    def find_window(self, title_regex: str, timeout: float = 60) -> str:
        def found() -> str:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"the bundle exited with {self.proc.returncode}: {self.stderr()}")
            out = xdotool("search", "--onlyvisible", "--name", title_regex, display=self.display).split()
            return out[0] if out else ""

        self.window = str(wait(found, timeout, f"a window titled {title_regex!r}"))
        # No window manager under Xvfb: give the window the input focus directly (Qt then treats it
        # as active, its shortcuts work, and XTEST key events reach it like real typing).
        xdotool("windowfocus", "--sync", self.window, display=self.display)
        return self.window

    def title(self) -> str:
        return xdotool("getwindowname", self.window, display=self.display)

    def type(self, text: str) -> None:
        xdotool("type", "--delay", "5", text, display=self.display)

    def key(self, *keys: str) -> None:
        xdotool("key", *keys, display=self.display)

    def log_text(self) -> str:
        return self.log.read_text("utf-8") if self.log.exists() else ""

    def stored_results(self) -> int:
        index = self.library / "index.sqlite3"
        if not index.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
                return int(db.execute("SELECT count(*) FROM images WHERE is_input = 0").fetchone()[0])
        except sqlite3.Error:  # created but not migrated yet
            return 0

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError(f"the bundle did not exit within {timeout} s: {self.stderr()}") from None
        return code

    def stderr(self) -> str:
        """What the process wrote to stderr (read once it has exited)."""
        stream = self.proc.stderr if self.proc is not None else None
        if stream is not None and not stream.closed and self.proc is not None and self.proc.poll() is not None:
            self._stderr += stream.read()
            stream.close()
        return self._stderr

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.stderr()


def api_requests_seen(url: str) -> int:
    import httpx

    stats = httpx.get(f"{url}/sandbox/stats", timeout=10, trust_env=False).json()
    return sum(stats["requests_seen"].values())
