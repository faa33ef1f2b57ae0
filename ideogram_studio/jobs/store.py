"""What the queue needs from storage. The gallery implements it (see gallery_store.py);
tests may use an in-memory one. Every method is blocking I/O: the queue calls them in a thread.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from ..api.responses import GeneratedImage
from .model import Job


class JobStore(Protocol):
    def store_input(self, data: bytes, *, role: str) -> str:
        """Store an input image once; return its content hash."""

    def read_input(self, image_hash: str) -> bytes:
        """The bytes of a stored image (for re-running a job from the journal)."""

    def store_result(self, data: bytes, *, job: Job, image: GeneratedImage, index: int) -> str:
        """Store a downloaded result with its metadata and lineage; return its content hash."""

    def check_space(self, images: int) -> None:
        """Raise OSError (a StorageError) if the results of `images` more images could not be kept.

        Called before a job is sent: a full disk is said before anything is billed."""

    def save_job(self, job: Job) -> None:
        """Insert or update the job's journal record (atomically)."""

    # Optional (the queue falls back to one save_job per job): `save_new_jobs(jobs)` journals a new
    # batch and `save_jobs(jobs)` the changes of many known jobs, each in one transaction.

    def load_jobs(self, states: list[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Journal records (as Job.record() wrote them), newest first."""

    def spend_since(self, timestamp: float) -> Decimal:
        """Sum of the estimated cost of billed jobs created since `timestamp`."""
