"""An 8K mask (7680×4320, issue 15) without 33-megapixel work on the GUI thread: Invert flips the pixels
and re-tints only the painted box (around it the overlay is the Fill's one shared tile), and what the
canvas then says about the mask (its check, its coverage, "is it empty") reads only that box; Undo
gives the exact pixels back."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from ideogram_studio.imaging.mask_export import FULL_MASK, change_ratio, refusal
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import TILE, MaskItem, MaskLayer

EIGHT_K = (7680, 4320)


@pytest.fixture
def canvas(qtbot: Any) -> MaskCanvas:
    widget = MaskCanvas()
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    image = QImage(*EIGHT_K, QImage.Format.Format_RGB32)
    image.fill(0x1E5AA0)
    assert widget.set_image(image)
    return widget


def layer_of(canvas: MaskCanvas) -> MaskLayer:
    assert canvas._layer is not None
    return canvas._layer


def item_of(canvas: MaskCanvas) -> MaskItem:
    assert isinstance(canvas._mask_item, MaskItem)
    return canvas._mask_item


def drag_rect(canvas: MaskCanvas, corner: tuple[int, int], other: tuple[int, int]) -> None:
    canvas.set_tool("rect")
    start, end = (canvas.map_from_image(QPointF(*p)).toPoint() for p in (corner, other))
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas.viewport(), end)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def read_rects(monkeypatch: pytest.MonkeyPatch, layer: MaskLayer) -> list[QRect]:
    """Every rect the layer's pixels are read in as a Pillow image from now on (None: all of them)."""
    reads: list[QRect] = []
    real = layer.pil

    def spy(rect: QRect | None = None) -> Image.Image:
        reads.append(layer.rect() if rect is None else QRect(rect))
        return real(rect)

    monkeypatch.setattr(layer, "pil", spy)
    return reads


def test_invert_of_an_8k_mask_tints_only_the_painted_box_and_reads_only_it(
    canvas: MaskCanvas, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer, item = layer_of(canvas), item_of(canvas)
    drag_rect(canvas, (1000, 1000), (1700, 1500))
    painted = layer.painted_box()
    assert not painted.isEmpty() and painted.width() < 800
    before = layer.pil()

    canvas.invert()
    assert ImageChops.invert(before).tobytes() == layer.pil().tobytes()  # 255 - v, every pixel
    whole_tiles = {key: tile for key, tile in item._tiles.items() if tile.size().toTuple() == (TILE, TILE)}
    outside = [tile for key, tile in whole_tiles.items()
               if not QRect(key[0] * TILE, key[1] * TILE, TILE, TILE).intersects(painted)]  # fmt: skip
    assert len(outside) > 400 and len({tile.cacheKey() for tile in outside}) == 1  # the Fill's shared tile
    assert outside[0].pixelColor(5, 5).alpha() == 255
    inside = item._tiles[(1200 // TILE, 1200 // TILE)]  # the painted rectangle is now the hole
    assert inside.pixelColor(1200 % TILE, 1200 % TILE).alpha() == 0

    reads = read_rects(monkeypatch, layer)
    assert canvas.check_mask() is None
    assert canvas.coverage_ratio() == pytest.approx(1 - change_ratio(before))
    assert not layer.is_uniform(255) and not layer.is_uniform(0)
    assert reads and all(painted.contains(rect) for rect in reads)  # never the 33 megapixels

    canvas.undo_stack().undo()  # (Invert again)
    assert canvas.check_mask() is None and canvas.coverage_ratio() == pytest.approx(change_ratio(before))
    assert all(painted.contains(rect) for rect in reads)
    monkeypatch.undo()
    assert layer.pil().tobytes() == before.tobytes()
    assert (0, 0) not in item._tiles  # around the box nothing is painted: no tile there


def test_invert_of_a_filled_or_blank_8k_mask_is_known_without_reading_it(
    canvas: MaskCanvas, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer = layer_of(canvas)
    reads = read_rects(monkeypatch, layer)
    canvas.invert()  # a blank mask, inverted: every pixel is to change
    assert canvas.check_mask() == FULL_MASK and canvas.coverage_ratio() == 1.0 and layer.is_uniform(255)
    assert reads == []
    canvas.undo_stack().undo()
    drag_rect(canvas, (10, 10), (300, 200))
    canvas.fill()
    canvas.invert()
    monkeypatch.undo()
    whole = layer.pil()
    assert whole.getextrema() == (0, 0) and canvas.check_mask() == refusal(whole)
