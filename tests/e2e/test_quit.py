"""End to end: quitting never hangs. With jobs still sending (a 60 s latency fault holds them), the
real studio ends on Ctrl+Q, and its journal says each job was cancelled, nothing left half-way (a
next start would otherwise call them interrupted). A keyring prompt left open is the keyring
test's (tests/e2e/test_keyring_start.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ideogram_studio.jobs.model import JobState
from ideogram_studio.sandbox import Fault

from .helpers import App, SandboxServer, wait

pytestmark = pytest.mark.e2e


def _jobs(app: App) -> list[tuple[str, str]]:
    index = app.library / "index.sqlite3"
    if not index.exists():
        return []
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        return [(r[0], r[1] or "") for r in db.execute("SELECT state, error FROM jobs")]


def test_quitting_with_jobs_sending_ends_and_journals_them(
    x_display: str, tmp_path: Path, sandbox: SandboxServer
) -> None:
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is missing: run scripts/system-deps.sh")
    sandbox.inject(Fault.latency(60, endpoint="generate").to_json())
    app = App(tmp_path / "home", sandbox.url)
    app.start()
    app.type("A lighthouse on a cliff at dusk")
    app.key("ctrl+Return")
    app.key("ctrl+Return")
    wait(lambda: sandbox.api_requests_seen() >= 1, 20, "a request to be held by the sandbox")
    wait(lambda: len(_jobs(app)) >= 2, 20, "both jobs to be journalled")
    assert app.quit() == 0, app.stderr()  # (quit() gives up after 20 s: the fault holds for 60)
    assert "Traceback" not in app.stderr()
    jobs = _jobs(app)
    assert len(jobs) == 2 and {state for state, _ in jobs} == {JobState.CANCELLED.value}, jobs
    assert all(error.startswith("Cancelled") for _, error in jobs), jobs  # in words
