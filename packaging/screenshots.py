"""Take the README and AppStream screenshots from the real app: packaging/screenshots/*.png.

    xvfb-run -a -s "-screen 0 1920x1080x24" python packaging/screenshots.py
    xvfb-run -a -s "-screen 0 1920x1080x24" python packaging/screenshots.py --size 1920x1080 --out /tmp/shots
    xvfb-run -a -s "-screen 0 1920x1080x24" python packaging/screenshots.py --app dist/IdeogramStudio/ideogram-studio

For each theme (`--themes`, default light and dark) the app runs once with no key (the in-process
sandbox), in throw-away XDG folders whose settings.json names the theme, with keyring's "null"
backend (no key saved, no D-Bus). The window is sized to `--size` (default 1280x720, the laptop
window the studio is designed for) and driven from outside with xdotool, like a designer would:

1. Generate: type a prompt, Ctrl+Return, wait for the image in the library's index → generate-<theme>.png
2. Edit: the result's menu (Menu key) ▸ Copy image, Alt+3, Ctrl+V on the canvas, a stroke of the
   brush across it → edit-<theme>.png
3. With --tour: every mode (Alt+1 … Alt+6) and the library (Ctrl+L) → <name>-<theme>-<W>x<H>.png

Each window is grabbed with Qt (a separate process on the same display) and saved as an optimised
PNG; the app quits with Ctrl+Q.
"""

from __future__ import annotations

import argparse
import json
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


def grab(window: str, target: Path, env: dict[str, str]) -> None:
    """The window as it is on screen, saved as a 256-colour PNG Pillow has optimised (a third of the
    full-colour file: a window is mostly flat colour; the image in it shows no banding worth the bytes)."""
    from PIL import Image

    subprocess.run([sys.executable, "-c", GRAB, window, str(target)], env=env, check=True)
    with Image.open(target) as shot:
        rgb = shot.convert("RGB")  # (no alpha: a window has none worth keeping)
    rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)
    print(f"{target} ({target.stat().st_size // 1024} KiB)")


#: The tour (--tour): every mode by its shortcut, then the library, as <name>-<theme>-<W>x<H>.png.
TOUR = (("generate", "alt+1"), ("remix", "alt+2"), ("edit", "alt+3"), ("face-swap", "alt+4"),
        ("reframe", "alt+5"), ("background", "alt+6"), ("library", "ctrl+l"))  # fmt: skip


def take_tour(window: str, theme: str, size: tuple[int, int], out: Path, env: dict[str, str]) -> None:
    """Each mode and the library as the designer sees them after the first result (to look at, not
    for the README: the default set stays small)."""
    xdotool("key", "Escape")
    for name, keys in TOUR:
        xdotool("windowfocus", "--sync", window)
        xdotool("key", keys)
        time.sleep(2.5 if name == "library" else 1.5)
        grab(window, out / f"{name}-{theme}-{size[0]}x{size[1]}.png", env)
    # The first result chosen in the library's grid (its top left cell): the detail panel filled.
    xdotool("mousemove", "--window", window, "350", "170")
    xdotool("click", "1")
    time.sleep(1.5)
    grab(window, out / f"library-detail-{theme}-{size[0]}x{size[1]}.png", env)


def shoot(app_cmd: list[str], theme: str, size: tuple[int, int], out: Path, tour: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="ideogram-shots-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IDEOGRAM_", "DBUS_SESSION"))}
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
            (home / name).mkdir(mode=0o700)
            env[name] = str(home / name)
        env.update(HOME=str(home), QT_QPA_PLATFORM="xcb", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
        config = home / "XDG_CONFIG_HOME" / "IdeogramStudio"
        config.mkdir(mode=0o700)
        (config / "settings.json").write_text(json.dumps({"theme": theme}), "utf-8")
        index = home / "XDG_DATA_HOME" / "IdeogramStudio" / "index.sqlite3"

        app = subprocess.Popen(app_cmd, env=env)
        try:
            window = wait(lambda: xdotool("search", "--onlyvisible", "--name", "^Ideogram Studio"), 60, "the window")
            window = window.split()[0]
            width, height = size
            xdotool("windowmove", "--sync", window, "0", "0")
            xdotool("windowsize", "--sync", window, str(width), str(height))
            # The studio is attached (its prompt has the focus) once the title names the sandbox.
            wait(lambda: xdotool("search", "--onlyvisible", "--name", "^Sandbox"), 60, "the studio")
            time.sleep(1.0)
            xdotool("windowfocus", "--sync", window)
            xdotool("type", "--delay", "8", PROMPT)
            xdotool("key", "ctrl+Return")
            wait(lambda: stored_images(index) >= 1, 60, "the image to be stored")
            time.sleep(2.0)  # the viewer and the results strip paint
            out.mkdir(parents=True, exist_ok=True)
            grab(window, out / f"generate-{theme}.png", env)

            # Edit: the result copied from its menu, pasted on the Edit canvas, a stroke painted.
            x, y = width * 2 // 3, height // 2  # the viewer's middle
            xdotool("mousemove", "--window", window, str(x), str(y))
            xdotool("click", "1")
            xdotool("key", "Menu")
            time.sleep(0.5)
            xdotool("key", "Down", "Return")  # Copy image
            time.sleep(1.0)
            xdotool("key", "alt+3")
            time.sleep(1.5)
            xdotool("mousemove", "--window", window, str(x), str(y))
            xdotool("click", "1")  # the canvas takes the focus (an empty canvas paints nothing)
            xdotool("key", "ctrl+v")
            time.sleep(2.0)
            xdotool("mousemove", "--window", window, str(x - 90), str(y - 10))
            xdotool("mousedown", "1")
            for step in range(1, 19):
                xdotool("mousemove", "--window", window, str(x - 90 + step * 10), str(y - 10 + (step % 6) * 6))
                time.sleep(0.02)
            xdotool("mouseup", "1")
            time.sleep(1.0)
            grab(window, out / f"edit-{theme}.png", env)
            if tour:
                take_tour(window, theme, size, out, env)
            xdotool("key", "ctrl+q")
            return app.wait(30)
        finally:
            if app.poll() is None:
                app.terminate()
                app.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", nargs="+", default=[sys.executable, "-m", "ideogram_studio"], help="command to run")
    parser.add_argument("--out", type=Path, default=HERE / "screenshots", help="folder (default: %(default)s)")
    parser.add_argument("--themes", default="light,dark", help="comma-separated (default: %(default)s)")
    parser.add_argument("--size", default="1280x720", help="the window's size, WxH (default: %(default)s)")
    parser.add_argument("--tour", action="store_true", help="also every mode and the library, named by size")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        raise SystemExit("screenshots: needs an X display; run it under xvfb-run")
    width, height = (int(v) for v in args.size.lower().split("x"))
    status = 0
    for theme in args.themes.split(","):
        status = shoot(args.app, theme.strip(), (width, height), args.out, args.tour) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
