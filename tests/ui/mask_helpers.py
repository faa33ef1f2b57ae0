"""What the mask canvas tests share: a canvas on screen with a plain source, its layer and overlay."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage

from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import MaskItem, MaskLayer

EIGHT_K = (7680, 4320)
#: How long a test waits for a gate it holds a worker at (generous: a loaded CI machine).
GATE_WAIT_S = 60


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


def layer_of(canvas: MaskCanvas) -> MaskLayer:
    assert canvas._layer is not None
    return canvas._layer


def item_of(canvas: MaskCanvas) -> MaskItem:
    assert isinstance(canvas._mask_item, MaskItem)
    return canvas._mask_item
