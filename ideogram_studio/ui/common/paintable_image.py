"""Large images made ready to paint off the GUI thread, without holding the GUI thread back.

Two facts shape this module:

* PySide6 keeps Python's GIL through most QImage calls: ``QImage.fromData``, ``convertToFormat``,
  ``copy``, ``scaled``, ``QPainter.drawImage``. A worker converting an 8K image in one such call
  holds the GIL for 60-300 ms, and the GUI thread, which needs the GIL for every slot and event
  filter written in Python, stalls as long. ``QImageReader.read`` on a file lets the GIL go while it
  decodes (measured with PySide6 6.11: the GUI thread's Python keeps running every few ms through an
  8K decode), so a worker decodes through a reader on a file, and converts in strips of rows: between
  two strips the GIL passes to the GUI thread. The reader is told the format (sniffed from the first
  bytes), so it probes no other plugin: probing (the SVG plugin's makes a QTextStream) takes Qt locks
  the GUI thread may hold while it waits for the GIL (see ``image_decode``).
* Qt's raster engine paints ``Format_RGB32`` (opaque) and ``Format_ARGB32_Premultiplied`` (with
  alpha) without converting; any other format is converted on every paint, and turning it into a
  QPixmap converts (and scans an alpha channel) on the GUI thread. A view that paints a QImage in
  one of those two formats does no per-pixel work before its first paint.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage, QPainter

from .image_decode import file_reader

OPAQUE_FORMAT = QImage.Format.Format_RGB32
ALPHA_FORMAT = QImage.Format.Format_ARGB32_Premultiplied
#: Pixels converted per call (one strip): a few milliseconds of holding the GIL.
STRIP_PIXELS = 1 << 20
def paint_format(image: QImage) -> QImage.Format:
    """The format the raster engine paints ``image`` in without converting it."""
    return ALPHA_FORMAT if image.hasAlphaChannel() else OPAQUE_FORMAT


def is_paintable(image: QImage) -> bool:
    return not image.isNull() and image.format() == paint_format(image)


def paintable(image: QImage) -> QImage:
    """``image`` in its paint format (itself when it already is). Safe in a worker: a large image is
    converted strip by strip, so the GIL passes to the GUI thread between strips."""
    if image.isNull() or is_paintable(image):
        return image
    target = paint_format(image)
    width, height = image.width(), image.height()
    if width * height <= STRIP_PIXELS:
        return image.convertToFormat(target)
    out = QImage(width, height, target)
    if out.isNull():  # (out of memory) the caller sees a null image, as from a failed decode
        return out
    out.setDevicePixelRatio(image.devicePixelRatio())
    out.setColorSpace(image.colorSpace())
    rows = max(1, STRIP_PIXELS // width)
    for top in range(0, height, rows):
        strip = QRect(0, top, width, min(rows, height - top))
        painter = QPainter(out)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(QPoint(0, top), image, strip)
        painter.end()
    return out


def read_image_file(path: str | Path) -> tuple[QImage, str]:
    """Decode a file as the API sees its pixels (no EXIF rotation), large images allowed; the GIL is
    free while the reader decodes. Returns the image (null on failure) and the reader's reason."""
    reader = file_reader(path)
    image = reader.read()
    return image, ("" if not image.isNull() else reader.errorString())
