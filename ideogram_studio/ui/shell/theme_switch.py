"""The designer's theme: View ▸ Theme (System / Light / Dark) and the same choice in Settings.

Either place applies the choice at once (ui/common/theme.py's `apply_theme`); the window's
`ThemeSwitch` keeps the menu's check mark on the choice in force and saves it in the settings
(`Settings.theme`, read back before the first frame at the next start: see app.py). So the menu,
the Settings row and the file never disagree, whichever of them changed it:

- View ▸ Theme ▸ Dark: applied, checked, saved.
- Settings ▸ Theme: applied while the dialog is open (a preview); OK keeps it, Cancel puts the
  theme that was in force back (and that is saved again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QMenu, QWidget

from ...settings import Settings
from ..common import theme
from ..common.theme import CHOICE_NAMES, CHOICES, Choice

log = logging.getLogger(__name__)


def choose_theme(which: Choice) -> None:
    """Apply a theme choice to the whole application (the notifier tells everyone else)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.apply_theme(app, which)


class ThemeSwitch(QObject):
    """View ▸ Theme, and the choice saved whenever it changes. Lives as long as the window."""

    def __init__(
        self,
        window: QWidget,
        view_menu: QMenu,
        settings: Settings,
        settings_path: Path | None,
        report: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._settings = settings
        self._settings_path = settings_path
        self._report = report
        self.menu = QMenu("&Theme", window)
        self.menu.setObjectName("theme-menu")
        self.menu.setToolTip("Light or dark, or as the desktop says")
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        #: The menu's actions by choice ("system", "light", "dark").
        self.actions: dict[Choice, QAction] = {}
        for which in CHOICES:
            action = QAction(CHOICE_NAMES[which], self.menu, checkable=True)
            action.setObjectName(f"theme-{which}")
            action.setData(which)
            action.setToolTip(
                "Follow the desktop's light or dark setting" if which == "system" else f"Always the {which} theme"
            )
            self.group.addAction(action)
            self.menu.addAction(action)
            self.actions[which] = action
        self.group.triggered.connect(self._on_triggered)
        view_menu.addSeparator()
        view_menu.addMenu(self.menu)
        self._show_choice(theme.choice())
        theme.notifier().choice_changed.connect(self._on_choice_changed)

    def _show_choice(self, which: str) -> None:
        action = self.actions.get(theme.as_choice(which))
        if action is not None and not action.isChecked():
            action.setChecked(True)

    @Slot(QAction)
    def _on_triggered(self, action: QAction) -> None:
        choose_theme(theme.as_choice(action.data()))

    @Slot(str)
    def _on_choice_changed(self, which: str) -> None:
        self._show_choice(which)
        if self._settings.theme == which:
            return
        previous = self._settings.theme
        self._settings.theme = which
        try:
            self._settings.save(self._settings_path)
        except (OSError, ValueError) as exc:
            self._settings.theme = previous
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            log.warning("the theme choice could not be saved: %s", reason)
            self._report(f"The theme applies now but could not be saved for the next start ({reason}).")


class ThemeRow(QComboBox):
    """Settings' Theme field: System, Light, Dark. A choice applies at once; when its dialog is
    cancelled, the theme in force when it opened comes back."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.setObjectName("theme-combo")
        for which in CHOICES:
            self.addItem(CHOICE_NAMES[which], which)
        self.setToolTip("Light or dark; System follows the desktop's setting. Applies at once.")
        #: The choice in force when the dialog opened (Cancel goes back to it).
        self.opened_with: Choice = theme.choice()
        self.setCurrentIndex(CHOICES.index(self.opened_with))
        self.currentIndexChanged.connect(self._on_changed)
        dialog.rejected.connect(self._on_rejected)

    def choice(self) -> Choice:
        return theme.as_choice(self.currentData())

    @Slot(int)
    def _on_changed(self, _index: int) -> None:
        choose_theme(self.choice())

    @Slot()
    def _on_rejected(self) -> None:
        if theme.choice() != self.opened_with:
            choose_theme(self.opened_with)
