"""A pop-up placed under the control that opened it, kept whole on that control's screen: moved
left at the right edge, and above the control when there is no room below."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget


def place_under(popup: QWidget, anchor: QWidget) -> QPoint:
    """Move `popup` (sized already) under `anchor`'s bottom-left corner, within the screen."""
    below = anchor.mapToGlobal(anchor.rect().bottomLeft())
    screen = anchor.screen()
    size = popup.frameGeometry().size().expandedTo(popup.size())
    x, y = below.x(), below.y()
    if screen is not None:
        area = screen.availableGeometry()
        x = max(area.left(), min(x, area.right() + 1 - size.width()))
        if y + size.height() > area.bottom() + 1:
            above = anchor.mapToGlobal(anchor.rect().topLeft()).y() - size.height()
            y = max(area.top(), above)
    where = QPoint(x, y)
    popup.move(where)
    return where
