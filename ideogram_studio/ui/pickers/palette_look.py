"""How a palette reads on a button: its swatch bar and its name (the Style rows show these before
the palette picker exists; palette_picker.py, the dialog's module, is imported when it opens)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap

from ...api.enums import human_name
from ...api.palette import ColorPalette
from ...resources.catalog import palette_swatches
from ..common import theme


def swatch_pixmap(
    colors: Sequence[str],
    weights: Sequence[float | None] | None = None,
    width: int = 96,
    height: int = 18,
    radius: float = 4.0,
) -> QPixmap:
    """A rounded bar of colour segments, each as wide as its weight (equal when no weights)."""
    pix = QPixmap(width, height)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0.5, 0.5, width - 1, height - 1)
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    if colors:
        ws = [w if w is not None else 1.0 for w in (weights or [1.0] * len(colors))]
        total = sum(ws) or 1.0
        p.setClipPath(path)
        x = rect.left()
        for i, (color, w) in enumerate(zip(colors, ws, strict=False)):
            seg = rect.width() * w / total
            right = rect.right() if i == len(colors) - 1 else x + seg
            p.fillRect(QRectF(x, rect.top(), right - x + 0.5, rect.height()), QColor(color))
            x += seg
        p.setClipping(False)
        p.setPen(QPen(theme.color("outline"), 1))
    else:
        p.setPen(QPen(theme.color("outline"), 1, Qt.PenStyle.DashLine))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.end()
    return pix


def palette_pixmap(palette: ColorPalette | None, width: int = 96, height: int = 18) -> QPixmap:
    """How a palette value looks: its swatches, or an empty dashed bar for none."""
    if palette is None:
        return swatch_pixmap([], width=width, height=height)
    if palette.name is not None:
        return swatch_pixmap(palette_swatches()[palette.name], width=width, height=height)
    return swatch_pixmap(
        [m.color_hex for m in palette.members], [m.color_weight for m in palette.members], width, height
    )


def palette_label(palette: ColorPalette | None) -> str:
    if palette is None:
        return "None"
    if palette.name is not None:
        return human_name(palette.name)
    n = len(palette.members)
    return f"Custom · {n} colour{'s' if n != 1 else ''}"


__all__ = ["palette_label", "palette_pixmap", "swatch_pixmap"]
