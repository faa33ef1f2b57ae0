"""Start-up collects no garbage until the prompt takes typing (app._main): the cyclic collector is
off while the window and the first panel are made, then the objects start-up made are frozen (no
later collection scans them) and the collector runs again. Checked in the real app, started as the
designer starts it (a launcher around app.main, as bench_startup's)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

LAUNCHER = """
import gc, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

seen = {}
_show = QMainWindow.show


def show(self):
    _show(self)
    if "shown" not in seen:
        seen["shown"] = gc.isenabled()
        poll = QTimer(self)

        def look():  # until the studio has started (asyncio joined the loop): then close
            if gc.get_freeze_count() and gc.isenabled():
                seen["after"] = (gc.isenabled(), gc.get_freeze_count() > 10_000)
                poll.stop()
                self.close()

        poll.timeout.connect(look)
        poll.start(5)
        QTimer.singleShot(60_000, self.close)


QMainWindow.show = show
from ideogram_studio.app import main

code = main(sys.argv[1:])
print(repr((seen, gc.isenabled(), code)))
"""


def test_no_collection_until_the_prompt_takes_typing_then_startup_is_frozen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("IDEOGRAM_API_KEY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        QT_QPA_PLATFORM="offscreen", HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        **{name: str(home / name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                                                       "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")},
    )  # fmt: skip
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        Path(env[name]).mkdir(parents=True, mode=0o700)
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, "--data-dir", str(tmp_path / "library")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen, enabled_at_exit, code = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert code == 0
    assert seen["shown"] is False  # off while the window and the first panel were made
    assert seen["after"] == (True, True)  # on again, start-up's objects frozen
    assert enabled_at_exit
