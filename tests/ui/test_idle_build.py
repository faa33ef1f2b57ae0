"""Made ahead in quiet moments (issue 15): the other modes' panels, the Generate form's preset
picker and the library page are made one at a time while the designer leaves the studio alone,
never right after input, and each only once (what was made on first use meanwhile is kept)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.modes import registry
from ideogram_studio.ui.shell.idle_build import IdleBuilder, studio_jobs

from .helpers import close_studio, open_studio


def test_the_studio_makes_every_panel_the_picker_and_the_library_when_left_alone(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        edit = window.mode_panel("edit")  # asked for before: made on first use, kept
        assert [m.id for m in registry.MODES if window.made_panel(m.id) is not None] == ["generate", "edit"]
        builder = IdleBuilder(window, studio_jobs(window), quiet_ms=0)
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)
        assert builder.done == [f"panel {m.id}" for m in registry.MODES] + ["preset picker", "library page"]
        assert all(window.made_panel(m.id) is not None for m in registry.MODES)
        assert window.made_panel("edit") is edit
        fields = window.generate_panel.fields
        assert fields is not None
        choice = fields.preset_choice()
        assert choice is not None and choice.is_made()
        assert window.has_library() and not window.library.is_showing_library()
        assert window.current_mode() == "generate"  # made, not shown
    finally:
        close_studio(qtbot, studio)


def test_one_thing_at_a_time_and_nothing_right_after_input(qtbot: Any) -> None:
    made: list[str] = []
    parent = QObject()
    jobs = [("one", lambda: made.append("one")), ("two", lambda: made.append("two"))]
    patient = IdleBuilder(parent, jobs, quiet_ms=3_600_000)
    patient.eventFilter(parent, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"))
    patient._look()  # a key just pressed (and the builder itself just made): not now
    assert made == [] and patient.pending() == ["one", "two"]
    patient.stop()
    eager = IdleBuilder(parent, jobs, quiet_ms=0)
    eager._look()
    assert made == ["one"] and eager.pending() == ["two"]  # one at a time
    qtbot.waitUntil(lambda: not eager.pending())
    assert made == ["one", "two"] and eager.done == ["one", "two"]


def test_when_the_last_job_is_made_the_builder_says_so_once(qtbot: Any) -> None:
    """(The app freezes the garbage collector's view then: what was made ahead is never scanned again.)"""
    made: list[str] = []
    parent = QObject()
    jobs = [("one", lambda: made.append("one")), ("two", lambda: made.append("two"))]
    stopped = IdleBuilder(parent, jobs, quiet_ms=0, when_done=lambda: made.append("done"))
    stopped.stop()  # stopped early (the window closed): nothing is said
    builder = IdleBuilder(parent, jobs, quiet_ms=0, when_done=lambda: made.append("done"))
    builder._look()
    assert made == ["one"]
    qtbot.waitUntil(lambda: not builder.pending())
    qtbot.waitUntil(lambda: made[-1] == "done")
    assert made == ["one", "two", "done"]


def _library_job(window: Any) -> list[tuple[str, Any]]:
    return [job for job in studio_jobs(window) if job[0] == "library page"]


def test_a_key_typed_while_the_library_is_made_ahead_is_handled_before_the_library_is_finished(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        prompt = window.generate_panel.prompt_edit
        steps = window.library_steps()
        typed: list[tuple[str, bool, int]] = []  # (the prompt's text, library made?, steps taken) as the key lands

        class Probe(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if watched is prompt and event.type() == QEvent.Type.KeyRelease:
                    typed.append((prompt.toPlainText(), steps.done(), steps.taken))
                return False

        probe = Probe()
        prompt.installEventFilter(probe)
        step = steps.step

        def step_then_type() -> bool:
            # During the third step a key is typed, as the window system delivers keys: posted, handled
            # when the event loop next turns.
            done = step()
            if steps.taken == 3:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.postEvent(prompt, QKeyEvent(kind, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"))
            return done

        steps.step = step_then_type  # type: ignore[method-assign]
        builder = IdleBuilder(window, _library_job(window), quiet_ms=0)
        qtbot.waitUntil(lambda: bool(typed), timeout=30000)
        text, finished, taken = typed[0]
        assert text.endswith("a")
        assert not finished and taken == 3  # the key waited for the step it was typed in, not for the library
        assert not window.has_library()
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)  # then the rest, in the next quiet moment
        assert builder.done == ["library page"] and steps.taken > taken
        assert window.has_library() and not window.library.is_showing_library()
        prompt.removeEventFilter(probe)
    finally:
        close_studio(qtbot, studio)


def test_the_library_asked_for_while_it_is_made_in_steps_is_finished_at_once_and_made_once(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        made: list[bool] = []
        window.library_made.connect(lambda: made.append(True))
        builder = IdleBuilder(window, _library_job(window), quiet_ms=0)
        qtbot.waitUntil(lambda: window.library_steps().taken >= 3, timeout=30000)
        assert not window.has_library()
        window.library_action.trigger()  # Ctrl+L: the rest now
        assert window.has_library() and window.library.is_showing_library()
        page = window.library.page
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)
        assert builder.done == ["library page"] and made == [True]
        assert window.library.page is page
        assert [p for p in window.findChildren(LibraryPage) if p.objectName() == "library-page"] == [page]
    finally:
        close_studio(qtbot, studio)
