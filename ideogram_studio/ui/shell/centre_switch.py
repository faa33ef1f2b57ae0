"""The "Mask | Result" switch above the centre, shown in the modes that paint a mask (F6 toggles)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QToolButton, QWidget


class CentreSwitch(QWidget):
    def __init__(
        self,
        parent: QWidget,
        *,
        show_canvas: Callable[[bool], None],
        is_showing_canvas: Callable[[], bool],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("centre-switch")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        self._group = QButtonGroup(self)
        self.canvas_button = QToolButton(self)
        self.canvas_button.setText("Mask")
        self.canvas_button.setToolTip("Paint the mask on the source image (F6)")
        self.result_button = QToolButton(self)
        self.result_button.setText("Result")
        self.result_button.setToolTip("Show the latest result, before and after (F6)")
        for button in (self.canvas_button, self.result_button):
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setMinimumWidth(80)
            self._group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.canvas_button.clicked.connect(lambda: show_canvas(True))
        self.result_button.clicked.connect(lambda: show_canvas(False))
        #: F6; the window adds it to itself so that it answers wherever the focus is.
        self.toggle_action = QAction("Switch between mask and result", self, shortcut=QKeySequence("F6"))
        self.toggle_action.triggered.connect(lambda: show_canvas(not is_showing_canvas()))

    def show_state(self, canvas: bool, name: str = "Mask") -> None:
        """Check the button of what the centre shows; `name` is the canvas's (Mask, Layout)."""
        if self.canvas_button.text() != name:
            self.canvas_button.setText(name)
            self.canvas_button.setToolTip(f"Show the {name.lower()} canvas (F6)")
            self.toggle_action.setText(f"Switch between {name.lower()} and result")
        self.canvas_button.setChecked(canvas)
        self.result_button.setChecked(not canvas)
