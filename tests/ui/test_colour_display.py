"""Imported photos with a wide-gamut profile are shown as their colours (thumbnails, viewer)."""

from __future__ import annotations

from pathlib import Path


def test_images_with_a_wide_gamut_profile_are_shown_as_srgb(tmp_path: Path) -> None:
    import io

    from PIL import Image
    from PySide6.QtGui import QColorSpace, QImage

    from ideogram_studio.gallery.thumbnails import render_thumbnail
    from ideogram_studio.ui.common.colour import to_srgb_image
    from tests.core.icc_profiles import matrix_profile

    path = tmp_path / "p3.png"
    Image.new("RGB", (64, 64), (200, 60, 40)).save(path, icc_profile=matrix_profile("Display P3 (test)").tobytes())
    thumb = render_thumbnail(path, 32)
    plain = Image.new("RGB", (1, 1), (200, 60, 40)).getpixel((0, 0))
    assert thumb.getpixel((16, 16)) != plain  # converted: the same numbers mean a more saturated red in P3
    image = QImage.fromData(path.read_bytes())
    assert image.colorSpace().isValid()
    shown = to_srgb_image(image)
    assert shown.colorSpace() == QColorSpace(QColorSpace.NamedColorSpace.SRgb)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buf, "PNG")
    untagged = QImage.fromData(buf.getvalue())
    assert to_srgb_image(untagged) is untagged or to_srgb_image(untagged) == untagged
