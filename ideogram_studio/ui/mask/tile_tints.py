"""The mask overlay's tiles tinted from the layer's pixels with numpy, many of them in a worker.

``layer.MaskItem`` shows the mask as 256-px tiles of overlay colour × coverage. Tinting a tile with the
painter (the colour filled, then the coverage drawn DestinationIn) held the GUI thread ~0.2 ms a tile:
~15 ms for the ~60 tiles of a rectangle on an 8K image, ~110 ms for the 510 of an 8K mask loaded
whole. Here a tile is one table lookup per pixel (``tint_table``: what the painter makes of each
coverage 0..255, so the tiles are the same to the bit), ~0.08 ms; and a tile whose pixels all hold one
value is told as that value (the item shows the shared tile of a Fill there, or nothing), found in
~0.015 ms.

Up to ``NOW_TILES`` tiles are tinted at once on the GUI thread (≤ ~5 ms). More go to a worker (numpy's
lookups let the GIL go; PySide's QPainter calls would not), while the item keeps showing its old tiles:
the new ones are put in all at once, so the canvas never shows half the old mask and half the new.
Changes to tiles meanwhile are noted (``later``) and put in on top of the worker's tiles; anything
that paints into the tiles (a stroke, a new colour) first has the rest tinted at once (``finish``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from ..common import worker_pool

Key = tuple[int, int]
#: A tile's tinted pixels, or the one coverage value every pixel of it holds.
Tint = QImage | int
TINTED = QImage.Format.Format_ARGB32_Premultiplied
#: Tiles tinted at once on the GUI thread (~0.08 ms each); more are tinted in a worker.
NOW_TILES = 64


def tint_table(color: QColor) -> np.ndarray:
    """The tinted pixel (ARGB32 premultiplied, as a uint32) of each coverage 0..255, made by the
    painter exactly as ``MaskItem`` tints a tile: the colour filled, the coverage drawn DestinationIn."""
    ramp = bytes(range(256))
    coverage = QImage(ramp, 256, 1, 256, QImage.Format.Format_Alpha8)
    strip = QImage(256, 1, TINTED)
    painter = QPainter(strip)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    painter.fillRect(strip.rect(), color)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, coverage)
    painter.end()
    return np.frombuffer(strip.constBits(), dtype=np.uint32)[:256].copy()


def tint(pixels: np.ndarray, table: np.ndarray) -> Tint:
    """One tile's coverage (rows × columns, uint8) tinted with ``table``, or the one value it all holds."""
    low = int(pixels.min())
    if low == int(pixels.max()):
        return low
    rows, columns = pixels.shape
    tile = QImage(columns, rows, TINTED)
    out = np.frombuffer(tile.bits(), dtype=np.uint32).reshape(rows, columns)  # (32-bit pixels: no row padding)
    np.take(table, pixels, out=out, mode="clip")  # ("clip": no bounds check; a uint8 is always in the table)
    return tile


def tint_tiles(
    pixels: np.ndarray, rects: dict[Key, QRect], table: np.ndarray, stop: Callable[[], bool] = lambda: False
) -> dict[Key, Tint]:
    """Each tile of ``rects`` (image pixels) tinted from ``pixels`` (the whole layer, rows × columns)."""
    out: dict[Key, Tint] = {}
    for key, rect in rects.items():
        if stop():
            break
        out[key] = tint(pixels[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1], table)
    return out


class _Job:
    """Tiles being tinted in a worker, from the layer's pixels as they are when the worker reads them."""

    def __init__(
        self, pixels: np.ndarray, owner: object, rects: dict[Key, QRect], table: np.ndarray, carried: dict[Key, Tint]
    ) -> None:
        self.pixels, self.rects, self.table = pixels, rects, table
        #: Keeps the pixels' image alive while the worker reads them (the view does not own it).
        self.owner = owner
        #: Tiles of an earlier job, put in together with these.
        self.carried = carried
        self.tints: dict[Key, Tint] | None = None
        self._lock = threading.Lock()
        self._dropped = False

    def run(self) -> bool:
        """In the worker: tint every tile (unless the GUI thread has taken the work over meanwhile)."""
        tints = tint_tiles(self.pixels, self.rects, self.table, lambda: self._dropped)
        with self._lock:
            if self._dropped:
                return False
            self.tints = tints
            return True

    def take_over(self) -> dict[Key, Tint] | None:
        """On the GUI thread: the worker's tints if they are there; otherwise the worker stops (None)."""
        with self._lock:
            self._dropped = self.tints is None
            return self.tints


class TintJobs(QObject):
    """At most one job of tiles tinted in a worker for a MaskItem, and the changes noted meanwhile;
    ``install`` gets every tile's tint at once, on the GUI thread."""

    _came = Signal(object)

    def __init__(self, install: Callable[[dict[Key, Tint]], None]) -> None:
        super().__init__()
        self._install = install
        self._job: _Job | None = None
        #: Tiles changed while the job was out: their one value now, or None (read them again).
        self._later: dict[Key, int | None] = {}
        self._rects: dict[Key, QRect] = {}
        self._came.connect(self._on_came)

    def busy(self) -> bool:
        return self._job is not None

    def start(
        self,
        pixels: np.ndarray,
        owner: object,
        rects: dict[Key, QRect],
        table: np.ndarray,
        carried: dict[Key, Tint] | None = None,
    ) -> None:
        job = _Job(pixels, owner, rects, table, carried or {})
        self._job = job

        def run() -> None:
            if job.run():
                with contextlib.suppress(RuntimeError):  # (the canvas was closed meanwhile)
                    self._came.emit(job)

        worker_pool.start(run)

    def later(self, key: Key, rect: QRect, value: int | None) -> None:
        """Tile ``key`` (at ``rect``) changed while the job was out: it holds ``value`` now (None: read it)."""
        self._later[key] = value
        self._rects[key] = QRect(rect)

    def finish(self) -> None:
        """Put every tile in now: the worker's if it is done, else tinted here."""
        job = self._job
        if job is None:
            return
        tints = job.take_over()
        if tints is None:
            tints = tint_tiles(job.pixels, job.rects, job.table)
        self._complete(job, tints, now=True)

    def _on_came(self, job: _Job) -> None:
        if job is self._job and job.tints is not None:  # (not a job finished or replaced meanwhile)
            self._complete(job, job.tints, now=False)

    def _complete(self, job: _Job, tints: dict[Key, Tint], now: bool) -> None:
        tints = {**job.carried, **tints}
        again: dict[Key, QRect] = {}
        for key, value in self._later.items():
            if value is None:
                again[key] = self._rects[key]
            else:
                tints[key] = value
        self._later.clear()
        self._rects.clear()
        if len(again) > NOW_TILES and not now:  # (many changed while it read: read them in a worker too)
            self.start(job.pixels, job.owner, again, job.table, carried=tints)
            return
        tints.update(tint_tiles(job.pixels, again, job.table))
        self._job = None
        self._install(tints)
