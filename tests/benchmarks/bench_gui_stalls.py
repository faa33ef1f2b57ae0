"""GUI-stall probe around the studio's workflows (run on demand, not a test).

    python tests/benchmarks/bench_gui_stalls.py                   # every workflow
    python tests/benchmarks/bench_gui_stalls.py --only modes presets --size 3840 2160
    PYTHONPATH=../before python tests/benchmarks/bench_gui_stalls.py   # another checkout's studio

The real studio (MainWindow + controller + services, against the in-process sandbox, in a temporary
library) is opened as the app opens it: the shell, the restored mode's panel (open_frame), the
services, attach(), then what the app does once started (app._after_start: recent results, preset
previews; the other modes' panels, the preset picker and the library page are then made in quiet
moments: the bench waits for them, as a designer who reads the screen a moment does, and reports
the pauses they cost; `--no-wait` measures everything on first use instead). Then, each with a 5 ms
QTimer heartbeat on the GUI thread (a gap over 50 ms between two ticks is a stall a designer feels:
no repaint, no input meanwhile):

- switching modes: every mode the first time (its panel is made then, or was made in idle time),
  then every mode again;
- opening an 8K source in Edit (a JPEG and a PNG, 7680×4320 by default) through the source
  picker's `load_path` (what the Open dialog and a drop call), until the image is on the canvas;
- the mask of that source: a rectangle until the form's quote is asked, Invert, Undo, Save mask, Load
  mask, Send until the job is queued; Reuse settings of that job, and "Put back the previous image and
  its mask" after a small source, each until the mask is back on the canvas;
- opening the preset picker of the Generate form with its 62 previews (stored in the library as
  earlier previews are, loaded at start as the app does), the first time and again;
- Ctrl+L on the library page made ahead (`--rows` images in the library), back, and again: until the
  grid has painted results, with when its first frame came and whether it had them (`library`).

Each step ends when its condition holds and the event loop has handled what was posted after it
(the repaints). `--why` says how the GUI thread spent each stall (Linux schedstat): on a CPU (its
own work), waiting for a CPU (the machine's load), or asleep (waiting for the GIL or a lock); names
the garbage collections over 10 ms; and, sampled every 10 ms while a beat is late, where each thread's
Python code was (a sampler needs the GIL too: a worker holding it through a long C call shows on the
line after that call). (faulthandler's watchdog would read stacks without the GIL, but re-arming it
at every beat waits for its previous thread: under load that made stalls of its own.)

Baseline, in the same run: the same heartbeat over the same length of time with
nothing to do (the machine's load alone: other processes on shared cores preempt the GUI thread
too), measured right after each workflow. Offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import io
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # last: another checkout named by PYTHONPATH is measured instead (a before)
    sys.path.append(str(REPO))

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

HEARTBEAT_MS = 5
STALL_MS = 50
#: --why: how far into a stall the stacks are read
WHY_AFTER_MS = 45


class Heartbeat(QObject):
    """A 5 ms timer on the GUI thread; a gap much longer than that means the thread was busy.

    With --why (`why = True`): schedstat at every beat, garbage collections, and a sampler thread that
    notes every thread's stack while a beat is over WHY_AFTER_MS late; `where()` sums them up."""

    why = False

    def __init__(self) -> None:
        super().__init__()
        self.gaps: list[float] = []
        self._last = 0.0
        self._seen: collections.Counter[str] = collections.Counter()
        self._gui = threading.get_ident()
        #: --why: the GUI thread's CPU time and run-queue wait at the last beat (Linux schedstat), and
        #: for every stall: its length, the time on a CPU, the time waiting for one (the rest: asleep)
        self._sched: tuple[float, float] | None = None
        self._split: list[tuple[float, float, float]] = []
        #: --why: Python's garbage collections over 10 ms (which thread, which generation, how long):
        #: a collection holds the GIL, in whichever thread allocated when it was due.
        self._collections: list[str] = []
        self._gc_start = 0.0
        self._running = False
        if self.why:
            gc.callbacks.append(self._on_gc)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.gaps.clear()
        self._last = time.perf_counter()
        self.timer.start()
        self._running = True
        if self.why:
            self._seen.clear()
            self._split.clear()
            self._collections.clear()
            self._sched = _schedstat()
            threading.Thread(target=self._sample, daemon=True).start()

    def stop(self) -> None:
        self._beat()  # the gap up to now counts too (a stall lasting to the end)
        self.timer.stop()
        self._running = False

    def _beat(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self.gaps.append(gap)
        self._last = now
        if self.why:
            ran, waited = _schedstat()
            if gap > STALL_MS and self._sched is not None:
                self._split.append((gap, ran - self._sched[0], waited - self._sched[1]))
            self._sched = (ran, waited)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif (ms := (time.perf_counter() - self._gc_start) * 1000) > 10 and self._running:
            name = "GUI" if threading.get_ident() == self._gui else threading.current_thread().name
            self._collections.append(f"{ms:.0f} ms collecting generation {info['generation']} in [{name}]")

    def _sample(self) -> None:
        while self._running:
            time.sleep(0.01)
            if (time.perf_counter() - self._last) * 1000 < WHY_AFTER_MS:
                continue
            gui, others = "?", []
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)
                names = [f"{Path(f.filename).stem}:{f.lineno} {f.name}" for f in reversed(stack)]
                if ident == self._gui:
                    gui = " < ".join(names[:4])
                elif names and not re.search(r"\b(wait|_worker|select|run_forever|_run_once)$", names[0]):
                    others.append(names[0])
            self._seen[f"GUI: {gui}" + (f"\n        others: {'; '.join(others)}" if others else "")] += 1

    def where(self) -> str:
        """How the GUI thread spent each stall, the collections, then the stacks seen most in stalls
        (the GUI thread's last frames; the innermost frame of every other thread running Python)."""
        if not self.why:
            return ""
        split = "".join(
            f"\n    {gap:.0f} ms: the GUI thread ran {ran:.0f} ms, waited {waited:.0f} ms for a CPU, "
            f"slept {max(0.0, gap - ran - waited):.0f} ms (the GIL, a lock)"
            for gap, ran, waited in self._split
        )
        collections_ = "".join(f"\n    {c}" for c in self._collections)
        seen = "".join(f"\n    {n * 10} ms in {what}" for what, n in self._seen.most_common(6))
        return split + collections_ + seen

    def stalls(self) -> list[float]:
        return [g for g in self.gaps if g > STALL_MS]


def _schedstat() -> tuple[float, float]:
    """The calling thread's time on a CPU and waiting in the run queue so far, ms (0, 0 if unknown)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            ran, waited, _slices = f.read().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(ran) / 1e6, int(waited) / 1e6


class PieceClock:
    """Each made-ahead job's pieces on the GUI thread, by the clock and in the thread's CPU time (the
    machine's load stretches the first, not the second): the builder's jobs wrapped, so any checkout's
    builder is measured alike (a job made in one piece, or an InSteps a step at a time)."""

    def __init__(self, builder: Any) -> None:
        #: By job: (clock ms, CPU ms) of each piece.
        self.pieces: dict[str, list[tuple[float, float]]] = {}
        builder._jobs = [(name, self._timed(name, make)) for name, make in builder._jobs]

    def _timed(self, name: str, make: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            made = self._clock(name, make)
            step = getattr(made, "step", None)
            if step is not None:  # (an InSteps: the builder calls step() for each of the rest)
                made.step = lambda: self._clock(name, step)  # type: ignore[attr-defined]
            return made

        return run

    def _clock(self, name: str, call: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        result = call()
        piece = ((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000)
        self.pieces.setdefault(name, []).append(piece)
        return result


def _second(pieces: list[float]) -> float:
    """The second longest piece (is the longest alone?)."""
    return sorted(pieces)[-2] if len(pieces) > 1 else 0.0


def stall_text(stalls: list[float]) -> str:
    return f"{len(stalls)} stalls > {STALL_MS} ms" + (f" (longest {max(stalls):.0f} ms)" if stalls else "")


async def settle() -> None:
    """Until the loop has handled what was posted so far (repaints, queued signals) twice over."""
    for _ in range(2):
        done = asyncio.get_running_loop().create_future()
        QTimer.singleShot(0, lambda d=done: d.done() or d.set_result(None))
        await done


async def until(cond: Callable[[], bool], limit: float = 120.0) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > limit:
            raise SystemExit("timed out waiting for a step to finish")
        await asyncio.sleep(0.002)


class Step:
    """One measured step: the heartbeat around it; seconds to done."""

    def __init__(self, heart: Heartbeat, name: str) -> None:
        self.heart, self.name = heart, name
        self.seconds = 0.0
        #: The GUI thread's CPU time meanwhile (the machine's load does not stretch it).
        self.cpu_seconds = 0.0
        self.stalls: list[float] = []
        self.gaps: list[float] = []
        self.why = ""

    async def run(self, act: Callable[[], object], done: Callable[[], bool]) -> Step:
        await settle()
        self.heart.start()
        t0, cpu0 = time.perf_counter(), time.thread_time()
        act()
        await until(done)
        await settle()
        self.seconds = time.perf_counter() - t0
        self.cpu_seconds = time.thread_time() - cpu0
        self.heart.stop()
        self.stalls = self.heart.stalls()
        self.gaps = list(self.heart.gaps)
        self.why = self.heart.where() if self.stalls else ""
        return self


async def idle_baseline(heart: Heartbeat, seconds: float) -> list[float]:
    heart.start()
    await asyncio.sleep(seconds)
    heart.stop()
    return heart.stalls()


def report(title: str, steps: list[Step], idle: list[float]) -> int:
    total = sum(s.seconds for s in steps)
    stalls = [g for s in steps for g in s.stalls]
    print(f"\n== {title} ==")
    for s in steps:
        longest = max(s.gaps, default=0.0)
        print(f"  {s.name:36} {s.seconds * 1000:7.0f} ms (CPU {s.cpu_seconds * 1000:3.0f} ms)   "
              f"{stall_text(s.stalls)}, longest gap {longest:.0f} ms{s.why}")  # fmt: skip
    print(f"  all: {stall_text(stalls)} over {total:.1f} s (target 0); "
          f"the same time idle: {stall_text(idle)}")  # fmt: skip
    return len(stalls)


def make_sources(folder: Path, size: tuple[int, int]) -> dict[str, Path]:
    """A photo-like JPEG and a flat PNG (under Edit's 25 MB limit) of `size`."""
    w, h = size
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for i in range(40):
        draw.ellipse((i * w // 40, (i * 97) % h, i * w // 40 + w // 8, (i * 97) % h + h // 6), fill=(i * 6, 90, 200))
    photo = Image.blend(img, Image.effect_noise(size, 24).convert("RGB"), 0.25)
    out = {"JPEG": folder / "photo.jpg", "PNG": folder / "poster.png"}
    photo.save(out["JPEG"], "JPEG", quality=90)
    img.save(out["PNG"], "PNG")
    return out


def store_previews(gallery: object) -> int:
    """One earlier preview per preset, as the studio stores them (the preview tag, the preset)."""
    from ideogram_studio.api.enums import StylePreset
    from ideogram_studio.gallery import Gallery
    from ideogram_studio.ui.shell.controller import PREVIEW_TAG

    assert isinstance(gallery, Gallery)
    refs = []
    for i, preset in enumerate(StylePreset):
        img = Image.new("RGB", (512, 512), ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
        ImageDraw.Draw(img).text((20, 240), preset.value, fill=(255, 255, 255))
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=1)
        stored = gallery.store_image(
            buf.getvalue(),
            operation="generate",
            request_fields={"prompt": "a lighthouse at dusk", "style_preset": preset.value, "style_type": "GENERAL"},
            response_fields={"seed": i, "resolution": "512x512", "is_image_safe": True, "style_type": "GENERAL"},
        )
        refs.append(stored.hash)
    gallery.add_tags(refs, [PREVIEW_TAG])
    return len(refs)


async def mask_steps(heart: Heartbeat, window: object, controller: object, tmp: Path) -> list[Step]:
    """On the source just opened in Edit (its blank mask): a rectangle, until the form's quote is asked
    (the quote prices the request as sent: with the mask exported); Invert and Invert back (Undo); Save
    mask (the editor's action; the dialog answers a path); Load mask (that file); Send (Ctrl+Enter's
    slot, until the controller says the job is queued)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog

    from ideogram_studio.ui.modes.edit import EditPanel
    from ideogram_studio.ui.shell.controller import StudioController
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(controller, StudioController)
    panel = window.mode_panel("edit")
    assert isinstance(panel, EditPanel)
    canvas, editor = panel.canvas, panel.mask_editor
    panel.set_prompt("a red boat on the water")
    seen: dict[str, int] = collections.Counter()
    panel.quote_requested.connect(lambda _r: seen.update(["quote"]))
    controller.message.connect(lambda text: seen.update(["queued"] if text.startswith("Queued") else []))
    steps = []

    def rectangle() -> None:
        canvas.set_tool("rect")
        width, height = canvas.image_size().width(), canvas.image_size().height()
        ends = [canvas.map_from_image(QPointF(width * f, height * g)).toPoint() for f, g in ((0.2, 0.25), (0.45, 0.6))]
        left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        QTest.mousePress(canvas.viewport(), left, none, ends[0])
        QTest.mouseMove(canvas.viewport(), ends[1])
        QTest.mouseRelease(canvas.viewport(), left, none, ends[1])

    quotes = seen["quote"]
    step = Step(heart, "rectangle, until its quote is asked")
    steps.append(await step.run(rectangle, lambda: seen["quote"] > quotes and shown(canvas)))
    steps.append(await Step(heart, "Invert").run(canvas.invert, lambda: shown(canvas)))
    steps.append(await Step(heart, "Invert back (Undo)").run(canvas.undo_stack().undo, lambda: shown(canvas)))
    saved = tmp / "mask.png"
    real_dialogs = QFileDialog.getSaveFileName, QFileDialog.getOpenFileName
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (str(saved), ""))  # type: ignore[method-assign]
    QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(saved), ""))  # type: ignore[method-assign]
    try:
        save = editor.tool_buttons["save"].defaultAction()
        steps.append(await Step(heart, "Save mask").run(save.trigger, lambda: editor.status_text().startswith("Saved")))
        canvas.fill()
        load = editor.tool_buttons["load"].defaultAction()
        steps.append(await Step(heart, "Load mask (the saved file, over a Fill)").run(
            load.trigger, lambda: editor.status_text().startswith("Loaded") and shown(canvas)))  # fmt: skip
    finally:
        QFileDialog.getSaveFileName, QFileDialog.getOpenFileName = real_dialogs  # type: ignore[method-assign]
    queued = seen["queued"]
    steps.append(await Step(heart, "Send, until the job is queued").run(panel.submit, lambda: seen["queued"] > queued))
    steps += await put_back_steps(heart, window, controller, tmp)
    return steps


def shown(canvas: Any) -> bool:
    """The mask's overlay shows the mask (a checkout that tints it in a worker may still be at it)."""
    return bool(getattr(canvas, "overlay_settled", lambda: True)())


async def put_back_steps(heart: Heartbeat, window: object, controller: object, tmp: Path) -> list[Step]:
    """Reuse settings of the job just sent (its 8K source and mask put back in Edit, over a cleared
    mask), then a small source over that mask and "Put back the previous image and its mask": each
    until the mask's "Load mask" step is on the canvas's undo stack."""
    from ideogram_studio.ui.modes.edit import EditPanel
    from ideogram_studio.ui.shell.controller import StudioController
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow) and isinstance(controller, StudioController)
    panel = window.mode_panel("edit")
    assert isinstance(panel, EditPanel) and panel.source_picker is not None
    canvas, undo = panel.canvas, panel.canvas.undo_stack()
    job = list(controller.services.queue.jobs.values())[-1]  # the one Send queued
    # Its result first (a result is what is reused; and the queue's download decodes the 8K result on
    # the event loop, the GUI thread: ~0.2-0.4 s that is not these steps' own).
    await until(lambda: job.state.value in ("done", "failed", "cancelled"))
    await asyncio.sleep(0.5)  # (the result shown, its thumbnails made)
    size = canvas.image_size()
    steps = []
    canvas.clear()
    steps.append(await Step(heart, "Reuse settings of that job").run(
        lambda: controller.reuse(job.id), lambda: undo.undoText() == "Load mask" and shown(canvas)))  # fmt: skip
    small = tmp / "small.png"
    Image.new("RGB", (1920, 1080), (200, 120, 40)).save(small)
    panel.source_picker.load_path(small)  # (small: read at once) the 8K source and its mask put aside
    await until(lambda: canvas.image_size().width() == 1920)
    if "Put back" not in panel.restore_label().text():
        raise SystemExit(f"no offer to put the previous image back: {panel.restore_label().text()!r}")
    steps.append(await Step(heart, "Put back the previous image and mask").run(
        panel.restore_previous,
        lambda: canvas.image_size() == size and undo.undoText() == "Load mask" and shown(canvas)))  # fmt: skip
    return steps


class GridPaints(QObject):
    """When the library grid's viewport is painted after `arm()`: the first frame (and whether it had
    results in it), and the first frame with results."""

    def __init__(self, page: object) -> None:
        super().__init__()
        self.page = page
        self.t0 = 0.0
        self.first: tuple[float, bool] | None = None
        self.with_results: float | None = None
        page.grid.viewport().installEventFilter(self)  # type: ignore[attr-defined]

    def arm(self) -> None:
        self.t0, self.first, self.with_results = time.perf_counter(), None, None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            now, rows = time.perf_counter() - self.t0, self.page.model.rowCount() > 0  # type: ignore[attr-defined]
            if self.first is None:
                self.first = (now, rows)
            if rows and self.with_results is None:
                self.with_results = now
        return False

    def text(self) -> str:
        if self.first is None or self.with_results is None:
            return "not painted"
        return (f"results painted at {self.with_results * 1000:.0f} ms; the grid's first frame at "
                f"{self.first[0] * 1000:.0f} ms, {'with results' if self.first[1] else 'empty'}")


async def library_steps(heart: Heartbeat, window: object) -> int:
    """Ctrl+L on the library made ahead, back to the studio, Ctrl+L again: each until the grid has
    painted results (its viewport's Paint event)."""
    if not window.has_library():  # type: ignore[attr-defined]
        print("\n(the library was not made ahead: --no-wait)")
        return 0
    action = window.library_action  # type: ignore[attr-defined]
    paints = GridPaints(window.library.page)  # type: ignore[attr-defined]
    await asyncio.sleep(1.0)  # the designer does something else a moment
    steps, notes = [], [f"  (in the grid's model before the first Ctrl+L: {paints.page.model.rowCount():,} rows)"]
    for name in ("Ctrl+L (first time)", "back to the studio", "Ctrl+L (again)"):
        step = Step(heart, name)
        if name.startswith("back"):
            await step.run(action.trigger, lambda: not window.library.is_showing_library())  # type: ignore[attr-defined]
        else:
            await step.run(lambda: (paints.arm(), action.trigger()), lambda: paints.with_results is not None)
            notes.append(f"  {name}: {paints.text()}")
        steps.append(step)
    idle = await idle_baseline(heart, sum(s.seconds for s in steps))
    stalls = report("The library made ahead, shown with Ctrl+L (until its grid has painted results)", steps, idle)
    print("\n".join(notes))
    return stalls


async def run(args: argparse.Namespace, tmp: Path) -> int:
    from ideogram_studio import app as studio_app
    from ideogram_studio.api.enums import StylePreset
    from ideogram_studio.settings import Settings
    from ideogram_studio.ui.modes import registry

    try:  # (an older checkout, through PYTHONPATH, has none: everything is made on first use there)
        from ideogram_studio.ui.shell.idle_build import IdleBuilder
    except ImportError:
        IdleBuilder = None  # type: ignore[assignment,misc]

    settings = Settings(data_dir=str(tmp / "library"))
    if "presets" in args.only:  # earlier previews, in the library before the studio opens
        from ideogram_studio.gallery import Gallery

        with Gallery.open(tmp / "library") as gallery:
            print(f"library: {store_previews(gallery)} earlier preset previews")
    if "library" in args.only:
        from ideogram_studio.gallery import Gallery
        from tests.ui.library_data import add_synthetic

        with Gallery.open(tmp / "library") as gallery:
            add_synthetic(gallery, args.rows)
        print(f"library: {args.rows:,} images")
    window, controller, services = await open_studio(settings, tmp)
    heart = Heartbeat()
    start_up = Step(heart, "what the app does once started")
    after = asyncio.ensure_future(studio_app._after_start(window, controller))
    await start_up.run(lambda: None, after.done)
    print(f"studio open; after start-up: {start_up.seconds * 1000:.0f} ms, {stall_text(start_up.stalls)} "
          "(recent results, preset previews)")  # fmt: skip
    builder = window.findChild(IdleBuilder) if IdleBuilder is not None else None
    if builder is not None and not args.no_wait:
        clock = PieceClock(builder)
        # The designer leaves the studio alone a moment: what is made ahead is made now (ui/shell/idle_build.py).
        ahead = await Step(heart, "made ahead").run(lambda: None, lambda: not builder.pending())
        print(f"made ahead in quiet moments ({', '.join(builder.done)}): {ahead.seconds * 1000:.0f} ms in all, "
              f"{stall_text(ahead.stalls)}, while no input was waiting{ahead.why}")  # fmt: skip
        print("  each job's pieces on the GUI thread: by the clock (the thread's CPU time), the longest and the "
              "next longest")  # fmt: skip
        for name, pieces in clock.pieces.items():
            walls, cpus = [w for w, _c in pieces], [c for _w, c in pieces]
            longest = max(range(len(pieces)), key=walls.__getitem__)
            print(f"  {name:24} {sum(walls):5.0f} ({sum(cpus):4.0f}) ms in {len(pieces):3} piece(s): longest "
                  f"{walls[longest]:3.0f} ({cpus[longest]:2.0f}) ms (piece {longest + 1}), "
                  f"next {_second(walls):3.0f} ms; longest in CPU time {max(cpus):2.0f} ms")  # fmt: skip
    elif builder is not None:
        builder.stop()
        print("nothing made ahead (--no-wait): every mode's panel, the picker and the library on first use")
    stalls = 0
    try:
        if "modes" in args.only:
            ids = [m.id for m in registry.MODES]
            steps = []
            for round_name in ("first time", "again"):
                for mode_id in ids[1:] + ids[:1]:
                    step = Step(heart, f"{mode_id} ({round_name})")
                    steps.append(await step.run(lambda m=mode_id: window.set_mode(m),
                                                lambda m=mode_id: window.current_mode() == m))  # fmt: skip
            idle = await idle_baseline(heart, sum(s.seconds for s in steps))
            stalls += report("Switching modes (each first time, then again)", steps, idle)
        if "edit" in args.only:
            sources = make_sources(tmp, tuple(args.size))
            window.set_mode("edit")
            picker = window.mode_panel("edit").source_picker
            assert picker is not None
            steps = []
            for name, path in list(sources.items()) * args.runs:
                picker.clear()
                arrived: list[float] = []
                note = picker.image_changed.connect(lambda a=arrived: a.append(time.perf_counter()))
                step = Step(heart, f"{args.size[0]}×{args.size[1]} {name}, {path.stat().st_size / 1e6:.0f} MB")
                await step.run(lambda p=path: picker.load_path(p),
                               lambda a=arrived: bool(a) or picker.message().isVisible())  # fmt: skip
                picker.image_changed.disconnect(note)  # (only this one: the panel's own slots stay)
                if not arrived:
                    raise SystemExit(f"{path.name} was refused: {picker.message().text()}")
                steps.append(step)
            idle = await idle_baseline(heart, sum(s.seconds for s in steps))
            stalls += report("Opening an 8K source in Edit (until the image is on the canvas)", steps, idle)
            steps = await mask_steps(heart, window, controller, tmp)
            idle = await idle_baseline(heart, sum(s.seconds for s in steps))
            stalls += report(f"The mask of the {args.size[0]}×{args.size[1]} source in Edit", steps, idle)
        if "presets" in args.only:
            window.set_mode("generate")
            choice = window.generate_panel.fields.preset_choice() if window.generate_panel.fields else None
            assert choice is not None
            steps = []
            for round_name in ("first time", "again"):
                step = Step(heart, f"preset picker ({round_name})")

                def shown() -> bool:
                    dialog = choice._dialog
                    return isinstance(dialog, QDialog) and dialog.isVisible()

                steps.append(await step.run(choice.button.click, shown))
                previews = sum(choice.store.has_preview(p) for p in StylePreset)
                step.name += f", {previews} previews"
                assert choice._dialog is not None
                choice._dialog.hide()
            idle = await idle_baseline(heart, sum(s.seconds for s in steps))
            stalls += report("Opening the preset picker", steps, idle)
        if "library" in args.only:
            stalls += await library_steps(heart, window)
    finally:
        await shut_down(window, controller, services)
    return stalls


async def open_studio(settings: Any, tmp: Path, size: tuple[int, int] | None = None) -> tuple[Any, Any, Any]:
    """The studio as app.py opens it on the sandbox: the window (its frame first), the services, the
    controller attached. Returns (window, controller, services); `shut_down` closes them."""
    from ideogram_studio.sandbox import SandboxConfig
    from ideogram_studio.secrets import MemoryStore
    from ideogram_studio.services import Services, Tuning
    from ideogram_studio.ui.common.task_runner import TaskRunner
    from ideogram_studio.ui.shell.controller import StudioController
    from ideogram_studio.ui.shell.main_window import MainWindow

    window = MainWindow(ui_settings=QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat))
    if size is not None:
        window.resize(*size)
    window.show()
    window.open_frame(settings)
    services = await Services.start(settings, MemoryStore(), settings_path=tmp / "settings.json",
                                    tuning=Tuning(sandbox=SandboxConfig()))  # fmt: skip
    controller = StudioController(services, TaskRunner())
    window.attach(controller)
    return window, controller, services


async def shut_down(window: object, controller: object, services: object) -> None:
    """The studio's staged shutdown, as app.py does it: widgets' tasks, the library, jobs, services."""
    window.close()  # type: ignore[attr-defined]
    await controller.runner.cancel_all()  # type: ignore[attr-defined]
    if window.has_library():  # type: ignore[attr-defined]
        window.library.shutdown()  # type: ignore[attr-defined]
    controller.close()  # type: ignore[attr-defined]
    await services.aclose()  # type: ignore[attr-defined]


def studio_loop(prefix: str) -> tuple[QApplication, Any, Path]:
    """The application, a qasync loop over it, and a temporary folder that the XDG folders point
    into (never the real settings or library)."""
    import qasync

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # (the window closes before the services do)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):
        os.environ[f"XDG_{name}_HOME"] = str(tmp / name.lower())
    return app, loop, tmp


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=("modes", "edit", "presets", "library"),
                    default=["modes", "edit", "presets", "library"])
    ap.add_argument("--rows", type=int, default=10_000, help="images in the library (library)")
    ap.add_argument("--size", type=int, nargs=2, default=(7680, 4320), help="the Edit source's size")
    ap.add_argument("--runs", type=int, default=2, help="opens of each source")
    ap.add_argument("--no-wait", action="store_true", help="measure at once after start: nothing made ahead")
    ap.add_argument("--why", action="store_true", help="name where every thread was during stalls")
    args = ap.parse_args()
    Heartbeat.why = args.why
    app, loop, tmp = studio_loop("bench-stalls-")
    import ideogram_studio

    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; QPA {app.platformName()}; "
          f"the studio from {Path(ideogram_studio.__file__).parent.parent}")  # fmt: skip
    try:
        with loop:
            stalls = loop.run_until_complete(run(args, tmp))
        print(f"\nGUI-thread stalls > {STALL_MS} ms in all: {stalls} (target 0); "
              f"load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
