"""Ideogram Studio: a desktop studio for the Ideogram 3.0 image API."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ideogram-studio")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_ID = "ai.ideogram.studio.IdeogramStudio"
APP_NAME = "Ideogram Studio"
