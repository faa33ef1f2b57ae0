"""Rendered results kept in memory behind signed links that expire, like the service's ephemeral URLs.

A link is `{base}/sandbox/images/{id}.png?exp={unix seconds}&sig={hmac}`. The signature covers the
id and the expiry, so a link cannot be extended by editing `exp`. An expired, unknown or
badly signed link is answered like a missing file (404).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

IMAGES_PATH = "/sandbox/images"


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    expires_at: int


class ImageStore:
    """A bounded store of PNG bytes; the oldest entries go first when a bound is reached."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        signing_key: bytes | None = None,
        max_images: int = 500,
        max_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        self._clock = clock
        self._key = signing_key or secrets.token_bytes(32)
        self._max_images = max_images
        self._max_bytes = max_bytes
        self._images: OrderedDict[str, StoredImage] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._images)

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def put(self, data: bytes, lifetime: float) -> tuple[str, int]:
        """Keep `data` for `lifetime` seconds; return its id and expiry (unix seconds)."""
        self._drop_expired()
        image_id = secrets.token_urlsafe(16)
        # Rounded up so a link never dies before the lifetime it was promised.
        expires_at = math.ceil(self._clock() + lifetime)
        self._images[image_id] = StoredImage(data, expires_at)
        self._bytes += len(data)
        while self._images and (len(self._images) > self._max_images or self._bytes > self._max_bytes):
            self._remove(next(iter(self._images)))
        return image_id, expires_at

    def link(self, base_url: str, image_id: str, expires_at: int) -> str:
        query = urlencode({"exp": expires_at, "sig": self._sign(image_id, expires_at)})
        return f"{base_url.rstrip('/')}{IMAGES_PATH}/{image_id}.png?{query}"

    def get(self, image_id: str, exp: str | None, sig: str | None) -> bytes | None:
        """The bytes behind a link, or None if the link is expired, forged or unknown."""
        if exp is None or sig is None or not exp.isdigit():
            return None
        expires_at = int(exp)
        if not hmac.compare_digest(sig, self._sign(image_id, expires_at)):
            return None
        if self._clock() >= expires_at:
            return None
        stored = self._images.get(image_id)
        if stored is None or stored.expires_at != expires_at:
            return None
        return stored.data

    def _sign(self, image_id: str, expires_at: int) -> str:
        message = f"{image_id}:{expires_at}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _drop_expired(self) -> None:
        now = self._clock()
        for image_id in [i for i, s in self._images.items() if now >= s.expires_at]:
            self._remove(image_id)

    def _remove(self, image_id: str) -> None:
        stored = self._images.pop(image_id)
        self._bytes -= len(stored.data)
