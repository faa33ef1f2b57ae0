"""A studio left alone does nothing: the form of the mode on show asked itself to lay out again and
again (its minimum width was measured by invalidating every layout, which asks for a new layout,
which measured again …): ~1,500 times a second, ~40% of a core while idle, and every worker waiting
for the GIL meanwhile. Its minimum width must still follow a row that appears."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.exceptions import TimeoutError

from ideogram_studio.secrets import MemoryStore

from .helpers import close_studio, open_studio

#: One look at the studio: what happened in this long.
WINDOW_MS = 300


class _Stillness(QObject):
    """Counts the events `watched` gets (of `kind`, or all), a window of WINDOW_MS at a time; `still`
    once a whole window saw fewer than `most`. What start-up or a switch asked for ends within a
    window or two; a loop never does."""

    def __init__(self, watched: QObject, most: int, kind: QEvent.Type | None = None) -> None:
        super().__init__()
        self.most, self.kind = most, kind
        self.seen: list[str] = []
        self.last_window: list[str] = []
        self.still = False
        self._watched = watched
        watched.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(WINDOW_MS)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # (widgets' events only: waitUntil's own polling is timers and event loops)
        if isinstance(watched, QWidget) and (self.kind is None or event.type() == self.kind):
            self.seen.append(f"{event.type().name} → {type(watched).__name__}")
        return False

    def _look(self) -> None:
        self.last_window, self.seen = self.seen, []
        if len(self.last_window) < self.most:
            self.still = True
            self._timer.stop()
            self._watched.removeEventFilter(self)


def _wait_still(qtbot: Any, watched: QObject, most: int, kind: QEvent.Type | None = None, what: str = "") -> None:
    look = _Stillness(watched, most, kind)
    try:
        qtbot.waitUntil(lambda: look.still, timeout=3000)
    except TimeoutError:
        raise AssertionError(
            f"{what}: still busy after 3 s, {len(look.last_window)} events in {WINDOW_MS} ms: {look.last_window[:12]}"
        ) from None


def test_the_form_on_show_is_still_while_nothing_happens(qtbot: Any, tmp_path: Path, qloop: Any) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        window.resize(1600, 1000)
        qtbot.waitExposed(window)
        _wait_still(qtbot, window.generate_panel.body, 2, QEvent.Type.LayoutRequest, "the Generate form's layout")
    finally:
        close_studio(qtbot, studio)


def test_the_minimum_width_follows_a_row_that_appears(qtbot: Any, tmp_path: Path, qloop: Any) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        window = studio.window
        window.resize(1600, 1000)
        qtbot.waitExposed(window)
        panel = window.generate_panel
        _wait_still(qtbot, panel.body, 2, QEvent.Type.LayoutRequest, "the Generate form's layout")
        before = panel.minimumWidth()
        wide = QLabel("W" * 120, panel.body)  # a row wider than the form
        panel.form.addWidget(wide)
        qtbot.waitUntil(lambda: panel.minimumWidth() > before + 200)
        wide.hide()
        qtbot.waitUntil(lambda: panel.minimumWidth() == before)
    finally:
        close_studio(qtbot, studio)


def test_every_mode_and_the_library_sit_still(qtbot: Any, tmp_path: Path, qloop: Any, qapp: QApplication) -> None:
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
            _wait_still(qtbot, qapp, 30, what=place)
    finally:
        close_studio(qtbot, studio)
