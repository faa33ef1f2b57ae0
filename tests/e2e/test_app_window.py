"""End to end: the real app in a real X window (Xvfb), against `ideogram-sandbox` served on
127.0.0.1 by a real process. Keys are typed with xdotool into the window; screenshots are kept
as test artifacts (IDEOGRAM_TEST_ARTIFACTS). Generate, quit, start again, find the results."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import KEY, SandboxServer

pytestmark = pytest.mark.e2e


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
            out = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--name", "Ideogram Studio$"], capture_output=True, text=True
            ).stdout.split()
            self.window = out[0] if out else ""
            return bool(self.window)

        wait(find, 30, "the main window")
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
            raise
        return code

    def stderr(self) -> str:
        return self.proc.stderr.read() if self.proc and self.proc.stderr else ""


def screenshot(path: Path) -> None:
    """Grab the whole X screen with Qt itself (a separate process on the same display)."""
    code = (
        "import sys;from PySide6.QtGui import QGuiApplication;"
        "app=QGuiApplication(['shot','-platform','xcb']);"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, env={**os.environ, "QT_QPA_PLATFORM": "xcb"})


@pytest.fixture
def artifacts(artifacts_dir: Path) -> Path:
    return artifacts_dir


def test_generate_quit_restart_and_find_the_results(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts: Path
) -> None:
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is missing: run scripts/system-deps.sh")
    app = App(tmp_path / "home", sandbox_server.url)
    app.start()
    screenshot(artifacts / "01-started.png")
    app.type("A lighthouse on a cliff at dusk, poster reading NORTH LIGHT")
    app.key("ctrl+Return")
    wait(lambda: app.results() >= 1, 40, "the result to be stored")
    wait(lambda: "done, 1 result(s)" in app.log_text(), 20, "the job to finish")
    time.sleep(0.5)  # let the viewer paint
    screenshot(artifacts / "02-generated.png")
    assert app.quit() == 0, app.stderr()
    assert "Traceback" not in app.stderr()

    again = App(tmp_path / "home", sandbox_server.url)
    again.start()
    assert "start-up: 1 recent results, 1 jobs in the journal" in again.log_text()
    time.sleep(1.0)
    screenshot(artifacts / "03-restarted.png")
    assert again.quit() == 0, again.stderr()
    # The key was given through the environment: it is in no file the studio wrote.
    leaks = [p for p in (tmp_path / "home").rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
    assert leaks == []
