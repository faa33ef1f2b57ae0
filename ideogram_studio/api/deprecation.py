"""Deprecation signals of the service, recorded once per endpoint and offered to the designer.

A deprecated endpoint says so three ways (digest, "Status of v1"): a `Link: <...>;
rel="successor-version"` header, a `Deprecation: @<unix seconds>` header (RFC 9745) and a `notice`
field in its JSON body. Each endpoint is recorded the first time any of them shows; listeners (the
UI, the CLI) hear about it once; it is logged once. Never an error: the call itself succeeded.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeprecationNotice:
    endpoint: str
    successor: str | None = None
    since: dt.datetime | None = None
    notice: str | None = None

    @property
    def message(self) -> str:
        when = f" since {self.since:%Y-%m-%d}" if self.since else ""
        then = f"; its successor is {self.successor}" if self.successor else ""
        said = f" Ideogram says: {self.notice}" if self.notice else ""
        return f"Ideogram has deprecated {self.endpoint}{when}{then}.{said}"


def read_signals(endpoint: str, response: httpx.Response, body: Any = None) -> DeprecationNotice | None:
    """The deprecation signals of one answer, or None when it carries none."""
    successor = response.links.get("successor-version", {}).get("url")
    since: dt.datetime | None = None
    header = response.headers.get("Deprecation")
    if header:
        try:
            since = dt.datetime.fromtimestamp(int(header.strip().lstrip("@")), dt.UTC)
        except ValueError:
            since = None
    notice = body.get("notice") if isinstance(body, dict) else None
    if not isinstance(notice, str):
        notice = None
    if successor is None and header is None and notice is None:
        return None
    return DeprecationNotice(endpoint, successor, since, notice)


class DeprecationLog:
    """Thread-safe: the client records from its tasks, the UI reads from its thread."""

    def __init__(self) -> None:
        self._notices: dict[str, DeprecationNotice] = {}
        self._listeners: list[Callable[[DeprecationNotice], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[DeprecationNotice], None]) -> None:
        self._listeners.append(listener)

    @property
    def notices(self) -> list[DeprecationNotice]:
        with self._lock:
            return list(self._notices.values())

    def observe(self, endpoint: str, response: httpx.Response, body: Any = None) -> DeprecationNotice | None:
        """Record the answer's signals; returns the notice only the first time for this endpoint."""
        if endpoint in self._notices:
            return None
        notice = read_signals(endpoint, response, body)
        if notice is None:
            return None
        with self._lock:
            if endpoint in self._notices:
                return None
            self._notices[endpoint] = notice
        log.warning("%s", notice.message)
        for listener in list(self._listeners):
            try:
                listener(notice)
            except Exception:  # a broken listener must not break the call that succeeded
                log.exception("deprecation listener failed")
        return notice
