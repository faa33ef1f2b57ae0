"""Issue 20, item 4, with the real app: after a generate in a fresh home under umask 022, nothing the
studio wrote (library, index, journal, logs, settings, window state) is readable by other users;
folders an older version left open are tightened at start, with a note in the log."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import App, SandboxServer, wait

pytestmark = pytest.mark.e2e


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the app inherits it, as from a desktop session
    try:
        yield
    finally:
        os.umask(old)


def open_to_others(home: Path) -> list[str]:
    """In the XDG folders the app made (data, state, cache: the app creates them) and its own config
    folder (the config root was made by this test; HOME's dot folders by the test harness)."""
    found = []
    tops = [home / "data", home / "state", home / "cache", home / "config" / "IdeogramStudio"]
    for path in (p for top in tops if top.exists() for p in [top, *top.rglob("*")]):
        st = os.lstat(path)
        if not stat.S_ISLNK(st.st_mode) and st.st_mode & 0o077:
            found.append(f"{path.relative_to(home)} {stat.filemode(st.st_mode)}")
    return found


def test_after_a_generate_nothing_is_readable_by_others(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, usual_umask: None
) -> None:
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is missing: run scripts/system-deps.sh")
    home = tmp_path / "home"
    # What an older version left: a settings folder and file open to everyone.
    legacy = home / "config" / "IdeogramStudio"
    legacy.mkdir(parents=True, mode=0o755)
    (legacy / "settings.json").write_text('{"default_rendering_speed": "TURBO"}')
    os.chmod(legacy / "settings.json", 0o644)
    app = App(home, sandbox_server.url)
    app.start()
    app.type("A private sketch for a client")
    app.key("ctrl+Return")
    wait(lambda: app.results() >= 1, 40, "the result to be stored")
    wait(lambda: "done, 1 result(s)" in app.log_text(), 20, "the job to finish")
    assert app.quit() == 0, app.stderr()
    written = {p.relative_to(home).as_posix() for p in home.rglob("*")}
    assert {"data/IdeogramStudio/index.sqlite3", "state/IdeogramStudio/log/ideogram-studio.log"} <= written
    assert any(name.startswith("data/IdeogramStudio/images/") and name.endswith(".png") for name in written)
    assert any(name.startswith("config/IdeogramStudio/") and name.endswith(".conf") for name in written)  # window
    assert open_to_others(home) == []
    assert "privacy:" in app.log_text() and "now private" in app.log_text()
