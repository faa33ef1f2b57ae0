"""UI tests run offscreen with real widgets (pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image


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
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on pytest-qt's running QApplication, for sync tests that wait with qtbot.

    Per ../shared/STYLE.md: never stop() it at teardown (the next test's waits would time out);
    clear its running flag and close it.
    """
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)
