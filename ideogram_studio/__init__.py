"""Ideogram Studio: a desktop studio for the Ideogram 3.0 image API."""

from __future__ import annotations

from typing import TYPE_CHECKING

APP_ID = "ai.ideogram.studio.IdeogramStudio"
APP_NAME = "Ideogram Studio"

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> str:
    """`__version__`, read from the package's metadata when first asked for: importlib.metadata
    (and the email parser it brings) would otherwise load at every start before the window shows."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("ideogram-studio")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
