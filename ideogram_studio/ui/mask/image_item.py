"""The image under the mask: painted straight from a QImage, over a checkerboard where it is transparent.

No QPixmap: making one of an 8K image copies or converts its 33 megapixels on the GUI thread (and
scans an alpha channel pixel by pixel), 20-140 ms before the first paint. A QImage already in the
raster engine's own format (``ui.common.paintable_image``; the source picker's worker hands it over
so) is painted as it is, and only the part of it a repaint exposes costs anything. The checkerboard
is a brush filled behind the image at paint time, in image pixels (8 a square), rather than
composited into a copy of the image.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..common import theme


def checkerboard() -> QBrush:
    """The theme's transparency checkerboard: 8 image pixels a square."""
    tile = QPixmap(16, 16)
    tile.fill(theme.color("checker_light"))
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, theme.color("checker_dark"))
    painter.fillRect(8, 8, 8, 8, theme.color("checker_dark"))
    painter.end()
    return QBrush(tile)


class ImageItem(QGraphicsItem):
    """Shows one QImage at the scene's origin, one scene unit per image pixel."""

    def __init__(self, checker: QBrush, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._checker = checker
        self._smooth = True
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def set_image(self, image: QImage) -> None:
        """Show ``image`` (kept as it is: convert it to its paint format first, off the GUI thread)."""
        self.prepareGeometryChange()
        self._image = image
        self.update()

    def image(self) -> QImage:
        return self._image

    def is_smooth(self) -> bool:
        return self._smooth

    def set_smooth(self, smooth: bool) -> None:
        """Smooth (bilinear) scaling, or crisp image pixels (from 200 % on, as in the viewer)."""
        if smooth != self._smooth:
            self._smooth = smooth
            self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._image.width(), self._image.height())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._image.isNull():
            return
        bounds = self.boundingRect()
        if self._image.hasAlphaChannel():
            exposed = option.exposedRect.intersected(bounds)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # crisp squares
            painter.fillRect(exposed, self._checker)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._smooth)
        # The whole image: the paint event's clip keeps the work to the exposed part (a sub-rect
        # drawn smooth would clamp its edge samples: seams between two repaints).
        painter.drawImage(bounds, self._image)
