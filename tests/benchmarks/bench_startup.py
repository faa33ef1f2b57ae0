"""Start-up benchmark (run on demand, not a test): process start to the first painted main window.

    python tests/benchmarks/bench_startup.py                     # 10,000 images, 7 runs each
    python tests/benchmarks/bench_startup.py --images 100000 --runs 5 --profile

The studio (`ideogram-studio --data-dir LIB`, through a small launcher) is started with a library of
`--images` images and compared with a bare PySide6 window (QApplication + QMainWindow + QLabel),
started the same way in the same run (target: studio ≤ 1.5× bare).

- The library: synthetic index rows (`GalleryIndex.insert_many`, no files behind them) plus
  `--real` small real PNGs stored through `Gallery.store_image`, newest, so the strip of recent
  results shows real thumbnails. Made once in a temporary folder, never the real data folder.
- The clock: the parent takes `time.time()` just before `Popen`; the child prints `time.time()`
  when the first QEvent.Paint reaches a widget of a QMainWindow (an application-wide event filter
  installed by the launcher), and again when control is back in the event loop after that paint
  cycle (the backing store has been flushed to the screen by then). The launcher creates the
  QApplication before calling `ideogram_studio.app.main`, which uses an existing instance; nothing
  else in the app's start-up changes. Once measured, the launcher closes the window (the app's
  own staged shutdown) and the parent waits for the exit before the next run.
- The GUI thread's CPU time (`time.thread_time()` in the child, from the process's start) at "on
  screen" and at "usable", beside the clock: on a machine shared with other work, wall-clock times
  grow with its load (waiting for a CPU) and CPU time much less, so both are printed, with ratios.
- The display: one Xvfb (started here, or `$DISPLAY` / `--display` if given), `QT_QPA_PLATFORM=xcb`.
- Isolation: every run gets fresh XDG config/data/state/cache/runtime folders (so no saved window
  layout is restored), no API key (the sandbox), and keyring's "fail" backend (no D-Bus lookups).
- Bytecode: by default the children cache .pyc files in a private folder (PYTHONPYCACHEPREFIX),
  written by the warm-up, as an installed app has them (`--bytecode as-is` keeps the environment's
  setting: with PYTHONDONTWRITEBYTECODE=1 the editable package is compiled at every start).
- Runs: one warm-up of each (discarded: it makes the thumbnails and warms the page cache), then
  `--runs` of each, interleaved in random order; medians.
- `--profile`: afterwards, one `python -X importtime` run (top imports) and one cProfile run of the
  launcher until the first paint (top functions), to show where the time goes.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ideogram_studio.gallery import Gallery  # noqa: E402
from tests.core.gallery_fixtures import synthetic_rows  # noqa: E402

#: The hook shared by both launchers. Prints "BENCH <event> <time.time()>" lines on stdout.
HOOK = r'''
import os, sys, time
print(f"BENCH start {time.time():.6f}", flush=True)
_profile = None
if os.environ.get("BENCH_PROFILE"):
    import cProfile
    _profile = cProfile.Profile()
    _profile.enable()

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    """Watches one main window (and its QWindow): the first expose, the first paint; then "usable":
    the text field a designer types into (BENCH_USABLE_IN: inside the widget of that object name) has
    the focus and is painted; a key press is then posted to it, as typing would queue it, and the
    mark is taken when the typed character is in the field, painted, and control is back in the loop."""

    def __init__(self, close_after_ms):
        super().__init__()
        self.marks = {}
        #: The GUI thread's CPU time (time.thread_time()) at "flushed" and "usable": what the load of
        #: other processes changes least (their wall-clock times grow with it).
        self.cpu = {}
        self.window = None
        self.field = None
        self.close_after_ms = close_after_ms
        self.inside = os.environ.get("BENCH_USABLE_IN", "")
        self.poll = None

    def watch(self, window):
        if self.window is None:
            self.window = window
            window.installEventFilter(self)
            window.windowHandle().installEventFilter(self)
            # Looks for the focused field every millisecond once the event loop runs (timers wait for it).
            self.poll = QTimer(self)
            self.poll.setInterval(1)
            self.poll.timeout.connect(self.look_for_field)
            self.poll.start()
            QTimer.singleShot(30000, self.finish)  # never typed into: report what there is

    def look_for_field(self):
        from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

        # The window's focus child (QApplication.focusWidget() stays None while no window manager
        # activates the window, as under a bare Xvfb; with one, the two are the same).
        field = self.window.focusWidget()
        if not isinstance(field, (QLineEdit, QPlainTextEdit, QTextEdit)) or not field.isVisible():
            return
        if self.inside:
            parent = field
            while parent is not None and parent.objectName() != self.inside:
                parent = parent.parentWidget()
            if parent is None or not parent.isVisible():
                return
        if "flushed" not in self.marks:  # the window's first frame comes first
            return
        self.poll.stop()
        self.field = field
        self.marks["focused"] = time.time()
        self.painted_target = field.viewport() if hasattr(field, "viewport") else field
        self.painted_target.installEventFilter(self)
        self.typed_paint = False
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeyEvent

        # Posted, not sent: it waits in the queue behind whatever the GUI thread has still to do.
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.postEvent(field, QKeyEvent(kind, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x"))

    def field_text(self):
        field = self.field
        return field.text() if hasattr(field, "text") else field.toPlainText()

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Type.Expose and "expose" not in self.marks:
            self.marks["expose"] = time.time()
            QTimer.singleShot(0, self.report)  # runs once the expose (paint + flush) is handled
        elif kind == QEvent.Type.Paint and "paint" not in self.marks:
            self.marks["paint"] = time.time()
        elif (kind == QEvent.Type.Paint and self.field is not None and obj is self.painted_target
              and not self.typed_paint and "x" in self.field_text()):
            self.typed_paint = True
            self.marks["typed"] = time.time()
            QTimer.singleShot(0, self.typed)  # once this paint is flushed
        return False

    def report(self):
        self.marks["flushed"] = time.time()
        self.cpu["flushed"] = time.thread_time()

    def typed(self):
        self.marks["usable"] = time.time()
        self.cpu["usable"] = time.thread_time()
        if _profile is not None:  # the profile covers the whole way to "usable"
            _profile.disable()
            _profile.dump_stats(os.environ["BENCH_PROFILE"])
        self.finish()

    def finish(self):
        if self.window is None or "done" in self.marks:
            return
        self.marks["done"] = time.time()
        for name, when in self.marks.items():
            print(f"BENCH {name} {when:.6f}", flush=True)
        for name, used in self.cpu.items():
            print(f"BENCH cpu_{name} {used:.6f}", flush=True)
        QTimer.singleShot(self.close_after_ms, self.window.close)


_hook = FirstPaint(int(os.environ.get("BENCH_CLOSE_AFTER_MS", "300")))
_show = QMainWindow.show


def _show_and_watch(self):
    # The only change to the program: the first main window shown gets a (widget-level) filter.
    _show(self)
    _hook.watch(self)


QMainWindow.show = _show_and_watch
'''

STUDIO = (
    # "usable" in the studio: the focused field is the Generate panel's prompt (the bare window has one field).
    'import os\nos.environ["BENCH_USABLE_IN"] = "mode-generate"\n'
    + HOOK
    + r"""
from ideogram_studio.app import main

sys.exit(main(sys.argv[1:]))
"""
)

BARE = (
    HOOK
    + r"""
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

app = QApplication([sys.argv[0]])
window = QMainWindow()
window.setWindowTitle("bare")
centre = QWidget()
layout = QVBoxLayout(centre)
field = QLineEdit()
layout.addWidget(field)
layout.addWidget(QPushButton("Generate"))
window.setCentralWidget(centre)
window.resize(1400, 900)
window.show()
field.setFocus()
sys.exit(app.exec())
"""
)


@dataclass
class Run:
    """Seconds from just before Popen to each mark the child printed."""

    start: float  # the interpreter is up and the launcher runs (python's own start-up done)
    expose: float  # the main window's QWindow got its first Expose event
    paint: float  # the first Paint event reached the main window (the expose if none did)
    flushed: float  # back in the event loop after that expose: painted and flushed to the screen
    focused: float  # the text field to type into is on screen with the focus (a key is then posted)
    usable: float  # the typed character is in the field and painted: the designer sees it appear
    exit_code: int
    cpu_flushed: float  # the GUI thread's CPU time (since the process started) when on screen
    cpu_usable: float  # ... and when usable


def small_png(i: int) -> bytes:
    img = Image.new("RGB", (160, 120), ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
    ImageDraw.Draw(img).text((10, 50), f"bench {i}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def build_library(root: Path, images: int, real: int) -> None:
    t = time.perf_counter()
    gallery = Gallery.open(root)
    try:
        synthetic = max(0, images - real)
        gallery.index.insert_many(synthetic_rows(synthetic))
        newest = datetime.now(UTC) - timedelta(minutes=real)
        for i in range(real):
            response = {"seed": i, "resolution": "160x120", "prompt": f"bench {i}", "is_image_safe": True,
                        "style_type": "GENERAL"}  # fmt: skip
            gallery.store_image(
                small_png(i),
                operation="generate",
                request_fields={"prompt": f"bench {i}", "rendering_speed": "TURBO"},
                response_fields=response,
                created_at=newest + timedelta(minutes=i),
            )
        count = gallery.count()
    finally:
        gallery.close()
    print(f"library: {count:,} images ({synthetic:,} synthetic index rows + {real} real PNGs) "
          f"built in {time.perf_counter() - t:.1f} s")  # fmt: skip


def start_xvfb() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    number = proc.stdout.readline().strip()
    if not number.isdigit():
        proc.kill()
        raise SystemExit("Xvfb did not report a display number")
    return proc, f":{number}"


#: Where the children keep their .pyc files (see --bytecode); None: as the environment says.
PYCACHE: Path | None = None


def child_env(base: Path, display: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    drop = ("IDEOGRAM_API_KEY", "IDEOGRAM_API_BASE", "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    if PYCACHE is not None:
        drop += ("PYTHONDONTWRITEBYTECODE",)
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if PYCACHE is not None:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    home = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        path = home / name.lower()
        path.mkdir(mode=0o700)
        env[name] = str(path)
    env.update(
        HOME=str(home),
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.update(extra or {})
    return env


def launch(cmd: list[str], env: dict[str, str], timeout: float = 120) -> Run:
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise SystemExit(
            f"{' '.join(cmd)} did not finish within {timeout} s (killed).\n"
            f"stdout:\n{out[-2000:]}\nstderr:\n{err[-3000:]}"
        ) from None
    marks = {m.group(1): float(m.group(2)) - t0 for m in re.finditer(r"^BENCH (\w+) ([\d.]+)$", out, re.M)
             if not m.group(1).startswith("cpu_")}  # fmt: skip
    cpu = {m.group(1): float(m.group(2)) for m in re.finditer(r"^BENCH cpu_(\w+) ([\d.]+)$", out, re.M)}
    if "flushed" not in marks:
        raise SystemExit(f"{' '.join(cmd)} never painted (exit {proc.returncode}):\n{err[-3000:]}")
    if "usable" not in marks:
        raise SystemExit(f"{' '.join(cmd)} never took a typed character (exit {proc.returncode}):\n{err[-3000:]}")
    paint = marks.get("paint", marks["expose"])
    return Run(marks["start"], marks["expose"], paint, marks["flushed"], marks["focused"], marks["usable"],
               proc.returncode, cpu["flushed"], cpu["usable"])  # fmt: skip


def median_of(runs: list[Run], mark: str) -> float:
    return statistics.median(getattr(r, mark) for r in runs)


def profile(tmp: Path, display: str, studio: list[str], top: int) -> None:
    print("\n== Where the studio's start-up time goes ==")
    # Imports: python -X importtime, aggregated by top-level package.
    env = child_env(tmp, display, {"PYTHONPROFILEIMPORTTIME": "1"})
    result = subprocess.run(studio, env=env, capture_output=True, text=True, timeout=120)
    rows = []
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)), m.group(4)))
    by_package: dict[str, int] = {}
    for self_us, _cumulative, _depth, name in rows:
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + self_us
    total = sum(by_package.values())
    print(f"imports: {total / 1000:.0f} ms in all ({len(rows)} modules); by top-level package (self time):")
    for package, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {package:32} {us / 1000:7.1f} ms")
    print("heaviest single imports (cumulative, nested ones included):")
    for _self_us, cumulative, depth, name in sorted(rows, key=lambda r: -r[1])[: top + 5]:
        if depth <= 2 or name.startswith("ideogram_studio"):
            print(f"  {name:50} {cumulative / 1000:7.1f} ms")

    # Functions: cProfile from the launcher's first line to the first paint.
    stats_path = tmp / "startup.prof"
    env = child_env(tmp, display, {"BENCH_PROFILE": str(stats_path)})
    run = launch(studio, env)
    print(
        f"\ncProfile run to 'usable' (slower than normal): on screen after {run.flushed * 1000:.0f} ms, "
        f"usable after {run.usable * 1000:.0f} ms"
    )
    buf = io.StringIO()
    stats = pstats.Stats(str(stats_path), stream=buf)
    stats.sort_stats("cumulative").print_stats(top * 2)
    stats.sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    text = re.sub(r"/[^ ]*/site-packages/", "", text).replace(str(REPO) + "/", "")
    print(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=10_000, help="images in the library")
    ap.add_argument("--real", type=int, default=60, help="of which real PNG files (the newest)")
    ap.add_argument("--runs", type=int, default=7, help="measured runs of each (after one warm-up)")
    ap.add_argument("--display", help="an X display to use (default: $DISPLAY, else a new Xvfb)")
    ap.add_argument("--profile", action="store_true", help="then show where the studio's time goes")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument(
        "--compare-with", metavar="CHECKOUT",
        help="also start the studio of another checkout (e.g. a worktree of the commit before a change), interleaved",
    )  # fmt: skip
    ap.add_argument(
        "--bytecode", choices=("private", "as-is"), default="private",
        help="private (default): the children write and reuse .pyc files in a private folder (PYTHONPYCACHEPREFIX, "
        "made by the warm-up), as an installed app would have them; as-is: the environment's own setting "
        "(with PYTHONDONTWRITEBYTECODE=1, every module without a .pyc is compiled at every start)",
    )  # fmt: skip
    args = ap.parse_args()
    global PYCACHE

    import PySide6

    print(f"Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}, {os.cpu_count()} CPUs")
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    PYCACHE = tmp / "pycache" if args.bytecode == "private" else None
    print(f"bytecode: {args.bytecode} (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} here)")
    xvfb: subprocess.Popen[str] | None = None
    try:
        display = args.display or os.environ.get("DISPLAY")
        if not display:
            xvfb, display = start_xvfb()
        print(f"display {display}{' (our own Xvfb)' if xvfb else ''}")
        library = tmp / "library"
        if args.images or args.real:
            build_library(library, args.images, args.real)
        else:
            print("library: empty (made by the studio's own first start, the warm-up)")
        (tmp / "studio_launcher.py").write_text(STUDIO, "utf-8")
        (tmp / "bare_launcher.py").write_text(BARE, "utf-8")
        commands = {
            "bare PySide6": [sys.executable, str(tmp / "bare_launcher.py")],
            "studio": [sys.executable, str(tmp / "studio_launcher.py"), "--data-dir", str(library)],
        }
        #: Extra environment per command: --compare-with runs another checkout's studio in the same run.
        extra_env: dict[str, dict[str, str]] = {}
        if args.compare_with:
            other = f"studio ({Path(args.compare_with).name})"
            # Its own library folder, made by its own first start (the warm-up): an older checkout
            # cannot open an index made by this one. Compare the two with --images 0 --real 0.
            commands[other] = [*commands["studio"][:-1], str(tmp / "library-other")]
            if args.images or args.real:
                print(f"note: {other} opens an empty library of its own; for a like-for-like figure use "
                      "--images 0 --real 0")  # fmt: skip
            extra_env[other] = {"PYTHONPATH": str(Path(args.compare_with).resolve())}
        for name, cmd in commands.items():  # warm-up: thumbnails, .pyc files, page cache
            run = launch(cmd, child_env(tmp, display, extra_env.get(name)))
            print(
                f"warm-up {name}: on screen after {run.flushed * 1000:.0f} ms, usable after "
                f"{run.usable * 1000:.0f} ms, exit code {run.exit_code}"
            )
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        rng = random.Random(3)
        for _ in range(args.runs):
            order = list(commands)
            rng.shuffle(order)
            for name in order:
                runs[name].append(launch(commands[name], child_env(tmp, display, extra_env.get(name))))

        print(f"\n== Process start to the first painted main window: {args.runs} runs each, interleaved; "
              f"studio library {args.images:,} images; medians (min-max of 'on screen') ==")  # fmt: skip
        marks = ("start", "expose", "paint", "flushed", "focused", "usable")
        titles = ("python up", "exposed", "1st paint", "on screen", "focused", "usable")
        print(f"{'':24}" + "".join(f"{t:>12}" for t in titles) + f"{'min-max':>16}  exit codes")
        for name, items in runs.items():
            cells = "".join(f"{median_of(items, m) * 1000:9.0f} ms" for m in marks)
            spread = f"{min(r.flushed for r in items) * 1000:.0f}-{max(r.flushed for r in items) * 1000:.0f} ms"
            print(f"{name:24}{cells}{spread:>16}  {sorted({r.exit_code for r in items})}")
        bare, ours = runs["bare PySide6"], runs["studio"]
        ratio = median_of(ours, "flushed") / median_of(bare, "flushed")
        print(f"\nratio studio ÷ bare, on screen (median): {ratio:.2f}× (target ≤ 1.5×); first paint event: "
              f"{median_of(ours, 'paint') / median_of(bare, 'paint'):.2f}×; best run of each: "
              f"{min(r.flushed for r in ours) / min(r.flushed for r in bare):.2f}×")  # fmt: skip
        usable = median_of(ours, "usable") / median_of(bare, "usable")
        print(f"ratio studio ÷ bare, usable (the prompt focused, a typed key painted; median): {usable:.2f}× "
              f"(target ≤ 2×); best run of each: "
              f"{min(r.usable for r in ours) / min(r.usable for r in bare):.2f}×")  # fmt: skip
        for name, items in runs.items():
            if name.startswith("studio ("):
                usable_other = median_of(items, "usable") / median_of(bare, "usable")
                print(f"ratio {name} ÷ bare, usable (median): {usable_other:.2f}×; "
                      f"on screen: {median_of(items, 'flushed') / median_of(bare, 'flushed'):.2f}×")  # fmt: skip
        print("\nthe GUI thread's CPU time (changes least with the machine's load), medians: "
              + "; ".join(f"{name} {median_of(items, 'cpu_flushed') * 1000:.0f} ms on screen, "
                          f"{median_of(items, 'cpu_usable') * 1000:.0f} ms usable" for name, items in runs.items()))
        for name, items in runs.items():
            if name != "bare PySide6":
                print(f"ratio {name} ÷ bare, GUI thread's CPU time: on screen "
                      f"{median_of(items, 'cpu_flushed') / median_of(bare, 'cpu_flushed'):.2f}×, usable "
                      f"{median_of(items, 'cpu_usable') / median_of(bare, 'cpu_usable'):.2f}×")  # fmt: skip
        extra = median_of(ours, "flushed") - median_of(bare, "flushed")
        print(f"the studio's extra time: {extra * 1000:.0f} ms; python's own start-up (to the launcher's first line) "
              f"is in both ({median_of(bare, 'start') * 1000:.0f} ms)")  # fmt: skip
        if args.profile:
            profile(tmp, display, commands["studio"], args.top)
    finally:
        if xvfb is not None:
            xvfb.send_signal(signal.SIGTERM)
            try:
                xvfb.wait(10)
            except subprocess.TimeoutExpired:
                xvfb.kill()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
