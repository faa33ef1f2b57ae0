"""A message in the status bar in whole sentences: as many as fit the width, never one cut in the
middle; "Details…" opens the whole text and its technical side (exception, errno, file) when there
is more to read than is shown."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QSizePolicy, QToolButton, QWidget

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """The sentences of a message (split after . ! ? … followed by a space)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def fit_sentences(text: str, fits: Callable[[str], bool]) -> str | None:
    """The longest run of whole leading sentences for which `fits` holds; None if not even one."""
    best: str | None = None
    shown = ""
    for sentence in sentences(text):
        candidate = f"{shown} {sentence}".strip()
        if not fits(candidate):
            break
        best = shown = candidate
    return best


def headline(text: str) -> str:
    """What to show when not even the first sentence fits: its lead ("Generate failed")."""
    lead = text.split(":", 1)[0] if ":" in text[:60] else "Something needs your attention"
    return lead.strip().rstrip(".") + "."


class NoticeBar(QWidget):
    """The status bar's message line with its "Details…" button (objectName "notice-details")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel(self)
        self.label.setObjectName("notice-text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details_button = QToolButton(self)
        self.details_button.setObjectName("notice-details")
        self.details_button.setText("Details…")
        self.details_button.setAutoRaise(True)
        self.details_button.setToolTip("The whole message, and its technical details")
        self.details_button.clicked.connect(self.open_details)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        self._text = ""
        self._detail = ""
        self._box: QMessageBox | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.clear()

    @property
    def text(self) -> str:
        return self._text

    @property
    def detail(self) -> str:
        return self._detail

    def show_notice(self, text: str, detail: str = "", timeout_ms: int = 20000) -> None:
        self._text, self._detail = text.strip(), (detail or "").strip()
        self._refit()
        self.show()
        if timeout_ms > 0:
            self._timer.start(timeout_ms)

    def clear(self) -> None:
        self._text = self._detail = ""
        self.label.clear()
        self.details_button.hide()

    def shown_text(self) -> str:
        return self.label.text()

    def open_details(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "Details", self._text, QMessageBox.StandardButton.Close,
                          self.window())
        box.setObjectName("notice-details-box")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self._detail:
            box.setDetailedText(self._detail)
        box.open()  # (not exec(): a nested loop inside the qasync loop breaks it)
        self._box = box
        return box

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit()

    def _refit(self) -> None:
        if not self._text:
            return
        metrics = self.label.fontMetrics()
        room = max(80, self.width() - self.details_button.sizeHint().width() - 12)
        shown = fit_sentences(self._text, lambda t: metrics.horizontalAdvance(t) <= room) or headline(self._text)
        opened = sum(shown.count(c) for c in "\u2066\u2067\u2068") - shown.count("\u2069")
        shown += "\u2069" * max(0, opened)  # a cut inside isolated (server) words: close the isolate
        self.label.setText(shown)
        self.label.setToolTip(self._text if shown != self._text else "")
        self.details_button.setVisible(shown != self._text or bool(self._detail))
