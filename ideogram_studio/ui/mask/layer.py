"""The mask's pixels, their undo commands and the item that shows them as a tinted overlay.

* ``MaskLayer`` owns one ``QImage`` in ``Format_Alpha8`` at the image's exact pixel size: coverage
  0..255, 255 = "change this". It is the single source of truth; nothing in it is in screen pixels.
  A new layer's pixels are zero pages the kernel maps on first touch (``blank_coverage``): an 8K
  mask costs nothing to make, where allocating and filling 33 MB held the GUI thread 15-140 ms.
  The layer keeps a box that holds every pixel painted since it was last all zero
  (``painted_box``): "is it empty", Clear's undo copy, the coverage and the mask's check read only
  that box, not 33 megapixels, after a few strokes on an 8K image.
* A Fill gives every tile the same shared tinted tile (Qt copies one on the first stroke into it),
  rather than tinting 500 tiles of an 8K mask one by one.
* ``MaskItem`` draws the overlay from 256-px ARGB32_Premultiplied tiles made on touch (pencil2d's
  tiled buffer): overlay colour × coverage, so a tile's alpha channel *is* the coverage.
  ``paint()`` draws only the tiles that meet the exposed rect. A change of the layer (undo, fill,
  a rectangle) re-tints only the changed rect and calls ``update(rect)``.
* A live stroke is painted straight into those tiles (``MaskItem.paint_live``: Qt's raster engine
  paints ARGB32_Premultiplied about 3× faster than Alpha8, and nothing needs re-tinting), and
  ``StrokeRecorder`` commits it into the layer when the stroke ends: the layer itself is the
  "before" snapshot, so each touched tile's dirty rect is copied before and after the commit.
  The alpha arithmetic of the two paths is the same, so the committed coverage is exact.
* Undo keeps patches, never whole images for strokes (slate's ``ApplyPixelLineCommand``): a
  ``PatchCommand`` holds before/after copies of only the rects that changed and blits them back
  with ``CompositionMode_Source``. No full-image work happens per mouse move.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterable, Iterator

from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QUndoCommand
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...imaging.mask_export import grey_extrema
from ..common import theme

TILE = 256
FORMAT = QImage.Format.Format_Alpha8
DEFAULT_OVERLAY = theme.color("mask_overlay")  # a strong magenta-red that reads over most photos
DEFAULT_OPACITY = 0.5

Patch = tuple[QPoint, QImage, QImage]  # top-left in image pixels, before, after


# ---- conversions ------------------------------------------------------------------------------


def coverage_to_pil(image: QImage) -> Image.Image:
    """An Alpha8/Grayscale8 QImage -> a Pillow "L" image (a copy), row padding removed."""
    if image.format() not in (QImage.Format.Format_Alpha8, QImage.Format.Format_Grayscale8):
        image = image.convertToFormat(FORMAT)
    w, h = image.width(), image.height()
    data = bytes(image.constBits())  # one copy; PIL copies again only if the image is written to
    return Image.frombuffer("L", (w, h), data, "raw", "L", image.bytesPerLine(), 1)


def pil_to_coverage(img: Image.Image) -> QImage:
    """A Pillow "L" image -> an Alpha8 QImage (a deep copy)."""
    if img.mode != "L":
        img = img.convert("L")
    data = img.tobytes()
    return QImage(data, img.width, img.height, img.width, FORMAT).copy()


def blank_coverage(width: int, height: int) -> QImage:
    """An all-zero Alpha8 image made in constant time: its pixels live in an anonymous private memory
    map, whose pages read as zero and are only given memory when first written. (PySide keeps the
    map alive as long as the image's pixels are; a detached copy has its own pixels.)"""
    stride = (width + 3) & ~3  # rows 32-bit aligned, as Qt lays out its own images
    if hasattr(mmap, "MAP_PRIVATE"):
        pages = mmap.mmap(-1, stride * height, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    else:  # Windows: a page-file-backed map, zero-filled on first touch as well
        pages = mmap.mmap(-1, stride * height)
    return QImage(memoryview(pages), width, height, stride, FORMAT)


def tiles_in(rect: QRect) -> Iterator[tuple[int, int]]:
    if rect.isEmpty():
        return
    for ty in range(rect.top() // TILE, rect.bottom() // TILE + 1):
        for tx in range(rect.left() // TILE, rect.right() // TILE + 1):
            yield tx, ty


def tile_rect(key: tuple[int, int], bounds: QRect) -> QRect:
    return QRect(key[0] * TILE, key[1] * TILE, TILE, TILE).intersected(bounds)


# ---- the pixels -------------------------------------------------------------------------------


class MaskLayer:
    """Coverage pixels (Alpha8, 255 = change) plus change listeners (rect in image pixels)."""

    def __init__(self, width: int, height: int) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"a mask needs a positive size, not {width}×{height}")
        self._image = blank_coverage(width, height)
        self._rect = QRect(0, 0, width, height)
        #: Every non-zero pixel is inside (it may hold zeros too); empty = the layer is all zero.
        self._painted = QRect()
        #: The value of every pixel when the last change was a fill (None: not known to be uniform).
        self._uniform: int | None = 0
        self._listeners: list[Callable[[QRect, int | None], None]] = []

    # geometry
    def width(self) -> int:
        return self._rect.width()

    def height(self) -> int:
        return self._rect.height()

    def size(self) -> QSize:
        return self._rect.size()

    def rect(self) -> QRect:
        return QRect(self._rect)

    # pixels
    def image(self) -> QImage:
        """The live image, for painting into; do not keep a copy of this reference (it would detach)."""
        return self._image

    def copy(self, rect: QRect | None = None) -> QImage:
        return self._image.copy() if rect is None else self._image.copy(rect)

    def pil(self, rect: QRect | None = None) -> Image.Image:
        """The coverage (or the part of it in ``rect``) as a Pillow "L" image, a copy."""
        return coverage_to_pil(self._image if rect is None else self._image.copy(rect))

    def painted_box(self) -> QRect:
        """A box holding every non-zero pixel (empty when the layer is all zero); outside it, 0."""
        return QRect(self._painted)

    def painted(self, rect: QRect) -> None:
        """Pixels in ``rect`` were written without a notice (a stroke committed from the overlay)."""
        self._painted = self._painted.united(rect.intersected(self._rect))
        self._uniform = None

    def uniform_value(self) -> int | None:
        """The value every pixel holds when that is known without reading them (after a fill)."""
        return self._uniform

    # listeners
    def add_listener(self, listener: Callable[[QRect, int | None], None]) -> None:
        self._listeners.append(listener)

    def notify(self, rect: QRect, uniform: int | None = None) -> None:
        """Pixels in ``rect`` changed (``uniform``: they all hold this value now)."""
        rect = rect.intersected(self._rect)
        if rect.isEmpty():
            return
        if uniform == 0 and rect.contains(self._painted):
            self._painted = QRect()
        else:
            self._painted = self._painted.united(rect)
        self._uniform = uniform if rect == self._rect else None
        for listener in self._listeners:
            listener(rect, uniform)

    # whole-layer operations (used by commands)
    def apply(self, patches: Iterable[tuple[QPoint, QImage]]) -> None:
        patches = list(patches)
        if not patches:
            return
        painter = QPainter(self._image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        for pos, img in patches:
            painter.drawImage(pos, img)
        painter.end()
        for pos, img in patches:
            self.notify(QRect(pos, img.size()))

    def fill(self, value: int) -> None:
        self._image.fill(value)
        self.notify(self._rect, uniform=value)

    def invert(self) -> None:
        self._image.invertPixels(QImage.InvertMode.InvertRgba)
        self.notify(self._rect)

    def is_uniform(self, value: int) -> bool:
        if self._uniform is not None:
            return self._uniform == value
        box = self._painted
        if box.isEmpty():
            return value == 0
        if value != 0 and box != self._rect:
            return False  # (outside the box, pixels are 0)
        lo, hi = grey_extrema(self.pil(box))
        return lo == hi == value


# ---- undo -------------------------------------------------------------------------------------


class PatchCommand(QUndoCommand):
    """Before/after copies of only the changed rects; undo/redo blit them back.

    ``applied=True`` means the change is already on the layer (a stroke painted live): the first
    ``redo()``, which ``QUndoStack.push()`` calls at once, is skipped.
    """

    def __init__(self, layer: MaskLayer, text: str, patches: list[Patch], applied: bool) -> None:
        super().__init__(text)
        self._layer = layer
        self._patches = patches
        self._skip_redo = applied

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._layer.apply((pos, after) for pos, _, after in self._patches)

    def undo(self) -> None:
        self._layer.apply((pos, before) for pos, before, _ in self._patches)

    def rects(self) -> list[QRect]:
        return [QRect(pos, before.size()) for pos, before, _ in self._patches]

    def rect(self) -> QRect:
        """The bounding rect of everything this command stores."""
        out = QRect()
        for r in self.rects():
            out = out.united(r)
        return out

    def stored_pixels(self) -> int:
        """Pixels kept by this command (before and after together)."""
        return sum(2 * before.width() * before.height() for _, before, _ in self._patches)


class FillCommand(QUndoCommand):
    """Fill or clear: keeps the pixels before only inside the box of those that differ from the
    fill value (a clear after a few strokes stores just their bounding box), found in the layer's
    painted box (outside it every pixel is 0: a Fill of a partly painted layer keeps the painted box
    and is undone by clearing, then putting that box back)."""

    def __init__(self, layer: MaskLayer, text: str, value: int) -> None:
        super().__init__(text)
        self._layer = layer
        self._value = value
        painted = layer.painted_box()
        self._clear_first = value != 0 and painted != layer.rect()
        if self._clear_first:
            self._box = painted
        else:
            inside = differing_box(layer.pil(painted), value) if not painted.isEmpty() else QRect()
            self._box = inside.translated(painted.topLeft())
        self._before = layer.copy(self._box)

    def redo(self) -> None:
        self._layer.fill(self._value)

    def undo(self) -> None:
        if self._clear_first:
            self._layer.fill(0)
        if not self._box.isEmpty():
            self._layer.apply([(self._box.topLeft(), self._before)])

    def rect(self) -> QRect:
        return QRect(self._box)

    def stored_pixels(self) -> int:
        return self._box.width() * self._box.height()


def differing_box(coverage: Image.Image, value: int) -> QRect:
    """The bounding box of the pixels of ``coverage`` that are not ``value`` (empty if none)."""
    marked = coverage if value == 0 else coverage.point([0 if v == value else 255 for v in range(256)])
    box = marked.getbbox()
    if box is None:
        return QRect()
    left, top, right, bottom = box
    return QRect(left, top, right - left, bottom - top)


def patch_between(layer: MaskLayer, after: QImage) -> list[Patch]:
    """One patch holding only the box where ``after`` differs from the layer now."""
    diff = ImageChops.difference(layer.pil(), coverage_to_pil(after)).getbbox()
    if diff is None:
        return []
    left, top, right, bottom = diff
    box = QRect(left, top, right - left, bottom - top)
    return [(box.topLeft(), layer.copy(box), after.copy(box))]


class InvertCommand(QUndoCommand):
    """Invert is its own inverse (255 - (255 - v) == v): nothing is stored."""

    def __init__(self, layer: MaskLayer, text: str = "Invert mask") -> None:
        super().__init__(text)
        self._layer = layer

    def redo(self) -> None:
        self._layer.invert()

    def undo(self) -> None:
        self._layer.invert()

    def rect(self) -> QRect:
        return self._layer.rect()

    def stored_pixels(self) -> int:
        return 0


class StrokeRecorder:
    """The dirty rect per 256-px tile of a live stroke; ``commit()`` turns them into patches."""

    def __init__(self, layer: MaskLayer, item: MaskItem) -> None:
        self._layer = layer
        self._item = item
        self._dirty: dict[tuple[int, int], QRect] = {}

    def mark(self, rect: QRect) -> None:
        """Call after painting into ``rect`` (image pixels, clipped to the layer)."""
        if rect.left() // TILE == rect.right() // TILE and rect.top() // TILE == rect.bottom() // TILE:
            key = (rect.left() // TILE, rect.top() // TILE)
            old = self._dirty.get(key)
            self._dirty[key] = rect if old is None else old.united(rect)
            return
        bounds = self._layer.rect()
        for key in tiles_in(rect):
            part = rect.intersected(tile_rect(key, bounds))
            old = self._dirty.get(key)
            self._dirty[key] = part if old is None else old.united(part)

    def dirty_rect(self) -> QRect:
        out = QRect()
        for r in self._dirty.values():
            out = out.united(r)
        return out

    def commit(self) -> list[Patch]:
        """Write the stroke into the layer; the before/after copies of what really changed."""
        out: list[Patch] = []
        for dirty in self._dirty.values():
            before = self._layer.copy(dirty)
            self._item.commit_rect(dirty)
            after = self._layer.copy(dirty)
            if before != after:
                out.append((dirty.topLeft(), before, after))
        self._dirty.clear()
        return out


# ---- the overlay ------------------------------------------------------------------------------


class MaskItem(QGraphicsItem):
    """Shows a MaskLayer as colour × coverage, from tinted tiles made on touch."""

    def __init__(self, layer: MaskLayer, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self._tiles: dict[tuple[int, int], QImage] = {}
        self._bounds = layer.rect()
        self._color = QColor(DEFAULT_OVERLAY)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setOpacity(DEFAULT_OPACITY)
        self.setZValue(1)
        layer.add_listener(self.refresh)

    # colour
    def color(self) -> QColor:
        return QColor(self._color)

    def set_color(self, color: QColor) -> None:
        color = QColor(color)
        color.setAlpha(255)
        if color == self._color:
            return
        self._color = color
        self._tiles.clear()
        painted = self._layer.painted_box()  # (outside it no tile is needed: nothing to tint)
        if not painted.isEmpty():
            self.refresh(painted, None)

    def tile_count(self) -> int:
        return len(self._tiles)

    # QGraphicsItem
    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def refresh(self, rect: QRect, uniform: int | None) -> None:
        """Re-tint ``rect`` (image pixels) from the layer and schedule a repaint of only that rect
        (``uniform``: every pixel in it holds this value)."""
        bounds = self._bounds
        solid: dict[tuple[int, int], QImage] = {}  # one shared tinted tile per tile size
        for key in tiles_in(rect):
            t_rect = tile_rect(key, bounds)
            tile = self._tiles.get(key)
            if uniform is not None and rect.contains(t_rect):
                if uniform == 0:
                    self._tiles.pop(key, None)
                else:  # its own QImage sharing the pixels: a stroke into one detaches that one alone
                    size = (t_rect.width(), t_rect.height())
                    if size not in solid:
                        solid[size] = self._solid_tile(t_rect, uniform)
                    self._tiles[key] = QImage(solid[size])
                continue
            if uniform == 0 and tile is None:
                continue
            if tile is None:
                self._new_tile(key, t_rect)
            else:
                self._tint(tile, t_rect, rect.intersected(t_rect))
        self.update(QRectF(rect))

    def _solid_tile(self, t_rect: QRect, value: int) -> QImage:
        tile = QImage(t_rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
        color = QColor(self._color)
        color.setAlpha(value)
        tile.fill(color)  # (fill converts to premultiplied, as a tint of coverage `value` is)
        return tile

    def _new_tile(self, key: tuple[int, int], t_rect: QRect) -> QImage:
        tile = QImage(t_rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
        tile.fill(0)
        self._tint(tile, t_rect, t_rect)
        self._tiles[key] = tile
        return tile

    def _tint(self, tile: QImage, t_rect: QRect, part: QRect) -> None:
        local = part.translated(-t_rect.topLeft())
        painter = QPainter(tile)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.fillRect(local, self._color)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        painter.drawImage(local.topLeft(), self._layer.image(), part)
        painter.end()

    def paint_live(
        self, rect: QRect, draw: Callable[[QPainter], None], mode: QPainter.CompositionMode, antialias: bool
    ) -> None:
        """Paint into the tiles meeting ``rect`` (image pixels) with ``draw`` (image coordinates,
        overlay colour), then repaint ``rect``. The layer is not touched until ``commit_rect``."""
        bounds = self._bounds
        for key in tiles_in(rect):
            tile = self._tiles.get(key)
            if tile is None:
                tile = self._new_tile(key, tile_rect(key, bounds))
            painter = QPainter(tile)
            painter.setCompositionMode(mode)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
            painter.translate(-key[0] * TILE, -key[1] * TILE)
            draw(painter)
            painter.end()
        self.update(QRectF(rect))

    def commit_rect(self, rect: QRect) -> None:
        """Copy the tiles' alpha (= coverage) in ``rect`` into the layer's Alpha8 pixels."""
        self._layer.painted(rect)
        bounds = self._layer.rect()
        painter = QPainter(self._layer.image())
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        for key in tiles_in(rect):
            tile = self._tiles.get(key)
            if tile is None:
                continue
            t_rect = tile_rect(key, bounds)
            part = rect.intersected(t_rect)
            painter.drawImage(part.topLeft(), tile, part.translated(-t_rect.topLeft()))
        painter.end()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        bounds = self._bounds
        exposed = option.exposedRect.toAlignedRect().intersected(bounds)
        if exposed.isEmpty() or not self._tiles:
            return
        smooth = painter.worldTransform().m11() < 1.0
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        for key in tiles_in(exposed):
            tile = self._tiles.get(key)
            if tile is None:
                continue
            t_rect = tile_rect(key, bounds)
            if smooth:
                # The whole tile: a smooth-scaled sub-rect would clamp its edge samples (seams);
                # the paint event's clip keeps the work to the exposed region.
                painter.drawImage(t_rect.topLeft(), tile)
            else:
                part = exposed.intersected(t_rect)
                painter.drawImage(part.topLeft(), tile, part.translated(-t_rect.topLeft()))
