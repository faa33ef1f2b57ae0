"""Where a batch stands: how many of its requests are done, failed, running, waiting or paused.

A retried job replaces the one it retries (the queue tags it `retry_of`), so a batch of 12 with one
row retried is still 12 rows, counted by the retry's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Job, JobState


@dataclass(frozen=True)
class BatchProgress:
    name: str
    total: int
    done: int = 0
    #: Failed, cut short or lost: finished without their images.
    failed: int = 0
    running: int = 0
    queued: int = 0
    paused: int = 0
    #: Cancelled by the designer (said apart: it is not a failure).
    cancelled: int = 0

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.cancelled

    @property
    def over(self) -> bool:
        return self.finished >= self.total

    @property
    def can_pause(self) -> bool:
        return self.queued > 0

    @property
    def can_resume(self) -> bool:
        return self.paused > 0

    @property
    def can_cancel(self) -> bool:
        return self.running + self.queued + self.paused > 0

    def text(self) -> str:
        """One line in words: “Batch “mugs”: 3 of 12 done · 1 failed · paused”."""
        return f"Batch “{self.name}”: {self.status()}"

    def status(self) -> str:
        """Where it stands, without its name: “3 of 12 done · 1 failed · paused”."""
        parts = [f"{self.done} of {self.total} done"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        if self.paused:
            if self.running:
                parts.append(f"paused ({self.running} already sent will finish)")
            else:
                parts.append("paused")
        elif self.running or self.queued:
            parts.append(f"{self.running + self.queued} to go")
        return " · ".join(parts)


def current_jobs(jobs: Iterable[Job]) -> list[Job]:
    """The jobs that still count: those a retry replaced are left out."""
    jobs = list(jobs)
    replaced = {str(j.tags["retry_of"]) for j in jobs if j.tags.get("retry_of")}
    return [j for j in jobs if j.id not in replaced]


def batch_progress(jobs: Iterable[Job], name: str) -> BatchProgress:
    counts = {"done": 0, "failed": 0, "running": 0, "queued": 0, "paused": 0, "cancelled": 0}
    total = 0
    for job in current_jobs(j for j in jobs if j.batch == name):
        total += 1
        if job.state is JobState.DONE:
            counts["done"] += 1
        elif job.state is JobState.CANCELLED:
            counts["cancelled"] += 1
        elif job.state.finished:
            counts["failed"] += 1
        elif job.state is JobState.PAUSED:
            counts["paused"] += 1
        elif job.state is JobState.QUEUED:
            counts["queued"] += 1
        else:
            counts["running"] += 1
    return BatchProgress(name, total, **counts)


def latest_batch(jobs: Iterable[Job]) -> str | None:
    """The batch to show: the newest one with work left, else the newest one."""
    newest: dict[str, float] = {}
    open_batches: set[str] = set()
    for job in jobs:
        if job.batch is None:
            continue
        newest[job.batch] = max(newest.get(job.batch, 0.0), job.created_at)
        if not job.state.finished:
            open_batches.add(job.batch)
    if not newest:
        return None
    candidates = open_batches or set(newest)
    return max(candidates, key=lambda name: newest[name])
