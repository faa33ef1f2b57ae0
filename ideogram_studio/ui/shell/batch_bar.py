"""The batch line above the jobs list: where the newest batch stands (“3 of 12 done”), with Pause,
Resume and Cancel. It reads the queue's jobs (jobs/batches.py does the counting) and says nothing when
there is no batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...jobs import BatchProgress, Job, batch_progress, latest_batch
from ..common import theme
from ..common.untrusted import tooltip


class BatchBar(QWidget):
    pause_requested = Signal(str)
    resume_requested = Signal(str)
    cancel_requested = Signal(str)

    def __init__(self, jobs: Callable[[], Iterable[Job]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.progress: BatchProgress | None = None
        self.setObjectName("batch-bar")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, theme.METRICS.space_s)
        layout.setSpacing(theme.METRICS.space_xs)
        self.label = QLabel(self)
        self.label.setObjectName("batch-progress-text")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.label)
        self.status = QLabel(self)
        self.status.setObjectName("batch-status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.setSpacing(theme.METRICS.space_s)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("batch-progress")
        self.bar.setFormat("%v of %m")
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(48)  # the slim dock: the bar gives way, never the window
        row.addWidget(self.bar, 1)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setObjectName("batch-pause")
        self.pause_button.setToolTip("Hold the batch's waiting requests back (kept paused across a restart)")
        self.pause_button.clicked.connect(self._on_pause_clicked)
        row.addWidget(self.pause_button)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("batch-cancel")
        self.cancel_button.setToolTip(
            "Cancel the rest of the batch: requests waiting or paused are never sent (nothing billed); "
            "those being made now stop"
        )
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        # Many events arrive while a batch runs: the line is counted once per burst, not per event.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    def schedule(self, *_: object) -> None:
        self._timer.start()

    def refresh(self) -> None:
        jobs = list(self._jobs())
        name = latest_batch(jobs)
        self.progress = None if name is None else batch_progress(jobs, name)
        progress = self.progress
        self.setVisible(progress is not None and progress.total > 0)
        if progress is None:
            return
        text = progress.text()
        width = max(60, self.label.width() or self.width() or 300)
        name = self.label.fontMetrics().elidedText(f"Batch “{progress.name}”", Qt.TextElideMode.ElideMiddle, width)
        self.label.setText(name)
        self.status.setText(progress.status())
        self.label.setToolTip(tooltip(text))
        self.status.setToolTip(tooltip(text))
        self.bar.setRange(0, max(1, progress.total))
        self.bar.setValue(progress.finished)
        self.bar.setAccessibleName(text)
        resume = progress.can_resume
        self.pause_button.setText("Resume" if resume else "Pause")
        self.pause_button.setToolTip(
            "Send the batch's paused requests, in row order"
            if resume
            else "Hold the batch's waiting requests back (kept paused across a restart)"
        )
        self.pause_button.setEnabled(resume or progress.can_pause)
        self.cancel_button.setEnabled(progress.can_cancel)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.schedule()

    def _on_pause_clicked(self) -> None:
        progress = self.progress
        if progress is None:
            return
        if progress.can_resume:
            self.resume_requested.emit(progress.name)
        elif progress.can_pause:
            self.pause_requested.emit(progress.name)

    def _on_cancel_clicked(self) -> None:
        if self.progress is not None and self.progress.can_cancel:
            self.cancel_requested.emit(self.progress.name)
