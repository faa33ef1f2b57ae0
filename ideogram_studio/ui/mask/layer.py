"""The mask's pixels, their undo commands and the item that shows them as a tinted overlay.

* ``MaskLayer`` owns one ``QImage`` in ``Format_Alpha8`` at the image's exact pixel size: coverage
  0..255, 255 = "change this". It is the single source of truth; nothing in it is in screen pixels.
  A new layer's pixels are zero pages the kernel maps on first touch (``blank_coverage``): an 8K
  mask costs nothing to make, where allocating and filling 33 MB held the GUI thread 15-140 ms.
  The layer keeps a box outside which every pixel holds one known value (``known``: 0 until a
  Fill or an Invert makes it 255): "is it empty", Clear's undo copy, the coverage, the mask's check
  and an export's snapshot read only that box, not 33 megapixels, after a few strokes on an 8K image.
* Invert flips the pixels in place with numpy (one pass over memory; ``QImage.invertPixels`` takes an
  Alpha8 image through a generic path: 80 ms for 8K) and turns the known value round: the overlay
  re-tints only the box; outside it every tile becomes the shared tinted tile of a Fill, or none.
* A Fill gives every tile the same shared tinted tile (Qt copies one on the first stroke into it),
  rather than tinting 500 tiles of an 8K mask one by one.
* ``MaskItem`` draws the overlay from 256-px ARGB32_Premultiplied tiles made on touch (pencil2d's
  tiled buffer): overlay colour × coverage, so a tile's alpha channel *is* the coverage.
  ``paint()`` draws only the tiles that meet the exposed rect. A change of the layer (undo, fill,
  a rectangle) re-tints only the changed rect and calls ``update(rect)``: whole tiles with numpy,
  a tile of one value as the shared tile of that value (``tile_tints``; more than ``NOW_TILES`` of
  them in a worker, the old tiles shown until the new ones are all in).
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

import contextlib
import ctypes
import mmap
import sys
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import shiboken6
from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QUndoCommand
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...imaging.mask_export import EMPTY_MASK, FULL_MASK, THRESHOLD, refusal
from ..common import theme, worker_pool
from . import tile_tints
from .tile_tints import Tint, TintJobs, tint_table, tint_tiles

TILE = 256
FORMAT = QImage.Format.Format_Alpha8
DEFAULT_OVERLAY = theme.color("mask_overlay")  # a strong magenta-red that reads over most photos
DEFAULT_OPACITY = 0.5

Patch = tuple[QPoint, QImage, QImage]  # top-left in image pixels, before, after
#: linux/mman.h; a mask this large gets its memory in a worker when it is made (see prefault)
MADV_POPULATE_WRITE = 23
PREFAULT_BYTES = 4 << 20


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
        if stride * height >= PREFAULT_BYTES and sys.platform.startswith("linux"):
            worker_pool.start(lambda: prefault(pages))
    else:  # Windows: a page-file-backed map, zero-filled on first touch as well
        pages = mmap.mmap(-1, stride * height)
    return QImage(memoryview(pages), width, height, stride, FORMAT)


def prefault(pages: mmap.mmap) -> None:
    """Give a private map its memory now, its contents untouched (Linux's MADV_POPULATE_WRITE, 5.14+;
    elsewhere nothing). Run in a worker: ctypes lets the GIL go through the call, and the GUI thread's
    first pass over a fresh 8K mask (an Invert, a Fill, an export's copy) then takes no page faults
    (8,100 of them: 25-90 ms under load). The pages' values are not changed, so the GUI thread may
    paint into them meanwhile."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        madvise = ctypes.CDLL(None, use_errno=True).madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        madvise(np.frombuffer(pages, dtype=np.uint8).ctypes.data, len(pages), MADV_POPULATE_WRITE)


def around(box: QRect, bounds: QRect) -> list[QRect]:
    """The parts of ``bounds`` outside ``box`` (a box inside ``bounds``): at most four bands, all of
    ``bounds`` when the box is empty."""
    if box.isEmpty():
        return [QRect(bounds)]
    left, top, right, bottom = bounds.left(), bounds.top(), bounds.right(), bounds.bottom()
    bands = [
        QRect(left, top, bounds.width(), box.top() - top),  # above
        QRect(left, box.bottom() + 1, bounds.width(), bottom - box.bottom()),  # below
        QRect(left, box.top(), box.left() - left, box.height()),  # left of it
        QRect(box.right() + 1, box.top(), right - box.right(), box.height()),  # right of it
    ]
    return [band for band in bands if not band.isEmpty()]


def to_tiles(rect: QRect, bounds: QRect) -> QRect:
    """``rect`` grown to whole tiles (within ``bounds``): the bands around it then hold whole tiles."""
    if rect.isEmpty():
        return QRect()
    left, top = rect.left() // TILE * TILE, rect.top() // TILE * TILE
    right, bottom = (rect.right() // TILE + 1) * TILE, (rect.bottom() // TILE + 1) * TILE
    return QRect(left, top, right - left, bottom - top).intersected(bounds)


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
        #: Every pixel outside this box holds ``_outside`` (inside, any value); empty: every pixel does.
        self._box = QRect()
        self._outside = 0
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
        """A copy of the pixels (in ``rect``; an empty rect gives a null image, not the whole layer)."""
        if rect is None:
            return self._image.copy()
        return self._image.copy(rect) if not rect.isEmpty() else QImage()

    def pil(self, rect: QRect | None = None) -> Image.Image:
        """The coverage (or the part of it in ``rect``) as a Pillow "L" image, a copy."""
        return coverage_to_pil(self._image if rect is None else self._image.copy(rect))

    def pixels(self, rect: QRect) -> np.ndarray:
        """A copy of the pixels in ``rect`` (rows × columns, uint8): one copy, no QImage made."""
        return self.view(rect).copy()

    def view(self, rect: QRect) -> np.ndarray:
        """The pixels in ``rect`` as they are (rows × columns, uint8, read-only; no copy): to read at
        once, never to keep past a change of the layer."""
        return self.rows()[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]

    def rows(self) -> np.ndarray:
        """The whole image's rows as they are (rows × bytes per row, uint8, read-only; no copy), for the
        overlay to read its tiles from: never to keep past the layer's life."""
        return np.frombuffer(self._image.constBits(), dtype=np.uint8).reshape(-1, self._image.bytesPerLine())

    def known(self) -> tuple[QRect, int]:
        """(box, value): every pixel outside ``box`` holds ``value``; an empty box: every pixel does.
        What is inside the box has to be read from the pixels."""
        return QRect(self._box), self._outside

    def painted_box(self) -> QRect:
        """A box holding every non-zero pixel (empty when the layer is all zero)."""
        if self._outside == 0 or self._box == self._rect:
            return QRect(self._box)
        return self.rect()  # (the pixels around the box are painted)

    def painted(self, rect: QRect) -> None:
        """Pixels in ``rect`` were written without a notice (a stroke committed from the overlay)."""
        self._box = self._box.united(rect.intersected(self._rect))

    def uniform_value(self) -> int | None:
        """The value every pixel holds when that is known without reading them (after a fill)."""
        return self._outside if self._box.isEmpty() else None

    # listeners
    def add_listener(self, listener: Callable[[QRect, int | None], None]) -> None:
        self._listeners.append(listener)

    def notify(self, rect: QRect, uniform: int | None = None) -> None:
        """Pixels in ``rect`` changed (``uniform``: they all hold this value now)."""
        rect = rect.intersected(self._rect)
        if rect.isEmpty():
            return
        if uniform is not None and rect == self._rect:
            self._box, self._outside = QRect(), uniform
        elif uniform is not None and uniform == self._outside:
            if rect.contains(self._box):  # (every pixel holds the known value again)
                self._box = QRect()
        else:
            self._box = self._box.united(rect)
        self._tell(rect, uniform)

    def _tell(self, rect: QRect, uniform: int | None) -> None:
        for listener in self._listeners:
            listener(rect, uniform)

    # whole-layer operations (used by commands)
    def apply(self, patches: Iterable[tuple[QPoint, QImage]], known: tuple[QRect, int] | None = None) -> None:
        """Blit ``patches``; ``known``: (box, value) holds for the pixels afterwards (see ``known()``),
        so only the box's tiles are tinted from the pixels (a loaded 8K mask differs everywhere)."""
        patches = list(patches)
        if not patches:
            return
        painter = QPainter(self._image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        for pos, img in patches:
            painter.drawImage(pos, img)
        painter.end()
        if known is None:
            for pos, img in patches:
                self.notify(QRect(pos, img.size()))
            return
        self._box, self._outside = QRect(known[0]).intersected(self._rect), known[1]
        for pos, img in patches:
            self._tell_known(QRect(pos, img.size()))

    def _tell_known(self, changed: QRect) -> None:
        """Tell the listeners what changed in ``changed``: the known box's tiles are read from the
        pixels; around them, whole tiles all hold the known value."""
        area = to_tiles(changed, self._rect)
        tinted = to_tiles(self._box, self._rect)
        if not (part := tinted.intersected(area)).isEmpty():
            self._tell(part, None)
        for band in around(tinted, self._rect):
            if not (part := band.intersected(area)).isEmpty():
                self._tell(part, self._outside)

    def fill(self, value: int) -> None:
        self._image.fill(value)
        self.notify(self._rect, uniform=value)

    def invert(self) -> None:
        """255 - v for every pixel: the box stays, the value known around it turns round."""
        if self._box.isEmpty():
            self._image.fill(255 - self._outside)
        else:  # (in place over the image's own memory: bits() of an unshared image copies nothing)
            pixels = np.frombuffer(self._image.bits(), dtype=np.uint8)
            np.bitwise_not(pixels, out=pixels)
        self._outside = 255 - self._outside
        self._tell_known(self._rect)

    def coverage_ratio(self) -> float:
        """The share of pixels the exported mask marks to change (0..1), before grow/feather; reads
        only the known box."""
        box, outside = self._box, self._outside
        if box.isEmpty():
            return 1.0 if outside >= THRESHOLD else 0.0
        whole = self.width() * self.height()
        inside = box.width() * box.height()
        around = whole - inside if outside >= THRESHOLD else 0
        return (around + int(np.count_nonzero(self.view(box) >= THRESHOLD))) / whole  # (change_ratio's count)

    def refusal(self, grow: int = 0, feather: int = 0) -> str | None:
        """Why this mask must not be sent (``mask_export.refusal``), reading only the known box
        unless it is grown or feathered."""
        box, outside = self._box, self._outside
        if box.isEmpty():  # one value everywhere: all or nothing, however grown or feathered
            return FULL_MASK if outside >= THRESHOLD else EMPTY_MASK
        if grow or feather:
            return refusal(self.pil(), grow, feather)
        pixels = self.view(box)  # (as mask_export.refusal judges an ungrown mask: its extremes)
        lo, hi = int(pixels.min()), int(pixels.max())
        reason = EMPTY_MASK if hi < THRESHOLD else FULL_MASK if lo >= THRESHOLD else None
        if box == self._rect:
            return reason
        # Around the box every pixel holds `outside`: keep (0) makes the mask never full, and empty
        # only when nothing inside the box reaches the threshold; change (255) the other way round.
        return None if reason == (FULL_MASK if outside < THRESHOLD else EMPTY_MASK) else reason

    def is_uniform(self, value: int) -> bool:
        box, outside = self._box, self._outside
        if box.isEmpty():
            return value == outside
        if value != outside and box != self._rect:
            return False  # (outside the box, pixels hold the known value)
        pixels = self.view(box)
        return int(pixels.min()) == int(pixels.max()) == value


# ---- undo -------------------------------------------------------------------------------------


class PatchCommand(QUndoCommand):
    """Before/after copies of only the changed rects; undo/redo blit them back.

    ``applied=True`` means the change is already on the layer (a stroke painted live): the first
    ``redo()``, which ``QUndoStack.push()`` calls at once, is skipped. ``after``: what the layer
    knows of its pixels once the patches are on (``MaskLayer.known``; a loaded file's); the command
    keeps what it knew before too, so undo and redo tint only the known box's tiles.
    """

    def __init__(
        self, layer: MaskLayer, text: str, patches: list[Patch], applied: bool, after: tuple[QRect, int] | None = None
    ) -> None:
        super().__init__(text)
        self._layer = layer
        self._patches = patches
        self._skip_redo = applied
        self._known = (layer.known(), after) if after is not None else None

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._blit([(pos, after) for pos, _, after in self._patches], 1)

    def undo(self) -> None:
        self._blit([(pos, before) for pos, before, _ in self._patches], 0)

    def _blit(self, patches: list[tuple[QPoint, QImage]], which: int) -> None:
        if self._known is None:
            self._layer.apply(patches)
        else:
            self._layer.apply(patches, self._known[which])

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
    known box (outside it every pixel holds the known value: a Fill of a partly painted layer keeps
    the box and is undone by filling with that value, then putting the box back)."""

    def __init__(self, layer: MaskLayer, text: str, value: int) -> None:
        super().__init__(text)
        self._layer = layer
        self._value = value
        known, outside = layer.known()
        #: The value to fill with first on undo (every pixel outside the box differs from the fill).
        self._refill: int | None = None
        if outside != value and known != layer.rect():
            self._refill, self._box = outside, known
        else:
            inside = differing_box(layer.pil(known), value) if not known.isEmpty() else QRect()
            self._box = inside.translated(known.topLeft())
        self._before = layer.copy(self._box)

    def redo(self) -> None:
        self._layer.fill(self._value)

    def undo(self) -> None:
        if self._refill is not None:
            self._layer.fill(self._refill)
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
    """Shows a MaskLayer as colour × coverage, from tinted tiles made on touch (many of them at once:
    with numpy, in a worker when there are more than ``tile_tints.NOW_TILES``)."""

    def __init__(self, layer: MaskLayer, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self._tiles: dict[tuple[int, int], QImage] = {}
        #: The tinted tiles of one value, shared by every tile that holds it (by width, height, value).
        self._solid: dict[tuple[int, int, int], QImage] = {}
        self._bounds = layer.rect()
        self._color = QColor(DEFAULT_OVERLAY)
        self._table = tint_table(self._color)
        self._tints = TintJobs(self._install)
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
        self._tints.finish()
        self._color = color
        self._table = tint_table(color)
        self._solid.clear()
        box, outside = self._layer.known()
        tinted = to_tiles(box, self._bounds)  # (only the box's tiles are tinted from the pixels)
        if not tinted.isEmpty():  # (first: if a worker tints them, the tiles around come in with them)
            self.refresh(tinted, None)
        for band in around(tinted, self._bounds):  # (every tile the same: shared; with 0 no tile)
            self.refresh(band, outside)

    def tile_count(self) -> int:
        return len(self._tiles)

    def settled(self) -> bool:
        """The tiles show the layer (no tiles are being tinted in a worker)."""
        return not self._tints.busy()

    # QGraphicsItem
    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def refresh(self, rect: QRect, uniform: int | None) -> None:
        """Re-tint ``rect`` (image pixels) from the layer and schedule a repaint of only that rect
        (``uniform``: every pixel in it holds this value). Whole tiles (and new ones) are read from the
        pixels with numpy; a part of a tile is tinted with the painter, the rest of the tile kept."""
        bounds = self._bounds
        if self._tints.busy():  # (noted, and shown with the worker's tiles: never half of each)
            for key in tiles_in(rect):
                t_rect = tile_rect(key, bounds)
                self._tints.later(key, t_rect, uniform if rect.contains(t_rect) else None)
            return
        reads: dict[tuple[int, int], QRect] = {}
        parts: list[tuple[tuple[int, int], QImage, QRect]] = []
        for key in tiles_in(rect):
            t_rect = tile_rect(key, bounds)
            tile = self._tiles.get(key)
            if uniform is not None and rect.contains(t_rect):
                self._put(key, t_rect, uniform)
            elif uniform == 0 and tile is None:
                continue
            elif tile is None or rect.contains(t_rect):  # (nothing of the tile to keep: all of it read)
                reads[key] = t_rect
            else:
                parts.append((key, tile, t_rect))
        if len(reads) > tile_tints.NOW_TILES:  # (the parts too, whole: outside its part a tile shows the pixels)
            reads.update((key, t_rect) for key, _tile, t_rect in parts)
            self._tints.start(self._layer.rows(), self._layer, reads, self._table)
            return
        if reads:
            self._install(tint_tiles(self._layer.rows(), reads, self._table), update=False)
        for _key, tile, t_rect in parts:
            self._tint(tile, t_rect, rect.intersected(t_rect))
        self.update(QRectF(rect))

    def _install(self, tints: dict[tuple[int, int], Tint], update: bool = True) -> None:
        """Put tinted tiles in (a value: the shared tile of that value, or none for 0)."""
        if not shiboken6.isValid(self):  # (a worker's tiles for a canvas closed meanwhile)
            return
        changed = QRect()
        for key, tinted in tints.items():
            t_rect = tile_rect(key, self._bounds)
            if isinstance(tinted, int):
                self._put(key, t_rect, tinted)
            else:
                self._tiles[key] = tinted
            changed = changed.united(t_rect)
        if update:
            self.update(QRectF(changed))

    def _put(self, key: tuple[int, int], t_rect: QRect, value: int) -> None:
        """Tile ``key`` holds ``value`` everywhere: no tile for 0, else its own QImage sharing the pixels
        of the one tinted tile of that value and size (a stroke into one detaches that one alone)."""
        if value == 0:
            self._tiles.pop(key, None)
            return
        size = (t_rect.width(), t_rect.height(), value)
        if size not in self._solid:
            self._solid[size] = self._solid_tile(t_rect, value)
        self._tiles[key] = QImage(self._solid[size])

    def _solid_tile(self, t_rect: QRect, value: int) -> QImage:
        tile = QImage(t_rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
        color = QColor(self._color)
        color.setAlpha(value)
        tile.fill(color)  # (fill converts to premultiplied, as a tint of coverage `value` is: the same bits)
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
        self._tints.finish()  # (the tiles painted into must show the layer first)
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
        self._tints.finish()
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
