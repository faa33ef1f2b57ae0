"""A large source image is read off the GUI thread: the window keeps handling events while the
file is read and checked, a preview shows first, the image arrives with `image_changed`, and a newer
choice wins over a read still under way. The worker is held at a gate that only the GUI thread can
open, so each test waits for events, never for time."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QTimer

from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest
from ideogram_studio.ui.modes.source_image import SourceImagePicker
from ideogram_studio.ui.modes.source_loading import LARGE_PIXELS

from .source_gate import Gate

#: Over the worker threshold, small on disk (flat colours compress to almost nothing).
LARGE = (2600, 1800)
GATE_WAIT_S = 20


@pytest.fixture
def picker(qtbot):
    widget = SourceImagePicker(EditRequest.endpoint, "Edit")
    qtbot.addWidget(widget)
    widget.resize(420, 200)
    widget.show()
    return widget


@pytest.fixture
def large_png(tmp_path: Path) -> Path:
    assert LARGE[0] * LARGE[1] > LARGE_PIXELS
    img = Image.new("RGB", LARGE, (30, 90, 160))
    ImageDraw.Draw(img).ellipse((400, 300, 2200, 1500), fill=(240, 200, 40))
    path = tmp_path / "poster.png"
    img.save(path, "PNG")
    return path


def test_the_gui_thread_keeps_running_while_a_large_source_loads(qtbot, picker, large_png, monkeypatch):
    gate = Gate(monkeypatch, GATE_WAIT_S)
    seen_while_loading = []

    def heartbeat() -> None:  # a GUI-thread timer: it only runs if the GUI thread is free
        if picker.is_loading():
            seen_while_loading.append(picker.thumbnail_label().pixmap().isNull())
            if not seen_while_loading[-1]:  # the preview is up: let the worker finish
                gate.open.set()

    timer = QTimer(picker)
    timer.setInterval(5)
    timer.timeout.connect(heartbeat)
    timer.start()
    with qtbot.waitSignal(picker.image_changed, timeout=GATE_WAIT_S * 2000):
        assert picker.load_path(large_png)
        assert picker.is_loading()
    timer.stop()
    assert gate.opened_in_time is True  # the GUI thread ran (and showed the preview) during the read
    assert seen_while_loading and not seen_while_loading[-1]
    assert not picker.is_loading()
    image = picker.image()
    assert image is not None and (image.width, image.height) == LARGE
    assert image.data == large_png.read_bytes()  # a plain RGB PNG keeps its exact bytes
    assert (picker.qimage().width(), picker.qimage().height()) == LARGE
    assert not picker.thumbnail_label().pixmap().isNull()
    assert "2600×1800" in picker.info_label().text()


def test_a_newer_choice_wins_over_a_read_under_way(qtbot, picker, large_png, monkeypatch):
    gate = Gate(monkeypatch, GATE_WAIT_S)
    assert picker.load_path(large_png)
    small = Image.new("RGB", (40, 30), (10, 200, 10))
    path = large_png.parent / "small.png"
    small.save(path, "PNG")
    chosen = ImageFile.from_path(path)
    assert picker.set_image_file(chosen)  # small: read at once, and it stops the large read
    assert not picker.is_loading()
    with qtbot.waitSignal(picker._loader.loaded, timeout=GATE_WAIT_S * 2000):
        gate.open.set()
    image = picker.image()
    assert image is not None and image.data == chosen.data  # the large one arrived late and was dropped
    assert (picker.qimage().width(), picker.qimage().height()) == (40, 30)


def test_a_large_file_that_cannot_be_read_says_why_and_keeps_the_image(qtbot, picker, large_png, tmp_path):
    good = tmp_path / "good.png"
    Image.new("RGB", (40, 30), (10, 200, 10)).save(good, "PNG")
    assert picker.load_path(good)
    broken = tmp_path / "broken.png"
    broken.write_bytes(large_png.read_bytes()[:200])  # the header says 2600×1800, the pixels are gone
    assert picker.load_path(broken)
    qtbot.waitUntil(lambda: not picker.is_loading(), timeout=GATE_WAIT_S * 1000)
    assert picker.message().isVisible() and "broken.png" in picker.message().text()
    assert "current image is kept" in picker.message().text()
    image = picker.image()
    assert image is not None and image.data == good.read_bytes()
