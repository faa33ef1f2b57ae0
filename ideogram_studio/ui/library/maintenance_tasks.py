"""Long library work — import, export, library check, rebuilding the index — off the GUI thread,
shown in an inline bar (never a modal dialog): what is being done, a progress bar, Cancel, and at
the end a report of what was done and what was skipped and why.

The work is a plain function `work(progress, cancel)` run in a thread; `progress(done, total,
path)` may be called from that thread (updates reach the bar at most every 50 ms), `cancel` is a
threading.Event the function checks between files.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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

from ..common.task_runner import EXPECTED, TaskRunner
from .reports import TaskReport

T = TypeVar("T")
Work = Callable[[Callable[[int, int, Path], None], threading.Event], T]
PROGRESS_EVERY_S = 0.05


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
        self.setStyleSheet(
            "QFrame#library-task-bar { border-radius: 6px; border: 1px solid palette(mid); }"
            "QFrame#library-task-bar[state=\"problem\"] { border: 1px solid #c77700; background: #fff4e0; }"
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        row = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: 600;")
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


class LongTasks:
    """Runs one long task at a time through the TaskRunner, reporting into a LibraryTaskBar."""

    def __init__(self, runner: TaskRunner, bar: LibraryTaskBar) -> None:
        self._runner = runner
        self._bar = bar
        self._cancel: threading.Event | None = None
        bar.cancel_requested.connect(self.cancel)

    def busy(self) -> bool:
        return self._bar.is_running()

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def start(
        self,
        title: str,
        work: Work[T],
        report: Callable[[T], TaskReport],
        *,
        cancellable: bool = True,
        done: Callable[[T], None] | None = None,
        actions: Callable[[T], tuple[str, ...]] | None = None,
        failed: Callable[[], None] | None = None,
    ) -> asyncio.Task[Any] | None:
        """Start `work` unless another task runs (then None is returned). `actions(result)`: buttons
        offered with the report (the bar's `action_clicked(label)` says which was clicked)."""
        if self.busy():
            return None
        cancel = threading.Event()
        self._cancel = cancel
        self._bar.start(title, cancellable=cancellable)
        return self._runner.run(self._run(title, work, report, cancel, done, actions, failed),
                                f"library-{title.lower().replace(' ', '-')}")

    async def _run(self, title: str, work: Work[T], report: Callable[[T], TaskReport], cancel: threading.Event,
                   done: Callable[[T], None] | None, actions: Callable[[T], tuple[str, ...]] | None,
                   failed: Callable[[], None] | None) -> None:
        loop = asyncio.get_running_loop()
        last = [0.0]
        bar = self._bar

        def progress(i: int, total: int, path: Path) -> None:
            now = time.monotonic()
            if i >= total or now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                name = Path(path).name
                loop.call_soon_threadsafe(bar.set_progress, i, total, name)

        try:
            result = await asyncio.to_thread(work, progress, cancel)
        except asyncio.CancelledError:
            cancel.set()
            raise
        except EXPECTED as exc:
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            bar.fail(title, message)
            if failed is not None:
                failed()
            return
        except BaseException:
            bar.fail(title, "Something went wrong; the details are in the log.")
            if failed is not None:
                failed()
            raise
        finally:
            if self._cancel is cancel:
                self._cancel = None
        bar.finish(report(result), actions(result) if actions is not None else ())
        if done is not None:
            done(result)

