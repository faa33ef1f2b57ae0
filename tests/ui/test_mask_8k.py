"""An 8K mask (7680×4320, issue 15) without 33-megapixel work on the GUI thread: Invert flips the pixels
and re-tints only the painted box (around it the overlay is the Fill's one shared tile), and what the
canvas then says about the mask (its check, its coverage, "is it empty") reads only that box; Undo
gives the exact pixels back. Save mask, the form's quote and Send encode the mask in a worker (held
until the GUI thread has turned a few times: each test waits for events, never for time) and write
or send the same bytes as the export on the GUI thread did; the request's check of the mask decodes
it there too. "Reuse settings" of an Edit job and "Put back the previous image and its mask" read,
encode and compare the mask in a worker too."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from PySide6.QtCore import QObject, QPointF, QRect, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QWidget

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.imaging import mask_export as imaging_mask_export
from ideogram_studio.imaging.mask_export import FULL_MASK, change_ratio, coverage_from_mask, mask_file_for, refusal
from ideogram_studio.ui.mask import mask_loading, mask_snapshot
from ideogram_studio.ui.mask.canvas import MaskCanvas
from ideogram_studio.ui.mask.layer import TILE, MaskLayer, coverage_to_pil
from ideogram_studio.ui.modes import edit as edit_module
from ideogram_studio.ui.modes import source_image
from ideogram_studio.ui.modes.edit import EditPanel

from .mask_helpers import EIGHT_K, GATE_WAIT_S, item_of, layer_of, make_canvas


@pytest.fixture
def canvas(qtbot: Any) -> MaskCanvas:
    return make_canvas(qtbot, EIGHT_K)


def drag_rect(canvas: MaskCanvas, corner: tuple[int, int], other: tuple[int, int]) -> None:
    canvas.set_tool("rect")
    start, end = (canvas.map_from_image(QPointF(*p)).toPoint() for p in (corner, other))
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas.viewport(), end)
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def read_rects(monkeypatch: pytest.MonkeyPatch, layer: MaskLayer) -> list[QRect]:
    """Every rect the layer's pixels are read in from now on (as a Pillow image, or a numpy view)."""
    reads: list[QRect] = []
    real_pil, real_view = layer.pil, layer.view

    def pil(rect: QRect | None = None) -> Image.Image:
        reads.append(layer.rect() if rect is None else QRect(rect))
        return real_pil(rect)

    def view(rect: QRect) -> Any:
        reads.append(QRect(rect))
        return real_view(rect)

    monkeypatch.setattr(layer, "pil", pil)
    monkeypatch.setattr(layer, "view", view)
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
    assert (1200 // TILE, 1200 // TILE) not in item._tiles  # the painted rectangle is now the hole: no tile there
    x, y = painted.left(), painted.top()
    edge = item._tiles[(x // TILE, y // TILE)]  # (a tile across its corner: tinted from the pixels)
    assert edge.pixelColor(x % TILE - 1, y % TILE - 1).alpha() == 255 and edge.pixelColor(255, 255).alpha() == 0

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


# ---- Save mask, the quote and Send: encoded in a worker -----------------------------------------


class HeldEncoder:
    """Holds the worker inside the mask's encoding (``module``'s ``name``: ``mask_snapshot`` by
    default) until the GUI thread has counted a few heartbeats after the call returned: encoding on
    the GUI thread would never see it opened (the timer cannot tick while the thread waits)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, owner: QObject, module: Any = mask_snapshot) -> None:
        self.open = threading.Event()
        self.opened: list[bool] = []
        self.threads: list[str] = []
        real = getattr(module, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            self.threads.append(threading.current_thread().name)
            self.opened.append(self.open.wait(GATE_WAIT_S))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, held)
        self.beats = 0
        self.timer = QTimer(owner)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)

    def arm(self) -> None:
        self.beats = 0
        self.timer.start()

    def _beat(self) -> None:
        self.beats += 1
        if self.beats >= 3:
            self.open.set()
            self.timer.stop()


@pytest.fixture
def edit(qtbot: Any, tmp_path: Path) -> Iterator[EditPanel]:
    """The Edit panel with its canvas beside it, an 8K source on it, a rectangle painted, a prompt."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QHBoxLayout(window)
    panel = EditPanel(window)
    layout.addWidget(panel)
    layout.addWidget(panel.detach_editor(), 1)
    window.resize(1280, 720)
    window.show()
    source = tmp_path / "poster.png"
    Image.new("RGB", EIGHT_K, (30, 90, 160)).save(source)
    assert panel.source_picker is not None
    with qtbot.waitSignal(panel.source_picker.image_changed, timeout=GATE_WAIT_S * 1000):
        panel.source_picker.load_path(source)
    drag_rect(panel.canvas, (1000, 1000), (3000, 2200))
    panel.set_prompt("a red boat")
    yield panel  # (the window lives as long as the test)


def sent_the_old_way(panel: EditPanel) -> bytes:
    """The mask file as the panel made it on the GUI thread before (the bytes must not change)."""
    grow, feather = panel.canvas.export_options()
    return mask_file_for(Operation.EDIT, coverage_to_pil(panel.canvas.mask_qimage()), grow, feather).data


def decodes_on_the_gui_thread(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes of every ImageFile decoded on the GUI thread from now on."""
    decoded: list[bytes] = []
    real = ImageFile.pil

    def spy(self: ImageFile) -> Image.Image:
        if threading.current_thread() is threading.main_thread():
            decoded.append(self.data)
        return real(self)

    monkeypatch.setattr(ImageFile, "pil", spy)
    return decoded


def test_send_encodes_the_8k_mask_in_a_worker_and_sends_the_same_bytes(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = sent_the_old_way(edit)
    gate = HeldEncoder(monkeypatch, "mask_file_for", edit)
    decoded = decodes_on_the_gui_thread(monkeypatch)
    with qtbot.waitSignal(edit.submitted, timeout=GATE_WAIT_S * 2000) as sent:
        assert edit.submit()  # returned before the mask was encoded: the worker waits for the loop
        assert edit.send_button.text() == "Preparing the mask…"
        gate.arm()
    assert gate.opened == [True] and gate.threads[0] != threading.main_thread().name
    assert edit.send_button.text() == "Edit"
    request = sent.args[0]
    assert isinstance(request, EditRequest) and request.mask is not None
    assert request.mask.data == expected and request.mask.size == EIGHT_K
    assert expected not in decoded  # the request's check of the mask decoded it in the worker


def test_the_quote_encodes_the_8k_mask_in_a_worker_and_send_reuses_that_file(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = sent_the_old_way(edit)
    gate = HeldEncoder(monkeypatch, "mask_file_for", edit)
    edit.quote_line().requested.connect(lambda _r: gate.arm())
    with qtbot.waitSignal(edit.quote_requested, timeout=GATE_WAIT_S * 2000) as quoted:
        edit.set_prompt("a red boat at dusk")  # the form settles: its quote is asked
    assert gate.opened == [True]
    priced = quoted.args[0]
    assert isinstance(priced, V2Request) and priced.uploads["mask"][0].data == expected
    decoded = decodes_on_the_gui_thread(monkeypatch)
    with qtbot.waitSignal(edit.submitted, timeout=1000) as sent:
        assert edit.submit()  # the quote's file: nothing to encode again
    assert len(gate.opened) == 1 and sent.args[0].mask.data == expected and expected not in decoded
    drag_rect(edit.canvas, (5000, 3000), (5200, 3100))  # a new mask: its file is made anew
    with qtbot.waitSignal(edit.submitted, timeout=GATE_WAIT_S * 2000) as sent:
        assert edit.submit()
        gate.arm()
    assert len(gate.opened) == 2 and sent.args[0].mask.data == sent_the_old_way(edit) != expected


def test_save_mask_writes_the_8k_file_from_a_worker(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = edit.canvas.export_mask()
    path = tmp_path / "mask.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    gate = HeldEncoder(monkeypatch, "api_mask_png", edit)
    editor = edit.mask_editor
    with qtbot.waitSignal(edit.canvas.mask_saved, timeout=GATE_WAIT_S * 2000):
        editor.tool_buttons["save"].defaultAction().trigger()
        assert "Saving mask.png" in editor.status_text()
        gate.arm()
    assert gate.opened == [True] and path.read_bytes() == expected
    assert editor.status_text() == "Saved mask.png (black = change, white = keep)."
    monkeypatch.setattr(mask_snapshot, "api_mask_png", lambda *a, **k: expected)
    folder = tmp_path / "a folder"
    folder.mkdir()
    with qtbot.waitSignal(edit.canvas.message, timeout=GATE_WAIT_S * 1000) as said:
        assert edit.canvas.save_mask_later(folder)  # a folder cannot be written as a file
    assert said.args[0].startswith("The mask could not be saved to a folder (")


def test_load_mask_reads_the_8k_file_in_a_worker_and_compares_it_with_the_mask_as_it_is(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    canvas, editor = edit.canvas, edit.mask_editor
    path = tmp_path / "mask.png"
    black_is_change = Image.new("L", EIGHT_K, 255)
    black_is_change.paste(0, (4000, 500, 6000, 1500))
    black_is_change.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    gate = HeldEncoder(monkeypatch, "read_mask_for_image", edit, mask_loading)
    steps = canvas.undo_stack().count()
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        editor.tool_buttons["load"].defaultAction().trigger()
        drag_rect(canvas, (100, 100), (600, 400))  # painted while the file is read: compared again
        gate.arm()
    assert gate.opened == [True, True] and threading.main_thread().name not in gate.threads
    assert said.args[0].startswith("Loaded mask.png (black = change)")
    expected = black_is_change.point([255 if v < 128 else 0 for v in range(256)])
    layer, item = layer_of(canvas), item_of(canvas)
    assert layer.pil().tobytes() == expected.tobytes()  # the file, exactly
    assert_known_from_the_pixels(canvas, expected)
    assert (0, 0) not in item._tiles and item._tiles[(5000 // TILE, 1000 // TILE)].pixelColor(0, 0).alpha() == 255
    assert canvas.undo_stack().count() == steps + 2  # the rectangle, then the load: one step each
    canvas.undo_stack().undo()
    painted = layer.pil()
    assert painted.getpixel((300, 300)) == 255 and painted.getpixel((1500, 1500)) == 255  # both rectangles
    assert painted.getpixel((5000, 1000)) == 0
    assert_known_from_the_pixels(canvas, painted)
    canvas.undo_stack().redo()
    assert_known_from_the_pixels(canvas, expected)

    ImageChops.invert(black_is_change).save(path)  # nearly all of it to change: 255 around a small box
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000):
        canvas.load_mask_later(path)
    inverse = ImageChops.invert(expected)
    assert layer.pil().tobytes() == inverse.tobytes() and layer.painted_box() == layer.rect()
    assert_known_from_the_pixels(canvas, inverse)
    far = [item._tiles[(0, 0)], item._tiles[(29, 15)]]
    assert far[0].cacheKey() == far[1].cacheKey() and far[0].pixelColor(0, 0).alpha() == 255  # the shared tile


def assert_known_from_the_pixels(canvas: MaskCanvas, coverage: Image.Image) -> None:
    """What the canvas says from its known box is what a full read of ``coverage`` says."""
    box, outside = layer_of(canvas).known()
    assert canvas.coverage_ratio() == pytest.approx(change_ratio(coverage))
    assert canvas.check_mask() == refusal(coverage)
    around = coverage.copy()
    around.paste(outside, (box.left(), box.top(), box.right() + 1, box.bottom() + 1))
    assert around.getextrema() == (outside, outside)  # every pixel outside the box holds the value


def test_a_mask_file_of_another_size_asks_on_the_gui_thread(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    canvas = edit.canvas
    path = tmp_path / "small.png"
    small = Image.new("L", (768, 432), 255)
    small.paste(0, (0, 0, 384, 432))
    small.save(path)
    asked: list[str] = []

    def prompt(mask_size: Any, image_size: Any) -> bool:
        asked.append(threading.current_thread().name)
        return True

    canvas.scale_prompt = prompt
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        assert canvas.load_mask_later(path)
    assert asked == [threading.main_thread().name] and "scaled from 768×432" in said.args[0]
    layer = layer_of(canvas)
    assert layer.pil().getpixel((100, 100)) == 255 and layer.pil().getpixel((7000, 4000)) == 0


# ---- Reuse settings and "Put back the previous image and its mask" --------------------------------
# Read, encoded and compared in a worker; the reused file sent byte for byte until painted over; a
# stroke painted while the mask is on its way lands on top of it, as it did when the window froze for
# the load and handled the stroke afterwards.


def threads_calling(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, threads: list[str] | None = None
) -> list[str]:
    """The names of the threads that call ``module``'s ``name`` from now on (added to ``threads``)."""
    threads = [] if threads is None else threads
    real = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return threads


def source_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads that decode a source for display from now on (the GUI thread's decode, a worker's)."""
    threads = threads_calling(monkeypatch, source_image, "decode_qimage")
    return threads_calling(monkeypatch, source_image, "read_image_bytes", threads)


def shown_in_a_worker(decodes: list[str]) -> bool:
    return bool(decodes) and threading.main_thread().name not in decodes


def coverage_of(panel: EditPanel) -> Image.Image:
    return coverage_to_pil(panel.canvas.mask_qimage())


def reused_job(panel: EditPanel) -> tuple[EditRequest, bytes]:
    """The request the panel sends now (its 8K mask exported here, once), and the coverage that mask
    stands for; then the mask is cleared, as a designer who moved on would have it."""
    request = panel.request()
    assert isinstance(request, EditRequest) and request.mask is not None and request.mask.size == EIGHT_K
    expected = coverage_from_mask(request.operation, request.mask.pil()).tobytes()
    panel.canvas.clear()
    return request, expected


def assert_on_top(coverage: Image.Image, under: Image.Image, box: tuple[int, int, int, int]) -> None:
    """``coverage`` is ``under`` with a rectangle painted over ``box`` (its corners within the few
    image pixels a screen pixel spans at this zoom): the pixels differ only there, and it is whole."""
    left, top, right, bottom = box
    changed = ImageChops.difference(coverage, under).getbbox()
    assert changed is not None
    assert abs(changed[0] - left) < 10 and abs(changed[1] - top) < 10
    assert abs(changed[2] - right) < 10 and abs(changed[3] - bottom) < 10
    assert coverage.crop((left + 10, top + 10, right - 10, bottom - 10)).getextrema() == (255, 255)


def test_reuse_of_an_8k_edit_reads_its_mask_in_a_worker_and_sends_it_byte_for_byte(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, expected = reused_job(edit)
    steps = edit.canvas.undo_stack().count()
    gate = HeldEncoder(monkeypatch, "coverage_from_image", edit, imaging_mask_export)  # (decoding the file)
    decoded = decodes_on_the_gui_thread(monkeypatch)
    decodes = source_decodes(monkeypatch)
    with qtbot.waitSignal(edit.canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        assert edit.reuse(request)
        gate.arm()
    assert gate.opened == [True] and threading.main_thread().name not in gate.threads
    assert shown_in_a_worker(decodes)  # the 8K source too
    assert said.args[0].startswith("Loaded mask.png (black = change)")
    assert coverage_of(edit).tobytes() == expected  # the job's mask, pixel for pixel
    assert edit.canvas.undo_stack().count() == steps + 1 and edit.canvas.undo_stack().undoText() == "Load mask"
    qtbot.waitUntil(edit.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(edit.submitted, timeout=5000) as sent:
        assert edit.submit()
    assert sent.args[0] == request  # every field, the image and the mask byte for byte
    assert request.mask is not None and request.mask.data not in decoded  # (its check: made in the worker)


def test_a_stroke_painted_while_the_reused_mask_is_read_lands_on_top_of_it(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, expected = reused_job(edit)
    canvas = edit.canvas
    gate = HeldEncoder(monkeypatch, "coverage_from_image", edit, imaging_mask_export)
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000):
        assert edit.reuse(request)
        drag_rect(canvas, (5000, 3000), (5600, 3400))  # while the mask is on its way
        with qtbot.waitSignal(edit.submitted, timeout=GATE_WAIT_S * 2000) as sent:
            assert edit.submit()  # Ctrl+Enter meanwhile: the send waits for the mask
            assert edit.send_button.text() == "Preparing the mask…"
            gate.arm()
    assert gate.opened[0] and threading.main_thread().name not in gate.threads
    stack = canvas.undo_stack()
    assert [stack.text(i) for i in range(stack.count())][-2:] == ["Load mask", "Add rectangle"]
    assert_on_top(coverage_of(edit), Image.frombytes("L", EIGHT_K, expected), (5000, 3000, 5600, 3400))
    mask = sent.args[0].mask
    assert mask is not None and request.mask is not None and mask.data != request.mask.data  # painted over
    assert coverage_from_mask(request.operation, mask.pil()).tobytes() == coverage_of(edit).tobytes()
    stack.undo()  # the rectangle: the job's mask again, sent as it came
    assert coverage_of(edit).tobytes() == expected and edit.request().mask == request.mask


def test_put_back_encodes_and_reads_the_8k_mask_in_a_worker(
    qtbot: Any, edit: EditPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    canvas = edit.canvas
    painted, exported = coverage_of(edit).tobytes(), canvas.export_mask()
    assert edit.source_picker is not None
    small = io.BytesIO()
    Image.new("RGB", (1920, 1080), (200, 120, 40)).save(small, "PNG")
    assert edit.source_picker.set_image_file(ImageFile.from_bytes(small.getvalue(), "small.png"))
    assert canvas.image_size().width() == 1920 and "Put back" in edit.restore_label().text()
    gate = HeldEncoder(monkeypatch, "api_mask_png", edit, edit_module)  # (the PNG made of the mask kept)
    decodes = source_decodes(monkeypatch)
    reads = threads_calling(monkeypatch, imaging_mask_export, "coverage_from_image")  # (that PNG read back)
    with qtbot.waitSignal(canvas.message, timeout=GATE_WAIT_S * 2000) as said:
        assert edit.restore_previous()
        corners = [canvas.map_from_image(QPointF(*p)) for p in ((100, 100), (400, 300))]  # (the small image's)
        drag_rect(canvas, (100, 100), (400, 300))  # meanwhile: lands on top of the mask put back
        gate.arm()
    assert gate.opened == [True] and threading.main_thread().name not in gate.threads + reads
    assert edit.restore_label().text() == "The previous image and its mask are back."
    assert shown_in_a_worker(decodes)
    assert said.args[0].startswith("Loaded mask.png (black = change)")
    assert canvas.image_size().toTuple() == EIGHT_K
    stack = canvas.undo_stack()
    assert [stack.text(i) for i in range(stack.count())] == ["Load mask", "Add rectangle"]
    # (handled once the 8K image is in, as when the window froze: where the pointer was on it then)
    (left, top), (right, bottom) = (canvas.map_to_image(p).toTuple() for p in corners)
    box = (round(left), round(top), round(right), round(bottom))
    assert_on_top(coverage_of(edit), Image.frombytes("L", EIGHT_K, painted), box)
    stack.undo()
    assert coverage_of(edit).tobytes() == painted and canvas.export_mask() == exported  # as it was
