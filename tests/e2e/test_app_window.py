"""End to end: the real app in a real X window (Xvfb), against `ideogram-sandbox` served on
127.0.0.1 by a real process. Keys are typed with xdotool into the window; screenshots are kept
as test artifacts (IDEOGRAM_TEST_ARTIFACTS). Generate, quit, start again, find the results."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from .helpers import KEY, App, SandboxServer, screenshot, wait

pytestmark = pytest.mark.e2e


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
