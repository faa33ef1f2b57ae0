"""Take the AppStream screenshots from the real app: packaging/screenshots/*.png.

    xvfb-run -a -s "-screen 0 1400x900x24" python packaging/screenshots.py
    xvfb-run -a -s "-screen 0 1400x900x24" python packaging/screenshots.py --app dist/IdeogramStudio/ideogram-studio

The app runs with no key (the in-process sandbox), in throw-away XDG folders, with keyring's
"null" backend (no key saved, no D-Bus). The window is driven from outside with xdotool, like a
designer would: type a prompt, Ctrl+Return, wait for the image in the library's index, then the
window is grabbed with Qt (a separate process on the same display) and the app quits with Ctrl+Q.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROMPT = 'A risograph poster for a jazz night, the words "BLUE NOTE" in bold letters, deep blue and orange'

GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(["grab", "-platform", "xcb"])
ok = app.primaryScreen().grabWindow(int(sys.argv[1])).save(sys.argv[2])
sys.exit(0 if ok else 1)
"""


def wait(condition, timeout: float, what: str):  # condition: () -> value, truthy when done
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"screenshots: timed out waiting for {what}")


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, check=False).stdout.strip()


def stored_images(index: Path) -> int:
    if not index.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM images WHERE is_input = 0").fetchone()[0])
    except sqlite3.Error:
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", nargs="+", default=[sys.executable, "-m", "ideogram_studio"], help="command to run")
    parser.add_argument("--out", type=Path, default=HERE / "screenshots", help="folder (default: %(default)s)")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("screenshots: needs an X display; run it under xvfb-run")

    with tempfile.TemporaryDirectory(prefix="ideogram-shots-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IDEOGRAM_", "DBUS_SESSION"))}
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
            (home / name).mkdir(mode=0o700)
            env[name] = str(home / name)
        env.update(HOME=str(home), QT_QPA_PLATFORM="xcb", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
        index = home / "XDG_DATA_HOME" / "IdeogramStudio" / "index.sqlite3"

        app = subprocess.Popen(args.app, env=env)
        try:
            window = wait(lambda: xdotool("search", "--onlyvisible", "--name", "^Ideogram Studio"), 60, "the window")
            window = window.split()[0]
            time.sleep(1.5)
            xdotool("windowfocus", "--sync", window)
            xdotool("type", "--delay", "8", PROMPT)
            xdotool("key", "ctrl+Return")
            wait(lambda: stored_images(index) >= 1, 60, "the image to be stored")
            time.sleep(2.0)  # the viewer and the results strip paint
            args.out.mkdir(parents=True, exist_ok=True)
            target = args.out / "main.png"
            subprocess.run([sys.executable, "-c", GRAB, window, str(target)], env=env, check=True)
            print(target)
            xdotool("key", "ctrl+q")
            return app.wait(30)
        finally:
            if app.poll() is None:
                app.terminate()
                app.wait(10)


if __name__ == "__main__":
    sys.exit(main())
