"""Images made ready to paint off the GUI thread (ui/common/paintable_image.py) and the mask's blank
coverage (ui/mask/layer.blank_coverage): the strip-by-strip conversion gives exactly what Qt's own
conversion gives, a decode through a temporary file gives what a decode of the bytes gives and leaves
nothing behind, and a blank mask made without filling is zero everywhere and takes paint."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from ideogram_studio.ui.common import image_decode
from ideogram_studio.ui.common.image_decode import read_image_bytes, sniffed_format
from ideogram_studio.ui.common.paintable_image import (
    ALPHA_FORMAT,
    OPAQUE_FORMAT,
    STRIP_PIXELS,
    is_paintable,
    paintable,
    read_image_file,
)
from ideogram_studio.ui.mask.layer import FORMAT, MaskLayer, blank_coverage

#: More pixels than one strip, and a height that is not a whole number of strips.
BIG = (1531, 1003)


def gradient(mode: str) -> Image.Image:
    """Every row and column different (a strip put back in the wrong place shows), with alpha that
    runs from 0 to 255 when the mode has it."""
    assert BIG[0] * BIG[1] > STRIP_PIXELS
    img = Image.linear_gradient("L").resize(BIG).convert("RGBA")
    ImageDraw.Draw(img).ellipse((200, 100, 1300, 900), fill=(250, 40, 90, 160))
    img.putalpha(Image.linear_gradient("L").rotate(90).resize(BIG))
    return img.convert(mode)


F = QImage.Format


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (F.Format_ARGB32, ALPHA_FORMAT),
        (F.Format_RGBA8888, ALPHA_FORMAT),
        (F.Format_RGBA64, ALPHA_FORMAT),
        (F.Format_Grayscale8, OPAQUE_FORMAT),
        (F.Format_RGB888, OPAQUE_FORMAT),
        (F.Format_Indexed8, OPAQUE_FORMAT),
        (F.Format_Indexed8, ALPHA_FORMAT),  # a palette with alpha
    ],
)
def test_a_large_image_converted_in_strips_equals_qts_own_conversion(
    fmt: QImage.Format, expected: QImage.Format
) -> None:
    source = gradient("RGBA" if expected == ALPHA_FORMAT else "RGB").toqimage().convertToFormat(fmt)
    out = paintable(source)
    assert out.format() == expected and out.size() == source.size() and is_paintable(out)
    assert out == source.convertToFormat(expected)  # every pixel, every strip in its place


def test_an_image_already_in_its_paint_format_is_kept_as_it_is() -> None:
    opaque = gradient("RGB").toqimage().convertToFormat(OPAQUE_FORMAT)
    assert paintable(opaque).cacheKey() == opaque.cacheKey()  # the same pixels: nothing copied
    small = QImage(40, 30, QImage.Format.Format_ARGB32)
    small.fill(QColor(10, 20, 30, 128))
    assert paintable(small).format() == ALPHA_FORMAT
    assert paintable(QImage()).isNull()


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_bytes_decode_through_a_file_as_the_bytes_do_and_leave_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    buf = io.BytesIO()
    gradient("RGB").save(buf, kind)
    data = buf.getvalue()
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    decoded = read_image_bytes(data)
    assert decoded == QImage.fromData(data)
    assert list(temp.iterdir()) == []  # the temporary folder is gone
    assert read_image_bytes(b"not an image at all").isNull()
    assert list(temp.iterdir()) == []


def test_a_file_that_cannot_be_decoded_says_why(tmp_path: Path) -> None:
    path = tmp_path / "torn.png"
    buf = io.BytesIO()
    gradient("RGB").save(buf, "PNG")
    path.write_bytes(buf.getvalue()[:100])
    image, reason = read_image_file(path)
    assert image.isNull() and reason
    good = tmp_path / "good.png"
    good.write_bytes(buf.getvalue())
    image, reason = read_image_file(good)
    assert not image.isNull() and reason == ""
    assert image_decode.ALLOCATION_LIMIT_MB >= 1024  # an 8K RGBA image fits


@pytest.mark.parametrize("width", [7680, 7681, 7683])
def test_a_blank_mask_is_zero_everywhere_and_takes_paint(width: int) -> None:
    height = 64
    blank = blank_coverage(width, height)
    assert blank.format() == FORMAT and (blank.width(), blank.height()) == (width, height)
    assert blank.bytesPerLine() % 4 == 0
    data = bytes(blank.constBits())
    assert len(data) == blank.bytesPerLine() * height and data.count(0) == len(data)
    painter = QPainter(blank)
    painter.fillRect(QRect(width - 3, 10, 3, 2), Qt.GlobalColor.black)
    painter.end()
    assert blank.pixelColor(width - 1, 11).alpha() == 255 and blank.pixelColor(width - 4, 11).alpha() == 0
    copy = blank.copy()
    blank.fill(0)
    assert copy.pixelColor(width - 1, 11).alpha() == 255  # a copy keeps its own pixels


def test_a_mask_layer_starts_blank_at_its_exact_size() -> None:
    layer = MaskLayer(3001, 17)
    assert (layer.width(), layer.height()) == (3001, 17) and layer.is_uniform(0)
    assert layer.pil().size == (3001, 17)
    layer.fill(255)
    assert layer.is_uniform(255)


@pytest.mark.parametrize(("kind", "name"), [("PNG", b"png"), ("JPEG", b"jpeg"), ("WEBP", b"webp"), ("GIF", b"gif")])
def test_the_reader_is_told_the_files_format(tmp_path: Path, kind: str, name: bytes) -> None:
    path = tmp_path / "no-suffix"
    Image.new("RGB", (8, 6), (200, 10, 10)).save(path, kind)
    assert sniffed_format(path.read_bytes()[:16]) == name
    image, reason = read_image_file(path)  # (a file without a suffix: found by its first bytes)
    assert (image.width(), image.height()) == (8, 6) and reason == ""
    assert sniffed_format(b"<svg xmlns=") == b"" and sniffed_format(b"") == b""
