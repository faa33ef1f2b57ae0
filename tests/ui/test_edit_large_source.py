"""An 8K source in Edit and Face swap (issue 15): the event loop keeps turning while the file is read
and decoded in a worker, a preview shows first, then the image is on the canvas with a blank mask of
its exact size; the image the worker made is the one painted (the GUI thread converts nothing), and
the mask paints, fills, undoes and exports at the image's exact size; a file that cannot be read or
declares an enormous size gets a sentence, and the image shown stays.

The worker is held inside the check of the file until the GUI thread has shown the preview, and the
GUI thread counts its own heartbeats meanwhile: each test waits for events, never for time."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ideogram_studio.imaging.mask_export import EMPTY_MASK, FULL_MASK
from ideogram_studio.ui.modes.edit import EditPanel, MaskedPanel
from ideogram_studio.ui.modes.face_swap import FaceSwapPanel

from .source_gate import Gate

EIGHT_K = (7680, 4320)
GATE_WAIT_S = 60


@pytest.fixture(params=[EditPanel, FaceSwapPanel], ids=["edit", "face-swap"])
def edit(qtbot: Any, request: pytest.FixtureRequest) -> Iterator[MaskedPanel]:
    """The Edit (or Face swap: the same canvas) panel with its canvas beside it, as the window shows them."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QHBoxLayout(window)
    panel = request.param(window)
    layout.addWidget(panel)
    layout.addWidget(panel.detach_editor(), 1)
    window.resize(1280, 720)
    window.show()
    yield panel  # (the window lives as long as the test)


def poster(path: Path, kind: str) -> Path:
    """An 8K image of flat shapes (small on disk, a full 33-megapixel decode all the same)."""
    img = Image.new("RGB", EIGHT_K, (30, 90, 160))
    ImageDraw.Draw(img).ellipse((1200, 700, 6400, 3600), fill=(240, 200, 40))
    img.save(path, kind)
    return path


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_an_8k_source_loads_without_blocking_and_shows_a_preview_first(
    qtbot: Any, edit: MaskedPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = poster(tmp_path / f"poster.{kind.lower()}", kind)
    picker = edit.source_picker
    assert picker is not None
    gate = Gate(monkeypatch, GATE_WAIT_S)
    beats: list[bool] = []  # while loading: was the preview picture up yet?

    def heartbeat() -> None:  # a GUI-thread timer: it runs only while the GUI thread is free
        if picker.is_loading():
            beats.append(not picker.thumbnail_label().pixmap().isNull())
            if beats[-1] and "7680×4320" in picker.info_label().text():
                gate.open.set()  # the preview and the size are on screen: let the worker finish

    timer = QTimer(edit)
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()
    with qtbot.waitSignal(picker.image_changed, timeout=GATE_WAIT_S * 2000):
        assert picker.load_path(path)
        assert picker.is_loading()  # returned at once: the file is read in a worker
    timer.stop()
    assert gate.opened_in_time is True  # the loop turned and showed the preview while the worker waited
    assert beats.count(False) < len(beats)  # the preview came before the image
    assert not picker.is_loading()
    image = picker.image()
    assert image is not None and (image.width, image.height) == EIGHT_K
    canvas = edit.canvas
    assert canvas.has_image() and canvas.image_size().toTuple() == EIGHT_K
    assert "7680×4320" in picker.info_label().text() and "reading" not in picker.info_label().text()
    assert canvas.check_mask() == EMPTY_MASK  # a new, blank mask: nothing to send yet
    # The worker's image is the one painted: in the raster engine's own format, the same pixels
    # (no QPixmap, no conversion or copy of 33 megapixels on the GUI thread).
    shown = canvas.shown_image()
    assert shown.format() == QImage.Format.Format_RGB32 and shown.cacheKey() == picker.qimage().cacheKey()
    assert canvas.mask_qimage().size().toTuple() == EIGHT_K


def test_an_8k_masks_strokes_fill_undo_and_export_keep_the_images_exact_size(
    qtbot: Any, edit: MaskedPanel, tmp_path: Path
) -> None:
    picker = edit.source_picker
    assert picker is not None
    with qtbot.waitSignal(picker.image_changed, timeout=GATE_WAIT_S * 1000):
        picker.load_path(poster(tmp_path / "poster.jpg", "JPEG"))
    canvas = edit.canvas
    canvas.set_tool("rect")
    viewport = canvas.viewport()
    start, end = (canvas.map_from_image(QPointF(x, y)).toPoint() for x, y in ((1000, 1000), (3000, 2000)))
    left, no_modifier = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, no_modifier, start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, left, no_modifier, end)
    assert canvas.check_mask() is None and 0 < canvas.coverage_ratio() < 0.2
    exported = Image.open(io.BytesIO(canvas.export_mask()))
    assert exported.size == EIGHT_K and exported.mode == "L"
    assert exported.getpixel((2000, 1500)) == 0 and exported.getpixel((100, 100)) == 255  # black = change
    canvas.fill()
    assert canvas.check_mask() == FULL_MASK
    assert Image.open(io.BytesIO(canvas.export_mask())).getextrema() == (0, 0)
    canvas.undo_stack().undo()
    canvas.undo_stack().undo()
    assert canvas.check_mask() == EMPTY_MASK and canvas.coverage_ratio() == 0.0
    saved = tmp_path / "mask.png"
    assert canvas.save_mask_file(saved)
    canvas.fill()
    assert canvas.load_mask_file(saved) and canvas.check_mask() == EMPTY_MASK  # Load mask: one step back
    assert canvas.mask_qimage().size().toTuple() == EIGHT_K


def test_a_transparent_8k_source_is_shown_as_sent_flattened_on_white(
    qtbot: Any, edit: MaskedPanel, tmp_path: Path
) -> None:
    img = Image.new("RGBA", EIGHT_K, (30, 90, 160, 255))
    ImageDraw.Draw(img).rectangle((0, 0, 3000, 2000), fill=(0, 0, 0, 0))
    path = tmp_path / "cut-out.png"
    img.save(path, "PNG")
    picker = edit.source_picker
    assert picker is not None
    with qtbot.waitSignal(picker.image_changed, timeout=GATE_WAIT_S * 1000):
        picker.load_path(path)
    assert "flattened on white" in picker.note()
    shown = edit.canvas.shown_image()  # decoded from the bytes sent, in the worker
    assert shown.format() == QImage.Format.Format_RGB32 and shown.cacheKey() == picker.qimage().cacheKey()
    assert shown.pixelColor(QPoint(10, 10)).name() == "#ffffff"
    assert shown.pixelColor(QPoint(5000, 3000)).name() == "#1e5aa0"


def test_the_new_images_blank_mask_is_judged_as_painted_once_painted(qtbot: Any, edit: MaskedPanel) -> None:
    canvas = edit.canvas
    small = Image.new("RGB", (64, 48), (10, 200, 10))
    assert canvas.set_image(small.toqimage())
    assert canvas.check_mask() == EMPTY_MASK and canvas.coverage_ratio() == 0.0
    canvas.fill()
    assert canvas.check_mask() == FULL_MASK and canvas.coverage_ratio() == 1.0
    canvas.undo_stack().undo()
    assert canvas.check_mask() == EMPTY_MASK
    canvas.fill()
    bigger = Image.new("RGB", (80, 48), (10, 20, 200))
    assert canvas.set_image(bigger.toqimage(), keep_mask=True)  # another size: a new, blank mask
    assert canvas.check_mask() == EMPTY_MASK
    canvas.fill()
    assert canvas.set_image(bigger.toqimage(), keep_mask=True)  # the same size: the painting stays
    assert canvas.check_mask() == FULL_MASK


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares `width`×`height`, with a few bytes of pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("torn.png", lambda p: p.write_bytes(poster(p, "PNG").read_bytes()[:4000]), "torn.png"),
        pytest.param(  # (libjpeg says so on Qt's log while the preview reads what there is)
            "torn.jpg",
            lambda p: p.write_bytes(poster(p, "JPEG").read_bytes()[:4000]),
            "torn.jpg",
            marks=pytest.mark.qt_log_ignore("Corrupt JPEG data"),
        ),
        ("enormous.png", lambda p: p.write_bytes(png_header_only(100_000, 100_000)), "enormous size"),
    ],
)
def test_a_broken_or_enormous_8k_file_gets_a_sentence_and_the_image_stays(
    qtbot: Any, edit: MaskedPanel, tmp_path: Path, name: str, make: Any, words: str
) -> None:
    picker = edit.source_picker
    assert picker is not None
    good = tmp_path / "good.png"
    Image.new("RGB", (40, 30), (10, 200, 10)).save(good, "PNG")
    assert picker.load_path(good)
    bad = tmp_path / name
    make(bad)
    picker.load_path(bad)
    qtbot.waitUntil(lambda: not picker.is_loading(), timeout=GATE_WAIT_S * 1000)
    message = picker.message()
    assert message.isVisible() and words in message.text()
    assert "Traceback" not in message.text() and "current image is kept" in message.text()
    image = picker.image()
    assert image is not None and image.data == good.read_bytes()
    assert edit.canvas.image_size().toTuple() == (40, 30)


def test_an_8k_file_of_another_format_is_refused_at_once_without_asking_qt(
    qtbot: Any, edit: MaskedPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind, path = "TIFF", tmp_path / "poster.tiff"
    Image.new("RGB", EIGHT_K, (30, 90, 160)).save(path, kind, compression="tiff_deflate")
    asked: list[str] = []  # (a reader not told the format probes every plugin, holding the GIL)
    real = QImageReader.__init__

    def reader(self: QImageReader, *args: Any) -> None:
        asked.append(repr(args))
        real(self, *args)

    monkeypatch.setattr(QImageReader, "__init__", reader)
    picker = edit.source_picker
    assert picker is not None
    assert picker.load_path(path) is False and not picker.is_loading()  # refused here and now
    message = picker.message()
    assert message.isVisible() and f"a {kind} image" in message.text() and "PNG, JPEG or WebP" in message.text()
    assert asked == [] and picker.image() is None
