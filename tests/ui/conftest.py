"""UI tests run offscreen with real widgets (pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from ideogram_studio.ui.widgets.viewer import ImageViewer

from .helpers import qloop  # noqa: F401  (the fixture lives with the helpers: other folders use it too)


@pytest.fixture
def make_png(tmp_path: Path) -> Callable[..., Path]:
    """Write a small solid-colour PNG and return its path."""

    def make(
        name: str = "image.png", size: tuple[int, int] = (48, 32), color: tuple[int, int, int] = (200, 40, 40)
    ) -> Path:
        path = tmp_path / name
        Image.new("RGB", size, color).save(path)
        return path

    return make


@pytest.fixture
def viewer(qtbot: QtBot) -> Iterator[ImageViewer]:
    """An image viewer on screen, 640×420 (test_viewer, test_viewer_large)."""
    view = ImageViewer()
    qtbot.addWidget(view)
    view.resize(640, 420)
    view.show()
    qtbot.waitExposed(view)
    yield view
