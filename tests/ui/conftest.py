"""UI tests run offscreen with real widgets (pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

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

