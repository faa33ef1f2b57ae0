"""End to end: a second start of the real app on the same library, while the first is sending a
job held by a 10 s latency fault. The second hands its file to the first and quits; the first
raises its window, imports the file, finishes its job once; nothing is marked interrupted,
nothing is sent again (the repro of issue 13, item 2)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.sandbox import Fault

from .helpers import App, SandboxServer, screenshot, wait

pytestmark = pytest.mark.e2e


def _jobs(app: App) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{app.library / 'index.sqlite3'}?mode=ro", uri=True) as db:
        return [(r[0], r[1] or "") for r in db.execute("SELECT state, error FROM jobs")]


def _imports(app: App) -> int:
    with sqlite3.connect(f"file:{app.library / 'index.sqlite3'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM images WHERE operation = 'import'").fetchone()[0])


def test_a_second_start_hands_over_and_touches_nothing(
    x_display: str, tmp_path: Path, sandbox: SandboxServer, artifacts_dir: Path
) -> None:
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is missing: run scripts/system-deps.sh")
    first = App(tmp_path / "home", sandbox.url)
    first.start()
    sandbox.inject(Fault.latency(10, endpoint="generate").to_json())
    first.type("A lighthouse held by a slow service")
    first.key("ctrl+Return")
    wait(lambda: ("sending", "") in _jobs(first), 20, "the job to be sending")

    picture = tmp_path / "from the file manager.png"
    Image.new("RGB", (40, 30), (20, 120, 200)).save(picture)
    second = subprocess.run([sys.executable, "-m", "ideogram_studio", str(picture)], env=first.env,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "already open in a window" in second.stderr and "Traceback" not in second.stderr
    wait(lambda: _imports(first) == 1, 30, "the running window to import the handed-over file")
    windows = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Ideogram Studio$"],
                             capture_output=True, text=True).stdout.split()
    assert len(windows) == 1  # no second window
    time.sleep(0.5)
    screenshot(artifacts_dir / "second-start-handed-over.png")

    wait(lambda: _jobs(first) == [("done", "")], 40, "the held job to finish, once")
    assert sandbox.stats()["requests_seen"].get("/v1/ideogram-v3/generate") == 1
    assert "interrupted" not in first.log_text()
    assert first.quit() == 0, first.stderr()
