"""Helpers shared by the UI tests (plain functions and classes; fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import gc
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings

from ideogram_studio.api.client import RetryPolicy
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, GenerateRequest
from ideogram_studio.sandbox import SandboxConfig
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.services import Services, Tuning
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.modes.edit import EditPanel
from ideogram_studio.ui.shell.controller import StudioController
from ideogram_studio.ui.shell.main_window import MainWindow


def wait_for(qtbot: Any, awaitable: Any, timeout: int = 15000) -> Any:
    """Run a coroutine on the qasync loop from a sync test and return its result."""
    future = asyncio.ensure_future(awaitable)
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


FAST = Tuning(sandbox=SandboxConfig(), retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))


class Studio:
    def __init__(self, window: MainWindow, services: Services) -> None:
        self.window = window
        self.services = services
        self.panel = window.generate_panel

    @property
    def sandbox(self) -> Any:
        return self.services.connection.sandbox_app.state.sandbox

    def jobs(self) -> list[Any]:
        return sorted(self.services.queue.jobs.values(), key=lambda j: j.created_at)


def open_studio(
    qtbot: Any, tmp_path: Path, secrets: MemoryStore, settings: Settings | None = None, *, library: bool = True
) -> Studio:
    """The studio as the app opens it; `library`: its library page made too, as the app does once it
    has started (app._after_start), else on first use."""
    # Earlier tests' qasync loops are garbage in reference cycles, each with its timer QObject (owned by
    # Python) still holding timers. Collected here, in the GUI thread; collected by chance in a worker
    # thread (Gallery.open below runs in one), the timer object would be destroyed with its timers left
    # registered ("QObject::~QObject: Timers cannot be stopped from another thread"), and Qt would
    # crash firing one later.
    gc.collect()
    settings = settings or Settings(data_dir=str(tmp_path / "library"))
    services = wait_for(qtbot, Services.start(settings, secrets, settings_path=tmp_path / "settings.json", tuning=FAST))
    controller = StudioController(services, TaskRunner())
    window = MainWindow(controller, ui_settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    if library:
        window.prepare_library()
    return Studio(window, services)


def close_studio(qtbot: Any, studio: Studio) -> None:
    studio.window.close()
    wait_for(qtbot, studio.window.controller.runner.cancel_all())
    if studio.window.has_library():
        studio.window.library.shutdown()
    studio.window.controller.close()
    wait_for(qtbot, studio.services.aclose())


def wait_jobs_finished(qtbot: Any, studio: Studio, count: int) -> None:
    qtbot.waitUntil(lambda: len(studio.jobs()) >= count and all(j.state.finished for j in studio.jobs()), timeout=15000)


@pytest.fixture
def qloop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on pytest-qt's running QApplication, for sync tests that wait with qtbot.

    Per ../shared/STYLE.md: never stop() it at teardown (the next test's waits would time out);
    clear its running flag and close it.
    """
    import qasync

    # Earlier tests' loops and windows, garbage in reference cycles, collected here in the GUI thread
    # (collected by chance in a worker thread, a QObject with timers warns "Timers cannot be stopped
    # from another thread", which fails whichever test runs then: see open_studio).
    gc.collect()
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


def select_row(page: LibraryPage, row: int) -> None:
    index = page.model.index(row)
    page.grid.setFocus()
    page.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def generate(qtbot: Any, studio: Studio, request: GenerateRequest | EditRequest, count: int) -> list[str]:
    wait_for(qtbot, studio.services.queue.submit(request))
    wait_jobs_finished(qtbot, studio, count)
    return studio.jobs()[-1].result_hashes


def results_of(qtbot: Any, studio: Studio, request: Any) -> list[str]:
    """Send `request` as one job; its results once they are stored and in the strip."""
    before = len(studio.jobs())
    wait_for(qtbot, studio.services.queue.submit(request))
    wait_jobs_finished(qtbot, studio, before + 1)
    hashes: list[str] = list(studio.jobs()[-1].result_hashes)
    qtbot.waitUntil(lambda: set(hashes) <= set(studio.window.recent_model.hashes()), timeout=10000)
    return hashes


def spy_on_expand(studio: Studio, monkeypatch: Any) -> list[str | None]:
    """The aspect ratios magic prompt v4 is asked for, one per Expand (the real call still answers)."""
    client = studio.services.queue.client.v2
    asked: list[str | None] = []
    real = client.magic_prompt

    async def magic_prompt(text: str, aspect_ratio: str | None = None) -> dict[str, Any]:
        asked.append(aspect_ratio)
        return await real(text, aspect_ratio)

    monkeypatch.setattr(client, "magic_prompt", magic_prompt)
    return asked


def edit_panel_with_source(qtbot: Any, studio: Studio, size: tuple[int, int]) -> EditPanel:
    """The studio in Edit with a plain source of `size` loaded as the designer's file "street.png"."""
    from PIL import Image

    studio.window.set_mode("edit")
    panel = studio.window.mode_panel("edit")
    assert isinstance(panel, EditPanel) and panel.source_picker is not None
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 120, 90)).save(buf, "PNG")
    panel.source_picker.set_image_file(ImageFile.from_bytes(buf.getvalue(), "street.png"), None, convert=False)
    qtbot.waitUntil(panel.canvas.has_image)
    return panel
