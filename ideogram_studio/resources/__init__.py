"""The package data shipped with the app (style presets, palettes, icons, themes), read through one
accessor so that code never builds paths into the installed package by hand.

Icons (and, once strings go through tr(), translations) are built from their sources in the
repository's top-level `resources/` folder by `scripts/build_resources.py`; the built files are
committed here and tests/test_resources.py keeps them equal to a fresh build. Style presets,
palettes and the theme style sheets (themes/*.qss) are written here directly.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def resource(*parts: str) -> Traversable:
    """The packaged file `parts` (e.g. `resource("icons", "ideogram-studio.svg")`)."""
    return resources.files(__name__).joinpath(*parts)


def resource_path(*parts: str) -> Path:
    """A filesystem path to a packaged file, for APIs that take a path (QIcon, QFile)."""
    return Path(str(resource(*parts)))


def read_text(*parts: str) -> str:
    return resource(*parts).read_text("utf-8")
