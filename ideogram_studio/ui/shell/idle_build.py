"""What the studio makes ahead of use, while the designer leaves it alone (issue 15, usable first).

The window starts with one mode's panel; the others, the Generate form's preset picker (62 tiles)
and the library page are made on first use, which is a pause of 0.1–0.6 s each on the GUI thread
(widgets are made there and nowhere else) at the moment the designer asks. `IdleBuilder` makes them
beforehand, one at a time, each only after the designer has not typed, clicked or scrolled for a
while (`QUIET_MS`), and never with a mouse button or a key held down: the pause then falls where
nobody is waiting for the window. What was made on first use meanwhile is skipped (the jobs ask the
window, which makes a thing once).

A job may instead return an InSteps (ui/common/in_steps.py; all of the studio's do: a mode's panel,
25-200 ms in one piece, the picker, 25-100 ms, the library page, 150-300 ms): its steps, each a few
milliseconds, run one per turn of the event loop, so input that arrives meanwhile waits one step, not
the whole; after input, the rest waits for a quiet moment again. What is asked for while it is being
made is finished at once by whoever asks (the window, the preset row), and made once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from ..common.in_steps import InSteps, Steps, each_in_steps

#: How long the designer has left the studio alone before the next thing is made.
QUIET_MS = 1200
#: How often the builder looks whether it may make the next thing.
LOOK_MS = 250

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.DragMove,
        QEvent.Type.Drop,
        QEvent.Type.InputMethod,
        QEvent.Type.Shortcut,
    }
)


class IdleBuilder(QObject):
    """Runs `jobs` (name, make) one at a time in the designer's quiet moments; see the module doc."""

    def __init__(
        self,
        parent: QObject,
        jobs: Iterable[tuple[str, Callable[[], object]]],
        *,
        quiet_ms: int = QUIET_MS,
        when_done: Callable[[], object] = lambda: None,
    ) -> None:
        """`when_done()`: called once, when the last job is made (the app freezes the garbage
        collector's view of what was made then: app._after_start)."""
        super().__init__(parent)
        self._jobs = list(jobs)
        self._when_done = when_done
        self._quiet_s = quiet_ms / 1000
        self._last_input = time.monotonic()
        self._pressed = 0
        #: The job being made in steps (its name), and when its last step ended.
        self._current: tuple[str, InSteps[object]] | None = None
        self._step_ended = 0.0
        self._scheduled = False  # (its next step is posted)
        #: The names of the jobs done, in order (for tests and the log).
        self.done: list[str] = []
        #: Each job's pieces: how long each held the GUI thread, in ms (the benchmarks print them).
        self.pieces: dict[str, list[float]] = {}
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(LOOK_MS)
        self._timer.timeout.connect(self._look)
        self._timer.start()

    def pending(self) -> list[str]:
        """The jobs not made yet (the one being made in steps first)."""
        current = [self._current[0]] if self._current is not None else []
        return current + [name for name, _make in self._jobs]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT:
            self._last_input = time.monotonic()
            if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress):
                self._pressed += 1
            elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.KeyRelease):
                self._pressed = max(0, self._pressed - 1)
        return False

    def _look(self) -> None:
        if self._pressed and time.monotonic() - self._last_input < 10 * self._quiet_s:
            return  # a drag or a held key (a release may go to another application: not forever)
        if time.monotonic() - self._last_input < self._quiet_s:
            return
        if self._current is None:
            name, make = self._jobs.pop(0)
            t = time.perf_counter()
            made = make()
            self.pieces[name] = [(time.perf_counter() - t) * 1000]
            if not isinstance(made, InSteps) or made.done():
                self._made(name)
                return
            self._current = (name, made)
        if not self._scheduled:
            self._scheduled = True
            self._step_ended = time.monotonic()
            self._step()

    def _step(self) -> None:
        """One step of the thing being made in steps; the next at the next turn of the event loop,
        unless input arrived meanwhile (then at the next quiet moment: `_look`)."""
        if self._current is None or self._last_input > self._step_ended:
            self._scheduled = False
            return
        name, steps = self._current
        t = time.perf_counter()
        done = steps.step()
        self.pieces[name].append((time.perf_counter() - t) * 1000)
        if done:  # (also when the window finished it: asked for meanwhile)
            self._current = None
            self._scheduled = False
            self._made(name)
            return
        self._step_ended = time.monotonic()
        QTimer.singleShot(0, self, self._step)

    def _made(self, name: str) -> None:
        self.done.append(name)
        # The thing just made took a while: the next one waits for a new quiet moment after it.
        self._last_input = time.monotonic() - self._quiet_s + LOOK_MS / 1000
        if not self._jobs:
            self.stop()
            self._when_done()

    def stop(self) -> None:
        """No more making (what is half made in steps is finished by whoever needs it)."""
        self._current = None
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def studio_jobs(window: object) -> list[tuple[str, Callable[[], object]]]:
    """What the window makes ahead: every mode's panel (registry order), the Generate form's preset
    picker, then the library page (the largest); each in steps."""
    from ..modes import registry
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)

    def panel(mode_id: str) -> Steps[None]:
        steps = window.panel_steps(mode_id)
        while not steps.step():  # (done at once if the window made it meanwhile)
            yield
        yield
        # Polished too (the style's pass over every widget), which its first show would do otherwise.
        yield from polished(window.mode_panel(mode_id))


    def preset_picker() -> Steps[None]:
        fields = window.generate_panel.fields
        choice = fields.preset_choice() if fields is not None else None
        if choice is None:
            return
        steps = choice.picker_steps()
        while not steps.step():  # (done at once if the designer opened it meanwhile)
            yield
        yield
        # Made, polished and laid out: the first open mostly only shows it.
        dialog = choice.picker().window()
        yield from polished(dialog)
        yield
        if (layout := dialog.layout()) is not None:
            layout.activate()

    def library_page() -> Steps[None]:
        steps = window.library_steps()
        while not steps.step():  # (done at once if the window made it meanwhile)
            yield
        window.prepare_library()  # the window takes it: its shortcuts, library_made

    return [
        *((f"panel {m.id}", in_steps(partial(panel, m.id))) for m in registry.MODES),
        ("preset picker", in_steps(preset_picker)),
        ("library page", in_steps(library_page)),
    ]


def in_steps(steps: Callable[[], Steps[None]]) -> Callable[[], InSteps[None]]:
    """A job made in steps, begun when the builder comes to it."""
    return lambda: InSteps(steps())


def polished(widget: QWidget) -> Steps[None]:
    """The style's pass over `widget` and its widgets (its first show's otherwise), a few milliseconds'
    worth per step: the innermost first (a widget polished is passed over when its parent is)."""
    yield from each_in_steps(reversed(widget.findChildren(QWidget)), _polish)
    yield
    if isValid(widget):
        widget.ensurePolished()


def _polish(widget: QWidget) -> None:
    if isValid(widget):  # (not deleted since the list was made)
        widget.ensurePolished()
