"""A stack of pages as wide as the page it shows needs.

QStackedWidget's minimum is its widest page's, shown or not: after a visit to a mode with a wide
form, every other mode's panel would keep that width (or be reported narrower than its hint). Here
the stack's hints are the current page's, with a floor, and follow it when the page's own minimum
changes (a row appearing in a form). Who turns the page calls updateGeometry() (not done from
currentChanged: Qt emits it while the stack is being destroyed, too).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QStackedWidget, QWidget


class PageStack(QStackedWidget):
    def __init__(self, parent: QWidget | None = None, *, min_width: int = 0) -> None:
        super().__init__(parent)
        self._min_width = min_width

    def _page_minimum(self) -> QSize | None:
        page = self.currentWidget()
        if page is None:
            return None
        hint = page.minimumSizeHint()
        # What the page says it needs: its own minimum where it set one, else its hint (as Qt's
        # layouts read it, but whatever the page's size policy).
        width = page.minimumWidth() or max(hint.width(), 0)
        height = page.minimumHeight() or max(hint.height(), 0)
        return QSize(max(width, self._min_width), height)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            # A page's minimum changed: Qt's stack keeps the widest page's, unchanged, and would
            # not tell its parent (the splitter) that this stack's minimum did.
            self.updateGeometry()
        return super().event(event)

    def minimumSizeHint(self) -> QSize:
        page = self._page_minimum()
        return page if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        minimum = self._page_minimum()
        if page is None or minimum is None:
            return super().sizeHint()
        return page.sizeHint().expandedTo(minimum)
