"""How a sandbox behaves: link lifetime, limits, keys, clock. Fixed when the app is created."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ideogram_studio.api.limits import IN_FLIGHT_IMAGES

#: Any non-empty key is accepted (unless revoked); the app's sandbox mode sends this one.
SANDBOX_API_KEY = "sandbox"


@dataclass(frozen=True)
class SandboxConfig:
    #: Seconds a result link stays valid (the real service: hours; short here so expiry is seen).
    link_lifetime: float = 600.0
    #: Images (not requests) that may be in flight at once; more answers 429, as the service does.
    max_in_flight_images: int = IN_FLIGHT_IMAGES
    #: Base of result links, e.g. "http://127.0.0.1:9000". None: the base URL of the API request.
    #: Tests set it to serve images from another host than the API, as the real service does.
    image_base_url: str | None = None
    #: Keys answered with 401 (403 on remix/upscale) as if revoked.
    revoked_keys: frozenset[str] = frozenset()
    #: Seconds added before answering every API call (not downloads); faults add more.
    latency: float = 0.0
    #: Time source for link expiry and `created`; tests pass a controllable one.
    clock: Callable[[], float] = field(default=time.time, compare=False)
    #: HMAC key for link signatures. None: a random key per app, so links die with the server.
    signing_key: bytes | None = field(default=None, repr=False)
    #: Bounds of the in-memory image store; the oldest results are dropped first.
    max_stored_images: int = 500
    max_stored_bytes: int = 512 * 1024 * 1024
    #: v2 async generations stay `pending` this many seconds (by `clock`) after the POST.
    async_pending_seconds: float = 0.0
    #: Polls of one generation closer together than this answer 429 with Retry-After.
    poll_min_interval: float = 0.0
