"""Made ahead in quiet moments (issue 15): the other modes' panels, the Generate form's preset
picker and the library page are made one at a time while the designer leaves the studio alone,
never right after input, and each only once (what was made on first use meanwhile is kept)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from ideogram_studio.secrets import MemoryStore
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
