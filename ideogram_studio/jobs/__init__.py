"""Jobs: the journal-first queue between the window and the API client. Qt-free."""

from __future__ import annotations

from .batches import BatchProgress, batch_progress, latest_batch
from .model import Job, JobEvent, JobEventKind, JobState
from .queue import BudgetExceededError, JobNotFoundError, JobQueue
from .store import JobStore

__all__ = [
    "BatchProgress",
    "BudgetExceededError",
    "Job",
    "JobEvent",
    "JobEventKind",
    "JobNotFoundError",
    "JobQueue",
    "JobState",
    "JobStore",
    "batch_progress",
    "latest_batch",
]
