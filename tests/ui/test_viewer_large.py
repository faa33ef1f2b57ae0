"""The result viewer and an 8K image (issue 15): its smaller levels are made in a worker (Qt's smooth
scaling of two 8K images at a compare's first paint held the GUI thread 40-150 ms); the first frame is
drawn from the image itself, and the viewer repaints with the level when it comes: a box average, so
fine detail turns to its mean instead of aliasing."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.widgets import image_levels
from ideogram_studio.ui.widgets.viewer import ImageViewer

EIGHT_K = (7680, 4320)
GATE_WAIT_S = 60


def stripes(w: int, h: int) -> QImage:
    """Columns of one pixel, black and white in turn: any sampling without averaging shows them."""
    image = QImage(w, h, QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.bits(), dtype=np.uint32).reshape(h, w)
    rows[:] = np.where(np.arange(w) % 2 == 0, 0xFF000000, 0xFFFFFFFF).astype(np.uint32)
    return image


class HeldLevels:
    """Holds a worker making a level (``image_levels.reduced``) until ``release()``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()
        self.threads: list[str] = []
        real = image_levels.reduced

        def held(*args: Any) -> QImage:
            self.threads.append(threading.current_thread().name)
            self.open.wait(GATE_WAIT_S)
            return real(*args)

        monkeypatch.setattr(image_levels, "reduced", held)


def greys_across(viewer: ImageViewer) -> list[int]:
    """The red channel along a row of what the viewer shows of the image, three quarters down (below
    a compare's labels), but for the middle (a compare's divider)."""
    shot = viewer.viewport().grab().toImage()
    area = viewer.mapFromScene(viewer.sceneRect()).boundingRect().intersected(viewer.viewport().rect())
    y, middle = area.top() + area.height() * 3 // 4, area.center().x()
    return [shot.pixelColor(x, y).red() for x in range(area.left() + 4, area.right() - 4) if abs(x - middle) > 12]


def test_an_8k_images_level_is_made_in_a_worker_and_shown_when_it_comes(
    viewer: ImageViewer, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = HeldLevels(monkeypatch)
    viewer.set_image(stripes(*EIGHT_K))
    first = greys_across(viewer)  # painted while the worker is held: from the image itself
    qtbot.waitUntil(lambda: bool(gate.threads), timeout=GATE_WAIT_S * 1000)
    assert threading.main_thread().name not in gate.threads
    assert first and max(first) > min(first)  # (sampled stripes, not yet their average)
    gate.open.set()
    qtbot.waitUntil(lambda: all(126 <= v <= 129 for v in greys_across(viewer)), timeout=GATE_WAIT_S * 1000)

    viewer.set_compare(stripes(*EIGHT_K), stripes(*EIGHT_K))  # a compare: both images' levels in workers
    qtbot.waitUntil(lambda: all(126 <= v <= 129 for v in greys_across(viewer)), timeout=GATE_WAIT_S * 1000)
    assert len(gate.threads) == 3


def test_a_level_is_the_box_average_of_the_image() -> None:
    image = QImage(37, 21, QImage.Format.Format_ARGB32_Premultiplied)
    pixels = np.random.default_rng(5).integers(0, 256, size=(21, 37, 4), dtype=np.uint8)
    pixels[..., 3] = 255  # (opaque: premultiplied colour is the colour)
    np.frombuffer(image.bits(), dtype=np.uint8)[:] = pixels.reshape(-1)
    level = image_levels.reduced(image.constBits(), (37, 21), image.format(), 4)
    assert (level.width(), level.height(), level.format()) == (10, 6, image.format())
    shown = np.frombuffer(level.constBits(), dtype=np.uint8).reshape(6, 10, 4)
    block = pixels[4:8, 8:12].astype(np.float64).mean(axis=(0, 1))
    assert np.abs(shown[1, 2].astype(np.float64) - block).max() <= 0.5 + 1e-9
