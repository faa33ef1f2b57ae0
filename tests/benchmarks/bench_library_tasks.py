"""GUI-stall probe around the library's long work (run on demand, not a test): importing files
and exporting a batch, driven through the LibraryPage as the designer does (drop → task bar →
report; select → export), with a 5 ms heartbeat on the GUI thread.

    python tests/benchmarks/bench_library_tasks.py                    # 1,000 files in, 100 out
    python tests/benchmarks/bench_library_tasks.py --files 200 --export 50 --rows 20000

Figures, each against a baseline measured in the same run:
- import of `--files` new PNGs (each with a prompt in its text chunk, as other tools write them)
  into a library of `--rows` indexed images with the page open on it: wall time, GUI-thread
  stalls over 50 ms (target 0) and the longest heartbeat gap; baseline: the same import run
  bare (Gallery.import_paths on a thread, the page not told) on another copy of the files;
- export of `--export` selected images (metadata on): the same, against Gallery.export of the
  same images on a thread.
Each stall count is followed by the same heartbeat's count over as long (at most 20 s) with
nothing to do: what the machine's load alone costs.
The heartbeat runs from the start of the action to the moment the grid shows its outcome (the
search after the import has painted; the export's report is up) plus 0.5 s of thumbnails.
Everything happens in a temporary folder. Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
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
from tests.benchmarks.bench_library_grid import STALL_MS, Heartbeat, idle_stalls, until  # noqa: E402
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


async def report(title: str, seconds: float, heart: Heartbeat) -> None:
    stalls = heart.stalls()
    print(f"{title}: {seconds:.1f} s; GUI-thread stalls > {STALL_MS} ms: {len(stalls)}"
          + (f" (longest {max(stalls):.0f} ms)" if stalls else "")
          + f"; longest heartbeat gap {max(heart.gaps, default=0):.0f} ms; "
          + await idle_stalls(min(20.0, sum(heart.gaps) / 1000)) + heart.where())


async def bare(fn: object) -> tuple[float, Heartbeat]:
    """`fn()` on a thread with only the heartbeat on the GUI thread."""
    heart = Heartbeat()
    heart.start()
    t = time.perf_counter()
    await asyncio.to_thread(fn)  # type: ignore[arg-type]
    await asyncio.sleep(0.5)
    heart.stop()
    return time.perf_counter() - t - 0.5, heart


async def main(args: argparse.Namespace) -> None:
    app = QApplication.instance()
    assert app is not None
    tmp = Path(tempfile.mkdtemp(prefix="bench-library-tasks-"))
    try:
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, Qt platform {app.platformName()}")
        t = time.perf_counter()
        built = build_library(tmp / "library", real=60, synthetic=max(0, args.rows - 60), distinct_files=40)
        gallery = built.gallery
        ours = make_files(tmp / "in-page", args.files, 500_000)
        theirs = make_files(tmp / "in-bare", args.files, 700_000)
        print(f"library of {args.rows:,} images and 2 × {args.files:,} files to import, made in "
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
        seconds, heart = await bare(lambda: gallery.import_paths(theirs))
        await report("baseline: Gallery.import_paths on a thread, nothing else", seconds, heart)
        before = len(shown)
        heart = Heartbeat()
        heart.start()
        t = time.perf_counter()
        page.import_paths([ours[0].parent])
        await until(lambda: not page.session.tasks.busy() and len(shown) > before, 600)
        seconds = time.perf_counter() - t
        await asyncio.sleep(0.5)
        heart.stop()
        await report("the page: dropped folder → report and the grid searched again", seconds, heart)

        # ---- export -----------------------------------------------------------------------------
        print(f"\n== Export of {args.export:,} selected images (metadata kept) ==")
        ids = list(page.model.ids()[: args.export])
        seconds, heart = await bare(lambda: gallery.export(ids, tmp / "out-bare"))
        await report("baseline: Gallery.export on a thread, nothing else", seconds, heart)
        page.grid.selectAll()
        heart = Heartbeat()
        heart.start()
        t = time.perf_counter()
        page.export_to(tmp / "out-page", ids)
        await until(lambda: page.session.tasks.busy(), 10)
        await until(lambda: not page.session.tasks.busy(), 600)
        seconds = time.perf_counter() - t
        await asyncio.sleep(0.5)
        heart.stop()
        await report("the page: export → report", seconds, heart)

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
