"""Images decoded off the GUI thread go through Pillow (which lets go of the GIL and takes no Qt lock),
not Qt's readers: the same pixels as Qt's own decode, in the raster engine's formats, with the file's
colour profile; nothing for what is not an image."""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms
from PySide6.QtGui import QImage

from ideogram_studio.ui.common.image_decode import decode_file, decode_image, read_image_bytes


def _encoded(img: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _samples() -> dict[str, bytes]:
    base = Image.effect_noise((64, 48), 80).convert("RGB")
    rgba = base.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((64, 48)))
    sixteen = base.convert("L").point(lambda v: v * 256).convert("I;16")
    return {
        "rgb png": _encoded(base, "PNG"),
        "rgba png": _encoded(rgba, "PNG"),
        "grey png": _encoded(base.convert("L"), "PNG"),
        "palette with a transparent colour": _encoded(base.convert("P"), "PNG", transparency=3),
        "jpeg": _encoded(base, "JPEG", quality=95),
        "lossless webp with alpha": _encoded(rgba, "WEBP", lossless=True),
        "16-bit grey (left to Qt)": _encoded(sixteen, "PNG"),
        "cmyk jpeg (left to Qt)": _encoded(base.convert("CMYK"), "JPEG", quality=95),
    }


@pytest.mark.parametrize("name", list(_samples()))
def test_the_pixels_are_qts_own(qapp: Any, name: str) -> None:
    data = _samples()[name]
    ours, qts = decode_image(data), QImage.fromData(data)
    assert not ours.isNull()
    argb = QImage.Format.Format_ARGB32
    assert ours.convertToFormat(argb) == qts.convertToFormat(argb)


def test_opaque_and_transparent_images_come_in_the_raster_engines_formats(qapp: Any) -> None:
    samples = _samples()
    assert decode_image(samples["jpeg"]).format() == QImage.Format.Format_RGB32
    assert decode_image(samples["rgba png"]).format() == QImage.Format.Format_ARGB32
    assert decode_image(samples["palette with a transparent colour"]).hasAlphaChannel()


def test_the_files_colour_profile_is_the_images_colour_space(qapp: Any) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _encoded(Image.new("RGB", (8, 8), "#336699"), "PNG", icc_profile=srgb)
    image = decode_image(data)
    assert image.colorSpace().isValid() and image.colorSpace() == QImage.fromData(data).colorSpace()
    assert not decode_image(_encoded(Image.new("RGB", (8, 8)), "PNG")).colorSpace().isValid()


def test_what_is_not_an_image_decodes_to_nothing(qapp: Any, tmp_path: Path) -> None:
    png = _samples()["rgb png"]
    assert decode_image(b"not an image").isNull()
    assert decode_image(png[:200]).isNull()  # torn
    # What only a Qt plugin reads is not offered to Qt's plugins to probe from a worker (the SVG
    # plugin's probe takes a Qt lock: a deadlock with the GUI thread waiting for the GIL).
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'
    assert not QImage.fromData(svg).isNull()  # Qt would decode it
    assert decode_image(svg).isNull()
    assert decode_file(tmp_path / "gone.png").isNull()
    # A header declaring 100000×100000 pixels is refused before anything is allocated, without a
    # second try through Qt (which would only warn and refuse it again).
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
    assert decode_image(bomb + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")).isNull()
    (tmp_path / "kept.png").write_bytes(png)
    assert decode_file(tmp_path / "kept.png").size().width() == 64


@pytest.mark.parametrize("name", list(_samples()))
def test_with_no_room_for_the_temporary_file_pillow_decodes_the_same_pixels(
    qapp: Any, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _samples()[name]
    through_a_file = decode_image(data)
    not_a_folder = tmp_path / "full"
    not_a_folder.write_bytes(b"")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))  # as on a full disk: no file can be made
    with pytest.raises(OSError):
        read_image_bytes(data)
    in_memory = decode_image(data)
    argb = QImage.Format.Format_ARGB32
    assert in_memory.convertToFormat(argb) == through_a_file.convertToFormat(argb)
    assert in_memory.hasAlphaChannel() == through_a_file.hasAlphaChannel()


def test_every_decoded_image_is_in_a_format_the_raster_engine_paints_unconverted(qapp: Any) -> None:
    raster = {QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32, QImage.Format.Format_ARGB32_Premultiplied}
    for name, data in _samples().items():
        assert decode_image(data).format() in raster, name
