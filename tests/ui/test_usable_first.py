"""Usable first (issue 15): the restored mode's panel is made and takes typing before the services
exist (MainWindow.open_frame); what it asks for meanwhile waits in the ControllerGate and goes
through once attach() hands the controller over."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.services import Services
from ideogram_studio.settings import Settings
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.shell.controller import StudioController
from ideogram_studio.ui.shell.controller_gate import ControllerGate
from ideogram_studio.ui.shell.main_window import MainWindow
from ideogram_studio.ui.shell.result_menu import result_menu

from .helpers import FAST, close_studio, open_studio, wait_for, wait_jobs_finished


def test_the_panel_takes_typing_and_a_send_before_the_services_and_it_goes_through_after(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    gc.collect()
    settings = Settings(data_dir=str(tmp_path / "library"))
    window = MainWindow(ui_settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    panel = window.open_frame(settings)
    assert panel.objectName() == "mode-generate" and panel.isVisible()
    assert not hasattr(window, "controller")  # no service yet
    qtbot.keyClicks(panel.prompt_edit, "a fox in the snow")
    assert panel.prompt_text() == "a fox in the snow"
    assert panel.submit()  # Ctrl+Enter while the library opens: it waits
    assert window._gate.waiting() == ["submit"]

    services = wait_for(qtbot, Services.start(settings, MemoryStore(), settings_path=tmp_path / "s.json", tuning=FAST))
    controller = StudioController(services, TaskRunner())
    window.attach(controller)
    try:
        assert window.generate_panel is panel  # the same panel, wired now
        assert window._gate.waiting() == []
        wait_jobs_finished(qtbot, _Studio(services), 1)
        job = next(iter(services.queue.jobs.values()))
        assert isinstance(job.request, GenerateRequest) and job.request.prompt == "a fox in the snow"
    finally:
        window.close()
        wait_for(qtbot, controller.runner.cancel_all())
        window.library.shutdown()
        controller.close()
        wait_for(qtbot, services.aclose())


class _Studio:
    """What wait_jobs_finished reads."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def jobs(self) -> list[Any]:
        return sorted(self.services.queue.jobs.values(), key=lambda j: j.created_at)


class _Controller:
    """Records the calls the gate passes on (the real controller's names)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtGui import QImage

        class Signals(QObject):
            quote_ready = Signal(object, object)
            prompt_expanded = Signal(str, object)
            preset_preview_ready = Signal(object, QImage)
            compare_quoted = Signal(str, list, str)

        self.signals = Signals()
        self.quote_ready = self.signals.quote_ready
        self.prompt_expanded = self.signals.prompt_expanded
        self.preset_preview_ready = self.signals.preset_preview_ready
        self.compare_quoted = self.signals.compare_quoted
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self.calls.append((name, args))


def test_the_gate_keeps_the_calls_in_order_and_only_the_newest_quote(qtbot: Any) -> None:
    gate = ControllerGate()
    gate.quote("first form")
    gate.submit("request", False, None)
    gate.expand_prompt("a sentence", "generate-1", "16x9")
    gate.quote("settled form")
    gate.request_previews("a fox", ["WATERCOLOR"])
    assert gate.waiting() == ["submit", "expand_prompt", "quote", "request_previews"]
    controller = _Controller()
    answers: list[object] = []
    gate.quote_ready.connect(lambda request, quote: answers.append((request, quote)))
    gate.attach(controller)  # type: ignore[arg-type]
    assert controller.calls == [
        ("submit", ("request", False, None)),
        ("expand_prompt", ("a sentence", "generate-1", "16x9")),
        ("quote", ("settled form",)),
        ("request_previews", ("a fox", ["WATERCOLOR"])),
    ]
    gate.request_compare("a fox", ["BAUHAUS"])  # attached: passed on at once
    assert controller.calls[-1] == ("request_compare", ("a fox", ["BAUHAUS"]))
    controller.quote_ready.emit("settled form", None)  # the controller's answers come through the gate
    assert answers == [("settled form", None)]


def test_the_viewer_moves_into_the_result_area_at_attach(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        assert window.viewer.parentWidget() is not None
        assert window.result_area.isAncestorOf(window.viewer)
        pages = [window._centre_stack.widget(i) for i in range(window._centre_stack.count())]
        assert window.viewer not in pages and window.result_area in pages
        assert window._centre_stack.currentWidget() is window.result_area and not window.is_showing_canvas()
    finally:
        close_studio(qtbot, studio)


def test_the_library_page_is_made_on_first_use_and_show_in_library_selects_the_result(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        assert not window.has_library()  # attach() made no library page
        assert window.findChild(QWidget, "library-page") is None
        qtbot.keyClicks(studio.panel.prompt_edit, "a red kite over the dunes")
        assert studio.panel.submit()
        wait_jobs_finished(qtbot, studio, 1)
        qtbot.waitUntil(lambda: window.shown_image_hash() is not None, timeout=15000)
        image_hash = window.shown_image_hash()
        show = next(a for a in result_menu(window, image_hash).actions() if a.objectName() == "result-show-in-library")
        show.trigger()
        assert window.has_library() and window.library.is_showing_library()
        # The page searches once shown; the result is selected among its first results.
        qtbot.waitUntil(lambda: window.library.page.current_hash() == image_hash, timeout=10000)
        window.library_action.trigger()  # Ctrl+L's action: back to the studio
        assert not window.library.is_showing_library()
    finally:
        close_studio(qtbot, studio)


def test_ctrl_l_makes_the_library_page_the_first_time(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        assert not window.has_library()
        window.library_action.trigger()
        assert window.has_library() and window.library.is_showing_library()
        window.library_action.trigger()
        assert not window.library.is_showing_library() and not window.library_action.isChecked()
        window.library_action.trigger()
        assert window.library.is_showing_library()
    finally:
        close_studio(qtbot, studio)
