"""A gate that holds a source picker's worker inside the check of the file (imaging's `prepare`)
until the GUI thread opens it: a test then waits for events (the GUI thread's own timer opens it
once it has seen what it should), never for time."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ideogram_studio.api.images import ImageFile
from ideogram_studio.ui.modes import source_image


class Gate:
    """Holds the worker inside the check of the file until the GUI thread opens it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, wait_s: float) -> None:
        self.open = threading.Event()
        self.opened_in_time: bool | None = None
        real = source_image.prepare

        def held_prepare(image: ImageFile, *, keep_alpha: bool) -> Any:
            self.opened_in_time = self.open.wait(wait_s)
            return real(image, keep_alpha=keep_alpha)

        monkeypatch.setattr(source_image, "prepare", held_prepare)
