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
  lets the GIL go while it decodes, and a named format probes no plugin. Bytes of the studio's
  formats are decoded so too, through a file in a private temporary folder (read_image_bytes):
  measured (load 2.4), a 5 ms Python heartbeat beside an 8K JPEG decode had a longest gap of 10 ms
  this way against 110 ms through Pillow (whose hand-over to Qt copies the pixels with the GIL held),
  and the decode itself took 391 against 711 ms; a 1024² result 30 against 35 ms.
* when no temporary file can be written (a full disk), or for what only Pillow reads (BMP, TIFF),
  bytes are decoded by Pillow, which lets the GIL go too and takes no Qt lock; its pixels are handed
  to Qt in the raster engine's formats (RGB32 opaque, ARGB32 with alpha) with the file's ICC profile
  as the colour space (the viewer honours it). Modes Pillow cannot hand over faithfully (16-bit,
  float, CMYK) go to Qt with the format named.
Either way the image comes in one of the raster engine's own formats, which it paints unconverted.
"""

from __future__ import annotations

import io
import sys
import tempfile
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
    rotation (as the API sees the pixels), in a raster-engine format; a null QImage when it is not an
    image, is damaged, or is of a format only a Qt plugin knows (SVG: nothing in the studio stores
    one). Safe on any thread."""
    if sniffed_format(data[:16]):
        if _declares_too_many_pixels(data):
            return QImage()  # refused before anything is allocated (Qt would warn, then refuse)
        try:
            return _in_raster_format(read_image_bytes(data))
        except OSError:  # no room for the temporary file: Pillow decodes in memory
            pass
    return _decode_with_pillow(data)


def read_image_bytes(data: bytes) -> QImage:
    """Decode bytes without holding the GIL: through a file in a private temporary folder, read by a
    QImageReader told the format (``QImage.fromData`` keeps the GIL for the whole decode, and a
    reader on a QBuffer made in Python needs the GIL for each of its reads while Qt holds its
    image-plugin lock: a deadlock with a second worker). The folder is gone when this returns.
    Raises OSError when the file cannot be written; a null image when the bytes do not decode."""
    with tempfile.TemporaryDirectory(prefix="ideogram-decode-") as folder:
        path = Path(folder) / "image"
        path.write_bytes(data)
        return decode_file(path)


def _declares_too_many_pixels(data: bytes) -> bool:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:  # reads the header only
                return img.width * img.height > _MAX_PIXELS
    except Image.DecompressionBombError:
        return True
    except (OSError, ValueError, SyntaxError, EOFError):
        return False  # torn or odd: the reader says so


#: Formats the raster engine paints as they are (any other is converted at every paint).
_RASTER = {QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32, QImage.Format.Format_ARGB32_Premultiplied}


def _in_raster_format(image: QImage) -> QImage:
    """Grey, palette, 16-bit or CMYK images as RGB32 / ARGB32 (the conversion holds the GIL: a few
    ms for a result; these are rare among results, which come as RGB or RGBA)."""
    if image.isNull() or image.format() in _RASTER:
        return image
    target = QImage.Format.Format_ARGB32 if image.hasAlphaChannel() else QImage.Format.Format_RGB32
    return image.convertToFormat(target)


def _decode_with_pillow(data: bytes) -> QImage:
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
