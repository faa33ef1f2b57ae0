"""Drives the real studio (ideogram_studio.app.main) in a real X window for the end-to-end tests.

Run as `python -m tests.e2e.drive_studio <flow> <report.json> <shots-dir> [file]` with DISPLAY set.
Input goes in as real X events through xdotool (typing, keys, mouse strokes on the mask canvas);
the driver only looks inside the process to find where widgets are and when work is done.
The report is JSON: the hashes it saw, for the test to check against the library on disk.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QPointF, QTimer
from PySide6.QtWidgets import QApplication, QWidget

FLOW, REPORT, SHOTS = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
EXTRA = sys.argv[4] if len(sys.argv) > 4 else ""
report: dict[str, Any] = {"steps": []}


def xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)


def window() -> Any:
    for w in QApplication.topLevelWidgets():
        if w.objectName() == "main-window" and w.isVisible():
            return w
    return None


async def until(condition: Callable[[], object], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def shot(name: str) -> None:
    w = window()
    w.grab().save(str(SHOTS / f"{name}.png"))
    report["steps"].append(name)


def centre_of(widget: QWidget) -> QPoint:
    return widget.mapToGlobal(widget.rect().center())


def click(widget: QWidget, point: QPoint | None = None) -> None:
    p = point or centre_of(widget)
    xdo("mousemove", "--sync", str(p.x()), str(p.y()))
    xdo("click", "1")


def text_of(widget: QWidget) -> str:
    return str(widget.text() if hasattr(widget, "text") else widget.toPlainText())  # type: ignore[attr-defined]


async def focus(widget: QWidget) -> None:
    """X input focus on the widget's window, then Qt's focus on the widget, waited for (not assumed).

    Without a window manager nothing activates a window: xdotool sets the X focus itself. No
    QApplication.processEvents() here: this runs inside a task of the studio's qasync loop, and
    handling events from inside a task re-enters the loop; another task's wake-up then fails
    ("Cannot enter into task ... while another task ... is being executed") and that task never
    resumes, e.g. a job whose shutdown the window's close then waits for forever."""
    window_id = str(int(widget.window().winId()))
    for _ in range(3):
        xdo("windowfocus", "--sync", window_id)
        widget.setFocus()
        try:
            await until(lambda: widget.window().isActiveWindow() and QApplication.focusWidget() is widget,
                        5, f"the keyboard focus on {widget.objectName() or type(widget).__name__}")
            return
        except TimeoutError:
            continue  # e.g. a popup took the focus meanwhile: set it again
    raise TimeoutError(f"could not focus {widget.objectName() or type(widget).__name__}")


async def focus_and_type(widget: QWidget, text: str) -> None:
    """Type `text` as X key events into `widget`, and wait until the widget shows it. Typed again
    only if none of it arrived (it went elsewhere); part of it arriving is a failure, not retried."""
    await focus(widget)
    before = text_of(widget)
    for attempt in range(2):
        xdo("type", "--delay", "4", text)
        try:
            await until(lambda: text in text_of(widget), 10, f"{text!r} typed into {type(widget).__name__}")
            return
        except TimeoutError:
            if attempt or text_of(widget) != before:
                raise
            await focus(widget)


async def click_unless_replaced(button: QWidget, done: Callable[[], bool], what: str) -> bool:
    """Click and wait for `done`; False if the button was deleted first (its panel rebuilt)."""
    replaced: list[bool] = []
    button.destroyed.connect(lambda *_: replaced.append(True))
    click(button)
    await until(lambda: done() or replaced, 10, what)
    return done()


async def wait_jobs(w: Any, count: int) -> list[Any]:
    queue = w.controller.services.queue
    jobs = await until(
        lambda: (
            (js := sorted(queue.jobs.values(), key=lambda j: j.created_at))
            and len(js) >= count
            and all(j.state.finished for j in js)
            and js
        ),
        60,
        f"{count} finished job(s)",
    )
    return list(jobs)


async def ready() -> Any:
    w = await until(lambda: (x := window()) is not None and hasattr(x, "library") and x, 60, "the window")
    await focus(w.generate_panel.prompt_edit)
    return w


async def edit_flow() -> None:
    w = await ready()
    xdo("key", "alt+3")  # the Edit mode
    await until(lambda: w.current_mode() == "edit", 10, "Edit mode")
    panel = w.mode_panel("edit")
    assert panel.source_picker.load_path(EXTRA), "the source image was refused"
    canvas = await until(lambda: panel.canvas.has_image() and panel.canvas, 10, "the canvas")
    canvas.fit()
    await asyncio.sleep(0.3)
    # A real brush stroke: X mouse events across the middle of the image.
    viewport = canvas.viewport()
    a = viewport.mapToGlobal(canvas.map_from_image(QPointF(60, 90)).toPoint())
    b = viewport.mapToGlobal(canvas.map_from_image(QPointF(200, 110)).toPoint())
    xdo("mousemove", "--sync", str(a.x()), str(a.y()))
    xdo("mousedown", "1")
    for i in range(1, 21):
        x = a.x() + (b.x() - a.x()) * i // 20
        y = a.y() + (b.y() - a.y()) * i // 20
        xdo("mousemove", "--sync", str(x), str(y))
    xdo("mouseup", "1")
    await until(lambda: canvas.coverage_ratio() > 0, 5, "paint on the mask")
    report["coverage"] = canvas.coverage_ratio()
    shot("01-mask-painted")
    await focus_and_type(panel.prompt_edit, "a red knitted hat")
    xdo("key", "ctrl+Return")
    jobs = await wait_jobs(w, 1)
    job = jobs[-1]
    report["job_state"] = job.state.value
    report["result"] = job.result_hashes[0] if job.result_hashes else None
    report["mask"] = job.mask_hash
    report["source"] = job.source_hash
    await asyncio.sleep(0.8)
    shot("02-edit-result")


async def library_flow() -> None:
    w = await ready()
    await focus_and_type(w.generate_panel.prompt_edit, "A lighthouse on a cliff, poster")
    xdo("key", "ctrl+Return")
    (first,) = await wait_jobs(w, 1)
    generated = first.result_hashes[0]
    report["generated"] = generated
    w.send_image_to("remix", generated)  # what "Send to Remix" in the result's menu does
    remix = w.mode_panel("remix")
    await until(lambda: remix.source_picker.image() is not None, 10, "the remix source")
    await focus_and_type(remix.prompt_edit, "the same lighthouse in snow")
    xdo("key", "ctrl+Return")
    jobs = await wait_jobs(w, 2)
    remixed = jobs[-1].result_hashes[0]
    report["remixed"] = remixed
    shot("01-remixed")

    xdo("key", "ctrl+l")
    page = w.library.page
    await until(lambda: w.library.is_showing_library(), 5, "the library")
    await focus(page.search_field)
    page.search_field.selectAll()
    await focus_and_type(page.search_field, "snow")
    await until(lambda: page.model.rowCount() == 1, 10, "the search result")
    report["search_rows"] = page.model.rowCount()
    shot("02-searched")
    index = page.model.index(0, 0)
    click(page.grid.viewport(), page.grid.viewport().mapToGlobal(page.grid.visualRect(index).center()))
    await until(lambda: page.current_hash() == remixed, 10, "the remixed image selected")
    xdo("key", "t")
    await until(lambda: page.detail.tag_edit.hasFocus(), 5, "the tag field")
    xdo("type", "--delay", "4", "winter")
    await until(lambda: page.detail.tag_edit.text() == "winter", 10, "'winter' in the tag field")
    xdo("key", "Return")
    gallery = w.controller.services.gallery
    await until(lambda: "winter" in {t.value for t in gallery.all_tags()}, 10, "the tag")
    report["tags"] = [t.value for t in gallery.all_tags()]
    # The detail panel reloads the image after the tag (off the GUI thread) and rebuilds its lineage
    # chain then: wait for that, or the click below may land on a button being replaced.
    await until(lambda: (i := page.detail.info()) is not None and "winter" in i.row.tags, 10,
                "the tag in the detail panel")
    shot("03-tagged")
    # Follow the lineage: click the parent in the detail panel's chain.
    chain = page.detail.findChild(QWidget, "lineage-chain")
    shown: list[str] = []
    page.detail_shown.connect(shown.append)
    for _attempt in range(3):
        parent_button = await until(
            lambda: next((b for b in chain.findChildren(QWidget, "chain-item")
                          if b.isVisible() and generated[:12] in b.toolTip()), None),
            10, "the parent in the lineage chain")
        if await click_unless_replaced(parent_button, lambda: generated in shown, "the parent shown"):
            break
        # The chain was rebuilt under the click (another reload of the detail): click the new button.
    assert generated in shown, "the parent was never shown"
    report["followed_to"] = generated
    shot("04-lineage-parent")
    # Delete to the trash, then undo: clear the search so both images are in the grid.
    await focus(page.search_field)
    xdo("key", "ctrl+a", "BackSpace")
    await until(lambda: page.model.rowCount() == 2, 10, "the cleared search")
    page.select_hash(generated)
    await focus(page.grid)
    xdo("key", "Delete")
    await until(lambda: gallery.get(generated).trashed_at is not None, 10, "the delete")
    report["trashed"] = True
    shot("05-deleted")
    xdo("key", "ctrl+z")
    await until(lambda: gallery.get(generated).trashed_at is None, 10, "the undo")
    report["restored"] = True
    shot("06-undone")


async def batch_flow() -> None:
    """A 2×2 prompt-variable batch typed into the real window, sent from the batch dialog."""
    w = await ready()
    panel = w.mode_panel("generate")
    await focus_and_type(panel.prompt_edit, "a {red|blue} {mug|poster}")
    xdo("key", "ctrl+shift+b")
    dialog = await until(lambda: next((d for d in QApplication.topLevelWidgets()
                                       if type(d).__name__ == "BatchDialog" and d.isVisible()), None),
                         10, "the batch dialog")
    await focus(dialog.name_edit)
    dialog.name_edit.selectAll()  # (after the focus: a line edit gaining it may change its selection)
    await focus_and_type(dialog.name_edit, "Mugs e2e")
    await until(lambda: dialog.send_button.text() == "Send 4 requests", 10, "a plan of 4")
    report["summary"] = dialog.summary.text()
    dialog.grab().save(str(SHOTS / "batch-dialog.png"))
    click(dialog.send_button)
    jobs = await wait_jobs(w, 4)
    report["jobs"] = [{"prompt": j.request.prompt, "row": j.tags.get("batch_row"), "state": j.state.value,
                       "results": list(j.result_hashes)} for j in jobs]
    await asyncio.sleep(0.5)
    shot("batch-done")


async def layout_flow() -> None:
    """Ideogram 4.5: expand a sentence, drag the text element's box to the top third with the
    mouse, generate, then find the result by its words in the library. Screenshots of the layout
    editor at 1280×720 and 1920×1080 in both themes."""
    from ideogram_studio.api import structured_prompt as sp
    from ideogram_studio.ui.common import theme

    w = await ready()
    w.resize(1280, 720)
    panel = w.mode_panel("generate")
    combo = panel.model_row.model_combo
    await focus(combo)
    for _ in range(combo.count()):
        if combo.currentData() == "ideogram-4-5":
            break
        xdo("key", "Down")
        await asyncio.sleep(0.1)
    await until(lambda: combo.currentData() == "ideogram-4-5", 5, "Ideogram 4.5 chosen")
    await focus_and_type(panel.prompt_edit, 'A travel poster reading "NORTH LIGHT"')
    box = panel.structured_box
    click(box.expand_button)
    await until(box.in_use, 20, "the expanded structured prompt")
    click(box.layout_button)
    editor = await until(lambda: panel.layout_sync.has_editor() and panel.layout_editor().isVisible()
                         and panel.layout_editor(), 10, "the layout editor")
    canvas = editor.canvas
    await until(lambda: len(canvas.boxes()) == 2, 10, "two boxes on the canvas")
    await asyncio.sleep(0.3)  # the fit after the window settled
    canvas.fit()
    text_box = next(b for b in canvas.boxes() if b.element.kind == "text")
    report["text_bbox_before"] = list(text_box.element.bbox)
    # Drag from the box's middle up so that it ends in the top third (its centre at 15 % of the height).
    rect = text_box.rect()
    height = canvas.frame_size()[1]
    start = rect.center()
    end = QPointF(start.x(), start.y() - (rect.center().y() - 0.15 * height))
    viewport = canvas.viewport()
    a = viewport.mapToGlobal(canvas.map_from_image(start).toPoint())
    b = viewport.mapToGlobal(canvas.map_from_image(end).toPoint())
    xdo("mousemove", "--sync", str(a.x()), str(a.y()))
    xdo("mousedown", "1")
    for i in range(1, 16):
        xdo("mousemove", "--sync", str(a.x() + (b.x() - a.x()) * i // 15), str(a.y() + (b.y() - a.y()) * i // 15))
    xdo("mouseup", "1")

    def text_bbox() -> list[int] | None:
        elements = sp.parse(box.text())["compositional_deconstruction"]["elements"]
        return next((e["bbox"] for e in elements if e["type"] == "text"), None)

    await until(lambda: (bb := text_bbox()) is not None and bb[2] <= 333, 10, "the text box in the top third")
    report["text_bbox_after"] = text_bbox()
    report["flags"] = [f.message for f in editor.flags()]
    for width, height in ((1280, 720), (1920, 1080)):
        w.resize(width, height)
        await asyncio.sleep(0.5)
        canvas.fit()
        for name in ("light", "dark"):
            theme.apply_theme(QApplication.instance(), name)
            await asyncio.sleep(0.5)
            shot(f"layout-editor-{name}-{width}x{height}")
    theme.apply_theme(QApplication.instance(), "light")
    w.resize(1280, 720)
    await focus(panel.prompt_edit)
    xdo("key", "ctrl+Return")
    (job,) = await wait_jobs(w, 1)
    report["job_state"] = job.state.value
    report["sent_prompt"] = job.request.json_prompt
    report["result"] = job.result_hashes[0] if job.result_hashes else None
    xdo("key", "F6")  # the result
    await asyncio.sleep(0.5)
    shot("layout-result")
    xdo("key", "ctrl+l")
    page = w.library.page
    await until(lambda: w.library.is_showing_library(), 5, "the library")
    await focus(page.search_field)
    await focus_and_type(page.search_field, "NORTH LIGHT")
    await until(lambda: page.model.rowCount() == 1, 10, "the result found by its words")
    report["found"] = page.model.hash_at(0)
    for _attempt in range(3):  # (a click while the grid still lays out the new search can miss)
        index = page.model.index(0, 0)
        click(page.grid.viewport(), page.grid.viewport().mapToGlobal(page.grid.visualRect(index).center()))
        try:
            await until(lambda: page.current_hash() == report["found"], 5, "the result selected")
            break
        except TimeoutError:
            continue
    info = await until(lambda: (i := page.detail.info()) is not None and i.row.hash == report["found"] and i,
                       10, "the result in the detail panel")
    report["library_prompt"] = info.row.prompt
    shot("layout-found-in-library")


async def sort_flow() -> None:
    """Issue 14, sorting a batch with real X input: a batch of 4 generated from the form, two picked
    (P) and two rejected (X) in the batch grid, two compared (Ctrl+click in the strip, C), then
    Keep picks, trash rejects from the Jobs menu; the library then shows what is left."""
    from PySide6.QtWidgets import QSpinBox

    from ideogram_studio.ui.common import theme

    w = await ready()
    width, height = (int(n) for n in (EXTRA or "1280x720").split("x"))  # the window's size: "WxH"
    w.resize(width, height)
    panel = w.generate_panel
    spin = next(s for s in panel.findChildren(QSpinBox) if s.toolTip().startswith("How many images"))
    await focus(spin)
    xdo("key", "ctrl+a")
    xdo("type", "4")
    await until(lambda: spin.value() == 4, 10, "4 images in the form")
    await focus_and_type(panel.prompt_edit, "paper lanterns over a night market")
    xdo("key", "ctrl+Return")
    (job,) = await wait_jobs(w, 1)
    area = w.result_area
    await until(lambda: area.showing_grid() and area.model.rowCount() == 4
                and {area.model.index(i).data(0x0101) for i in range(4)} == set(job.result_hashes), 20,
                "the batch's grid")
    hashes = [area.model.index(i).data(0x0101) for i in range(4)]  # as they arrived: the order Right steps
    report["batch"] = hashes
    gallery = w.controller.services.gallery
    await focus(area.grid)
    # Home, as a designer starts from the first: the current cell is the image that arrived first while
    # the grid was on show (kept there as earlier ones went in before it), which is not always the first.
    xdo("key", "Home")
    await until(lambda: area.grid.current_hash() == hashes[0], 5, "the first cell current")
    for at, (key, flag) in enumerate((("p", 1), ("p", 1), ("x", -1), ("x", -1))):
        if at:
            xdo("key", "Right")
            await until(lambda at=at: area.grid.current_hash() == hashes[at], 5, f"cell {at + 1} current")
        xdo("key", key)
        await until(lambda at=at, flag=flag: gallery.get(hashes[at]).flag == flag, 10, f"{key} on cell {at + 1}")
    report["flags"] = [gallery.get(h).flag for h in hashes]
    await asyncio.sleep(0.3)  # the marks painted
    shot("sort-1-culled")

    # Compare the two picks: a click and a Ctrl+click in the strip, then C.
    strip, model = w.strip, w.recent_model
    for image_hash, ctrl in ((hashes[0], False), (hashes[1], True)):
        point = strip.viewport().mapToGlobal(strip.visualRect(model.index(model.hashes().index(image_hash))).center())
        xdo("mousemove", "--sync", str(point.x()), str(point.y()))
        if ctrl:
            xdo("keydown", "ctrl")
        xdo("click", "1")
        if ctrl:
            xdo("keyup", "ctrl")
    await until(lambda: sorted(strip.selected_hashes()) == sorted(hashes[:2]), 10, "two selected in the strip")
    await until(lambda: w.shown_image_hash() == hashes[1], 10, "the clicked result shown")
    await focus(strip)
    xdo("key", "c")
    view = w.compare.view
    await until(lambda: area.showing_page() and view.isVisible(), 10, "the comparison")
    report["compared"] = list(view.names())
    await asyncio.sleep(0.3)
    shot("sort-2-compare-slider")
    click(view.side_button)
    await until(lambda: view.mode() == "side-by-side" and view.left.isVisible(), 5, "side by side")
    await focus(view.left)
    xdo("key", "ctrl+1")  # 100 % on the left: the right follows
    await until(lambda: abs(view.right.zoom_factor() - view.left.zoom_factor()) < 1e-6
                and not view.right.is_fit_mode(), 5, "the right view following the zoom")
    await asyncio.sleep(0.3)
    shot("sort-3-compare-side-by-side")
    theme.apply_theme(QApplication.instance(), "dark")
    await asyncio.sleep(0.3)
    shot("sort-3-compare-side-by-side-dark")
    theme.apply_theme(QApplication.instance(), "light")
    await focus(view.left)
    xdo("key", "Escape")
    await until(lambda: not area.showing_page(), 5, "back from the comparison")

    # Keep picks, trash rejects: from the Jobs menu, with the mouse.
    bar, jobs = w.menuBar(), w.menus.jobs
    click(bar, bar.mapToGlobal(bar.actionGeometry(jobs.menuAction()).center()))
    await until(jobs.isVisible, 5, "the Jobs menu open")
    keep = w.culling.keep_picks_action
    click(jobs, jobs.mapToGlobal(jobs.actionGeometry(keep).center()))
    await until(lambda: all(gallery.get(h).trashed_at is not None for h in hashes[2:]), 10, "the rejects trashed")
    # The strip is told once the trash is written (the library's write, then its signal): wait for it.
    await until(lambda: not set(hashes[2:]) & set(model.hashes()), 10, "the rejects gone from the strip")
    report["strip_after"] = [h for h in model.hashes() if h in hashes]

    xdo("key", "ctrl+l")
    page = w.library.page
    await until(lambda: w.library.is_showing_library() and page.model.rowCount() == 2, 10, "two in the library")
    page.model.fetch_now([0, 1])
    report["library"] = sorted(page.model.image(row).hash for row in range(page.model.rowCount()))
    await asyncio.sleep(0.5)
    shot("sort-4-library")


async def drive() -> None:
    try:
        await {"edit": edit_flow, "library": library_flow, "batch": batch_flow, "layout": layout_flow,
               "sort": sort_flow}[FLOW]()
        report["ok"] = True
    except BaseException as exc:
        report["ok"] = False
        report["error"] = "".join(traceback.format_exception(exc))
        w = window()
        if w is not None:
            w.grab().save(str(SHOTS / "failure.png"))
    REPORT.write_text(json.dumps(report, indent=2))
    w = window()
    if w is None:
        return
    xdo("windowfocus", "--sync", str(int(w.winId())))
    xdo("key", "ctrl+q")
    try:
        await until(lambda: window() is None, 10, "the window closed by Ctrl+Q")
    except TimeoutError:  # ctrl+q did not reach the window: close it the programmatic way
        w.close()


def main() -> int:
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    tasks: list[asyncio.Task[None]] = []

    def start_driving() -> None:
        # The studio's asyncio loop joins Qt's shortly after the window takes typing (app._run_loops).
        try:
            tasks.append(asyncio.get_running_loop().create_task(drive()))
        except RuntimeError:  # not yet
            QTimer.singleShot(50, start_driving)

    QTimer.singleShot(100, start_driving)
    from ideogram_studio.app import main as studio_main

    assert app is not None
    return studio_main([])


if __name__ == "__main__":
    sys.exit(main())
