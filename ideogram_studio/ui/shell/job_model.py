"""A list model over the job queue: one row per job, newest first, updated from queue events.

The queue calls listeners on the event-loop thread, which under qasync is the GUI thread, so
the model can emit dataChanged directly; a row changes in place, never with a model reset.
"""

from __future__ import annotations

import time
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ...api.enums import human_name
from ...api.pricing import format_cost
from ...jobs import Job, JobEvent, JobEventKind, JobQueue, JobState
from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import isolate, one_line, tooltip
from ..modes.quote_line import usd

STATE_LABELS = {
    JobState.QUEUED: "Queued",
    JobState.SENDING: "Generating…",
    JobState.DOWNLOADING: "Saving results…",
    JobState.DONE: "Done",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
    JobState.INTERRUPTED: "Interrupted",
    # v2 async jobs (issue 19; their own UI comes later): labelled so a journalled one never breaks the list.
    JobState.POLLING: "Waiting for Ideogram…",
    JobState.LOST: "Lost by the service",
    JobState.PAUSED: "Paused",
}


class JobRole(IntEnum):
    JOB = Qt.ItemDataRole.UserRole + 1
    STATE = Qt.ItemDataRole.UserRole + 2
    TITLE = Qt.ItemDataRole.UserRole + 3
    DETAIL = Qt.ItemDataRole.UserRole + 4
    COST = Qt.ItemDataRole.UserRole + 5
    PROGRESS = Qt.ItemDataRole.UserRole + 6
    #: The first result's thumbnail (a QPixmap), or None while it is made or when there is none.
    THUMBNAIL = Qt.ItemDataRole.UserRole + 7


def preset_name(value: str) -> str:
    """A style preset as the picker writes it ("TRAVEL_POSTER" → "Travel Poster"), never its id."""
    from ...resources.catalog import style_presets

    names = {info.preset.value: info.name for info in style_presets()}
    return names.get(value) or human_name(value)


def job_cost_text(job: Job) -> str:
    """The row's cost: once known, what the job cost (the service's usage: "charged"; else its exact
    quote: "quoted"), before that the estimate (the quote or the local table, "≈")."""
    if job.actual_cost is not None:
        text = f"{usd(job.actual_cost)} {'charged' if job.cost_source == 'service' else 'quoted'}"
    elif job.state.finished and job.state is not JobState.DONE and not job.billed and not job.maybe_billed:
        return "not billed"  # cancelled before it was sent, or refused: no estimate beside it to misread
    else:
        text = format_cost(job.estimated_cost)
    return text + (" · may have been billed" if job.maybe_billed and not job.billed else "")


def job_title(job: Job) -> str:
    prompt = getattr(job.request, "prompt", None) or ""
    label = job.tags.get("label")
    preset = job.tags.get("preset")
    if preset and job.tags.get("kind") in ("compare", "preset-preview"):
        # Words, not ids: jobs journalled as "compare: TRAVEL_POSTER" read "Compare · Travel poster".
        return f"{'Compare' if job.tags.get('kind') == 'compare' else 'Preview'} · {preset_name(str(preset))}"
    # A face swap is sent as an edit; the job's label says what the designer did.
    head = human_name(str(job.tags.get("operation_label") or job.operation.value).replace("-", "_"))
    # The prompt (and a label, which may come from a batch sheet) kept to itself: one line, isolated.
    if label:
        return f"{head} · {isolate(one_line(str(label), 120))}"
    return f"{head} · {isolate(one_line(prompt, 120))}" if prompt else head


def job_detail(job: Job) -> str:
    if job.status_note and not job.state.finished:
        return job.status_note
    if job.error:  # may quote a server's words: one line, isolated (the tooltip has it whole)
        return isolate(one_line(job.error, 300))
    n = job.image_count
    if job.state is JobState.DONE:
        saved = len(job.result_hashes)
        extra = f", {job.withheld} withheld as unsafe" if job.withheld else ""
        took = f" in {job.finished_at - job.started_at:.0f} s" if job.finished_at and job.started_at else ""
        return f"{saved} image{'s' * (saved != 1)} saved{extra}{took}"
    if job.state is JobState.DOWNLOADING:
        done, total = job.progress
        return f"Saving {done} of {total}"
    if job.state is JobState.PAUSED:
        return f"{n} image{'s' * (n != 1)} · not sent until the batch is resumed"
    if job.state is JobState.SENDING and job.started_at:
        return f"{n} image{'s' * (n != 1)} · {time.time() - job.started_at:.0f} s"
    return f"{n} image{'s' * (n != 1)}"


class JobListModel(QAbstractListModel):
    """One row per job the designer has not cleared. A retry takes the row of the job it retries
    (the row follows the new job's state); the job it replaced stays in the journal."""

    #: A result was stored: (job, image hash, its place in the service's answer). The window shows it at once.
    result_stored = Signal(object, str, int)
    #: A job finished in failure, with the designer-facing reason.
    job_failed = Signal(object, str)

    def __init__(self, queue: JobQueue, parent: Any = None) -> None:
        super().__init__(parent)
        self._queue = queue
        # Oldest first, so a retry (always newer) finds the row of the job it retries.
        oldest_first: list[Job] = []
        position: dict[str, int] = {}
        for job in sorted(queue.jobs.values(), key=lambda j: j.created_at):
            retried = position.pop(str(job.tags.get("retry_of")), None)
            if retried is None:
                retried = len(oldest_first)
                oldest_first.append(job)
            oldest_first[retried] = job
            position[job.id] = retried
        self._jobs: list[Job] = oldest_first[::-1]
        self._row_of: dict[str, int] = {}
        self._reindex()
        self._thumbs: ThumbnailCache | None = None
        self._unsubscribe = queue.subscribe(self._on_event)

    def detach(self) -> None:
        self._unsubscribe()

    def set_thumbnails(self, thumbnails: ThumbnailCache) -> None:
        """Show each job's first result as a thumbnail (the window's cache, shared with the strip)."""
        self._thumbs = thumbnails
        thumbnails.ready.connect(self._on_thumbnail_ready)

    # ---- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, JobRole.TITLE):
            return job_title(job)
        if role == Qt.ItemDataRole.ToolTipRole:
            detail = job.error if job.error and job.state.finished else job_detail(job)
            return tooltip(f"{job_title(job)}\n{STATE_LABELS[job.state]} — {detail}")
        if role == JobRole.JOB:
            return job
        if role == JobRole.STATE:
            return job.state.value
        if role == JobRole.DETAIL:
            return job_detail(job)
        if role == JobRole.COST:
            return job_cost_text(job)
        if role == JobRole.PROGRESS:
            return job.progress
        if role == JobRole.THUMBNAIL:
            if self._thumbs is None or not job.result_hashes:
                return None
            return self._thumbs.pixmap(job.result_hashes[0])
        return None

    def job_at(self, row: int) -> Job | None:
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def row_of(self, job_id: str) -> int | None:
        return self._row_of.get(job_id)

    def jobs(self) -> list[Job]:
        """The jobs shown, newest first."""
        return list(self._jobs)

    # ---- events ------------------------------------------------------------------------------
    def _on_event(self, event: JobEvent) -> None:
        job = event.job
        row = self._row_of.get(job.id)
        if event.kind is JobEventKind.ADDED and row is None:
            if self._take_row_of_retried(job):
                index = self.index(self._row_of[job.id])
                self.dataChanged.emit(index, index)
                return
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._jobs.insert(0, job)
            self._reindex()
            self.endInsertRows()
            return
        if row is None:
            return
        if event.kind is JobEventKind.REMOVED:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._jobs[row]
            self._reindex()
            self.endRemoveRows()
            return
        index = self.index(row)
        self.dataChanged.emit(index, index)
        if event.kind is JobEventKind.RESULT and event.image_hash:
            self.result_stored.emit(job, event.image_hash, event.result_index)
        elif event.kind is JobEventKind.CHANGED and job.state is JobState.FAILED and job.error:
            self.job_failed.emit(job, job.error)

    def _take_row_of_retried(self, job: Job) -> bool:
        """A retry replaces the row of the job it retries, in place."""
        retried = job.tags.get("retry_of")
        row = self._row_of.get(str(retried)) if retried else None
        if row is None:
            return False
        self._jobs[row] = job
        self._reindex()
        return True

    def _on_thumbnail_ready(self, image_hash: str) -> None:
        for row, job in enumerate(self._jobs):
            if job.result_hashes and job.result_hashes[0] == image_hash:
                index = self.index(row)
                self.dataChanged.emit(index, index, [JobRole.THUMBNAIL])

    def _reindex(self) -> None:
        self._row_of = {job.id: i for i, job in enumerate(self._jobs)}
