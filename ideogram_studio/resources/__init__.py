"""The package data shipped with the app (style presets, palettes, icons, themes), read through one
accessor so that code never builds paths into the installed package by hand.

The sources these files are built from (the icon's master SVG, translation sources) live in the
repository's top-level `resources/` folder; see ARCHITECTURE.md.
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
