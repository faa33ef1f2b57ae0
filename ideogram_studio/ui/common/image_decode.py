"""Decoding images into QImages off the GUI thread without holding the GIL through the decode.

PySide holds the GIL for the whole of QImage.fromData (~180 ms for a 9 MP PNG: measured, a Python
thread beside it gets ~5% of its usual time), so a worker decoding bytes with Qt freezes the GUI
thread's Python as long. Worse, Qt's readers take Qt locks meanwhile (the SVG plugin, probing data of
no named format, makes a QTextStream, which takes a lock of Qt's signal-slot lock pool), and the GUI
thread, inside a disconnect, holds such a lock while it waits for the GIL to ask Python for an
override: a deadlock (seen in the tests, the GUI thread in QObject::disconnect, a worker in
QImage.fromData).

Two ways round it:
* a file is read by a QImageReader told its format (file_reader): QImageReader.read
  lets the GIL go while it decodes, and a named format probes no plugin;
* bytes are decoded by Pillow, which lets the GIL go too and takes no Qt lock; its pixels are handed
  to Qt in the raster engine's formats (RGB32 opaque, ARGB32 with alpha) with the file's ICC profile
  as the colour space (the viewer honours it). The hand-over copies the pixels with the GIL held (a
  few ms for a result, ~60 ms for 8K). Modes Pillow cannot hand over faithfully (16-bit, float, CMYK)
  go to Qt with the format named.
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColorSpace, QImage, QImageReader

if TYPE_CHECKING:
    from PIL import Image

#: MB Qt may allocate to decode one image (its default, 256, refuses large RGBA images).
ALLOCATION_LIMIT_MB = 1024
#: Pillow's own bomb check warns above this; the studio's limit is Qt's allocation limit instead.
_MAX_PIXELS = ALLOCATION_LIMIT_MB * 1024 * 1024 // 4
_OPAQUE = {"1", "L", "P", "RGB", "YCbCr", "LAB", "HSV"}
_WITH_ALPHA = {"LA", "La", "PA", "RGBA", "RGBa"}
#: Pillow's raw packers for Qt's 32-bit formats, which are native-endian words (0xAARRGGBB).
_RAW = ("BGRX", "BGRA") if sys.byteorder == "little" else ("XRGB", "ARGB")
#: Pillow's format names → Qt's, for what Qt decodes itself.
_QT_FORMATS = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}


def decode_image(data: bytes) -> QImage:
    """The image in `data` (any format Pillow reads; 16-bit, float and CMYK through Qt), no EXIF
    rotation (as the API sees the pixels); a null QImage when it is not an image, is damaged, or is
    of a format only a Qt plugin knows (SVG: nothing in the studio stores one). Safe on any thread."""
    from PIL import Image  # (on first use: start-up reads no image)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > _MAX_PIXELS:
                    return QImage()
                img.load()
                return _to_qimage(img) or _by_qt(data, img.format)
    except Image.DecompressionBombError:
        return QImage()  # a header declaring billions of pixels: refused, not handed to Qt to refuse again
    except (OSError, ValueError, SyntaxError, EOFError):
        # Torn or not an image: Qt tries only the studio's format its first bytes name. Data of no
        # such format is not offered to Qt's plugins to probe (probing takes Qt's locks: see above).
        named = sniffed_format(data[:16]).decode()
        return _by_qt(data, next((k for k, v in _QT_FORMATS.items() if v == named), None)) if named else QImage()


def decode_file(path: str | Path) -> QImage:
    """The image in the file at `path`; a null QImage when it cannot be read or decoded."""
    return file_reader(path).read()


#: The first bytes of the formats the studio reads → Qt's name for its reader.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", b"png"), (b"\xff\xd8\xff", b"jpeg"), (b"GIF8", b"gif"))


def sniffed_format(head: bytes) -> bytes:
    """Qt's format name for an image file starting with ``head`` (b"" when it is none of the
    studio's formats: the reader then probes)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return b"webp"
    return next((name for magic, name in _SIGNATURES if head.startswith(magic)), b"")


def file_reader(path: str | Path) -> QImageReader:
    """A reader for the file at ``path`` that is told its format, reads pixels as the API sees them
    (no EXIF rotation) and may allocate large images."""
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)  # process-wide in Qt 6
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        head = b""
    reader = QImageReader(str(path), sniffed_format(head))
    reader.setAutoTransform(False)
    return reader


def _to_qimage(img: Image.Image) -> QImage | None:
    if img.mode in _OPAQUE and not (img.mode == "P" and "transparency" in img.info):
        rgb = img if img.mode == "RGB" else img.convert("RGB")
        raw, fmt = _RAW[0], QImage.Format.Format_RGB32
    elif img.mode in _WITH_ALPHA or img.mode == "P":
        rgb = img if img.mode == "RGBA" else img.convert("RGBA")
        raw, fmt = _RAW[1], QImage.Format.Format_ARGB32
    else:
        return None  # 16-bit, 32-bit, float, CMYK: Qt decodes them with their depth and inks
    pixels = rgb.tobytes("raw", raw)
    image = QImage(pixels, rgb.width, rgb.height, rgb.width * 4, fmt).copy()  # owns its pixels
    icc = img.info.get("icc_profile")
    if icc:
        space = QColorSpace.fromIccProfile(icc)
        if space.isValid():
            image.setColorSpace(space)
    return image


def _by_qt(data: bytes, pillow_format: str | None) -> QImage:
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    named = _QT_FORMATS.get(pillow_format or "")
    # The format as a str: PySide 6.11 refuses bytes here (ValueError), whatever its signature says.
    return QImage.fromData(data, named) if named else QImage()  # type: ignore[arg-type]
