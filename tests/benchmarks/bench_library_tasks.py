"""GUI-stall probe around the library's long work (run on demand, not a test): importing files
and exporting a batch, driven through the LibraryPage as the designer does (drop → task bar →
report; select → export), with a 5 ms heartbeat on the GUI thread.

    python tests/benchmarks/bench_library_tasks.py                    # 1,000 files in, 100 out
    python tests/benchmarks/bench_library_tasks.py --files 200 --export 50 --rows 20000
    python tests/benchmarks/bench_library_tasks.py --rounds 3      # bare and page imports interleaved

Figures, each against a baseline measured in the same run:
- import of `--files` new PNGs (each with a prompt in its text chunk, as other tools write them)
  into a library of `--rows` indexed images with the page open on it: wall time, GUI-thread
  stalls over 50 ms (target 0) and the longest heartbeat gap; baseline: the same import run
  bare (Gallery.import_paths on a thread, the page not told) on another copy of the files;
- export of `--export` selected images (metadata on): the same, against Gallery.export of the
  same images on a thread.
With --rounds N the two imports alternate N times (which goes first alternates too), each on
files of its own, and the medians close the section: on a shared 2-core machine one run of each
says more about the load than about the page. Beside each wall time: the process's CPU time and
the GUI thread's (time.thread_time) over the same span, which the load does not inflate.
--why: per stall, how the GUI thread spent it (bench_gui_stalls' heartbeat: on a CPU, waiting for
one, asleep), the collections over 10 ms and where every thread was.
Each stall count is followed by the same heartbeat's count over as long (at most 20 s) with
nothing to do: what the machine's load alone costs.
The heartbeat runs from the start of the action to the moment the grid shows its outcome (the
search run after the import is in the grid; the export's report is up) plus 0.5 s of thumbnails.
(Before, the import's end was its whole result read, 0.4 s of quiet later, found by a 2 ms poll.)
Everything happens in a temporary folder. Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PIL import Image, PngImagePlugin  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ideogram_studio.ui.common.task_runner import TaskRunner  # noqa: E402
from ideogram_studio.ui.library.page import LibraryPage  # noqa: E402
from tests.benchmarks.bench_gui_stalls import Heartbeat  # noqa: E402  (--why: schedstat, collections, stacks)
from tests.benchmarks.bench_library_grid import STALL_MS, idle_stalls, until  # noqa: E402
from tests.ui.library_data import build_library, picture  # noqa: E402


def make_files(folder: Path, n: int, seed: int) -> list[Path]:
    """n distinct PNGs with an A1111-style prompt in a text chunk (what imports read)."""
    folder.mkdir(parents=True)
    out = []
    for i in range(n):
        data = picture(192, 192, seed + i, f"import {i}")
        path = folder / f"import-{i:04d}.png"
        img = Image.open(io.BytesIO(data))
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", f"a lighthouse at dusk, number {seed + i}\nSteps: 20, Sampler: Euler a, "
                                    f"CFG scale: 7, Seed: {seed + i}, Size: 192x192")
        img.save(path, "PNG", pnginfo=info, compress_level=1)
        out.append(path)
    return out


class Clocks:
    """Wall, process CPU and GUI-thread CPU time from start() (called on the GUI thread), and the
    garbage collections meanwhile (any thread's: a collection holds the GIL, so every thread waits)."""

    def start(self) -> Clocks:
        self.wall, self.cpu, self.gui = time.perf_counter(), time.process_time(), time.thread_time()
        self.collections: list[tuple[int, float]] = []  # (generation, seconds)
        self._began = 0.0
        gc.callbacks.append(self._on_gc)
        return self

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.collections.append((info["generation"], time.perf_counter() - self._began))

    def stop(self) -> tuple[float, float, float]:
        gc.callbacks.remove(self._on_gc)
        return (time.perf_counter() - self.wall, time.process_time() - self.cpu, time.thread_time() - self.gui)

    def text(self, cpu: float, gui: float) -> str:
        full = [s for g, s in self.collections if g == 2]
        return (f" (CPU {cpu:.1f} s, of it the GUI thread {gui:.2f} s; {len(self.collections)} garbage "
                f"collections, {sum(s for _, s in self.collections):.2f} s, {len(full)} of them full, "
                f"{sum(full):.2f} s, longest {max((s for _, s in self.collections), default=0) * 1000:.0f} ms)")


async def report(title: str, seconds: float, heart: Heartbeat, cpu: str = "") -> None:
    stalls = heart.stalls()
    print(f"{title}: {seconds:.1f} s{cpu}; GUI-thread stalls > {STALL_MS} ms: {len(stalls)}"
          + (f" (longest {max(stalls):.0f} ms)" if stalls else "")
          + f"; longest heartbeat gap {max(heart.gaps, default=0):.0f} ms; "
          + await idle_stalls(min(20.0, sum(heart.gaps) / 1000)) + heart.where())


async def bare(fn: object) -> tuple[float, Heartbeat, str]:
    """`fn()` on a thread with only the heartbeat on the GUI thread."""
    heart = Heartbeat()
    heart.start()
    clocks = Clocks().start()
    await asyncio.to_thread(fn)  # type: ignore[arg-type]
    seconds, cpu, gui = clocks.stop()
    await asyncio.sleep(0.5)
    heart.stop()
    return seconds, heart, clocks.text(cpu, gui)


async def page_import(page: LibraryPage, folder: Path) -> tuple[float, Heartbeat, str]:
    """A dropped folder through the page, until the report is up and the grid shows the search run
    again after it (its first page in the model; painted at the event loop's next turn). Waited for
    on the signals themselves: a poll of the GUI thread every few ms would be work the bare import
    does not have (a 2 ms poll cost the GUI thread 0.5 s of CPU over a 10 s import)."""
    session = page.session
    reported: list[float] = []
    searched = asyncio.Event()

    def on_finished(*_: object) -> None:
        reported.append(time.perf_counter())

    def on_shown(*_: object) -> None:
        if reported:
            searched.set()

    session.tasks.finished.connect(on_finished)
    session.results_shown.connect(on_shown)
    heart = Heartbeat()
    heart.start()
    clocks = Clocks().start()
    page.import_paths([folder])
    try:
        await asyncio.wait_for(searched.wait(), 600)
        await asyncio.sleep(0)  # the grid's repaint
        seconds, cpu, gui = clocks.stop()
    finally:
        session.tasks.finished.disconnect(on_finished)
        session.results_shown.disconnect(on_shown)
    await asyncio.sleep(0.5)
    heart.stop()
    report_s = reported[0] - clocks.wall
    return seconds, heart, f" (the report at {report_s:.1f} s)" + clocks.text(cpu, gui)


async def main(args: argparse.Namespace) -> None:
    app = QApplication.instance()
    assert app is not None
    tmp = Path(tempfile.mkdtemp(prefix="bench-library-tasks-"))
    try:
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, Qt platform {app.platformName()}")
        t = time.perf_counter()
        built = build_library(tmp / "library", real=60, synthetic=max(0, args.rows - 60), distinct_files=40)
        gallery = built.gallery
        ours = [make_files(tmp / f"in-page-{r}", args.files, 500_000 + 10_000 * r) for r in range(args.rounds)]
        theirs = [make_files(tmp / f"in-bare-{r}", args.files, 700_000 + 10_000 * r) for r in range(args.rounds)]
        print(f"library of {args.rows:,} images and {2 * args.rounds} × {args.files:,} files to import, made in "
              f"{time.perf_counter() - t:.1f} s")

        runner = TaskRunner()
        page = LibraryPage(gallery, runner)
        page.resize(1400, 900)
        page.show()
        shown: list[int] = []
        page.search_finished.connect(shown.append)
        await until(lambda: bool(shown), 60)
        await asyncio.sleep(1.0)

        # ---- import -----------------------------------------------------------------------------
        print(f"\n== Import of {args.files:,} PNG files (prompt in a text chunk) ==")
        walls: dict[str, list[float]] = {"bare": [], "page": []}
        for r in range(args.rounds):
            if args.rounds > 1:
                print(f"-- round {r + 1} (load {os.getloadavg()[0]:.1f})")
            order = ("bare", "page") if r % 2 == 0 else ("page", "bare")
            for which in order:
                if which == "bare":
                    files = theirs[r]
                    seconds, heart, cpu = await bare(lambda files=files: gallery.import_paths(files))  # type: ignore[misc]
                    await report("baseline: Gallery.import_paths on a thread, nothing else", seconds, heart, cpu)
                else:
                    seconds, heart, cpu = await page_import(page, ours[r][0].parent)
                    await report("the page: dropped folder → report, and the grid shows the search run again",
                                 seconds, heart, cpu)
                walls[which].append(seconds)
        if args.rounds > 1:
            bare_s, page_s = statistics.median(walls["bare"]), statistics.median(walls["page"])
            print(f"medians: bare {bare_s:.1f} s, the page {page_s:.1f} s ({page_s / bare_s:.2f}×)")

        # ---- export -----------------------------------------------------------------------------
        print(f"\n== Export of {args.export:,} selected images (metadata kept) ==")
        ids = list(page.model.ids()[: args.export])
        seconds, heart, cpu = await bare(lambda: gallery.export(ids, tmp / "out-bare"))
        await report("baseline: Gallery.export on a thread, nothing else", seconds, heart, cpu)
        page.grid.selectAll()
        heart = Heartbeat()
        heart.start()
        clocks = Clocks().start()
        page.export_to(tmp / "out-page", ids)
        await until(lambda: page.session.tasks.busy(), 10)
        await until(lambda: not page.session.tasks.busy(), 600)
        seconds, cpu_s, gui_s = clocks.stop()
        await asyncio.sleep(0.5)
        heart.stop()
        await report("the page: export → report", seconds, heart, clocks.text(cpu_s, gui_s))

        page.shutdown()
        await runner.cancel_all()
        page.close()
        gallery.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000, help="images in the library")
    ap.add_argument("--files", type=int, default=1000, help="files to import")
    ap.add_argument("--rounds", type=int, default=1, help="imports of each kind, interleaved")
    ap.add_argument("--export", type=int, default=100, help="images to export")
    ap.add_argument("--why", action="store_true", help="name where the GUI thread was during stalls")
    args = ap.parse_args()
    Heartbeat.why = args.why
    import qasync

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(args))


if __name__ == "__main__":
    run()
