"""The jobs panel: every job with its state, progress, cost and the actions that fit its state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...jobs import Job, JobState
from ...jobs.results import can_retry_download
from ..common import theme
from ..common.notice import fit_sentences
from ..common.thumbnail_loader import ThumbnailCache
from .batch_bar import BatchBar
from .job_model import STATE_LABELS, JobListModel, JobRole

#: The theme colour of each state's pill.
STATE_COLOURS = {
    JobState.QUEUED: "state_neutral",
    JobState.SENDING: "state_active",
    JobState.DOWNLOADING: "state_active",
    JobState.DONE: "state_done",
    JobState.FAILED: "state_failed",
    JobState.CANCELLED: "state_neutral",
    JobState.INTERRUPTED: "state_attention",
    JobState.POLLING: "state_active",
    JobState.LOST: "state_failed",
    JobState.PAUSED: "state_attention",
}


class JobDelegate(QStyledItemDelegate):
    """Two lines per job: title on top, state pill + detail + cost below."""

    ROW_HEIGHT = 48

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(option.rect.width(), self.ROW_HEIGHT)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        job: Job = index.data(JobRole.JOB)
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        r = option.rect.adjusted(8, 4, -8, -4)
        self._paint_thumbnail(painter, QRect(r.left(), r.top(), r.height(), r.height()), index.data(JobRole.THUMBNAIL))
        r.setLeft(r.left() + r.height() + 8)
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        top = QRect(r.left(), r.top(), r.width(), r.height() // 2)
        painter.drawText(
            top,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(index.data(JobRole.TITLE), Qt.TextElideMode.ElideRight, r.width()),
        )

        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        painter.setFont(small)
        fm = painter.fontMetrics()
        bottom = QRect(r.left(), r.top() + r.height() // 2, r.width(), r.height() // 2)
        label = STATE_LABELS[job.state]
        pill_w = fm.horizontalAdvance(label) + 12
        pill = QRect(bottom.left(), bottom.center().y() - fm.height() // 2 - 1, pill_w, fm.height() + 2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(STATE_COLOURS[job.state]))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(theme.color("on_state"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)

        cost = index.data(JobRole.COST)
        cost_w = fm.horizontalAdvance(cost)
        if pill_w + cost_w + 8 > bottom.width():  # a slim dock: the cost stays in the tooltip
            cost, cost_w = "", 0
        painter.setPen(text_colour)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, cost)
        detail_rect = QRect(pill.right() + 8, bottom.top(), bottom.width() - pill_w - cost_w - 20, bottom.height())
        full = index.data(JobRole.DETAIL)
        # Whole sentences only; the rest is in the tooltip and under Details….
        def fits(text: str) -> bool:
            return fm.horizontalAdvance(text) <= detail_rect.width()

        detail = row_detail(
            full, _short_detail(job), fits, fm.elidedText(full, Qt.TextElideMode.ElideRight, detail_rect.width())
        )
        muted = QColor(text_colour)
        muted.setAlphaF(0.7)
        painter.setPen(
            muted if job.state is not JobState.FAILED or selected else theme.color("error")
        )
        painter.drawText(detail_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, detail)
        painter.restore()


    @staticmethod
    def _paint_thumbnail(painter: QPainter, cell: QRect, pixmap: QPixmap | None) -> None:
        """The first result, fitted in a square; an empty square until there is one."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("placeholder_bg"))
        painter.drawRoundedRect(cell, theme.METRICS.radius_m, theme.METRICS.radius_m)
        if pixmap is not None and not pixmap.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            size = pixmap.deviceIndependentSize().toSize().scaled(cell.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(QPoint(0, 0), size)
            target.moveCenter(cell.center())
            painter.drawPixmap(target, pixmap)
        painter.restore()


def row_detail(full: str, short: str, fits: Callable[[str], bool], elided: str) -> str:
    """What a row's detail line shows: whole sentences that fit, else its few words, else the text
    cut with "…"; nothing when not one whole word fits (never "C…": the tooltip has it all)."""
    detail = fit_sentences(full, fits) or (short if short and fits(short) else "") or elided
    return "" if detail.endswith("…") and " " not in detail.strip() else detail


def _short_detail(job: Job) -> str:
    """A few words for a row too narrow for the first sentence (the whole text: tooltip, Details…)."""
    if can_retry_download(job):
        return "Not saved yet: Retry download"
    if job.state is JobState.FAILED:
        return "Failed: see Details…"
    if job.state is JobState.INTERRUPTED:
        return "Cut short: see Details…"
    return ""


class JobsPanel(QWidget):
    """Signals carry the job id; the window's controller does the work."""

    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    #: Fetch a billed job's results again from the same links (no new request, no new charge).
    retry_download_requested = Signal(str)
    rerun_requested = Signal(str)
    show_results_requested = Signal(str)
    reuse_requested = Signal(str)
    #: A batch's name: hold its waiting requests back / send them again.
    pause_batch_requested = Signal(str)
    resume_batch_requested = Signal(str)
    cancel_batch_requested = Signal(str)
    #: Take the finished jobs off the list (the journal keeps them).
    clear_finished_requested = Signal()

    def __init__(
        self, model: JobListModel, parent: QWidget | None = None, *, thumbnails: ThumbnailCache | None = None
    ) -> None:
        super().__init__(parent)
        self._model = model
        if thumbnails is not None:
            model.set_thumbnails(thumbnails)
        self._setup_ui()
        # Elapsed seconds tick while something runs; cheap: only running rows repaint.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    # ---- public ------------------------------------------------------------------------------
    def list_view(self) -> QListView:
        return self._view

    def selected_job(self) -> Job | None:
        index = self._view.currentIndex()
        return self._model.job_at(index.row()) if index.isValid() else None

    def select_job(self, job_id: str) -> None:
        row = self._model.row_of(job_id)
        if row is not None:
            self._view.setCurrentIndex(self._model.index(row))

    # ---- set-up ------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.batch_bar = BatchBar(self._model.jobs, self)
        self.batch_bar.pause_requested.connect(self.pause_batch_requested)
        self.batch_bar.resume_requested.connect(self.resume_batch_requested)
        self.batch_bar.cancel_requested.connect(self.cancel_batch_requested)
        for signal in (self._model.dataChanged, self._model.rowsInserted, self._model.rowsRemoved):
            signal.connect(self.batch_bar.schedule)
        layout.addWidget(self.batch_bar)
        self._view = QListView(self)
        self._view.setModel(self._model)
        self._view.setItemDelegate(JobDelegate(self._view))
        self._view.setUniformItemSizes(True)
        self._view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self._view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._view.customContextMenuRequested.connect(self._on_context_menu)
        self._view.doubleClicked.connect(self._on_double_clicked)
        self._view.selectionModel().currentChanged.connect(self._update_buttons)
        self._model.dataChanged.connect(self._update_buttons)
        self._model.rowsInserted.connect(self._update_buttons)
        self._model.rowsRemoved.connect(self._update_buttons)
        layout.addWidget(self._view, 1)

        self.cancel_action = self._action("Cancel", self._on_cancel)
        self.cancel_action.setToolTip("Cancel the selected job (Shift+X cancels the running one)")
        self.cancel_running_action = self._action("Cancel running job", self._on_cancel_running)
        self.cancel_running_action.setObjectName("cancel-running-job")
        self.cancel_running_action.setShortcut(QKeySequence("Shift+X"))
        self.cancel_running_action.setToolTip("Cancel the job being made now (Shift+X)")
        self.cancel_running_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.cancel_running_action)
        self.clear_action = self._action("Clear finished", self.clear_finished_requested.emit)
        self.clear_action.setObjectName("clear-finished-jobs")
        self.clear_action.setToolTip(
            "Take finished jobs off this list (their images stay in the library; results still to download stay)"
        )
        self.retry_action = self._action("Retry", self._on_retry)
        self.retry_action.setToolTip("Send a failed, cancelled or interrupted job again")
        self.rerun_action = self._action("Run again", self._on_rerun)
        self.rerun_action.setToolTip("Run the same request again as a new job")
        self.reuse_action = self._action("Reuse settings", self._on_reuse)
        self.reuse_action.setToolTip("Fill the panel with this job's request")
        self.details_action = self._action("Details…", self._on_details)
        self.details_action.setToolTip("The whole message of this job, and its technical details")

        # Two by two: the dock stays slim (the image gets the room), no button below its size.
        buttons = QGridLayout()
        buttons.setSpacing(4)
        self._buttons: list[QPushButton] = []
        for i, action in enumerate(self._button_actions()):
            button = QPushButton(action.text(), self)
            button.setToolTip(action.toolTip())
            button.clicked.connect(action.trigger)
            button.setObjectName(f"job-{action.text().lower().replace(' ', '-')}")
            buttons.addWidget(button, i // 2, i % 2, 1, 2 if action is self.clear_action else 1)
            self._buttons.append(button)
        layout.addLayout(buttons)
        self._update_buttons()

    def menu_actions(self) -> list[QAction]:
        """The Jobs menu's share of the panel's commands."""
        return [self.cancel_action, self.cancel_running_action, self.retry_action, self.rerun_action, self.clear_action]

    def _button_actions(self) -> tuple[QAction, ...]:
        return (self.cancel_action, self.retry_action, self.rerun_action, self.reuse_action, self.clear_action)

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        return action

    # ---- slots -------------------------------------------------------------------------------
    def _update_buttons(self, *_: object) -> None:
        job = self.selected_job()
        jobs = self._model.jobs()
        self.cancel_action.setEnabled(job is not None and not job.state.finished)
        self.cancel_running_action.setEnabled(any(j.state.active for j in jobs))
        self.clear_action.setEnabled(any(j.state.finished and not can_retry_download(j) for j in jobs))
        self.retry_action.setEnabled(
            job is not None and job.state in (JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED)
        )
        # A billed job whose results are still at the service: fetch them, never send again.
        download = job is not None and can_retry_download(job)
        self.retry_action.setText("Retry download" if download else "Retry")
        self.retry_action.setToolTip(
            "Download this job's results again from the same links: no new request, no new charge"
            if download else "Send a failed, cancelled or interrupted job again"
        )
        self.rerun_action.setEnabled(job is not None and job.state.finished)
        self.reuse_action.setEnabled(job is not None)
        self.details_action.setEnabled(job is not None and bool(job.error))
        for button, action in zip(self._buttons, self._button_actions(), strict=True):
            button.setEnabled(action.isEnabled())
            button.setText(action.text())
            button.setToolTip(action.toolTip())

    def _tick(self) -> None:
        for row in range(self._model.rowCount()):
            job = self._model.job_at(row)
            if job is not None and job.state is JobState.SENDING:
                index = self._model.index(row)
                self._view.update(index)

    def running_job(self) -> Job | None:
        """The job being made now (the one sent first, when several run), as InvokeAI's Shift+X takes."""
        active = [j for j in self._model.jobs() if j.state.active]
        return min(active, key=lambda j: j.started_at or j.created_at) if active else None

    def _on_cancel(self) -> None:
        job = self.selected_job()
        if job is not None and not job.state.finished:
            self.cancel_requested.emit(job.id)

    def _on_cancel_running(self) -> None:
        job = self.running_job()
        if job is not None:
            self.cancel_requested.emit(job.id)

    def _on_retry(self) -> None:
        if (job := self.selected_job()) is not None:
            if can_retry_download(job):
                self.retry_download_requested.emit(job.id)
            else:
                self.retry_requested.emit(job.id)

    def _on_rerun(self) -> None:
        if (job := self.selected_job()) is not None:
            self.rerun_requested.emit(job.id)

    def _on_reuse(self) -> None:
        if (job := self.selected_job()) is not None:
            self.reuse_requested.emit(job.id)

    def _on_details(self) -> None:
        job = self.selected_job()
        if job is None or not job.error:
            return
        close = QMessageBox.StandardButton.Close
        box = QMessageBox(QMessageBox.Icon.Information, "Job details", job.error, close, self)
        box.setObjectName("job-details-box")
        if job.error_detail:
            box.setDetailedText(job.error_detail)
        box.open()
        self._details_box = box

    def _on_double_clicked(self, index: QModelIndex) -> None:
        job = self._model.job_at(index.row())
        if job is not None and job.result_hashes:
            self.show_results_requested.emit(job.id)

    def _on_context_menu(self, pos: QPoint) -> None:
        self._update_buttons()
        menu = QMenu(self)
        for action in (*self._button_actions()[:4], self.details_action, self.clear_action):
            menu.addAction(action)
        menu.popup(self._view.viewport().mapToGlobal(pos))
