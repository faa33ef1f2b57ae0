"""Benchmark: opening a large source image in Edit, with a GUI-stall probe (run on demand, not a test).

    python tests/benchmarks/bench_source_open.py                  # 8K (7680×4320) JPEG and PNG
    python tests/benchmarks/bench_source_open.py --size 7680 4320 --runs 3

A real EditPanel (its mask editor shown beside it, as the window shows it) opens the file through
its source picker's `load_path` — what the Open dialog and a dropped file call. A 5 ms QTimer on the
GUI thread is the probe: every gap between its ticks over 50 ms is a stall a designer feels (the
window does not repaint or take input meanwhile). Measured until the image is on the canvas
(`image_changed` plus the repaint after it).

In the same run, the baseline is the same code path forced onto the GUI thread (the worker threshold
raised past the image: what the studio did before). Also "Downscale to fit": a noisy 8K PNG over
Edit's 25 MB limit is held back and the button clicked, in the worker and on the GUI thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget  # noqa: E402

from ideogram_studio.ui.modes import source_image, source_loading  # noqa: E402
from ideogram_studio.ui.modes.edit import EditPanel  # noqa: E402

STALL_MS = 50
HEARTBEAT_MS = 5


class Probe:
    """A 5 ms heartbeat on the GUI thread; records every gap between ticks."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self._tick()  # the gap up to now counts too (a stall that lasted to the end)
        self.timer.stop()

    def stalls(self) -> list[float]:
        return [g for g in self.gaps if g > STALL_MS]


def make_sources(folder: Path, size: tuple[int, int]) -> dict[str, Path]:
    w, h = size
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(40):  # structure, so the JPEG is photo-sized rather than tiny
        draw.ellipse(
            (i * w // 40, (i * 97) % h, i * w // 40 + w // 8, (i * 97) % h + h // 6), fill=(i * 6, 90, 200 - i * 4)
        )
    noise = Image.effect_noise(size, 24).convert("RGB")
    photo = Image.blend(img, noise, 0.25)
    out = {"8K JPEG": folder / "photo.jpg", "8K PNG": folder / "photo.png"}
    photo.save(out["8K JPEG"], "JPEG", quality=90)
    img.save(out["8K PNG"], "PNG")  # without the noise: under Edit's 25 MB limit
    return out


def wait_for(done: Callable[[], bool], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    app = QApplication.instance()
    assert app is not None
    while not done() and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)  # the probe and the worker's queued signals are handled by processEvents
    if not done():
        raise SystemExit("timed out")


def one_open(panel: EditPanel, path: Path, probe: Probe) -> tuple[float, float | None, list[float]]:
    """Seconds to the image on the canvas, seconds to the preview (None if none), the stalls."""
    picker = panel.source_picker
    assert picker is not None
    picker.clear()
    got: dict[str, float] = {}

    def arrived() -> None:
        got.setdefault("image", time.perf_counter())

    picker.image_changed.connect(arrived)
    QApplication.processEvents()
    probe.start()
    t0 = time.perf_counter()
    picker.load_path(path)
    got.setdefault("returned", time.perf_counter())
    wait_for(lambda: "image" in got or picker.message().isVisible())
    if "image" not in got:
        raise SystemExit(f"{path.name} was refused: {picker.message().text()}")
    QApplication.processEvents()  # the repaint after the image is in
    probe.stop()
    picker.image_changed.disconnect(arrived)
    return got["image"] - t0, None, probe.stalls()


def one_downscale(panel: EditPanel, path: Path, probe: Probe) -> tuple[float, list[float]]:
    picker = panel.source_picker
    assert picker is not None
    picker.clear()
    picker.load_path(path)
    wait_for(lambda: picker.pending() is not None)
    got: dict[str, float] = {}

    def arrived() -> None:
        got.setdefault("image", time.perf_counter())

    picker.image_changed.connect(arrived)
    probe.start()
    t0 = time.perf_counter()
    picker.downscale()
    wait_for(lambda: "image" in got)
    QApplication.processEvents()
    probe.stop()
    picker.image_changed.disconnect(arrived)
    return got["image"] - t0, probe.stalls()


def describe(stalls: list[float]) -> str:
    return f"{len(stalls):3d} stalls > {STALL_MS} ms, longest {max(stalls, default=0):6.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, nargs=2, default=(7680, 4320))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-downscale", action="store_true")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    tmp = Path(tempfile.mkdtemp(prefix="bench-source-"))
    sources = make_sources(tmp, tuple(args.size))
    for name, path in sources.items():
        print(f"{name}: {args.size[0]}×{args.size[1]}, {path.stat().st_size / 1e6:.1f} MB")
    window = QWidget()
    layout = QHBoxLayout(window)
    panel = EditPanel(window)
    editor = panel.detach_editor()
    layout.addWidget(panel)
    layout.addWidget(editor, 1)
    window.resize(1400, 900)
    window.show()
    QApplication.processEvents()
    probe = Probe()
    worker_threshold = source_image.LARGE_PIXELS
    print(f"\n== Opening in Edit: {args.runs} runs each, interleaved; probe {HEARTBEAT_MS} ms; medians ==")
    for name, path in sources.items():
        for where in ("GUI thread (before)", "worker (after)"):
            source_image.LARGE_PIXELS = worker_threshold if where.startswith("worker") else 10**12
            times, counts, longest = [], [], []
            for _ in range(args.runs):
                seconds, _preview, stalls = one_open(panel, path, probe)
                times.append(seconds)
                counts.append(len(stalls))
                longest.append(max(stalls, default=0))
            print(f"{name:8} {where:20} image on the canvas {statistics.median(times) * 1000:6.0f} ms; "
                  f"stalls > {STALL_MS} ms: {statistics.median(counts):.0f} (per run {counts}), longest "
                  f"{statistics.median(longest):.0f} ms (worst {max(longest):.0f})")  # fmt: skip
    source_image.LARGE_PIXELS = worker_threshold
    if not args.no_downscale:
        noisy = tmp / "noisy.png"
        Image.effect_noise(tuple(args.size), 60).convert("RGB").save(noisy, "PNG", compress_level=1)
        print(f"\n== Downscale to fit: noisy {args.size[0]}×{args.size[1]} PNG, "
              f"{noisy.stat().st_size / 1e6:.0f} MB (over the limit: held back, then the button) ==")  # fmt: skip
        for where in ("GUI thread (before)", "worker (after)"):
            if where.startswith("GUI"):
                real_start = source_image.SourceLoader.start

                def inline(self, work, *, preview_of=None):  # type: ignore[no-untyped-def]
                    self._ticket += 1
                    ticket = self._ticket
                    # on the GUI thread, as before (the held-back file is read as a worker reads it)
                    whole = source_loading.preview_image(preview_of)[2] if preview_of is not None else None
                    self.loaded.emit(ticket, work() if whole is None else work(whole))
                    return ticket

                source_image.SourceLoader.start = inline  # type: ignore[method-assign]
            seconds, stalls = one_downscale(panel, noisy, probe)
            if where.startswith("GUI"):
                source_image.SourceLoader.start = real_start  # type: ignore[method-assign]
            print(f"{where:20} image on the canvas {seconds * 1000:6.0f} ms; {describe(stalls)}")
    window.close()
    del app


if __name__ == "__main__":
    main()
