"""Canvas first: how the studio window shares its room between the image and the panels.

- The image (viewer or mask canvas) gets most of the window. The mode panel takes its minimum
  width, no more, on first start; the jobs dock is slim and, on windows narrower than
  `JOBS_DOCK_SHOWN_FROM`, starts collapsed: its View menu entry, and the "Jobs" button in the status
  bar (with the number of unfinished jobs), bring it back.
- Tab hides every panel (modes, mode panel, jobs, strip, top bar) and shows them again, as in
  Photoshop and Krita. Tab keeps its usual meaning (next field) while the focus is in a form or a
  text field: the shortcut only answers when the focus is on the image, the strip, a bar, or nowhere.
- F11 full screen (kept with the layout: the next start opens full screen too).

The window gives this module its widgets; it holds no state of the studio but what is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

#: The jobs dock's width: a slim list (the rows elide; the whole text is in the tooltip).
JOBS_DOCK_WIDTH = 240
#: Below this window width the jobs dock starts collapsed (first start only; then the saved layout).
JOBS_DOCK_SHOWN_FROM = 1600

_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)


def is_typing(widget: QWidget | None) -> bool:
    """Whether the focus is in a field that takes text (where Tab must keep its meaning)."""
    if widget is None:
        return False
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, _TEXT_INPUTS)


class Workspace(QObject):
    """Tab (hide/show panels), F11 (full screen), the jobs dock's compact start and its status-bar
    button. `panels` are every widget Tab hides; `canvas_area` is where Tab answers (with the bars)."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        panels: list[QWidget],
        canvas_area: list[QWidget],
        jobs_dock: QDockWidget,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._panels = panels
        self._canvas_area = canvas_area
        self._jobs_dock = jobs_dock
        #: The panels that were visible when Tab hid them (shown again by the next Tab).
        self._hidden: list[QWidget] = []
        self._unfinished: Callable[[], int] = lambda: 0

        self.panels_action = QAction("Hide panels", window, checkable=True)
        self.panels_action.setShortcut(QKeySequence(Qt.Key.Key_Tab))
        self.panels_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.panels_action.setToolTip("Hide or show every panel, to see the image alone (Tab)")
        self.panels_action.toggled.connect(self.hide_panels)
        window.addAction(self.panels_action)

        self.full_screen_action = QAction("Full screen", window, checkable=True)
        self.full_screen_action.setShortcut(QKeySequence("F11"))
        self.full_screen_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.full_screen_action.setToolTip("Use the whole screen (F11)")
        self.full_screen_action.setChecked(window.isFullScreen())  # (restored with the layout)
        self.full_screen_action.toggled.connect(self.set_full_screen)
        window.addAction(self.full_screen_action)

        self.shortcuts_action = QAction("Keyboard shortcuts", window)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.shortcuts_action.setToolTip("Every shortcut of the studio (F1)")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        window.addAction(self.shortcuts_action)
        self._defaults: Callable[[], Any] = lambda: None
        self._forms: Callable[[], Iterable[Any]] = list
        self._last_defaults: Any = None

        jobs_dock.setMinimumWidth(200)
        self.jobs_button = QToolButton(window)
        self.jobs_button.setObjectName("jobs-toggle")
        self.jobs_button.setAutoRaise(True)
        self.jobs_button.setDefaultAction(jobs_dock.toggleViewAction())
        self.jobs_button.setToolTip("Show or hide the jobs panel")
        self.set_unfinished(0)
        window.installEventFilter(self)
        # ShortcutOverride (Tab) goes to the focus widget: the filter follows the focus. (On the
        # whole application it saw every event of every widget, ~25,000 for opening Settings and
        # the batch dialog three times, each through Python: ~15% of the GUI thread's time there.)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._follow_focus)
            self._follow_focus(None, app.focusWidget())

    # ---- public ------------------------------------------------------------------------------
    def panels_hidden(self) -> bool:
        return self.panels_action.isChecked()

    def hide_panels(self, hide: bool) -> None:
        if self.panels_action.isChecked() != hide:
            self.panels_action.setChecked(hide)  # toggled() comes back here
            return
        if hide:
            self._hidden = [p for p in self._panels if p.isVisible()]
            for panel in self._hidden:
                panel.hide()
        else:
            for panel in self._hidden:
                panel.show()
            self._hidden = []
        self.panels_action.setText("Show panels" if hide else "Hide panels")

    def set_full_screen(self, full: bool) -> None:
        if full and not self._window.isFullScreen():
            self._window.showFullScreen()
        elif not full and self._window.isFullScreen():
            self._window.showNormal()

    def watch_jobs(self, model: QAbstractItemModel, unfinished: Callable[[], int]) -> None:
        """Keep the jobs button's count in step with the jobs model."""
        self._unfinished = unfinished
        # A method of this QObject, not a lambda: Qt disconnects it when the window (and this) goes,
        # while the model lives on.
        for signal in (model.dataChanged, model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._recount)
        self._recount()

    @Slot()
    def _recount(self) -> None:
        self.set_unfinished(self._unfinished())

    def set_unfinished(self, count: int) -> None:
        """The status bar's jobs button says how many jobs are still to finish."""
        self.jobs_button.setText(f"Jobs ({count})" if count else "Jobs")

    def first_start_layout(self, panel: QWidget, splitter_sizes: list[int]) -> list[int]:
        """The layout when nothing is saved: the panel at its minimum, the rest to the image; a slim
        jobs dock, collapsed on a narrow window. Returns the splitter's sizes to use."""
        width = self._window.width()
        self._window.resizeDocks([self._jobs_dock], [JOBS_DOCK_WIDTH], Qt.Orientation.Horizontal)
        self._jobs_dock.setVisible(width >= JOBS_DOCK_SHOWN_FROM)
        need = max(panel.minimumWidth(), panel.minimumSizeHint().width())
        # The splitter shares out its width by these sizes' weights: the panel gets its minimum
        # whatever the width the window ends up with once shown.
        return [need, max(sum(splitter_sizes), width, 1) * 100]

    def watch_defaults(self, settings: Callable[[], Any], panels: Callable[[], Iterable[Any]]) -> None:
        """Settings' generation defaults, applied to every open form when the designer changes them."""
        from .defaults import FormDefaults

        self._defaults, self._forms = (lambda: FormDefaults.of(settings())), panels
        self._last_defaults = self._defaults()

    @Slot()
    def defaults_changed(self) -> None:
        from .defaults import apply_defaults

        now = self._defaults()
        if now != self._last_defaults:  # only what changed is set again on the open forms
            changed, self._last_defaults = now.changed_since(self._last_defaults), now
            apply_defaults(self._forms(), changed)

    def show_shortcuts(self) -> QDialog:
        """F1 / Ctrl+/: every command of the window with its shortcut, in a table (not modal)."""
        from .shortcut_reference import ShortcutReference

        dialog = ShortcutReference(self._window)
        dialog.show()
        return dialog

    # ---- events ------------------------------------------------------------------------------
    @Slot(QWidget, QWidget)
    def _follow_focus(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and old is not self._window and isValid(old):
            old.removeEventFilter(self)
        if new is not None:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            plain_tab = event.key() == Qt.Key.Key_Tab and event.modifiers() == Qt.KeyboardModifier.NoModifier
            # Accepted here, Tab goes to the focus widget (next field) instead of the shortcut.
            if plain_tab and not self._tab_hides(QApplication.focusWidget()):
                event.accept()
                return True
        elif watched is self._window and event.type() == QEvent.Type.WindowStateChange:
            full = self._window.isFullScreen()
            if self.full_screen_action.isChecked() != full:
                self.full_screen_action.setChecked(full)
        return False

    def _tab_hides(self, focus: QWidget | None) -> bool:
        """Tab toggles the panels when the focus is on the image, the strip, a bar, or nowhere in
        this window; in a form or a text field it moves to the next field as usual."""
        if focus is None or focus.window() is not self._window:
            return focus is None
        if is_typing(focus):
            return False
        if focus is self._window:
            return True
        for area in self._canvas_area:
            if area is focus or area.isAncestorOf(focus):
                return True
        return isinstance(focus.parentWidget(), QToolBar)
