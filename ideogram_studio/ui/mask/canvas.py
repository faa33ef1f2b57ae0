"""The mask-painting canvas: a ZoomView over an image, with the mask painted in image pixels.

The designer paints *what to change*. The mask lives in image pixels (``MaskLayer``: Alpha8
coverage, 255 = change), never in screen pixels, so zoom and the display's device pixel ratio
never reach the export. ``export_mask()`` converts to the API's polarity (black = change,
white = keep; see ``ideogram_studio.imaging.mask_export``).

Input: left button paints with the current tool. Zoom, fit and pan are ``ZoomView``'s, the same
as in the result viewer (100 % = one image pixel per device pixel, one table of zoom steps):
middle button, or Space + left button, pans; the wheel zooms around the cursor. A tablet pen
paints with pressure → size, and the mouse events a platform synthesises while the pen is down
are ignored. Every stroke, rectangle, lasso, fill, clear, invert and load is one undo step.

The editor around it (tool bar, sliders, status line) is ``editor.MaskEditor``; the actions'
names, keys and tooltips are in ``canvas_actions``; the brush outline and the rectangle/lasso
preview in ``overlays``; reading a mask file for the image (size check, sentences) in
``mask_file_load``; the image under the mask in ``image_item``.

An 8K image costs the GUI thread no per-pixel work in ``set_image`` when it comes in the format
Qt paints as it is (the source picker's worker converts it so): no QPixmap is made of it, and the
new mask's pixels are zero pages mapped on first touch (``layer.blank_coverage``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QCursor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPointingDevice,
    QRegion,
    QTabletEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from ...api.images import ImageFile
from ...imaging.mask_export import (
    EMPTY_MASK,
    MaskRule,
    api_mask_file,
    api_mask_png,
)
from ..common import theme
from ..common.paintable_image import paintable
from ..widgets.zoom_view import ZoomView
from .canvas_actions import TOOLS, make_actions
from .image_item import ImageItem, checkerboard
from .layer import (
    DEFAULT_OPACITY,
    DEFAULT_OVERLAY,
    FillCommand,
    InvertCommand,
    MaskItem,
    MaskLayer,
    PatchCommand,
    patch_between,
    pil_to_coverage,
)
from .mask_file_load import ScalePrompt, read_mask_for_image
from .mask_loading import LoadedPatch, MaskFileJobs
from .mask_snapshot import MaskSnapshot, not_saved
from .overlays import BrushOutline, ShapePreview, paint_empty_hint
from .tools import MAX_SIZE, MIN_SIZE, BrushStroke, lasso_command, rect_command, rect_from_points

__all__ = ["TOOLS", "MaskCanvas", "ScalePrompt"]

SIZE_STEP = 1.2  # [ and ] multiply/divide the size by this (at least 1 px)
UNDO_LIMIT = 100
NO_IMAGE = "Open an image first."


class MaskCanvas(ZoomView):
    """Paint a mask over an image. Public API in the methods below; see the module doc."""

    mask_changed = Signal()
    message = Signal(str)
    tool_changed = Signal(str)
    brush_size_changed = Signal(int)
    hardness_changed = Signal(float)
    subtract_mode_changed = Signal(bool)
    mask_visible_changed = Signal(bool)
    overlay_changed = Signal(QColor, float)
    image_changed = Signal()
    #: save_mask_later() wrote this file (a failure is said through ``message``)
    mask_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # a handful of items
        self.setScene(self._scene)
        #: Transparent parts of an image show over the theme's checkerboard (8 image pixels a square).
        self._image_item = ImageItem(checkerboard())
        self._scene.addItem(self._image_item)
        self._preview = ShapePreview(self._scene)

        self._layer: MaskLayer | None = None
        #: The layer is new and nothing was painted on it yet (every change goes through _push): its
        #: checks need no scan of its pixels (an 8K mask takes the GUI thread ~0.1-0.3 s to scan).
        self._blank = False
        self._mask_item: MaskItem | None = None
        self._image_size = QSize()
        self._has_alpha = False
        self._undo = QUndoStack(self)
        self._undo.setUndoLimit(UNDO_LIMIT)
        self._pushing = False
        self._undo.indexChanged.connect(self._on_undo_index)

        # settings that survive set_image()
        self._tool = "brush"
        self._size = 40
        self._hardness = 1.0
        self._subtract = False
        self._overlay = QColor(DEFAULT_OVERLAY)
        self._opacity = DEFAULT_OPACITY
        self._mask_visible = True
        self._rule = MaskRule.API
        self._grow = 0
        self._feather = 0
        #: Asked on a size mismatch when load_mask_file() gets scale_to_fit=None; None = refuse.
        self.scale_prompt: ScalePrompt | None = None

        # interaction state
        self._stroke: BrushStroke | None = None
        self._drag_start: QPointF | None = None  # rect tool
        self._lasso: list[QPointF] = []
        self._lasso_preview = QPainterPath()  # grown one lineTo per move, not rebuilt
        self._alt_at_press = False
        self._pen_down = False
        self._cursor_vp: QPointF | None = None  # the brush outline's centre, viewport coordinates
        self._outline = BrushOutline()

        # The theme's backdrop, also after a switch (read from the theme: the palette may not have
        # reached this widget yet when the switch is announced).
        theme.bind(self, lambda: self.setBackgroundBrush(QColor(theme.current().roles[QPalette.ColorRole.Dark])), "bg")
        #: What the canvas says while it has no image (title, hint): set_empty_text().
        self._empty_text = ("", "")
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        #: Counts the mask's changes: a file read in a worker is compared with the mask it saw.
        self._generation = 0
        self.mask_changed.connect(self._count_change)
        self._files = MaskFileJobs(self._mask_now, self.apply_loaded, self.message.emit, self.mask_saved.emit, self)
        self._actions: dict[str, QAction] = {}
        self._make_actions()
        self._refresh_cursor()

    # ================================================================ public API: image ======
    def set_image(self, image: QImage | str | Path, keep_mask: bool = False) -> bool:
        """Show ``image`` (a QImage or a file path) and start a blank mask at its exact size.

        ``keep_mask`` keeps the current mask and its undo history when the size is the same.
        A file is read without EXIF rotation so the mask matches the pixels the API receives.
        On failure ``message`` says why and nothing changes.
        """
        if isinstance(image, str | Path):
            path = Path(image)
            reader = QImageReader(str(path))
            reader.setAutoTransform(False)
            reader.setAllocationLimit(1024)  # MB; Qt's default (256) refuses 64-megapixel RGBA images
            loaded = reader.read()
            if loaded.isNull():
                self.message.emit(f"{path.name} cannot be opened as an image ({reader.errorString()}).")
                return False
            image = loaded
        if image.isNull() or image.width() <= 0 or image.height() <= 0:
            self.message.emit("The image is empty.")
            return False
        display = paintable(image)  # itself when a worker prepared it; otherwise converted here
        if display.isNull():
            self.message.emit("This image's pixel format cannot be shown.")
            return False
        has_alpha = display.hasAlphaChannel()

        self._cancel_interaction()
        size = display.size()
        same_size = self._layer is not None and self._layer.size() == size
        if not (keep_mask and same_size):
            self._undo.clear()
            if self._mask_item is not None:
                self._scene.removeItem(self._mask_item)
            self._layer = MaskLayer(size.width(), size.height())
            self._blank = True
            self._mask_item = MaskItem(self._layer)
            self._mask_item.set_color(self._overlay)
            self._mask_item.setOpacity(self._opacity)
            self._mask_item.setVisible(self._mask_visible)
            self._scene.addItem(self._mask_item)
        self._image_size = QSize(size)
        self._has_alpha = has_alpha
        self._image_item.set_image(display)
        self._scene.setSceneRect(QRectF(0, 0, size.width(), size.height()))
        self.fit()
        self.viewport().update()
        self.image_changed.emit()
        self.mask_changed.emit()
        return True

    def has_image(self) -> bool:
        return self._layer is not None

    def image_size(self) -> QSize:
        return QSize(self._image_size)

    def shown_image(self) -> QImage:
        """The image painted under the mask (in the raster engine's paint format; null with none)."""
        return self._image_item.image()

    # ================================================================ public API: tools ======
    def tool(self) -> str:
        return self._tool

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; expected one of {', '.join(TOOLS)}")
        if tool == self._tool:
            return
        self._commit_interaction()
        old_region = self._cursor_region()
        self._tool = tool
        self._actions[tool].setChecked(True)
        self._refresh_cursor()
        self.viewport().update(old_region.united(self._cursor_region()))
        self.tool_changed.emit(tool)

    def brush_size(self) -> int:
        return self._size

    def set_brush_size(self, size: float) -> None:
        size = max(MIN_SIZE, min(MAX_SIZE, round(size)))
        if size == self._size:
            return
        old_region = self._cursor_region()
        self._size = size
        self.viewport().update(old_region.united(self._cursor_region()))
        self.brush_size_changed.emit(size)

    def grow_brush(self) -> None:
        self.set_brush_size(max(self._size + 1, round(self._size * SIZE_STEP)))

    def shrink_brush(self) -> None:
        self.set_brush_size(min(self._size - 1, round(self._size / SIZE_STEP)))

    def hardness(self) -> float:
        return self._hardness

    def set_hardness(self, hardness: float) -> None:
        hardness = max(0.0, min(1.0, float(hardness)))
        if hardness != self._hardness:
            self._hardness = hardness
            self.hardness_changed.emit(hardness)

    def subtract_mode(self) -> bool:
        return self._subtract

    def set_subtract_mode(self, subtract: bool) -> None:
        if subtract != self._subtract:
            self._subtract = subtract
            self._actions["subtract"].setChecked(subtract)
            self.subtract_mode_changed.emit(subtract)

    # ================================================================ public API: mask ops ===
    def undo_stack(self) -> QUndoStack:
        return self._undo

    def clear(self) -> None:
        if self._layer is not None and not self._layer.is_uniform(0):
            self._push(FillCommand(self._layer, "Clear mask", 0))

    def fill(self) -> None:
        if self._layer is not None and not self._layer.is_uniform(255):
            self._push(FillCommand(self._layer, "Fill mask", 255))

    def invert(self) -> None:
        if self._layer is not None:
            self._push(InvertCommand(self._layer))

    def mask_qimage(self) -> QImage:
        """A copy of the coverage (Alpha8, image pixels, 255 = change); a null QImage with no image."""
        return self._layer.copy() if self._layer is not None else QImage()

    def coverage_ratio(self) -> float:
        """The share of the image the exported mask marks to change (0..1), before grow/feather."""
        if self._layer is None or self._blank:
            return 0.0
        return self._layer.coverage_ratio()  # (only the layer's known box is read)

    # ================================================================ public API: view ======
    def set_overlay(self, color: QColor | str | None = None, opacity: float | None = None) -> None:
        if color is not None:
            self._commit_interaction()  # a live stroke is in the tiles that a new colour rebuilds
            self._overlay = QColor(color)
            self._overlay.setAlpha(255)
        if opacity is not None:
            self._opacity = max(0.0, min(1.0, float(opacity)))
        if self._mask_item is not None:
            self._mask_item.set_color(self._overlay)
            self._mask_item.setOpacity(self._opacity)
        self.overlay_changed.emit(QColor(self._overlay), self._opacity)

    def overlay_color(self) -> QColor:
        return QColor(self._overlay)

    def overlay_settled(self) -> bool:
        """The overlay shows the mask as it is (no tiles of it are being tinted in a worker)."""
        return self._mask_item is None or self._mask_item.settled()

    def overlay_opacity(self) -> float:
        return self._opacity

    def set_mask_visible(self, visible: bool) -> None:
        if visible == self._mask_visible:
            return
        self._mask_visible = visible
        if self._mask_item is not None:
            self._mask_item.setVisible(visible)
        self._actions["show"].setChecked(visible)
        self.mask_visible_changed.emit(visible)

    def is_mask_visible(self) -> bool:
        return self._mask_visible

    # ================================================================ public API: files ======
    def mask_file_rule(self) -> MaskRule:
        return self._rule

    def set_mask_file_rule(self, rule: MaskRule | str) -> None:
        """How load_mask_file() reads files: MaskRule.API (black = change, the default) or
        MaskRule.PAINTED (opaque, or white without alpha, = change)."""
        self._rule = MaskRule(rule)

    def load_mask_file(self, path: str | Path, scale_to_fit: bool | None = None) -> bool:
        """Replace the mask with a file's (one undo step). A size mismatch is refused with a
        message unless ``scale_to_fit`` is True (None: ask ``scale_prompt`` if set)."""
        if self._layer is None:
            self.message.emit(NO_IMAGE)
            return False
        size = (self._layer.width(), self._layer.height())
        loaded = read_mask_for_image(Path(path), self._rule, size, scale_to_fit, self.scale_prompt)
        if loaded.coverage is None:
            self.message.emit(loaded.message)
            return False
        self._commit_interaction()
        patches = patch_between(self._layer, pil_to_coverage(loaded.coverage))
        if patches:  # only the box that differs is kept for undo
            self._push(PatchCommand(self._layer, "Load mask", patches, applied=False))
        self.message.emit(loaded.message)
        return True

    def save_mask_file(self, path: str | Path) -> bool:
        """Write the mask as the API gets it: 8-bit grey PNG, black = change, white = keep. (Here and
        now: an 8K mask holds the GUI thread ~0.2 s; the editor's Save uses ``save_mask_later``.)"""
        path = Path(path)
        if self._layer is None:
            self.message.emit(NO_IMAGE)
            return False
        try:
            path.write_bytes(self.export_mask())
        except OSError as exc:
            self.message.emit(not_saved(path, exc))
            return False
        return True

    def save_mask_later(self, path: str | Path) -> bool:
        """Write the same file as ``save_mask_file``, encoded in a worker from a snapshot of the mask
        as it is now; ``mask_saved`` follows (or ``message`` says why not). False: no image."""
        if self._layer is None:
            self.message.emit(NO_IMAGE)
            return False
        self._files.save(self.snapshot(), Path(path))
        return True

    def snapshot(self) -> MaskSnapshot:
        """The mask as it is now, with the export options, to export later (in a worker)."""
        if self._layer is None:
            raise RuntimeError(NO_IMAGE)
        return MaskSnapshot.of(self._layer, self._grow, self._feather)

    def load_mask_later(self, path: str | Path, scale_to_fit: bool | None = None) -> bool:
        """``load_mask_file`` with the file read, checked and compared in a worker (``mask_loading``):
        the undo step and ``message`` follow. False: no image."""
        if self._layer is None:
            self.message.emit(NO_IMAGE)
            return False
        self._files.prompt = self.scale_prompt
        self._files.load(Path(path), self._rule, scale_to_fit)
        return True

    def _mask_now(self) -> tuple[MaskSnapshot, int]:
        return self.snapshot(), self._generation

    def mask_generation(self) -> int:
        """A count of the mask's changes (``mask_changed``): what a worker compared with is still it?"""
        return self._generation

    def apply_loaded(self, patch: LoadedPatch, generation: int) -> bool:
        """A file read in a worker, compared with the mask of ``generation``: one undo step, or False
        when the mask has changed since (it is compared again)."""
        if self._layer is None:
            return True
        self._commit_interaction()
        if generation != self._generation:
            return False
        if not patch.box.isEmpty():  # (the pixels before are the snapshot's, which is the mask of this generation)
            patches = [(patch.box.topLeft(), patch.before, patch.after)]
            self._push(PatchCommand(self._layer, "Load mask", patches, applied=False, after=patch.known))
        self.message.emit(patch.message)
        return True

    # ================================================================ public API: export =====
    def set_export_options(self, grow: int = 0, feather: int = 0) -> None:
        """Grow (px) and feather (px) applied at export; 0 = exactly what was painted."""
        self._grow = max(0, int(grow))
        self._feather = max(0, int(feather))

    def export_options(self) -> tuple[int, int]:
        return self._grow, self._feather

    def export_mask(self) -> bytes:
        """The mask as the API wants it: a PNG, mode "L", the image's exact size, only 0 and 255;
        0 (black) where the designer painted (coverage >= 128), 255 (white) elsewhere."""
        if self._layer is None:
            raise RuntimeError(NO_IMAGE)
        return api_mask_png(self._layer.pil(), self._grow, self._feather)

    def mask_image_file(self, filename: str = "mask.png") -> ImageFile:
        if self._layer is None:
            raise RuntimeError(NO_IMAGE)
        return api_mask_file(self._layer.pil(), self._grow, self._feather, filename)

    def check_mask(self) -> str | None:
        """A reason to refuse sending this mask, or None when it is fine."""
        if self._layer is None:
            return NO_IMAGE
        return EMPTY_MASK if self._blank else self._layer.refusal(self._grow, self._feather)

    # ================================================================ actions ================
    def actions_by_name(self) -> dict[str, QAction]:
        """The canvas's QActions by name (tool bars show them; shortcuts in their tooltips)."""
        return dict(self._actions)

    def action(self, name: str) -> QAction:
        return self._actions[name]

    def _make_actions(self) -> None:
        """The actions of ``canvas_actions`` wired to their slots, plus ZoomView's zoom actions; all
        added to the canvas so their keys work while it (or the editor around it) has the focus."""
        commands: dict[str, Callable[[], None]] = {
            "size_down": self.shrink_brush,
            "size_up": self.grow_brush,
            "undo": self._undo_action,
            "redo": self._redo_action,
            "invert": self.invert,
            "clear": self.clear,
            "fill": self.fill,
        }
        self._actions = make_actions(self, commands, self._on_toggle, self._undo, self._tool)
        for name, action in self.zoom_actions().items():
            action.setObjectName(f"mask_{name}")
            self._actions[name] = action
        self.addActions(list(self._actions.values()))

    def _on_toggle(self, name: str, on: bool) -> None:
        if name in TOOLS:
            if on:
                self.set_tool(name)
        elif name == "subtract":
            self.set_subtract_mode(on)
        elif name == "show":
            self.set_mask_visible(on)

    def _undo_action(self) -> None:
        self._commit_interaction()
        self._undo.undo()

    def _redo_action(self) -> None:
        self._commit_interaction()
        self._undo.redo()

    # ================================================================ undo plumbing ==========
    def _push(self, command: QUndoCommand) -> None:
        # QUndoStack at its limit drops the oldest command and keeps the same index, so
        # indexChanged does not fire: announce the change ourselves, once.
        self._pushing = True
        self._blank = False
        try:
            self._undo.push(command)
        finally:
            self._pushing = False
        self.mask_changed.emit()

    def _count_change(self) -> None:
        self._generation += 1

    def _on_undo_index(self, _index: int) -> None:
        if not self._pushing:
            self.mask_changed.emit()

    # ================================================================ painting interaction ===
    def _begin(self, pos: QPointF, pressure: float, modifiers: Qt.KeyboardModifier, eraser_end: bool = False) -> None:
        if self._layer is None:
            return
        self._commit_interaction()
        self._alt_at_press = bool(modifiers & Qt.KeyboardModifier.AltModifier)
        if self._tool in ("brush", "eraser"):
            erase = self._tool == "eraser" or eraser_end
            assert self._mask_item is not None
            self._stroke = BrushStroke(self._layer, self._mask_item, self._size, self._hardness, erase)
            self._stroke.begin(pos, pressure)
        elif self._tool == "rect":
            self._drag_start = pos
            self._preview.show_rect(pos, pos)
        elif self._tool == "lasso":
            self._lasso = [pos]
            self._lasso_preview = QPainterPath(pos)
            self._preview.show(self._lasso_preview)

    def _drag(self, pos: QPointF, pressure: float) -> None:
        if self._stroke is not None:
            self._stroke.extend(pos, pressure)
        elif self._drag_start is not None:
            self._preview.show_rect(self._drag_start, pos)
        elif self._lasso:
            last = self._lasso[-1]
            if abs(pos.x() - last.x()) + abs(pos.y() - last.y()) >= 1.0 / self.view_scale():  # ~1 screen px
                self._lasso.append(pos)
                self._lasso_preview.lineTo(pos)
                self._preview.show(self._lasso_preview)

    def _end(self, pos: QPointF, pressure: float, modifiers: Qt.KeyboardModifier) -> None:
        subtract = self._subtract or self._alt_at_press or bool(modifiers & Qt.KeyboardModifier.AltModifier)
        if self._stroke is not None:
            self._stroke.extend(pos, pressure)
        elif self._drag_start is not None:
            start, self._drag_start = self._drag_start, None
            self._preview.hide()
            if self._layer is not None:
                cmd = rect_command(self._layer, rect_from_points(start, pos), subtract)
                if cmd is not None:
                    self._push(cmd)
            return
        elif self._lasso:
            points, self._lasso = [*self._lasso, pos], []
            self._preview.hide()
            if self._layer is not None:
                cmd = lasso_command(self._layer, points, subtract)
                if cmd is not None:
                    self._push(cmd)
            return
        self._commit_interaction()

    def _commit_interaction(self) -> None:
        """End a stroke in progress (one undo step); drop a half-drawn rectangle or lasso."""
        stroke, self._stroke = self._stroke, None
        if stroke is not None:
            cmd = stroke.finish()
            if cmd is not None:
                self._push(cmd)
        self._cancel_interaction()

    def _cancel_interaction(self) -> None:
        if self._stroke is not None:
            self._commit_interaction()
            return
        self._drag_start = None
        self._lasso = []
        self._lasso_preview = QPainterPath()
        self._preview.hide()

    def current_stroke(self) -> BrushStroke | None:
        return self._stroke

    # ================================================================ events: mouse ==========
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pen_down:  # synthesised from the pen: the tablet events already paint
            event.accept()
            return
        button = event.button()
        if self._is_pan_button(button):  # middle button, or Space + left button
            self._start_pan(event.position(), button)
            event.accept()
            return
        if button == Qt.MouseButton.LeftButton and self._layer is not None:
            self._begin(self.map_to_image(event.position()), 1.0, event.modifiers())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pen_down:
            event.accept()
            return
        pos = event.position()
        if self._is_panning():
            self._pan_to(pos)
            event.accept()
            return
        if self._stroke is not None and self.view_scale() >= 1.0 and self._cursor_radius_px() > 6:
            # The segment's repaint (brush radius + 2 image px around both ends) already covers
            # the outline at its old and new places.
            self._cursor_vp = QPointF(pos)
        else:
            self._move_cursor(pos)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(self.map_to_image(pos), 1.0)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pen_down:
            event.accept()
            return
        if self._end_pan(event.button()):
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(self.map_to_image(event.position()), 1.0, event.modifiers())
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ================================================================ events: tablet =========
    # QAbstractScrollArea does not route tablet events through viewportEvent(): the viewport
    # ignores them and Qt passes them on to this widget, in its own coordinates.
    def tabletEvent(self, event: QTabletEvent) -> None:
        self._tablet(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._move_cursor(None)
        super().leaveEvent(event)

    def _tablet(self, event: QTabletEvent) -> None:
        kind = event.type()
        pos = event.position() - QPointF(self.viewport().pos())
        pressure = event.pressure() if event.pressure() > 0 else 1.0
        if kind == QEvent.Type.TabletPress:
            if event.button() == Qt.MouseButton.LeftButton and not self._space_held:
                self._pen_down = True
                eraser_end = event.pointerType() == QPointingDevice.PointerType.Eraser
                self._begin(self.map_to_image(pos), pressure, event.modifiers(), eraser_end)
            elif event.button() == Qt.MouseButton.MiddleButton or self._space_held:
                self._start_pan(pos, event.button())
        elif kind == QEvent.Type.TabletMove:
            if self._is_panning():
                self._pan_to(pos)
            else:
                self._move_cursor(pos)
                if self._pen_down:
                    self._drag(self.map_to_image(pos), pressure)
        elif kind == QEvent.Type.TabletRelease:
            if self._end_pan(event.button()):
                pass
            elif self._pen_down:
                self._end(self.map_to_image(pos), pressure, event.modifiers())
                self._pen_down = False
        event.accept()

    # ================================================================ events: keys ===========
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and (self._drag_start is not None or self._lasso):
            self._cancel_interaction()
            event.accept()
            return
        # The actions' shortcuts normally fire before this; this covers a canvas that is not in an
        # active window (embedded, or driven by tests), where the shortcut map does not run.
        pressed = QKeySequence(event.keyCombination())
        for action in self._actions.values():
            if action.isEnabled() and any(
                s.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for s in action.shortcuts()
            ):
                action.trigger()
                event.accept()
                return
        super().keyPressEvent(event)  # Space (pan) and the zoom keys' variants (ZoomView)

    # ================================================================ events: drop a mask ====
    @staticmethod
    def _dropped_file(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._layer is not None and self._dropped_file(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._layer is not None and self._dropped_file(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.load_mask_later(path)

    # ================================================================ zoom and pan hooks =====
    def _content_rect(self) -> QRectF:
        return QRectF(0, 0, self._image_size.width(), self._image_size.height())

    def _zoom_applied(self) -> None:
        # Image pixels stay crisp squares from 200 % (device pixels) on, as in the viewer.
        self._image_item.set_smooth(self.zoom_factor() < 2)

    def _pan_started(self) -> None:
        self._commit_interaction()
        self._move_cursor(None)

    def _refresh_cursor(self) -> None:
        self.viewport().setCursor(QCursor(self._pan_cursor() or Qt.CursorShape.CrossCursor))

    # ================================================================ brush outline ==========
    def _move_cursor(self, pos: QPointF | None) -> None:
        old = self._cursor_region()
        self._cursor_vp = QPointF(pos) if pos is not None else None
        new = self._cursor_region()
        if not (old.isEmpty() and new.isEmpty()):
            self.viewport().update(old.united(new))

    def _cursor_radius_px(self) -> float:
        """The brush's radius in viewport (logical) pixels."""
        return self._size / 2 * self.view_scale()

    def _shows_outline(self) -> bool:
        return self._cursor_vp is not None and self._tool in ("brush", "eraser") and self._layer is not None

    def _cursor_region(self) -> QRegion:
        """The viewport region the brush outline covers."""
        if not self._shows_outline() or self._cursor_vp is None:
            return QRegion()
        return self._outline.region(self._cursor_vp, self._cursor_radius_px())

    def set_empty_text(self, title: str, hint: str = "") -> None:
        """What the canvas says while it has no image ("Drop a photo here", how else to get one)."""
        self._empty_text = (title, hint)
        self.viewport().update()

    def empty_text(self) -> tuple[str, str]:
        return self._empty_text

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if self._layer is None and self._empty_text[0]:
            painter.save()
            painter.resetTransform()
            paint_empty_hint(painter, QRectF(self.viewport().rect()), *self._empty_text)
            painter.restore()
        if not self._shows_outline() or self._cursor_vp is None:
            return
        painter.save()
        painter.resetTransform()
        self._outline.paint(painter, self._cursor_vp, self._cursor_radius_px(), self.viewport().devicePixelRatioF())
        painter.restore()
