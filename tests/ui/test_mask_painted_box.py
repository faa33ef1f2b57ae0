"""The mask reads only what was painted (ui/mask/layer.py): the layer's painted box and its known
fill value give the same answers as reading every pixel ("is it empty", Clear's undo copy, the
coverage, the mask's check) and every overlay tile shows the coverage under it, through strokes,
rectangles, lassos, Fill, Clear, Invert, Load (here and in a worker) and undo/redo; a Fill shares one
tinted tile, and a stroke into it changes only that tile."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from ideogram_studio.imaging.mask_export import change_ratio, grey_extrema, refusal
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import TILE, MaskItem, MaskLayer

W, H = 900, 600  # (more than one tile each way, not a whole number of tiles)


@pytest.fixture
def canvas(qtbot) -> MaskCanvas:
    widget = MaskCanvas()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    image = QImage(W, H, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    assert widget.set_image(image)
    return widget


def layer_of(canvas: MaskCanvas) -> MaskLayer:
    layer = canvas._layer
    assert layer is not None
    return layer


def drag(canvas: MaskCanvas, points: list[tuple[int, int]]) -> None:
    viewport = canvas.viewport()
    where = [canvas.map_from_image(QPointF(x, y)).toPoint() for x, y in points]
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, where[0])
    for point in where[1:]:
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, left, none, where[-1])


def assert_answers_as_a_full_read(canvas: MaskCanvas) -> None:
    layer = layer_of(canvas)
    whole = layer.pil()
    lo, hi = grey_extrema(whole)
    assert layer.is_uniform(0) == (lo == hi == 0)
    assert layer.is_uniform(255) == (lo == hi == 255)
    assert canvas.coverage_ratio() == pytest.approx(change_ratio(whole))
    assert canvas.check_mask() == refusal(whole)
    box = layer.painted_box()
    if hi > 0:  # every painted pixel is inside the box
        left, top, right, bottom = whole.getbbox() or (0, 0, 0, 0)
        assert box.contains(QRect(left, top, right - left, bottom - top))
    assert_the_overlay_shows(canvas, whole)


def assert_the_overlay_shows(canvas: MaskCanvas, whole: Image.Image) -> None:
    """Every tile's alpha is the coverage under it (no tile: all zero there)."""
    item = canvas._mask_item
    assert isinstance(item, MaskItem)
    for ty in range(0, H, TILE):
        for tx in range(0, W, TILE):
            part = whole.crop((tx, ty, min(W, tx + TILE), min(H, ty + TILE)))
            tile = item._tiles.get((tx // TILE, ty // TILE))
            if tile is None:
                assert part.getextrema() == (0, 0)
                continue
            alpha = tile.convertToFormat(QImage.Format.Format_Alpha8)
            shown = Image.frombuffer("L", part.size, bytes(alpha.constBits()), "raw", "L", alpha.bytesPerLine(), 1)
            assert shown.tobytes() == part.tobytes(), (tx, ty)


@pytest.mark.parametrize("seed", [15, 41])
def test_every_answer_matches_a_full_read_through_a_designers_session(
    canvas: MaskCanvas, tmp_path: Path, qtbot: Any, seed: int
) -> None:
    layer = layer_of(canvas)
    assert layer.painted_box().isEmpty()
    assert_answers_as_a_full_read(canvas)
    rng = random.Random(seed)
    saved = tmp_path / "mask.png"
    steps = ["brush", "rect", "lasso", "eraser", "fill", "clear", "invert", "undo", "redo", "save", "load"]
    steps.append("load later")
    for step in [rng.choice(steps) for _ in range(40)] + ["clear", "brush", "rect"]:
        if step in ("brush", "eraser", "rect", "lasso"):
            canvas.set_tool(step)
            canvas.set_brush_size(rng.randint(4, 80))
            x, y = rng.randint(0, W - 1), rng.randint(0, H - 1)
            points = [(x, y)] + [(rng.randint(0, W - 1), rng.randint(0, H - 1)) for _ in range(rng.randint(1, 5))]
            drag(canvas, points)
        elif step == "fill":
            canvas.fill()
        elif step == "clear":
            canvas.clear()
        elif step == "invert":
            canvas.invert()
        elif step == "undo":
            canvas.undo_stack().undo()
        elif step == "redo":
            canvas.undo_stack().redo()
        elif step == "save":
            assert canvas.save_mask_file(saved)
        elif step == "load later" and saved.exists():  # (read and compared in a worker)
            with qtbot.waitSignal(canvas.message, timeout=10_000):
                assert canvas.load_mask_later(saved)
        elif saved.exists():
            canvas.load_mask_file(saved)
        assert_answers_as_a_full_read(canvas)


def test_fill_after_strokes_is_undone_to_the_exact_pixels(canvas: MaskCanvas) -> None:
    layer = layer_of(canvas)
    canvas.set_brush_size(30)
    drag(canvas, [(100, 100), (300, 200), (500, 150)])
    before = layer.copy()
    assert not layer.painted_box().isEmpty() and layer.painted_box() != layer.rect()
    canvas.fill()
    assert layer.uniform_value() == 255 and canvas.coverage_ratio() == 1.0
    canvas.undo_stack().undo()
    assert layer.copy() == before and layer.uniform_value() is None
    canvas.undo_stack().redo()
    assert layer.is_uniform(255)
    canvas.clear()
    assert layer.painted_box().isEmpty() and layer.is_uniform(0)
    canvas.undo_stack().undo()
    assert layer.is_uniform(255)


def test_a_fill_shares_one_tile_and_a_stroke_into_it_changes_only_that_tile(canvas: MaskCanvas, qtbot) -> None:
    layer = layer_of(canvas)
    item = canvas._mask_item
    assert isinstance(item, MaskItem)
    canvas.fill()
    tiles = item._tiles
    full = [t for key, t in tiles.items() if t.size().toTuple() == (TILE, TILE)]
    assert len(tiles) == len(list(range(0, W, TILE))) * len(list(range(0, H, TILE)))
    assert len({t.cacheKey() for t in full}) == 1  # one shared tile, not one tinted per key
    canvas.set_tool("eraser")
    canvas.set_brush_size(20)
    drag(canvas, [(40, 40), (60, 50)])  # inside tile (0, 0) only
    assert tiles[(0, 0)].cacheKey() != tiles[(1, 0)].cacheKey()
    assert tiles[(1, 0)].pixelColor(10, 10).alpha() == 255 and tiles[(0, 0)].pixelColor(50, 45).alpha() == 0
    assert layer.copy().pixelColor(50, 45).alpha() == 0 and layer.copy().pixelColor(300, 45).alpha() == 255
    shot = canvas.viewport().grab().toImage()  # the overlay shows where the fill is, not where erased
    filled = shot.pixelColor(canvas.map_from_image(QPointF(300, 300)).toPoint())
    erased = shot.pixelColor(canvas.map_from_image(QPointF(50, 45)).toPoint())
    assert filled != erased


def test_a_new_colour_tints_only_the_painted_part(canvas: MaskCanvas) -> None:
    item = canvas._mask_item
    assert isinstance(item, MaskItem)
    canvas.set_tool("rect")
    drag(canvas, [(10, 10), (100, 80)])
    canvas.set_overlay("#00ff00")
    assert set(item._tiles) == {(0, 0)}  # (an 8K mask would otherwise get 510 tiles of 256²)
