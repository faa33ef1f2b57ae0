"""The detail panel's culling row: Pick / Reject, 1–5 stars and Favourite of the image shown, as the
grid's keys set them (P / X / U, 0–5, F). It shows the row's values and asks for changes; the page
writes them through the session (undoable)."""

from __future__ import annotations

import functools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from ...gallery.models import FLAG_NONE, FLAG_PICK, FLAG_REJECT


class CullingRow(QWidget):
    #: The flag asked for (1 pick, -1 reject, 0 unflag: a second click on a lit flag unflags).
    flag_requested = Signal(int)
    #: Stars asked for (0 clears: a click on the lit highest star).
    rating_requested = Signal(int)
    favourite_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("culling-row")
        self._flag = FLAG_NONE
        self._stars = 0
        self._favourite = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.pick_button = self._toggle("✓ Pick", "Pick (P); click again to unflag (U)")
        self.reject_button = self._toggle("✕ Reject", "Reject (X); click again to unflag (U)")
        self.pick_button.clicked.connect(lambda: self._flag_clicked(FLAG_PICK))
        self.reject_button.clicked.connect(lambda: self._flag_clicked(FLAG_REJECT))
        row.addWidget(self.pick_button)
        row.addWidget(self.reject_button)
        row.addSpacing(8)
        self.star_buttons: list[QToolButton] = []
        for n in range(1, 6):
            star = self._toggle("☆", f"{n} star{'s' if n > 1 else ''} ({n}); click the last lit star to clear (0)")
            star.setObjectName(f"star-{n}")
            star.setAutoRaise(True)
            star.clicked.connect(functools.partial(self._star_clicked, n))
            self.star_buttons.append(star)
            row.addWidget(star)
        row.addSpacing(8)
        self.favourite_button = self._toggle("♡", "Favourite (F or .)")
        self.favourite_button.setAutoRaise(True)
        self.favourite_button.clicked.connect(self._favourite_clicked)
        row.addWidget(self.favourite_button)
        row.addStretch(1)

    def set_marks(self, flag: int, stars: int, favourite: bool) -> None:
        """Show an image's values (the buttons only reflect them: a click asks, the row follows)."""
        self._flag, self._stars, self._favourite = flag, stars, favourite
        self.pick_button.setChecked(flag == FLAG_PICK)
        self.reject_button.setChecked(flag == FLAG_REJECT)
        for n, star in enumerate(self.star_buttons, start=1):
            star.setChecked(n <= stars)
            star.setText("★" if n <= stars else "☆")
        self.favourite_button.setChecked(favourite)
        self.favourite_button.setText("♥" if favourite else "♡")

    def marks(self) -> tuple[int, int, bool]:
        return self._flag, self._stars, self._favourite

    def set_flag_available(self, available: bool) -> None:
        """A library without pick/reject flags (the team's) hides them."""
        self.pick_button.setVisible(available)
        self.reject_button.setVisible(available)

    def set_rating_available(self, available: bool) -> None:
        for star in self.star_buttons:
            star.setVisible(available)

    def set_favourite_available(self, available: bool) -> None:
        self.favourite_button.setVisible(available)

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        return button

    # The buttons show the stored values, not the click: each puts them back until the row is told.
    def _flag_clicked(self, flag: int) -> None:
        self.set_marks(*self.marks())
        self.flag_requested.emit(FLAG_NONE if self._flag == flag else flag)

    def _star_clicked(self, stars: int) -> None:
        self.set_marks(*self.marks())
        self.rating_requested.emit(0 if stars == self._stars else stars)

    def _favourite_clicked(self) -> None:
        self.set_marks(*self.marks())
        self.favourite_requested.emit()
