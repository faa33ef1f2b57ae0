"""Faults a test can inject: slowness, error statuses, dropped connections, truncated downloads.

A fault applies to the requests whose endpoint it names (None: every API call and download) and
wears out after `times` uses (None: until cleared). Endpoints are named by path
("/v1/ideogram-v3/generate") or by its last segment ("generate", "describe"); downloads of
results are the endpoint "images".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    #: Wait `seconds` before answering (while the request holds its in-flight places).
    LATENCY = "latency"
    #: Answer `status_code` (429 with an optional Retry-After, 402, 500, 503, ...).
    STATUS = "status"
    #: Close the connection after reading the request, without any response.
    DROP = "drop"
    #: Downloads only: announce the full Content-Length, send `keep_fraction` of it, close.
    TRUNCATE = "truncate"


class FaultError(ValueError):
    """A fault description that makes no sense; the message says which part."""


@dataclass
class Fault:
    kind: FaultKind
    endpoint: str | None = None
    times: int | None = None
    seconds: float = 0.0
    status_code: int = 500
    retry_after: float | None = None
    keep_fraction: float = 0.5

    def __post_init__(self) -> None:
        try:
            self.kind = FaultKind(self.kind)
        except ValueError:
            raise FaultError(f"kind must be one of {', '.join(FaultKind)} (got {self.kind!r})") from None
        if self.times is not None and self.times < 1:
            raise FaultError("times must be at least 1 (or null for 'until cleared')")
        if self.seconds < 0:
            raise FaultError("seconds cannot be negative")
        if self.kind is FaultKind.STATUS and not 400 <= self.status_code <= 599:
            raise FaultError("status_code must be an error status (400-599)")
        if self.retry_after is not None and self.retry_after < 0:
            raise FaultError("retry_after cannot be negative")
        if not 0 <= self.keep_fraction < 1:
            raise FaultError("keep_fraction must be at least 0 and below 1")

    # ---- typed shortcuts -------------------------------------------------------------------
    @classmethod
    def latency(cls, seconds: float, *, endpoint: str | None = None, times: int | None = None) -> Fault:
        return cls(FaultKind.LATENCY, endpoint, times, seconds=seconds)

    @classmethod
    def error(
        cls,
        status_code: int,
        *,
        retry_after: float | None = None,
        endpoint: str | None = None,
        times: int | None = None,
    ) -> Fault:
        return cls(FaultKind.STATUS, endpoint, times, status_code=status_code, retry_after=retry_after)

    @classmethod
    def drop(cls, *, endpoint: str | None = None, times: int | None = None) -> Fault:
        return cls(FaultKind.DROP, endpoint, times)

    @classmethod
    def truncate(cls, *, keep_fraction: float = 0.5, times: int | None = None) -> Fault:
        return cls(FaultKind.TRUNCATE, "images", times, keep_fraction=keep_fraction)

    # ---- JSON (POST /sandbox/faults) -------------------------------------------------------
    @classmethod
    def from_json(cls, obj: Any) -> Fault:
        if not isinstance(obj, dict):
            raise FaultError("a fault is a JSON object with at least a 'kind'")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(obj) - known)
        if unknown:
            raise FaultError(f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
        if "kind" not in obj:
            raise FaultError("'kind' is required")
        try:
            return cls(**obj)
        except TypeError as exc:  # a value of the wrong type, e.g. "seconds": "slow"
            raise FaultError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, StrEnum) else v for k, v in asdict(self).items()}

    # ---- matching --------------------------------------------------------------------------
    def matches(self, endpoint_key: str) -> bool:
        if self.kind is FaultKind.TRUNCATE and endpoint_key != IMAGES_KEY:
            return False
        if self.endpoint is None:
            return True
        wanted = self.endpoint.rstrip("/")
        return endpoint_key == wanted or endpoint_key.rsplit("/", 1)[-1] == wanted.lstrip("/")

    def use(self) -> bool:
        """Count one use; True when the fault is worn out and should be removed."""
        if self.times is None:
            return False
        self.times -= 1
        return self.times <= 0


#: The endpoint key of result downloads (GET /sandbox/images/<id>.png).
IMAGES_KEY = "/sandbox/images"


@dataclass(frozen=True)
class FaultPlan:
    """What the faults say about one request: wait this long, then maybe fail this way."""

    delay: float = 0.0
    failure: Fault | None = None


def plan_for(faults: list[Fault], endpoint_key: str) -> FaultPlan:
    """Consume the faults matching a request (mutates `faults`): every latency adds up,
    the first failing fault decides the outcome."""
    delay = 0.0
    failure: Fault | None = None
    for fault in list(faults):
        if not fault.matches(endpoint_key):
            continue
        if fault.kind is FaultKind.LATENCY:
            delay += fault.seconds
        elif failure is None:
            failure = fault
        else:
            continue
        if fault.use():
            faults.remove(fault)
    return FaultPlan(delay, failure)
