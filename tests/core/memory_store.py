"""An in-memory JobStore for queue tests that are about the queue, not about disks.

The real store (the gallery) has its own tests, and test_jobs_gallery.py runs the queue on it.
"""

from __future__ import annotations

import copy
import hashlib
from decimal import Decimal
from typing import Any

from ideogram_studio.api.responses import GeneratedImage
from ideogram_studio.jobs.model import Job


class MemoryJobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.results: list[tuple[str, str, int]] = []  # (job id, hash, index)
        self.fail_results_with: OSError | None = None
        self.fail_journal_with: OSError | None = None
        self.fail_space_with: OSError | None = None

    def store_input(self, data: bytes, *, role: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest

    def read_input(self, image_hash: str) -> bytes:
        return self.blobs[image_hash]

    def store_result(self, data: bytes, *, job: Job, image: GeneratedImage, index: int) -> str:
        if self.fail_results_with is not None:
            raise self.fail_results_with
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        self.results.append((job.id, digest, index))
        return digest

    def check_space(self, images: int) -> None:
        if self.fail_space_with is not None:
            raise self.fail_space_with

    def save_job(self, job: Job) -> None:
        if self.fail_journal_with is not None:
            raise self.fail_journal_with
        self.records[job.id] = copy.deepcopy(job.record())

    def load_jobs(self, states: list[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        rows = sorted(self.records.values(), key=lambda r: r["created_at"], reverse=True)
        if states is not None:
            rows = [r for r in rows if r["state"] in states]
        return [copy.deepcopy(r) for r in rows[:limit]]

    def spend_since(self, timestamp: float) -> Decimal:
        return sum(
            (
                Decimal(r["estimated_cost"])
                for r in self.records.values()
                if r["billed"] and r["estimated_cost"] and r["created_at"] >= timestamp
            ),
            Decimal(0),
        )
