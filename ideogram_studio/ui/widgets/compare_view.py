"""Two images compared (issue 14): a slider (one view, the first image left of a draggable divider,
the second right of it) or side by side (two views whose zoom and pan follow each other).

Side by side, zoom and pan are synced by what the designer sees, not by pixels: both views show the
same part of their image (the same fraction of its width and height at the centre) at the same
size on screen, so two results of different sizes (a 1024 px and an upscaled 2048 px one) line up.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .viewer import ImageViewer

SLIDER = "slider"
SIDE_BY_SIDE = "side-by-side"


class _ElidedLabel(QLabel):
    """One line, cut with "…" when narrower than its text (the whole text in the tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the bar

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, self.width())))


class CompareView(QWidget):
    """Two images, as a slider or side by side; "Done" (Esc) emits `closed`."""

    closed = Signal()
    #: The way of comparing changed (SLIDER or SIDE_BY_SIDE).
    mode_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-view")
        self._names = ("", "")
        self._first, self._second = QImage(), QImage()
        self._syncing = False
        self.slider = ImageViewer(self)
        self.slider.setObjectName("compare-slider")
        self.left = ImageViewer(self)
        self.left.setObjectName("compare-left")
        self.right = ImageViewer(self)
        self.right.setObjectName("compare-right")
        sides = QSplitter(Qt.Orientation.Horizontal, self)
        sides.setChildrenCollapsible(False)
        sides.addWidget(self.left)
        sides.addWidget(self.right)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.slider)
        self._stack.addWidget(sides)
        self._sides = sides

        bar = QWidget(self)
        bar.setObjectName("compare-bar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        self.title = _ElidedLabel(bar)
        self.slider_button = self._mode_button("Slider", "One image over the other with a divider to drag", bar)
        self.side_button = self._mode_button("Side by side", "Both images, zoom and pan together", bar)
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.slider_button)
        self._modes.addButton(self.side_button)
        self.slider_button.setChecked(True)
        self.slider_button.clicked.connect(lambda: self.set_mode(SLIDER))
        self.side_button.clicked.connect(lambda: self.set_mode(SIDE_BY_SIDE))
        self.swap_action = QAction("Swap sides", self)
        self.swap_action.setShortcuts([QKeySequence("M")])
        self.swap_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.swap_action.setToolTip("Swap the two images (M)")
        self.swap_action.triggered.connect(self.swap)
        self.done_action = QAction("Done", self)
        self.done_action.setShortcuts([QKeySequence(Qt.Key.Key_Escape)])
        self.done_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.done_action.setToolTip("Back to the results (Esc)")
        self.done_action.triggered.connect(self.closed)
        self.addActions([self.swap_action, self.done_action])
        row.addWidget(self.title, 1)
        row.addWidget(self.slider_button)
        row.addWidget(self.side_button)
        for action in (self.swap_action, self.done_action):
            button = QToolButton(bar)
            button.setDefaultAction(action)
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self._stack, 1)
        for source, target in ((self.left, self.right), (self.right, self.left)):
            follow = self._follower(source, target)
            source.zoom_changed.connect(follow)
            source.fit_mode_changed.connect(follow)
            source.horizontalScrollBar().valueChanged.connect(follow)
            source.verticalScrollBar().valueChanged.connect(follow)

    # ---- public ------------------------------------------------------------------------------------
    def set_images(self, first: QImage, second: QImage, names: tuple[str, str]) -> None:
        """Compare `first` (left) with `second` (right); `names` label them (short: "A · 1024×1024")."""
        self._names = names
        self._first, self._second = first, second
        self._show()

    def images(self) -> tuple[QImage, QImage]:
        return self._first, self._second

    def names(self) -> tuple[str, str]:
        return self._names

    def mode(self) -> str:
        return SIDE_BY_SIDE if self._stack.currentWidget() is self._sides else SLIDER

    def set_mode(self, mode: str) -> None:
        side = mode == SIDE_BY_SIDE
        self._stack.setCurrentWidget(self._sides if side else self.slider)
        (self.side_button if side else self.slider_button).setChecked(True)
        (self.left if side else self.slider).setFocus()
        self.mode_changed.emit(self.mode())

    def swap(self) -> None:
        """The second image on the left, the first on the right (both ways of comparing)."""
        self._first, self._second = self._second, self._first
        self._names = (self._names[1], self._names[0])
        self._show()

    def views(self) -> tuple[ImageViewer, ImageViewer]:
        """The two views side by side (left, right)."""
        return self.left, self.right

    # ---- internals ---------------------------------------------------------------------------------
    def _show(self) -> None:
        first, second = self._first, self._second
        names = self._names
        # The slider draws the first image inside the second's rectangle (fitted, letterboxed).
        self.slider.set_compare(first, second, caption=f"{names[0]}  |  {names[1]}", labels=names)
        self.left.set_image(first, caption=names[0])
        self.right.set_image(second, caption=names[1])
        self.title.set_full_text(f"Comparing {names[0]} with {names[1]}")

    def _mode_button(self, text: str, tip: str, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(True)
        return button

    def _follower(self, source: ImageViewer, target: ImageViewer) -> Callable[..., None]:
        def follow(*_args: object) -> None:
            self.sync(source, target)

        return follow

    def sync(self, source: ImageViewer, target: ImageViewer) -> None:
        """`target` shows what `source` shows: fitted when it is, else the same part of its image at
        the same size on screen."""
        if self._syncing:
            return
        src, dst = source.image(), target.image()
        if src is None or dst is None or src.isNull() or dst.isNull():
            return
        self._syncing = True
        try:
            if source.is_fit_mode():
                if not target.is_fit_mode():
                    target.fit()
                return
            target.set_zoom(source.zoom_factor() * src.width() / dst.width())
            centre = source.map_to_image(QPointF(source.viewport().rect().center()))
            target.centerOn(
                QPointF(centre.x() / src.width() * dst.width(), centre.y() / src.height() * dst.height())
            )
        finally:
            self._syncing = False
