"""Small helpers shared by the gallery modules: times, JSON, hashes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

#: Every time in the index and in metadata: UTC, fixed width, so text order is time order.
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.astimezone()  # a naive time is taken as local time
    return dt.astimezone(UTC).strftime(_ISO)


def now_iso() -> str:
    return to_iso(utcnow())


def from_iso(text: str) -> datetime:
    """Parse our own format, or any ISO 8601 time (naive means UTC). fromisoformat (which reads a
    trailing 'Z' since Python 3.11) gives what strptime(_ISO) gave, ~30x faster: a screen of library
    rows parses two times a row on a reading thread, and strptime's Python held the GIL the GUI
    thread waits for (~60% of a page of rows)."""
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def normalise_iso(text: str | None) -> str | None:
    """Any ISO time as our fixed format; None or unparsable text gives None."""
    if not text:
        return None
    try:
        return to_iso(from_iso(text))
    except ValueError:
        return None


def dumps(obj: Any) -> str:
    """Compact, key-sorted JSON (stable bytes: the same metadata gives the same file)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Any, bufsize: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(bufsize):
            h.update(chunk)
    return h.hexdigest()


def is_hash(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
