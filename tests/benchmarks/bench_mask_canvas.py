"""Benchmark: painting a stroke in the mask canvas vs. raw QPainter on a QImage of the same size.

Run: ``python tests/benchmarks/bench_mask_canvas.py [--points 500] [--sizes 2048 4096] [--repeats 5]``

For each image size and brush (hard, soft), one 500-point stroke is fed to the canvas as real
QMouseEvents sent to its viewport: the code path of a mouse move (event → segment painted into the
overlay tiles → dirty rect per tile recorded for undo → ``item.update(rect)``), and after every
event ``QApplication.processEvents()`` so the repaint of the dirty region counts too. Also shown:
the same without repaint, the stroke engine alone (``BrushStroke.extend``), the cost of making the
events in Python, and Qt's own floor for repainting such a rect (a bare QGraphicsView + pixmap).

The baseline draws the same segments with raw QPainter on a QImage of the same size, one painter
per segment as an app would per event: a round-capped line for the hard brush, the same radial
gradient dabs every quarter diameter for the soft one; on ARGB32_Premultiplied and on Alpha8.
Ratios are against raw ARGB32_Premultiplied. "release" is the commit + undo command at mouse up.

``--ops W H`` (e.g. ``--ops 7680 4320``) times instead what a designer does to the whole mask of an
image that size, on the GUI thread, each followed by the repaint it causes, on a canvas at fit with a
rectangle painted: Invert, Undo, Fill, Undo, the check and the coverage, taking the mask's pixels
(``mask_qimage``), the synchronous export (``export_mask``), and, where the canvas has them, the
snapshot an export in a worker starts from. Baseline: a ``memcpy`` of the mask's bytes (bytes()) in
the same run. PYTHONPATH=<another checkout> measures that checkout's canvas.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import itertools
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import PySide6
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPen, QRadialGradient
from PySide6.QtWidgets import QApplication

from ideogram_studio.ui.mask.canvas import MaskCanvas

VIEW_W, VIEW_H = 1280, 900
BRUSH = 40


def stroke_points(n: int, cx: float, cy: float) -> list[QPointF]:
    """A wavy stroke across the visible part of the image, ~5 px between events."""
    out = []
    for i in range(n):
        t = i / (n - 1)
        x = cx - 560 + 1120 * t
        y = cy + 300 * math.sin(t * 4 * math.pi) * (0.6 + 0.4 * math.cos(t * 3))
        out.append(QPointF(x, y))
    return out


def raw_segments(size: int, pts: list[QPointF], hardness: float, fmt: QImage.Format) -> float:
    img = QImage(size, size, fmt)
    img.fill(0)
    opaque = QColor(0, 0, 0, 255)
    clear = QColor(0, 0, 0, 0)
    r = BRUSH / 2
    spacing = max(0.5, 0.25 * BRUSH)
    carry = 0.0
    start = time.perf_counter()
    for a, b in itertools.pairwise(pts):
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if hardness >= 1.0:
            p.setPen(QPen(opaque, BRUSH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawLine(a, b)
        else:
            p.setPen(Qt.PenStyle.NoPen)
            dist = math.hypot(b.x() - a.x(), b.y() - a.y())
            t = spacing - carry
            last = 0.0
            while t <= dist:
                f = t / dist
                pos = QPointF(a.x() + (b.x() - a.x()) * f, a.y() + (b.y() - a.y()) * f)
                g = QRadialGradient(pos, r)
                g.setColorAt(0.0, opaque)
                g.setColorAt(hardness, opaque)
                g.setColorAt(1.0, clear)
                p.setBrush(QBrush(g))
                p.drawEllipse(pos, r, r)
                last = t
                t += spacing
            carry = dist - last
        p.end()
    return (time.perf_counter() - start) / (len(pts) - 1)


def canvas_segments(app: QApplication, canvas: MaskCanvas, pts: list[QPointF], hardness: float,
                    repaint: bool) -> tuple[float, float]:
    canvas.set_hardness(hardness)
    canvas.set_brush_size(BRUSH)
    viewport = canvas.viewport()
    vp_pts = [canvas.map_from_image(p) for p in pts]

    def send(kind: QEvent.Type, pos: QPointF, button: Qt.MouseButton, buttons: Qt.MouseButton) -> None:
        glob = QPointF(viewport.mapToGlobal(pos.toPoint()))
        QApplication.sendEvent(viewport, QMouseEvent(kind, pos, pos, glob, button, buttons,
                                                     Qt.KeyboardModifier.NoModifier))

    left = Qt.MouseButton.LeftButton
    send(QEvent.Type.MouseButtonPress, vp_pts[0], left, left)
    app.processEvents()
    start = time.perf_counter()
    for p in vp_pts[1:]:
        send(QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, left)
        if repaint:
            app.processEvents()
    per_segment = (time.perf_counter() - start) / (len(pts) - 1)
    t0 = time.perf_counter()
    send(QEvent.Type.MouseButtonRelease, vp_pts[-1], left, Qt.MouseButton.NoButton)
    app.processEvents()
    release = time.perf_counter() - t0
    return per_segment, release


def harness_segments(pts: list[QPointF]) -> float:
    """Only making and sending the same QMouseEvents (to a widget with no Python handler): the cost
    of driving the canvas from Python, which a platform's own events do not have."""
    from PySide6.QtWidgets import QWidget

    target = QWidget()
    target.resize(VIEW_W, VIEW_H)
    glob = QPointF(0, 0)
    left = Qt.MouseButton.LeftButton
    start = time.perf_counter()
    for p in pts[1:]:
        QApplication.sendEvent(target, QMouseEvent(QEvent.Type.MouseMove, p, p, glob, Qt.MouseButton.NoButton, left,
                                                   Qt.KeyboardModifier.NoModifier))
    elapsed = (time.perf_counter() - start) / (len(pts) - 1)
    target.deleteLater()
    return elapsed


def stroke_segments(canvas: MaskCanvas, pts: list[QPointF], hardness: float) -> float:
    """The stroke engine alone (BrushStroke.extend: paint into tiles + dirty tracking + update())."""
    from ideogram_studio.ui.mask.tools import BrushStroke

    canvas.clear()
    stroke = BrushStroke(canvas._layer, canvas._mask_item, BRUSH, hardness, erase=False)  # type: ignore[arg-type]
    stroke.begin(pts[0])
    start = time.perf_counter()
    for p in pts[1:]:
        stroke.extend(p)
    elapsed = (time.perf_counter() - start) / (len(pts) - 1)
    stroke.finish()
    return elapsed


def repaint_floor(app: QApplication, size: int, pts: list[QPointF]) -> float:
    """Qt's own floor for the display part: a bare QGraphicsView showing a QGraphicsPixmapItem of
    the same size at 100 %, one ``viewport().update(rect)`` of the segment's rect + processEvents."""
    from PySide6.QtGui import QPixmap, QTransform
    from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

    scene = QGraphicsScene()
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(110, 140, 170))
    scene.addPixmap(QPixmap.fromImage(image))
    view = QGraphicsView(scene)
    view.resize(VIEW_W, VIEW_H)
    view.setTransform(QTransform())
    view.show()
    view.centerOn(size / 2, size / 2)
    app.processEvents()
    rects = []
    for a, b in itertools.pairwise(pts):
        x0, x1 = sorted((a.x(), b.x()))
        y0, y1 = sorted((a.y(), b.y()))
        scene_rect = QRectF(x0 - BRUSH / 2 - 2, y0 - BRUSH / 2 - 2, x1 - x0 + BRUSH + 4, y1 - y0 + BRUSH + 4)
        rects.append(view.mapFromScene(scene_rect).boundingRect())
    start = time.perf_counter()
    for r in rects:
        view.viewport().update(r)
        app.processEvents()
    elapsed = (time.perf_counter() - start) / len(rects)
    view.close()
    view.deleteLater()
    app.processEvents()
    return elapsed


def mask_ops(app: QApplication, size: tuple[int, int], repeats: int) -> None:
    """Whole-mask operations at ``size``: best and median ms of ``repeats``, each with its repaint."""
    canvas = MaskCanvas()
    canvas.resize(VIEW_W, VIEW_H)
    canvas.show()
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(110, 140, 170))
    canvas.set_image(image)
    app.processEvents()
    time.sleep(0.3)  # (a fresh mask's memory may be given in a worker: as a designer's first click finds it)
    app.processEvents()
    canvas.set_tool("rect")
    w, h = size
    a, b = (canvas.map_from_image(QPointF(x, y)) for x, y in ((w * 0.2, h * 0.25), (w * 0.45, h * 0.6)))
    viewport = canvas.viewport()
    left = Qt.MouseButton.LeftButton
    for kind, pos, button, buttons in ((QEvent.Type.MouseButtonPress, a, left, left),
                                       (QEvent.Type.MouseMove, b, Qt.MouseButton.NoButton, left),
                                       (QEvent.Type.MouseButtonRelease, b, left, Qt.MouseButton.NoButton)):  # fmt: skip
        QApplication.sendEvent(viewport, QMouseEvent(kind, pos, pos, QPointF(viewport.mapToGlobal(pos.toPoint())),
                                                     button, buttons, Qt.KeyboardModifier.NoModifier))  # fmt: skip
    app.processEvents()
    layer = canvas._layer
    assert layer is not None

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        viewport.repaint()
        return (time.perf_counter() - start) * 1000

    ops = [
        ("memcpy of the mask (baseline)", lambda: bytes(layer.image().constBits())),
        ("Invert", canvas.invert),
        ("Undo (Invert back)", canvas.undo_stack().undo),
        ("Fill", canvas.fill),
        ("Undo (the Fill)", canvas.undo_stack().undo),
        ("check_mask + coverage_ratio", lambda: (canvas.check_mask(), canvas.coverage_ratio())),
        ("mask_qimage (a copy)", canvas.mask_qimage),
        ("export_mask (PNG, here)", canvas.export_mask),
    ]
    if hasattr(canvas, "snapshot"):
        ops.append(("snapshot (what a worker's export starts from)", canvas.snapshot))

    def whole_box() -> None:  # a file loaded here over a Fill: it differs everywhere
        path = Path(tempfile.mkdtemp(prefix="bench-mask-")) / "mask.png"
        path.write_bytes(canvas.export_mask())
        canvas.fill()
        canvas.load_mask_file(path, scale_to_fit=False)
        app.processEvents()

    ops.append(("check_mask + coverage_ratio, box = the whole image",
                lambda: (canvas.check_mask(), canvas.coverage_ratio())))  # fmt: skip
    print(f"whole-mask operations at {w}×{h} on the GUI thread, repaint included (ms, best / median of {repeats}):")
    for name, fn in ops:
        times = [timed(fn) for _ in range(repeats)] if "Undo" not in name and "whole" not in name else []
        if "Undo" in name:  # (redo what was undone, so each repeat undoes the same step)
            for _ in range(repeats):
                times.append(timed(fn))
                canvas.undo_stack().redo()
                app.processEvents()
            canvas.undo_stack().undo()
        elif name.endswith("box = the whole image"):
            whole_box()
            times = [timed(fn) for _ in range(repeats)]
        elif name in ("Invert", "Fill"):
            times = []
            for _ in range(repeats):
                times.append(timed(fn))
                canvas.undo_stack().undo()
                app.processEvents()
            fn()
            app.processEvents()
        print(f"  {name:48} {min(times):7.1f} {statistics.median(times):7.1f}")
    canvas.close()
    canvas.deleteLater()
    app.processEvents()


def best(fn, repeats: int) -> float:
    return min(fn() for _ in range(repeats))


def run_case(app: QApplication, canvas: MaskCanvas, size: int, name: str, hardness: float, pts: list[QPointF],
             repeats: int, harness: float) -> None:
    releases: list[float] = []

    def through_events(repaint: bool) -> float:
        canvas.clear()
        canvas.undo_stack().clear()
        seg, rel = canvas_segments(app, canvas, pts, hardness, repaint=repaint)
        if repaint:
            releases.append(rel)
        return seg

    seg = best(lambda: through_events(True), repeats)
    seg_np = best(lambda: through_events(False), repeats)
    cmd = canvas.undo_stack().command(0)
    stored = cmd.stored_pixels() if cmd is not None and hasattr(cmd, "stored_pixels") else 0
    engine = best(lambda: stroke_segments(canvas, pts, hardness), repeats)
    raw_argb = best(lambda: raw_segments(size, pts, hardness, QImage.Format.Format_ARGB32_Premultiplied), repeats)
    raw_a8 = best(lambda: raw_segments(size, pts, hardness, QImage.Format.Format_Alpha8), repeats)
    net = seg - harness
    print(f"{size:>6} {name:>5} | {seg * 1e3:>7.3f} {net * 1e3:>8.3f} {seg_np * 1e3:>10.3f} "
          f"{engine * 1e3:>7.3f} | {raw_argb * 1e3:>6.3f} {raw_a8 * 1e3:>6.3f} | {seg / raw_argb:>6.1f} "
          f"{net / raw_argb:>6.1f} {engine / raw_argb:>6.1f} | {statistics.median(releases) * 1e3:>10.1f} "
          f"{stored:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048, 4096])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ops", type=int, nargs=2, metavar=("W", "H"), help="whole-mask operations at W×H instead")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if args.ops:
        import ideogram_studio

        print(f"PySide6 {PySide6.__version__}, load average {os.getloadavg()[0]:.2f}, the studio from "
              f"{os.path.dirname(os.path.dirname(ideogram_studio.__file__))}")  # fmt: skip
        mask_ops(app, tuple(args.ops), args.repeats)
        return
    print(f"PySide6 {PySide6.__version__}, Qt platform {app.platformName()}, view {VIEW_W}×{VIEW_H}, "
          f"brush {BRUSH} px, {args.points} points, best of {args.repeats}")
    harness = best(lambda: harness_segments(stroke_points(args.points, 0, 0)), args.repeats)
    print(f"driving events from Python (QMouseEvent + sendEvent, no handler): {harness * 1e3:.3f} ms per segment")
    print("columns (ms per segment): canvas = mouse event → paint → repaint (processEvents); "
          "-harness = the same less the Python event-making cost above; no repaint = without processEvents; "
          "engine = BrushStroke.extend alone (paint into tiles, dirty tracking, item.update); raw = QPainter on a "
          "QImage of the image's size, ARGB32_Premultiplied / Alpha8; ratios against raw ARGB")
    print(f"{'image':>6} {'brush':>5} | {'canvas':>7} {'-harness':>8} {'no repaint':>10} {'engine':>7} | "
          f"{'raw':>6} {'raw A8':>6} | {'canvas':>6} {'-harn.':>6} {'engine':>6} | {'release ms':>10} {'undo px':>8}")
    for size in args.sizes:
        canvas = MaskCanvas()
        canvas.resize(VIEW_W, VIEW_H)
        canvas.show()
        app.processEvents()
        image = QImage(size, size, QImage.Format.Format_RGB32)
        image.fill(QColor(110, 140, 170))
        canvas.set_image(image)
        canvas.set_zoom(1.0)
        canvas.centerOn(size / 2, size / 2)
        app.processEvents()
        pts = stroke_points(args.points, size / 2, size / 2)
        floor = best(lambda: repaint_floor(app, size, pts), args.repeats)  # noqa: B023 (called at once)
        print(f"{size:>6}  Qt's floor to repaint a segment's rect (bare QGraphicsView + pixmap): "
              f"{floor * 1e3:.3f} ms")
        for name, hardness in (("hard", 1.0), ("soft", 0.5)):
            run_case(app, canvas, size, name, hardness, pts, args.repeats, harness)
        canvas.close()
        canvas.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
