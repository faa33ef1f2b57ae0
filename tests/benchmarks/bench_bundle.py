"""Bundle benchmark (run on demand, not a test): size on disk and start to first painted window.

    python tests/benchmarks/bench_bundle.py               # builds both bundles, 5 runs each
    python tests/benchmarks/bench_bundle.py --runs 9 --keep /tmp/bundles

Builds, with the same PyInstaller in the same run, (1) the Ideogram Studio bundle from
packaging/ideogram-studio.spec and (2) a bare PySide6 "hello window" (QApplication + QMainWindow +
QLabel) with PyInstaller's defaults (`--onedir --windowed`), and prints each figure as a ratio of
the studio to the bare bundle (targets: size ≤ 1.3×, start ≤ 1.5×).

- Size: bytes allocated on disk (st_blocks, as `du`), and the apparent size, of the whole folder.
- Start: `time.time()` just before Popen to the first Paint event of the first QMainWindow's
  widgets, and to the moment control is back in the event loop after that (painted and flushed).
  Both bundles get the same PyInstaller runtime hook (BENCH_HOOK below) that prints those times;
  the studio's spec takes it through IDEOGRAM_BUNDLE_RUNTIME_HOOKS. The window is then closed
  (the studio's own staged shutdown) and the exit awaited before the next run.
- Each run: fresh XDG folders (empty library, no saved layout), no API key (the sandbox),
  keyring's "null" backend (no key saved, no D-Bus), X11 through Xvfb (`$DISPLAY` or one started
  here). One warm-up of each first (discarded), then `--runs` of each, interleaved; medians.
- Also the same studio from this venv (not frozen, same probe): what freezing itself costs.
- Also prints the Qt modules and plugins of the installed PySide6 that the studio bundle leaves out.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BENCH_HOOK = r'''
# PyInstaller runtime hook for bench_bundle.py: prints "BENCH <mark> <time.time()>" on stdout.
import os
import time

if os.environ.get("BENCH_FIRST_PAINT"):
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    class _FirstPaint(QObject):
        def __init__(self):
            super().__init__()
            self.window = None
            self.painted = None

        def eventFilter(self, obj, event):
            if (self.painted is None and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                    and obj.window() is self.window):
                self.painted = time.time()
                QTimer.singleShot(0, self.report)
            return False

        def report(self):
            print(f"BENCH paint {self.painted:.6f}", flush=True)
            print(f"BENCH flushed {time.time():.6f}", flush=True)
            QTimer.singleShot(int(os.environ.get("BENCH_CLOSE_AFTER_MS", "300")), self.window.close)

    _probe = _FirstPaint()
    _show = QMainWindow.show

    def _show_and_watch(self):
        if _probe.window is None:
            _probe.window = self
            QApplication.instance().installEventFilter(_probe)
        _show(self)

    QMainWindow.show = _show_and_watch
'''

HELLO = r'''
import sys
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("hello")
window.setCentralWidget(QLabel("A bare PySide6 window"))
window.resize(1400, 900)
window.show()
sys.exit(app.exec())
'''


@dataclass
class Bundle:
    name: str
    folder: Path
    exe: Path
    build_seconds: float

    @property
    def cmd(self) -> list[str]:
        return [str(self.exe)]


@dataclass
class FromVenv(Bundle):
    """The same studio from this venv (not frozen), with the same probe: the bundle's own overhead."""

    @property
    def cmd(self) -> list[str]:
        launcher = self.folder / "venv_launcher.py"
        launcher.write_text(
            f"exec(compile(open({str(self.exe)!r}).read(), 'bench_first_paint', 'exec'))\n"
            "import sys\nfrom ideogram_studio.__main__ import main\nsys.exit(main([]))\n",
            "utf-8",
        )
        return [sys.executable, str(launcher)]


def pyinstaller_env(hook: Path) -> dict[str, str]:
    return {**os.environ, "IDEOGRAM_BUNDLE_RUNTIME_HOOKS": str(hook)}


def build_studio(work: Path, hook: Path) -> Bundle:
    t = time.perf_counter()
    subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh"), "--dist", str(work / "studio"), "--work", str(work / "w1")],
        env={**pyinstaller_env(hook), "PYTHON": sys.executable},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    folder = work / "studio" / "IdeogramStudio"
    return Bundle("studio", folder, folder / "ideogram-studio", time.perf_counter() - t)


def build_hello(work: Path, hook: Path) -> Bundle:
    src = work / "hello.py"
    src.write_text(HELLO, "utf-8")
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--windowed", "--log-level", "WARN",
         "--runtime-hook", str(hook), "--distpath", str(work / "hello"), "--workpath", str(work / "w2"),
         "--specpath", str(work), str(src)],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    folder = work / "hello" / "hello"
    return Bundle("hello", folder, folder / "hello", time.perf_counter() - t)


def disk_usage(folder: Path) -> tuple[int, int]:
    """(bytes allocated on disk, apparent bytes) of every file and symlink under folder."""
    allocated = apparent = 0
    for path in folder.rglob("*"):
        st = path.lstat()
        allocated += st.st_blocks * 512
        apparent += st.st_size
    return allocated, apparent


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


def run_once(bundle: Bundle, display: str, base: Path) -> tuple[float, float]:
    home = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDEOGRAM_", "DBUS_SESSION", "WAYLAND"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        (home / name).mkdir(mode=0o700)
        env[name] = str(home / name)
    env.update(
        HOME=str(home),
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        BENCH_FIRST_PAINT="1",
    )
    t0 = time.time()
    proc = subprocess.Popen(bundle.cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise SystemExit(f"{bundle.name} did not finish within 120 s:\n{err[-3000:]}") from None
    marks = {m.group(1): float(m.group(2)) - t0 for m in re.finditer(r"^BENCH (\w+) ([\d.]+)$", out, re.M)}
    if "flushed" not in marks or proc.returncode != 0:
        raise SystemExit(f"{bundle.name} never painted or failed (exit {proc.returncode}):\n{err[-3000:]}")
    shutil.rmtree(home, ignore_errors=True)
    return marks["paint"], marks["flushed"]


def left_out(bundle: Path) -> tuple[list[str], list[str]]:
    """Qt Python modules and Qt plugins of the installed PySide6 that the bundle does not carry."""
    import PySide6

    installed = Path(PySide6.__file__).parent
    internal = bundle / "_internal" / "PySide6"
    modules = sorted(
        p.name.split(".")[0] for p in installed.glob("Qt*.abi3.so") if not (internal / p.name).exists()
    )
    plugins = sorted(
        f"{p.parent.name}/{p.name}"
        for p in (installed / "Qt" / "plugins").glob("*/*")
        if not (internal / "Qt" / "plugins" / p.parent.name / p.name).exists()
    )
    return modules, plugins


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each bundle (default %(default)s)")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    work.mkdir(parents=True, exist_ok=True)
    xvfb = None
    try:
        hook = work / "bench_first_paint.py"
        hook.write_text(BENCH_HOOK, "utf-8")
        import PyInstaller
        import PySide6

        print(f"PyInstaller {PyInstaller.__version__}, PySide6 {PySide6.__version__}, Python {sys.version.split()[0]}")
        studio = build_studio(work, hook)
        hello = build_hello(work, hook)
        print(f"built: studio in {studio.build_seconds:.1f} s, hello in {hello.build_seconds:.1f} s")

        print("\n== Size on disk ==")
        sizes = {b.name: disk_usage(b.folder) for b in (studio, hello)}
        for name, (allocated, apparent) in sizes.items():
            print(f"{name:7s} {allocated / 2**20:7.1f} MiB on disk   {apparent / 2**20:7.1f} MiB apparent")
        size_ratio = sizes["studio"][0] / sizes["hello"][0]
        print(f"ratio   {size_ratio:.2f}× on disk, {sizes['studio'][1] / sizes['hello'][1]:.2f}× apparent "
              f"(target ≤ 1.3×) {'OK' if size_ratio <= 1.3 else 'OVER'}")  # fmt: skip

        print("\n== Start to first painted window ==")
        if os.environ.get("DISPLAY"):
            display = os.environ["DISPLAY"]
        else:
            xvfb, display = start_xvfb()
        venv = FromVenv("venv", work, hook, 0.0)
        runs: dict[str, list[tuple[float, float]]] = {"studio": [], "hello": [], "venv": []}
        for b in (studio, hello, venv):  # warm-up: page cache, font cache, .pyc files
            run_once(b, display, work)
        for _ in range(args.runs):
            for b in (hello, studio, venv):
                runs[b.name].append(run_once(b, display, work))
        med = {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
               for name, rs in runs.items()}  # fmt: skip
        for name, (paint, flushed) in med.items():
            print(f"{name:7s} first paint {paint * 1000:7.0f} ms   painted+flushed {flushed * 1000:7.0f} ms"
                  f"   (median of {args.runs})")  # fmt: skip
        start_ratio = med["studio"][1] / med["hello"][1]
        print(f"ratio   {med['studio'][0] / med['hello'][0]:.2f}× to first paint, {start_ratio:.2f}× to flushed "
              f"(target ≤ 1.5×) {'OK' if start_ratio <= 1.5 else 'OVER'}")  # fmt: skip
        print(f"(the studio bundle vs the same studio from the venv, not frozen: "
              f"{med['studio'][1] / med['venv'][1]:.2f}×; the rest is the app's own start-up)")  # fmt: skip

        modules, plugins = left_out(studio.folder)
        print(f"\n== Left out of the studio bundle ({len(modules)} Qt modules, {len(plugins)} plugins) ==")
        print("modules: " + ", ".join(modules))
        print("plugins: " + ", ".join(plugins))
        return 0
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
