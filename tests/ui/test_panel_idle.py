"""A studio left alone does nothing: the form of the mode on show asked itself to lay out again and
again (its minimum width was measured by invalidating every layout, which asks for a new layout,
which measured again …): ~1,500 times a second, ~40% of a core while idle, and every worker waiting
for the GIL meanwhile. Its minimum width must still follow a row that appears."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel

from ideogram_studio.secrets import MemoryStore

from .helpers import close_studio, open_studio


class _LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_the_form_on_show_is_still_while_nothing_happens(qtbot: Any, tmp_path: Path, qloop: Any) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        window.resize(1600, 1000)
        qtbot.waitExposed(window)
        panel = window.generate_panel
        qtbot.wait(300)  # (what start-up asked for is done)
        requests = _LayoutRequests()
        panel.body.installEventFilter(requests)
        cpu = time.thread_time()
        qtbot.wait(500)
        cpu = time.thread_time() - cpu
        assert requests.count <= 2, f"the form laid itself out {requests.count} times in 0.5 s of nothing"
        assert cpu < 0.2, f"the GUI thread was busy {cpu * 1000:.0f} ms of 500 ms idle"  # (~200 ms before)
    finally:
        close_studio(qtbot, studio)


def test_the_minimum_width_follows_a_row_that_appears(qtbot: Any, tmp_path: Path, qloop: Any) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        window.resize(1600, 1000)
        qtbot.waitExposed(window)
        panel = window.generate_panel
        qtbot.wait(100)
        before = panel.minimumWidth()
        wide = QLabel("W" * 120, panel.body)  # a row wider than the form
        panel.form.addWidget(wide)
        qtbot.waitUntil(lambda: panel.minimumWidth() > before + 200)
        wide.hide()
        qtbot.waitUntil(lambda: panel.minimumWidth() == before)
    finally:
        close_studio(qtbot, studio)


class _AllEvents(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.kinds: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        self.kinds.append(f"{event.type().name} → {type(watched).__name__}")
        return False


def test_every_mode_and_the_library_sit_still(qtbot: Any, tmp_path: Path, qloop: Any, qapp: Any) -> None:
    # The same kind of loop anywhere else (a paint asking for a paint, a layout for a layout) would
    # show as a stream of events while nothing happens.
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        window.resize(1600, 1000)
        qtbot.waitExposed(window)
        for place in ["generate", "remix", "edit", "face-swap", "reframe", "background", "library"]:
            if place == "library":
                window.library_action.setChecked(True)
            else:
                window.set_mode(place)
            qtbot.wait(300)  # (what showing it asked for is done)
            events = _AllEvents()
            qapp.installEventFilter(events)
            qtbot.wait(400)
            qapp.removeEventFilter(events)
            assert len(events.kinds) < 40, f"{place}: {len(events.kinds)} events in 0.4 s idle: {events.kinds[:12]}"
    finally:
        close_studio(qtbot, studio)
