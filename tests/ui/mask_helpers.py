"""What the mask canvas tests share: a canvas on screen with a plain source."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage

from ideogram_studio.ui.mask.canvas import MaskCanvas


def make_canvas(qtbot: Any, size: tuple[int, int]) -> MaskCanvas:
    """A mask canvas on screen with a plain source of `size`."""
    widget = MaskCanvas()
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(0x1E5AA0)
    assert widget.set_image(image)
    return widget
