"""Painting input held while the canvas waits for a mask, then handed on in the order it came.

While a mask put back in a worker is on its way (``mask_export``), a stroke must land on top of it,
as it did when the window froze for the load and Qt handed the queued input on afterwards. The hold
keeps copies of the mouse, tablet and key input meant for the canvas (and the shortcuts of its
commands that change the mask), and sends them on once the mask is there. The pointer moving with
no button down is not held: the brush outline keeps following it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QMouseEvent

HELD = frozenset({
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.TabletPress,
    QEvent.Type.TabletMove,
    QEvent.Type.TabletRelease,
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.Shortcut,
})  # fmt: skip


class InputHold(QObject):
    """Holds input for ``targets`` between ``start()`` and ``release()``."""

    def __init__(self, targets: list[QObject], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._targets = targets
        self._held: list[tuple[QObject, QEvent]] = []
        self._on = False

    def is_holding(self) -> bool:
        return self._on

    def start(self) -> None:
        if not self._on:
            self._on = True
            for target in self._targets:
                target.installEventFilter(self)

    def release(self) -> None:
        """Stop holding, and send what was held, in order (an event may start another hold: the rest
        then waits for that one)."""
        if not self._on:
            return
        self._on = False
        for target in self._targets:
            target.removeEventFilter(self)
        while self._held and not self._on:
            target, event = self._held.pop(0)
            QCoreApplication.sendEvent(target, event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._on or event.type() not in HELD:
            return False
        if (
            isinstance(event, QMouseEvent)
            and event.type() == QEvent.Type.MouseMove
            and event.buttons() == Qt.MouseButton.NoButton
            and not self._held
        ):
            return False
        self._held.append((watched, event.clone()))
        return True
