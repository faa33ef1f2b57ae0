"""The viewer's smaller levels of a large image, made in a worker with Pillow's box reduce.

Below 100 % the viewer draws an image from a level of halvings (no aliasing at 10 %). Made with Qt's
smooth scaling at the first paint, the levels of an 8K image held the GUI thread ~20 ms on a quiet
machine and 70-150 ms beside a worker decoding (Qt's smooth scaling waits for threads of its own,
which then share two cores with the worker, and PySide keeps the GIL through much of it): "Reuse
settings" of an 8K edit, whose compare shows two such images, paused the window that long.

Here a level of an image over ``LARGE_PIXELS`` is made in a worker by Pillow's ``reduce`` straight
from the image's pixels (a box average of 2^k × 2^k pixels: k halvings, rounded once; Pillow lets the
GIL go), and handed back through a queued signal. Until it comes, the viewer draws the nearest finer
level it has (at worst the image itself, smoothly: ~1 ms for an 8K image), then repaints with it.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ..common import worker_pool

#: An image with more pixels than this gets its smaller levels from a worker.
LARGE_PIXELS = 4_000_000
#: The formats reduced in a worker: four bytes a pixel, the painter's own (premultiplied alpha, so
#: averaging all four bytes alike is right).
FORMATS = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)


def in_worker(image: QImage) -> bool:
    """Whether ``image``'s levels are made in a worker."""
    return image.width() * image.height() > LARGE_PIXELS and image.format() in FORMATS


def reduced(pixels: bytes | bytearray | memoryview, size: tuple[int, int], fmt: QImage.Format, factor: int) -> QImage:
    """The image of ``size`` whose pixels are ``pixels`` (``fmt``, rows unpadded), each ``factor`` ×
    ``factor`` block averaged into one pixel (a last partial block too)."""
    import numpy as np  # (here, in the worker: numpy is not imported at start-up)
    from PIL import Image

    rows = np.frombuffer(pixels, dtype=np.uint8)  # (no copy: Pillow reads the image's own pixels)
    level = Image.frombuffer("RGBX", size, rows, "raw", "RGBX", 0, 1).reduce(factor)  # (the 4 bytes alike)
    out = QImage(level.width, level.height, fmt)
    np.frombuffer(out.bits(), dtype=np.uint8)[:] = np.frombuffer(level.tobytes(), dtype=np.uint8)
    return out


class LevelMaker(QObject):
    """Makes levels in a worker; ``made(owner, k, level)`` comes back on the GUI thread (level None
    when it could not be made: out of memory)."""

    made = Signal(object, int, object)

    def make(self, owner: object, k: int, image: QImage) -> None:
        pixels, size, fmt = image.constBits(), (image.width(), image.height()), image.format()
        held = [image]  # (the image, with its pixels, alive until the worker is done with them)

        def run() -> None:
            level: QImage | None
            try:
                level = reduced(pixels, size, fmt, 2**k)
            except (MemoryError, ValueError):
                level = None
            with contextlib.suppress(RuntimeError):  # (the viewer was closed meanwhile)
                self.made.emit(owner, k, level)
            held.clear()

        worker_pool.start(run)
