"""The package data shipped with the app (style presets, palettes, icons, themes), read through one
accessor so that code never builds paths into the installed package by hand.

Icons (and, once strings go through tr(), translations) are built from their sources in the
repository's top-level `resources/` folder by `scripts/build_resources.py`; the built files are
committed here and tests/test_resources.py keeps them equal to a fresh build. Style presets,
palettes and the theme style sheets (themes/*.qss) are written here directly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable


@cache
def _root() -> Traversable:
    """The package's folder. On disk (an install, a source checkout, the bundle) it is the folder
    of this file, which is what importlib.resources answers for it: that module and its readers
    (~3.5 ms before the window's first frame) are imported only for a package that is not on disk."""
    here = Path(__file__).parent
    if (here / "themes").is_dir():
        return here
    from importlib import resources

    return resources.files(__name__)


def resource(*parts: str) -> Traversable:
    """The packaged file `parts` (e.g. `resource("icons", "ideogram-studio.svg")`)."""
    return _root().joinpath(*parts)


def resource_path(*parts: str) -> Path:
    """A filesystem path to a packaged file, for APIs that take a path (QIcon, QFile)."""
    return Path(str(resource(*parts)))


def read_text(*parts: str) -> str:
    return resource(*parts).read_text("utf-8")
