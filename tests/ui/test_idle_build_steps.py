"""The mode panels and the preset picker made ahead in steps (issue 15: nothing holds the GUI thread
> 50 ms): a key typed while a panel is made ahead waits for one step, not for the panel; a mode or
the picker asked for while it is being made is finished at once, and made once.

Each test acts at the moment the thing begins to be made (its widget is given its parent: a
ChildAdded event, the same in any checkout), through the event loop, as the designer's input comes."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ideogram_studio.api.enums import StylePreset
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.common.in_steps import InSteps, each_in_steps, imported
from ideogram_studio.ui.modes import registry
from ideogram_studio.ui.modes.mode_panel import ModePanel
from ideogram_studio.ui.modes.style_choices import PICKER_MODULES
from ideogram_studio.ui.pickers.preset_model import preset_of_index
from ideogram_studio.ui.pickers.preset_picker import PresetPicker
from ideogram_studio.ui.shell.idle_build import IdleBuilder, studio_jobs

from .helpers import close_studio, open_studio


class FirstChild(QObject):
    """Calls `then` (once, at the next turn of the event loop) when `parent` is first given a child."""

    def __init__(self, parent: QWidget, then: Callable[[], None]) -> None:
        super().__init__()
        self._then: Callable[[], None] | None = then
        parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildAdded and self._then is not None:
            QTimer.singleShot(0, self._then)
            self._then = None
        return False


def _job(window: Any, name: str) -> list[tuple[str, Any]]:
    return [job for job in studio_jobs(window) if job[0] == name]


def test_a_key_typed_while_a_panel_is_made_ahead_reaches_the_prompt_before_the_panel_is_made(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        prompt = window.generate_panel.prompt_edit
        stack = window.generate_panel.parentWidget()
        typed: list[tuple[str, bool]] = []  # (the prompt's text, Remix's panel made?) as the key lands

        class Probe(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if watched is prompt and event.type() == QEvent.Type.KeyRelease:
                    typed.append((prompt.toPlainText(), window.made_panel("remix") is not None))
                return False

        def type_a() -> None:  # as the window system delivers keys: posted, handled when the loop turns
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.postEvent(prompt, QKeyEvent(kind, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"))

        probe = Probe()
        prompt.installEventFilter(probe)
        prompt.setFocus()
        watch = FirstChild(stack, type_a)  # Remix's panel begins (its widget given to the modes' stack)
        builder = IdleBuilder(window, _job(window, "panel remix"), quiet_ms=0)
        qtbot.waitUntil(lambda: bool(typed), timeout=30000)
        text, made = typed[0]
        assert text.endswith("a")
        assert not made  # the key waited for a step, not for the panel
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)  # the rest in the next quiet moment
        assert builder.done == ["panel remix"] and window.made_panel("remix") is not None
        assert window.current_mode() == "generate" and prompt.toPlainText().endswith("a")
        prompt.removeEventFilter(probe)
        del watch
    finally:
        close_studio(qtbot, studio)


def test_a_mode_chosen_while_its_panel_is_made_ahead_is_finished_at_once_and_made_once(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        stack = window.generate_panel.parentWidget()
        chosen: list[bool] = []  # was the panel made when the designer chose the mode?

        def choose_edit() -> None:  # Alt+3 while the panel is under way
            chosen.append(window.made_panel("edit") is not None)
            window.set_mode("edit")

        watch = FirstChild(stack, choose_edit)
        builder = IdleBuilder(window, _job(window, "panel edit"), quiet_ms=0)
        qtbot.waitUntil(lambda: bool(chosen), timeout=30000)
        assert chosen == [False]  # chosen mid-way…
        panel = window.made_panel("edit")
        assert panel is not None and window.current_mode() == "edit"  # …and finished at once
        assert panel.source_picker is not None and panel.prompt_edit is not None and panel.fields is not None
        assert window.is_showing_canvas()  # its mask editor in the centre, as on any first use
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)
        assert builder.done == ["panel edit"]
        assert window.mode_panel("edit") is panel
        edits = [p for p in stack.findChildren(ModePanel) if p.objectName() == "mode-edit"]
        assert edits == [panel]  # one panel
        del watch
    finally:
        close_studio(qtbot, studio)


def test_the_preset_picker_opened_while_it_is_made_ahead_shows_every_preset_and_is_made_once(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore(), library=False)
    try:
        window = studio.window
        fields = window.generate_panel.fields
        choice = fields.preset_choice()
        assert choice is not None and not choice.is_made()
        opened: list[bool] = []  # was the picker made when the designer opened it?

        def open_picker() -> None:
            opened.append(choice.is_made())
            choice.button.click()

        watch = FirstChild(fields, open_picker)  # the picker's dialog begins (a child of the form)
        builder = IdleBuilder(window, _job(window, "preset picker"), quiet_ms=0)
        qtbot.waitUntil(lambda: bool(opened), timeout=30000)
        assert opened == [False]
        picker = choice.picker()
        dialog = picker.window()
        assert isinstance(dialog, QDialog) and dialog.isVisible()
        shown = [preset_of_index(picker.proxy().index(row, 0)) for row in range(picker.proxy().rowCount())]
        assert sorted(p.value for p in shown if p is not None) == sorted(p.value for p in StylePreset)
        assert len(shown) == len(StylePreset) + 1 == 63  # every preset once, and "None"
        qtbot.waitUntil(lambda: not builder.pending(), timeout=30000)
        assert builder.done == ["preset picker"] and choice.picker() is picker
        assert fields.findChildren(PresetPicker) == [picker] and len(fields.findChildren(QDialog)) == 1
        dialog.hide()
        del watch
    finally:
        close_studio(qtbot, studio)


def test_every_module_named_for_a_step_exists() -> None:
    # (a name that does not would fail in the designer's quiet moment, not here)
    for name in [*PICKER_MODULES, *(n for m in registry.MODES for n in (*m.modules_in_worker, *m.modules))]:
        importlib.import_module(name)


def test_modules_imported_in_steps_and_in_a_worker_finish_at_once_when_asked() -> None:
    steps = InSteps(imported(["json", "ideogram_studio.ui.modes.field_widgets"], in_worker=["colorsys"]))
    assert not steps.done()
    steps.finish()
    assert {"json", "colorsys", "ideogram_studio.ui.modes.field_widgets"} <= set(sys.modules)


def test_many_small_pieces_are_done_a_few_per_step_and_all_of_them() -> None:
    done: list[int] = []
    steps = InSteps(each_in_steps(range(10), done.append, budget_s=0))  # (one per step)
    assert not steps.step() and done == [0]
    steps.finish()
    assert done == list(range(10)) and steps.taken == 10
