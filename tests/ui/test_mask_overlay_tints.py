"""The mask's overlay tinted with numpy (ui/mask/tile_tints.py), many tiles in a worker (issue 15: Load mask
on an 8K image held the GUI thread ~50 ms, the re-tint and two copies of the mask; a rectangle ~15 ms).

Every tile shows exactly what the painter made of the coverage before (the same bits), a tile of one
value is the shared tile of that value (or none for 0); while a worker tints the tiles of a large change
the overlay shows the old mask whole, then the new one whole; a stroke painted meanwhile lands on top of
the loaded mask and undoes to it; and a designer's session with every change through the worker ends
with the overlay showing the pixels."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ideogram_studio.ui.mask import mask_loading, tile_tints
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import TILE, MaskLayer

from .mask_helpers import EIGHT_K, GATE_WAIT_S, item_of, layer_of, make_canvas


@pytest.fixture
def canvas(qtbot: Any) -> MaskCanvas:
    return make_canvas(qtbot, EIGHT_K)


def drag(canvas: MaskCanvas, tool: str, points: list[tuple[int, int]]) -> None:
    canvas.set_tool(tool)
    where = [canvas.map_from_image(QPointF(x, y)).toPoint() for x, y in points]
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(canvas.viewport(), left, none, where[0])
    for point in where[1:]:
        QTest.mouseMove(canvas.viewport(), point)
    QTest.mouseRelease(canvas.viewport(), left, none, where[-1])


def painter_tint(layer: MaskLayer, t_rect: QRect, color: QColor) -> QImage:
    """A tile as the overlay tinted it before (the painter: the colour, then the coverage DestinationIn)."""
    tile = QImage(t_rect.size(), QImage.Format.Format_ARGB32_Premultiplied)
    tile.fill(0)
    painter = QPainter(tile)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    painter.fillRect(tile.rect(), color)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, layer.image(), t_rect.x(), t_rect.y(), t_rect.width(), t_rect.height())
    painter.end()
    return tile


def pixels_of(tile: QImage) -> np.ndarray:
    """A copy of a tile's pixels (rows × columns × B, G, R, A bytes: ARGB32 in little-endian memory)."""
    rows = np.frombuffer(tile.constBits(), dtype=np.uint8).reshape(tile.height(), tile.bytesPerLine())
    return rows[:, : tile.width() * 4].reshape(tile.height(), tile.width(), 4).copy()  # (the view dies with it)


def assert_the_overlay_shows_the_pixels(canvas: MaskCanvas, exact: bool = True) -> None:
    """Every tile holds what the painter makes of the coverage under it (no tile: all zero there): the
    same bits; or (``exact=False``: strokes are painted straight into the tiles, where the painter's
    blending rounds the colour its own way) the same alpha, the colour within 3."""
    layer, item = layer_of(canvas), item_of(canvas)
    color = item.color()
    for ty in range(0, layer.height(), TILE):
        for tx in range(0, layer.width(), TILE):
            t_rect = QRect(tx, ty, TILE, TILE).intersected(layer.rect())
            tile = item._tiles.get((tx // TILE, ty // TILE))
            if tile is None:
                assert int(layer.view(t_rect).max()) == 0, (tx, ty)
                continue
            shown, tinted = pixels_of(tile), pixels_of(painter_tint(layer, t_rect, color))
            if exact:
                assert shown.tobytes() == tinted.tobytes(), (tx, ty)
            else:
                assert shown[..., 3].tobytes() == tinted[..., 3].tobytes(), (tx, ty)
                assert int(np.abs(shown.astype(np.int16) - tinted).max()) <= 3, (tx, ty)


def checker_file(path: Path, square: int = 100) -> Image.Image:
    """A mask file (black = change) of squares across the whole 8K image: every tile holds both values.
    Returns its coverage (255 = change)."""
    rows, columns = np.indices((EIGHT_K[1], EIGHT_K[0]))
    coverage = np.where((rows // square + columns // square) % 2 == 0, 255, 0).astype(np.uint8)
    Image.fromarray(255 - coverage).save(path)
    return Image.fromarray(coverage)


class HeldTints:
    """Holds a worker that tints tiles (``tile_tints.tint_tiles`` called off the GUI thread) until
    ``release()``; the GUI thread's own calls pass."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()
        self.returned = threading.Event()
        self.threads: list[str] = []
        real = tile_tints.tint_tiles

        def held(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                return real(*args, **kwargs)
            self.threads.append(threading.current_thread().name)
            self.open.wait(GATE_WAIT_S)
            try:
                return real(*args, **kwargs)
            finally:
                self.returned.set()

        monkeypatch.setattr(tile_tints, "tint_tiles", held)

    def release(self) -> None:
        self.open.set()


def load(qtbot: Any, canvas: MaskCanvas, path: Path) -> None:
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 1000) as said:
        assert canvas.load_mask_later(path)
    assert said.args[0].startswith(f"Loaded {path.name}")


def test_a_large_load_is_tinted_in_a_worker_and_shown_whole_when_done(
    qtbot: Any, canvas: MaskCanvas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    layer, item = layer_of(canvas), item_of(canvas)
    canvas.fill()
    filled = {tile.cacheKey() for tile in item._tiles.values() if tile.size().toTuple() == (TILE, TILE)}
    assert len(filled) == 1 and item.tile_count() == 30 * 17
    coverage = checker_file(tmp_path / "squares.png")
    gate = HeldTints(monkeypatch)
    load(qtbot, canvas, tmp_path / "squares.png")

    assert layer.pil().tobytes() == coverage.tobytes()  # the layer has the file at once
    assert not canvas.overlay_settled() and gate.threads and gate.threads[0] != threading.main_thread().name
    whole = {tile.cacheKey() for tile in item._tiles.values() if tile.size().toTuple() == (TILE, TILE)}
    assert whole == filled and item.tile_count() == 30 * 17  # meanwhile the Fill, whole: never half of each
    gate.release()
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert_the_overlay_shows_the_pixels(canvas)

    canvas.undo_stack().undo()  # back to the Fill: one value everywhere, the shared tile again
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert layer.is_uniform(255) and len({tile.cacheKey() for tile in item._tiles.values()}) <= 4  # (edge sizes)
    canvas.undo_stack().redo()
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert layer.pil().tobytes() == coverage.tobytes()
    assert_the_overlay_shows_the_pixels(canvas)


def test_a_stroke_painted_while_the_tiles_are_tinted_lands_on_top_and_undoes_to_the_load(
    qtbot: Any, canvas: MaskCanvas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    layer = layer_of(canvas)
    canvas.fill()
    coverage = checker_file(tmp_path / "squares.png")
    gate = HeldTints(monkeypatch)
    load(qtbot, canvas, tmp_path / "squares.png")
    assert not canvas.overlay_settled()

    canvas.set_brush_size(300)
    drag(canvas, "brush", [(2000, 2000), (2600, 2100), (3200, 2300)])  # while the worker still holds the tiles
    painted = layer.pil()
    assert painted.getpixel((2600, 2100)) == 255 and painted.getpixel((2650, 2050)) == 255  # the stroke
    assert painted.getpixel((6000, 400)) == coverage.getpixel((6000, 400))  # and the file around it
    assert canvas.overlay_settled()  # the stroke had the tiles tinted at once, here
    assert_the_overlay_shows_the_pixels(canvas, exact=False)
    gate.release()
    qtbot.waitUntil(gate.returned.is_set, timeout=GATE_WAIT_S * 1000)
    QApplication.processEvents()  # (a late answer of the worker would come now: it must not be shown)
    assert_the_overlay_shows_the_pixels(canvas, exact=False)

    canvas.undo_stack().undo()  # the stroke
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert layer.pil().tobytes() == coverage.tobytes()
    assert_the_overlay_shows_the_pixels(canvas)
    canvas.undo_stack().undo()  # the load
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert layer.is_uniform(255)
    canvas.undo_stack().redo()
    canvas.undo_stack().redo()  # (the second while the first's tiles may still be in the worker)
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert layer.pil().tobytes() == painted.tobytes()
    assert_the_overlay_shows_the_pixels(canvas)


def test_load_mask_copies_nothing_of_the_8k_mask_on_the_gui_thread(
    qtbot: Any, canvas: MaskCanvas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The undo step's pixels before and after are made in the worker (two 8K copies: ~30 ms here)."""
    layer = layer_of(canvas)
    canvas.fill()
    coverage = checker_file(tmp_path / "squares.png")
    copies: list[QRect] = []
    real_copy = layer.copy

    def copy(rect: QRect | None = None) -> QImage:
        if threading.current_thread() is threading.main_thread():
            copies.append(layer.rect() if rect is None else QRect(rect))
        return real_copy(rect)

    monkeypatch.setattr(layer, "copy", copy)
    made = []
    real_alpha8 = mask_loading.alpha8
    monkeypatch.setattr(
        mask_loading, "alpha8", lambda pixels: made.append(threading.current_thread().name) or real_alpha8(pixels)
    )
    load(qtbot, canvas, tmp_path / "squares.png")
    assert layer.pil().tobytes() == coverage.tobytes()
    assert copies == [] and len(made) == 2 and threading.main_thread().name not in made
    canvas.undo_stack().undo()
    assert layer.is_uniform(255)
    canvas.undo_stack().redo()
    assert layer.pil().tobytes() == coverage.tobytes()


def test_a_rectangle_on_an_8k_mask_shares_the_fills_tile_inside_it(canvas: MaskCanvas) -> None:
    item = item_of(canvas)
    drag(canvas, "rect", [(1000, 1000), (3000, 2200)])
    box = layer_of(canvas).painted_box()
    inside = [key for key in item._tiles if box.contains(QRect(key[0] * TILE, key[1] * TILE, TILE, TILE))]
    assert len(inside) >= 20 and len({item._tiles[key].cacheKey() for key in inside}) == 1  # one shared tile
    assert canvas.overlay_settled() and item.tile_count() < 80  # (the edges tinted, here and now)
    assert_the_overlay_shows_the_pixels(canvas)


@pytest.mark.parametrize("seed", [7, 23])
def test_a_session_with_every_change_tinted_in_the_worker_ends_showing_the_pixels(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed: int
) -> None:
    """Every re-tint goes to the worker (NOW_TILES 0); changes come one after another while it is out,
    and the overlay is checked (when the worker is done) only every few steps."""
    monkeypatch.setattr(tile_tints, "NOW_TILES", 0)
    canvas = make_canvas(qtbot, (900, 600))
    rng = random.Random(seed)
    saved = tmp_path / "mask.png"
    steps = ["brush", "eraser", "rect", "lasso", "fill", "clear", "invert", "undo", "redo", "save", "load", "colour"]
    for number, step in enumerate([rng.choice(steps) for _ in range(36)] + ["invert", "brush"]):
        if step in ("brush", "eraser", "rect", "lasso"):
            canvas.set_brush_size(rng.randint(4, 120))
            drag(canvas, step, [(rng.randint(0, 899), rng.randint(0, 599)) for _ in range(rng.randint(2, 5))])
        elif step in ("fill", "clear", "invert"):
            getattr(canvas, step)()
        elif step in ("undo", "redo"):
            getattr(canvas.undo_stack(), step)()
        elif step == "save":
            assert canvas.save_mask_file(saved)
        elif step == "load" and saved.exists():
            assert canvas.load_mask_file(saved)
        elif step == "colour":
            canvas.set_overlay(QColor.fromHsv(rng.randint(0, 359), 220, 230))
        if number % 3 == 2:
            qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
            assert_the_overlay_shows_the_pixels(canvas, exact=False)
    qtbot.waitUntil(canvas.overlay_settled, timeout=GATE_WAIT_S * 1000)
    assert_the_overlay_shows_the_pixels(canvas, exact=False)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_loaded_mask_is_compared_as_pillow_compared_it(seed: int) -> None:
    """The worker's comparison (numpy: Pillow's difference and invert of an 8K mask kept the GIL ~25 ms
    each) finds the same box, the same known box and the same pixels as Pillow's bounding boxes."""
    from PIL import ImageChops

    from ideogram_studio.ui.mask.mask_file_load import MaskLoad
    from ideogram_studio.ui.mask.mask_snapshot import MaskSnapshot

    rng = np.random.default_rng(seed)
    size = (300, 200)
    inside = rng.integers(0, 256, size=(40, 70), dtype=np.uint8)
    snapshot = MaskSnapshot(size, 255, (20, 30), inside)
    for box in [(0, 0, 300, 200), (120, 50, 180, 90), (299, 199, 300, 200)]:
        loaded = Image.new("L", size, 0)
        loaded.paste(255, box)
        for coverage in (loaded, ImageChops.invert(loaded), snapshot.coverage()):
            patch = mask_loading.compare(MaskLoad(coverage, "Loaded"), snapshot)
            assert isinstance(patch, mask_loading.LoadedPatch)
            diff = ImageChops.difference(snapshot.coverage(), coverage).getbbox()
            if diff is None:
                assert patch.box.isEmpty() and patch.after.isNull()
                continue
            left, top, right, bottom = diff
            assert patch.box == QRect(left, top, right - left, bottom - top)
            for image, source in ((patch.before, snapshot.coverage()), (patch.after, coverage)):
                rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
                assert rows[:, : image.width()].tobytes() == source.crop(diff).tobytes()
            painted, unpainted = coverage.getbbox(), ImageChops.invert(coverage).getbbox()
            boxes = [(painted, 0), (unpainted, 255)]
            area = [0 if b is None else (b[2] - b[0]) * (b[3] - b[1]) for b, _v in boxes]
            best, value = boxes[0] if area[0] <= area[1] else boxes[1]
            known = QRect() if best is None else QRect(best[0], best[1], best[2] - best[0], best[3] - best[1])
            assert patch.known == (known, value)
