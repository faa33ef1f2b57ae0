"""Library grid benchmark (run on demand, not a test): the LibraryPage over 100,000 indexed images.

    python tests/benchmarks/bench_library_grid.py                      # 100,000 rows
    python tests/benchmarks/bench_library_grid.py --rows 20000 --scroll-rows 5000

Figures, each against a baseline measured in the same run:
- creating the page → first painted grid (rows on screen), vs. a plain QListView over a trivial
  QStringListModel of the same size (creating the model and the view, showing, first paint), with
  Qt's own first use (style, fonts, a first window) paid before either (warm_up_qt);
- scrolling 10,000 rows by wheel events at 60 Hz with thumbnails loading: the 99th-percentile
  frame time (wheel event + synchronous repaint) vs. the plain QListView scrolled the same way
  (target ≤ 2×), and GUI-thread stalls over 50 ms seen by a 5 ms QTimer heartbeat (target 0);
- search as you type → the grid repainted with the first page of the result, median and p90 over a
  typed sequence (target median ≤ 100 ms, p90 ≤ 200 ms), vs. the bare index query (every id of
  the result; and its first 1,000 ids) for the same texts, and GUI stalls meanwhile;
- Ctrl+A on every row, and new results inserted while scrolled (GUI stalls);
- resident memory after scrolling through the whole gallery (stated, with the caches' sizes).
Everything happens in a temporary folder. Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QSize, QStringListModel, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QListView, QWidget  # noqa: E402

from ideogram_studio.gallery import Gallery  # noqa: E402
from ideogram_studio.gallery.search_syntax import parse_search  # noqa: E402
from ideogram_studio.ui.common.task_runner import TaskRunner  # noqa: E402
from ideogram_studio.ui.library.page import LibraryPage  # noqa: E402
from tests.ui.library_data import build_library, picture  # noqa: E402

FRAME_MS = 16
FIRST_PAGE = 1_000
HEARTBEAT_MS = 5
STALL_MS = 50


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


class PaintWatch(QObject):
    """Time of every paint of a viewport."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.times: list[float] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.times.append(time.perf_counter())
        return False


class Heartbeat(QObject):
    """A 5 ms timer; a gap much longer than that means the GUI thread was busy (a stall).

    With --why, a sampler thread notes where the GUI thread's Python code was while a beat is
    late (every 10 ms past 40 ms): `where()` names the places seen most in stalls."""

    why = False

    def __init__(self) -> None:
        super().__init__()
        self.gaps: list[float] = []
        self._last = 0.0
        self._running = False
        self._seen: collections.Counter[str] = collections.Counter()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.gaps.clear()
        self._seen.clear()
        self._last = time.perf_counter()
        self._running = True
        self.timer.start()
        if self.why:
            threading.Thread(target=self._sample, args=(threading.get_ident(),), daemon=True).start()

    def stop(self) -> None:
        self.timer.stop()
        self._running = False

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def _sample(self, gui: int) -> None:
        while self._running:
            time.sleep(0.01)
            if (time.perf_counter() - self._last) * 1000 > 40:
                names = {t.ident: t.name for t in threading.enumerate()}
                for ident, frame in sys._current_frames().items():
                    if ident == threading.get_ident() or (ident != gui and frame.f_code.co_name in ("wait", "_worker")):
                        continue  # the sampler itself; an idle worker
                    stack = traceback.extract_stack(frame)[-6 if ident == gui else -3 :]
                    where = " < ".join(f"{Path(f.filename).stem}:{f.lineno} {f.name}" for f in reversed(stack))
                    self._seen[f"[{'GUI' if ident == gui else names.get(ident, '?')}] {where}"] += 1

    def where(self, n: int = 6) -> str:
        return "".join(f"\n    {count * 10} ms in {place}" for place, count in self._seen.most_common(n))

    def stalls(self) -> list[float]:
        return [g for g in self.gaps if g > STALL_MS]


async def idle_stalls(seconds: float) -> str:
    """The heartbeat with nothing to do for as long: what the machine's load alone costs (other
    processes on 2 shared cores preempt the GUI thread too)."""
    heart = Heartbeat()
    heart.start()
    await asyncio.sleep(seconds)
    heart.stop()
    s = heart.stalls()
    return (f"same time idle: {len(s)} stalls" + (f", longest {max(s):.0f} ms" if s else "")
            + f" over {seconds:.1f} s")


def stall_line(what: str, heart: Heartbeat, idle: str = "") -> str:
    """How many beats were late by more than STALL_MS (and, with --why, where the GUI thread was)."""
    s = heart.stalls()
    return (f"GUI-thread stalls > {STALL_MS} ms {what}: {len(s)}" + (f", longest {max(s):.0f} ms" if s else "")
            + (f" ({idle})" if idle else "") + heart.where())


async def until(cond: Callable[[], bool], limit: float = 60.0) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > limit:
            raise TimeoutError("benchmark step timed out")
        await asyncio.sleep(0.002)


def wheel(view: QListView, delta: int = -120) -> None:
    vp = view.viewport()
    pos = QPointF(vp.width() / 2, vp.height() / 2)
    event = QWheelEvent(pos, QPointF(vp.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, delta),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, event)


async def scroll_by_wheel(view: QListView, rows: int, columns: Callable[[], int]) -> tuple[list[float], Heartbeat]:
    """Wheel events at 60 Hz until `rows` rows went by; the frame times (event + repaint)."""
    frames: list[float] = []
    heart = Heartbeat()
    done = asyncio.get_running_loop().create_future()
    bar = view.verticalScrollBar()
    start_value = bar.value()
    line = view.gridSize().height()
    target = start_value + (rows // max(1, columns())) * line

    def tick() -> None:
        t = time.perf_counter()
        wheel(view)
        view.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
        if bar.value() >= min(target, bar.maximum()) and not done.done():
            done.set_result(None)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(FRAME_MS)
    timer.timeout.connect(tick)
    heart.start()
    timer.start()
    await done
    timer.stop()
    heart.stop()
    return frames, heart


def plain_view(n: int, cell: QSize, step: int) -> tuple[QListView, QStringListModel, float]:
    t = time.perf_counter()
    model = QStringListModel([f"image {i}" for i in range(n)])
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setMovement(QListView.Movement.Static)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setLayoutMode(QListView.LayoutMode.SinglePass)
    view.setUniformItemSizes(True)
    view.setGridSize(cell)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setModel(model)
    view.verticalScrollBar().setSingleStep(step)
    view.resize(800, 840)
    view.show()
    view.viewport().repaint()
    return view, model, (time.perf_counter() - t) * 1000


def warm_up_qt() -> None:
    """Qt's first use in the process (the style, the fonts, the first window's backing store), paid
    before either side is measured: in the studio the window has paid it long before the library is
    first shown, and here the baseline, measured second, would otherwise find it paid by the page."""
    view, _model, _ms = plain_view(10, QSize(100, 100), 10)
    view.close()


def open_library(args: argparse.Namespace, tmp: Path, synthetic: int) -> tuple[Gallery, str]:
    """The test library: built in `tmp`, or (--cache DIR) built once in DIR and reused by later
    runs (a million rows take ~10 minutes to build). A cached library is used in place: what a
    run adds (the new results of step 4) it purges at the end, and leftovers of a run that died
    are purged first; its thumbnail folder is emptied so every run starts cold."""
    if not args.cache:
        return build_library(tmp / "library", real=args.real, synthetic=synthetic,
                             distinct_files=args.files).gallery, "built"
    root = Path(args.cache) / f"rows-{args.rows}-real-{args.real}-files-{args.files}"
    done = root / "complete"
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        build_library(root / "library", real=args.real, synthetic=synthetic, distinct_files=args.files).gallery.close()
        done.write_text("built\n")
        how = f"built into the cache {root}"
    else:
        how = f"reused from the cache {root}"
    shutil.rmtree(root / "library" / "thumbs", ignore_errors=True)
    gallery = Gallery.open(root / "library", thumbnail_workers=2)
    purge_new_results(gallery)
    return gallery, how


def purge_new_results(gallery: Gallery) -> None:
    """Delete for good the results step 4 stores (a cached library stays as it was built)."""
    with gallery.index.db.read() as conn:
        hashes = [r[0] for r in conn.execute("SELECT hash FROM images WHERE prompt LIKE 'a new result %'")]
    if hashes:
        gallery.trash(hashes)
        gallery.purge(hashes)


async def main(args: argparse.Namespace) -> None:
    app = QApplication.instance()
    assert app is not None
    tmp = Path(tempfile.mkdtemp(prefix="bench-library-"))
    try:
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, Qt platform {app.platformName()}")
        t = time.perf_counter()
        synthetic = max(0, args.rows - args.real)
        gallery, how = open_library(args, tmp, synthetic)
        print(f"library: {args.real} real PNG results + {synthetic:,} indexed rows (files linked to "
              f"{args.files} small PNGs), {how} in {time.perf_counter() - t:.1f} s")
        rss_before = rss_mb()

        # ---- 1. first paint -------------------------------------------------------------------
        warm_up_qt()
        runner = TaskRunner()
        t0 = time.perf_counter()
        page = LibraryPage(gallery, runner)
        watch = PaintWatch(page.grid.viewport())
        shown: list[float] = []
        # The first page in the model (the whole result may still be coming: search_finished); it may
        # be shown with the page's first frame (read while the page was made).
        page.session.results_shown.connect(lambda _n: shown.append(time.perf_counter()))
        page.resize(1400, 900)
        page.show()
        await until(lambda: bool(shown) and any(p > shown[0] for p in watch.times))
        first_paint = (next(p for p in watch.times if p > shown[0]) - t0) * 1000
        span = page.grid.visible_rows()
        assert span is not None
        visible = [page.model.image(r) for r in range(span[0], span[1] + 1)]
        await until(lambda: all(r is not None and page.thumbnails.is_current(r.hash) for r in visible), 120)
        thumbs_ready = (time.perf_counter() - t0) * 1000
        cell = page.grid.gridSize()
        step = page.grid.verticalScrollBar().singleStep()
        # The whole library's rows (the page may still be receiving the rest of its ids).
        await until(lambda: page.model.rowCount() == args.rows, 120)
        view, model, plain_first = plain_view(args.rows, cell, step)
        print("\n== First painted grid ==")
        print(f"LibraryPage created → grid painted with its rows: {first_paint:.0f} ms; every visible thumbnail "
              f"on screen: {thumbs_ready:.0f} ms")
        print(f"baseline: plain QListView + QStringListModel of {args.rows:,} strings, created → "
              f"painted: {plain_first:.0f} ms → ratio {first_paint / plain_first:.2f}×")

        # ---- 2. scrolling ---------------------------------------------------------------------
        rows = args.scroll_rows
        await asyncio.sleep(0.3)
        ours, heart = await scroll_by_wheel(page.grid, rows, page.grid.columns)
        plain_columns = max(1, view.viewport().width() // cell.width())
        base, base_heart = await scroll_by_wheel(view, rows, lambda: plain_columns)
        print(f"\n== Scrolling {rows:,} rows by wheel events at {1000 // FRAME_MS} Hz "
              f"({len(ours)} frames; thumbnails {page.grid.thumbnail_size()} px, {page.grid.columns()} columns) ==")
        print(f"frame time (wheel + repaint): median {statistics.median(ours):.2f} ms, p99 {pct(ours, 0.99):.2f} ms, "
              f"max {max(ours):.1f} ms")
        print(f"baseline plain QListView: median {statistics.median(base):.2f} ms, p99 {pct(base, 0.99):.2f} ms "
              f"→ p99 ratio {pct(ours, 0.99) / pct(base, 0.99):.2f}× (target ≤ 2×)")
        idle = await idle_stalls(sum(heart.gaps) / 1000)
        print(stall_line("while scrolling (target 0)", heart, f"baseline's longest beat gap "
                         f"{max(base_heart.gaps):.0f} ms; {idle}"))
        view.close()
        view.setModel(None)  # type: ignore[arg-type]
        del model

        # ---- 3. search as you type ---------------------------------------------------------------
        # Typed one key at a time, then edited; "a", "an", "and", "near" are in every prompt of the
        # synthetic rows, "c" in more than half (the very common words).
        typed = [*("castle neon"[:i] for i in range(1, 12)), *("rob", "robot", "robot -cat", "robot -cat op:edit",
                 "poster rating:>=3", "sunset tag:poster", "ocean fav", "mountain ratio:16x9", "", "a", "an",
                 "and", "near", "-dog", "")]
        latencies: list[float] = []
        bare: list[float] = []
        heart = Heartbeat()
        heart.start()
        for text in typed:
            done: list[float] = []
            conn = page.session.results_shown.connect(lambda _n, done=done: done.append(time.perf_counter()))
            t = time.perf_counter()
            page.set_query_text(text)
            await until(lambda done=done: bool(done) and any(p > done[0] for p in watch.times), 30)
            painted = next(p for p in watch.times if p > done[0])
            latencies.append((painted - t) * 1000)
            page.session.results_shown.disconnect(conn)
            await asyncio.sleep(0.05)
        heart.stop()
        # Then the typing pauses: the rest of the last result (the whole library) and the side
        # bar's counts come in, off the GUI thread.
        rest = Heartbeat()
        rest.start()
        t = time.perf_counter()
        counted: list[object] = []
        page.session.counts_ready.connect(counted.append)
        await until(lambda: page.model.rowCount() == args.rows and page.model.is_complete() and bool(counted), 120)
        rest_s = time.perf_counter() - t
        rest.stop()
        first_page: list[float] = []
        for text in typed:  # the baselines, on this thread, outside the heartbeat's watch
            t = time.perf_counter()
            page.session.source.id_page(parse_search(text))
            bare.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            page.session.source.id_page(parse_search(text), limit=FIRST_PAGE)
            first_page.append((time.perf_counter() - t) * 1000)
        print(f"\n== Search as you type → repainted grid ({len(typed)} texts, typed one key at a time) ==")
        print(f"median {statistics.median(latencies):.0f} ms, p90 {pct(latencies, 0.9):.0f} ms, "
              f"max {max(latencies):.0f} ms (target median ≤ 100 ms; the field waits {120} ms of quiet first)")
        print(f"baseline: the index query alone (all matching ids): median {statistics.median(bare):.0f} ms "
              f"→ ratio {statistics.median(latencies) / statistics.median(bare):.2f}×; its first {FIRST_PAGE:,} "
              f"ids alone: median {statistics.median(first_page):.0f} ms, p90 {pct(first_page, 0.9):.0f} ms")
        print("each text: " + ", ".join(f"{t or '(empty)'!r} {ms:.0f}" for t, ms in zip(typed, latencies, strict=True)))
        print(stall_line("while searching", heart, await idle_stalls(sum(heart.gaps) / 1000)))
        print(f"then the rest of the last result ({args.rows:,} ids) and the side bar's counts: in {rest_s:.1f} s")
        print(stall_line("meanwhile", rest, await idle_stalls(sum(rest.gaps) / 1000)))
        print(f"resident memory now: {rss_mb():.0f} MB")

        # ---- 4. select all, new results ---------------------------------------------------------------
        await until(lambda: page.model.rowCount() == args.rows, 30)
        page.grid.setFocus()
        t = time.perf_counter()
        page.grid.selectAll()
        selected = page.grid.selected_count()
        app = QApplication.instance()
        assert app is not None
        app.processEvents()
        select_ms = (time.perf_counter() - t) * 1000
        page.grid.clearSelection()
        bar = page.grid.verticalScrollBar()
        bar.setValue(bar.maximum() // 2)
        await asyncio.sleep(0.5)
        heart = Heartbeat()
        heart.start()
        inserted = []
        for i in range(5):
            # Stored on a thread, as the studio's jobs do (a write and its fsyncs are not the grid's).
            stored = await asyncio.to_thread(
                gallery.store_image, picture(320, 320, 90_000 + i, "new"), operation="generate",
                request_fields={"prompt": f"a new result {i}"}, response_fields={"seed": i})
            n = page.model.rowCount()
            t = time.perf_counter()
            page.insert_new(stored.hash)
            await until(lambda n=n: page.model.rowCount() == n + 1, 10)
            inserted.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.1)
        heart.stop()
        idle = await idle_stalls(sum(heart.gaps) / 1000)
        print(f"\n== Select all and new results at {page.model.rowCount():,} rows ==")
        print(f"Ctrl+A: {selected:,} selected in {select_ms:.1f} ms (no row fetched)")
        print(f"insert_new (scrolled to the middle, position and selection kept): median "
              f"{statistics.median(inserted):.0f} ms to the row being there")
        print(stall_line("while inserting", heart, idle))

        # ---- 5. memory after the whole gallery --------------------------------------------------
        if not args.no_memory:
            await until(lambda: page.model.rowCount() == args.rows + 5, 30)
            bar.setValue(0)
            t = time.perf_counter()
            screen = page.grid.viewport().height()
            heart = Heartbeat()
            heart.start()
            while bar.value() < bar.maximum():
                bar.setValue(bar.value() + screen)
                page.grid.viewport().repaint()
                await asyncio.sleep(0.001)
            await asyncio.sleep(1.0)
            heart.stop()
            stats = page.thumbnails.stats()
            print(f"\n== Whole gallery scrolled ({args.rows:,} rows, one screen per step, "
                  f"{time.perf_counter() - t:.1f} s) ==")
            print(f"resident memory: {rss_mb():.0f} MB (before the page: {rss_before:.0f} MB); thumbnail cache "
                  f"{stats['pixmaps']} pixmaps, {stats['bytes'] / 1e6:.0f} MB; rows cached {len(page.model._rows):,}")
            # The machine's load alone over as long (at most 30 s: the walk takes minutes at a million), as a rate.
            walk_s = sum(heart.gaps) / 1000
            idle_s = min(walk_s, 30.0)
            idle_heart = Heartbeat()
            idle_heart.start()
            await asyncio.sleep(idle_s)
            idle_heart.stop()
            print(stall_line("while jumping screen by screen", heart,
                             f"{len(heart.stalls()) * 60 / walk_s:.1f} a minute; idle, the machine's load alone: "
                             f"{len(idle_heart.stalls()) * 60 / idle_s:.1f} a minute over {idle_s:.0f} s"))
        page.shutdown()
        await runner.cancel_all()
        page.close()
        if args.cache:
            purge_new_results(gallery)
        gallery.close()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000, help="images in the library")
    ap.add_argument("--real", type=int, default=200, help="real PNG results among them (the newest)")
    ap.add_argument("--files", type=int, default=200, help="distinct small PNGs behind the indexed rows")
    ap.add_argument("--scroll-rows", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--why", action="store_true", help="name where the GUI thread was during stalls")
    ap.add_argument("--no-memory", action="store_true", help="skip step 5 (scrolling the whole gallery)")
    ap.add_argument("--cache", default="", metavar="DIR",
                    help="build the library once in DIR and reuse it (e.g. /tmp/bench-library-cache)")
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
