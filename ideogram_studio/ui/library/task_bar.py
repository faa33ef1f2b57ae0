"""The inline bar long library work reports into (never a modal dialog): what is being done, a
progress bar, Cancel, and at the end a report of what was done and what was skipped and why.
It renders the state of a LongTasks (maintenance_tasks.py) and sends Cancel back to it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..common import theme
from .maintenance_tasks import LongTasks
from .reports import TaskReport


class LibraryTaskBar(QFrame):
    """One long task at a time: its title, progress, Cancel; then its report with Close."""

    cancel_requested = Signal()
    closed = Signal()
    #: An extra action offered with the report was clicked (its label).
    action_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._running = False
        self._report: TaskReport | None = None
        self._setup_ui()
        self.hide()

    # ---- public ----------------------------------------------------------------------------------
    def follow(self, tasks: LongTasks) -> None:
        """Show `tasks`' work from now on; Cancel stops it."""
        tasks.started.connect(self._on_started)
        tasks.progressed.connect(self.set_progress)
        tasks.finished.connect(self.finish)
        self.cancel_requested.connect(tasks.cancel)

    def is_running(self) -> bool:
        return self._running

    def report(self) -> TaskReport | None:
        return self._report

    def start(self, title: str, *, cancellable: bool = True) -> None:
        self._running = True
        self._report = None
        self.title.setText(title + "…")
        self.progress.setRange(0, 0)  # busy until the first progress
        self.progress.show()
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setToolTip("" if cancellable else "This cannot be stopped halfway.")
        self.close_button.hide()
        self.details_button.hide()
        self.details.hide()
        self._clear_actions()
        self.setProperty("state", "running")
        self._restyle()
        self.show()

    def set_progress(self, done: int, total: int, text: str = "") -> None:
        if not self._running:
            return
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{done:,} / {total:,}")
        self.status.setText(text)

    def finish(self, report: TaskReport, actions: tuple[str, ...] = ()) -> None:
        self._running = False
        self._report = report
        self.title.setText(report.title)
        self.status.setText(report.summary)
        self.progress.hide()
        self.cancel_button.hide()
        self.close_button.show()
        self.details.setPlainText("\n".join(report.details))
        lines = min(8, max(1, len(report.details)))
        self.details.setFixedHeight(lines * self.details.fontMetrics().lineSpacing() + 14)
        self.details_button.setVisible(bool(report.details))
        self.details_button.setText(f"Details ({len(report.details):,})")
        self.details.setVisible(bool(report.details) and len(report.details) <= 12)
        self._clear_actions()
        for label in actions:
            b = QPushButton(label, self)
            b.setObjectName("task-action")
            b.clicked.connect(lambda _=False, text=label: self.action_clicked.emit(text))
            self._actions.addWidget(b)
        self.setProperty("state", "ok" if report.ok else "problem")
        self._restyle()
        self.show()

    def fail(self, title: str, message: str) -> None:
        self.finish(TaskReport(title, message, (), ok=False))

    # ---- building --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("library-task-bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        theme.apply_style(self, "task-bar")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        self.title = QLabel(self)
        theme.strong(self.title)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("task-status")
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("task-cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.details_button = QToolButton(self)
        self.details_button.setCheckable(False)
        self.details_button.clicked.connect(self._toggle_details)
        self.close_button = QToolButton(self)
        self.close_button.setText("Close")
        self.close_button.setObjectName("task-close")
        self.close_button.clicked.connect(self._on_close)
        self._actions = QHBoxLayout()
        row.addWidget(self.title)
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addLayout(self._actions)
        row.addWidget(self.details_button)
        row.addWidget(self.close_button)
        outer.addLayout(row)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("task-details")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        outer.addWidget(self.details)

    def _on_started(self, title: str, cancellable: bool) -> None:
        self.start(title, cancellable=cancellable)

    def _toggle_details(self) -> None:
        self.details.setVisible(not self.details.isVisible())

    def _clear_actions(self) -> None:
        while self._actions.count():
            item = self._actions.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _restyle(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText("Stopping after the current file…")
        self.cancel_requested.emit()

    def _on_close(self) -> None:
        self.hide()
        self.closed.emit()
