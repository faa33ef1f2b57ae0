"""Everything a sandbox remembers: stored results, injected faults, and counters tests read.

Reached as `app.state.sandbox`. It is used from the server's event loop; a lock guards the
faults because tests inject them from another thread while a real server runs.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from .config import SandboxConfig
from .faults import Fault, FaultPlan, plan_for
from .store import ImageStore


class SandboxState:
    # Counters, set by reset_counters().
    #: API calls received, by endpoint path (including refused ones).
    requests_seen: Counter[str]
    in_flight_images: int
    max_in_flight_images_seen: int
    #: Text parts of the last API call as received (repeated fields as lists, JSON as text).
    last_request_fields: dict[str, str | list[str]]
    #: File parts of the last API call: field name -> file names.
    last_request_files: dict[str, list[str]]
    #: The same parts' bytes exactly as received (tests check what left the studio); not in stats().
    last_request_file_data: dict[str, list[bytes]]
    #: Result downloads, and those that carried an Api-Key header (the client must never send one).
    image_requests: int
    image_requests_with_api_key: int

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = ImageStore(
            clock=config.clock,
            signing_key=config.signing_key,
            max_images=config.max_stored_images,
            max_bytes=config.max_stored_bytes,
        )
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.in_flight_images = 0
        #: v2 generations by id (kept across counter resets, like stored images).
        self.generations: dict[str, Any] = {}
        self.reset_counters()

    # ---- faults ----------------------------------------------------------------------------
    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take_faults(self, endpoint_key: str) -> FaultPlan:
        with self._lock:
            return plan_for(self._faults, endpoint_key)

    # ---- in-flight limit (counts images, as the service does) ------------------------------
    def try_acquire(self, images: int) -> bool:
        if self.in_flight_images + images > self.config.max_in_flight_images:
            return False
        self.in_flight_images += images
        self.max_in_flight_images_seen = max(self.max_in_flight_images_seen, self.in_flight_images)
        return True

    def release(self, images: int) -> None:
        self.in_flight_images -= images

    # ---- counters --------------------------------------------------------------------------
    def reset_counters(self) -> None:
        """Zero the counters (not what is in flight: those requests will still release it)."""
        self.requests_seen = Counter()
        self.max_in_flight_images_seen = self.in_flight_images
        self.last_request_fields = {}
        self.last_request_files = {}
        self.last_request_file_data = {}
        self.image_requests = 0
        self.image_requests_with_api_key = 0
        #: v2: price quotes answered (never generations), generations made, polls answered.
        self.quotes = 0
        #: v2 POSTs that were not price quotes, by path (what a resend would show up in).
        self.generation_requests: Counter[str] = Counter()
        self.generations_created = 0
        self.polls = 0

    def stats(self) -> dict[str, Any]:
        return {
            "requests_seen": dict(self.requests_seen),
            "in_flight_images": self.in_flight_images,
            "max_in_flight_images_seen": self.max_in_flight_images_seen,
            "last_request_fields": self.last_request_fields,
            "last_request_files": self.last_request_files,
            "image_requests": self.image_requests,
            "image_requests_with_api_key": self.image_requests_with_api_key,
            "stored_images": len(self.store),
            "stored_bytes": self.store.total_bytes,
            "faults": [f.to_json() for f in self.faults],
            "quotes": self.quotes,
            "generations_created": self.generations_created,
            "generation_requests": dict(self.generation_requests),
            "polls": self.polls,
        }
