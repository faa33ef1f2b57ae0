"""Images shown as their colours: a QImage carrying a colour space other than sRGB (an imported
Display P3 or Adobe RGB photo) is converted by Qt's QColorSpace before it is painted, since the
screen is treated as sRGB. Images without a colour space, and sRGB ones, are returned as they are."""

from __future__ import annotations

from PySide6.QtGui import QColorSpace, QImage


def to_srgb_image(image: QImage) -> QImage:
    space = image.colorSpace()
    if not space.isValid() or space == QColorSpace(QColorSpace.NamedColorSpace.SRgb):
        return image
    return image.convertedToColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgb))
