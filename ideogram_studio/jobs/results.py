"""What happens to a job's results after the service answered: which are still to be fetched,
until when their links live, and what to tell the designer when some could not be kept.

A billed job whose images could not be downloaded or saved (a dropped connection, a full disk)
keeps its response and the indexes still to fetch. "Retry download" fetches those again from the
same links (no new request, no new charge) until the links expire.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..api.errors import ApiError, LinkExpiredError
from ..api.responses import ImageResponse, LayerizeTextResponse
from .model import Job

#: How long the service keeps result links when the link itself does not say (its guide: 24 h).
LINK_LIFETIME = 24 * 3600


def downloadable(raw: dict[str, Any]) -> ImageResponse:
    """A journalled answer as the images to fetch: a layerize answer's base image, else `data`."""
    if "text_blocks" in raw and "data" not in raw:
        return LayerizeTextResponse.from_json(raw).as_image_response()
    return ImageResponse.from_json(raw)


def links_expire_at(job: Job, response: ImageResponse) -> float:
    """When the first of this job's result links expires (its `exp`, else 24 h after sending)."""
    stamps = [img.expires_at for img in response.data if img.url and img.expires_at is not None]
    if stamps:
        return float(min(stamps))
    return (job.started_at or job.created_at) + LINK_LIFETIME


def can_retry_download(job: Job, now: float | None = None) -> bool:
    """True when a finished job has results still at the service, with links still alive."""
    if not job.state.finished or not job.pending_downloads or job.response is None:
        return False
    return job.links_expire_at is None or job.links_expire_at > (time.time() if now is None else now)


def until_text(expires_at: float | None, now: float | None = None) -> str:
    """ "for 23 h more" / "for 12 min more" (how long Retry download will still work)."""
    if expires_at is None:
        return "for a limited time"
    left = expires_at - (time.time() if now is None else now)
    if left <= 0:
        return "no longer"
    if left >= 3600:
        return f"for {int(left // 3600)} h more"
    return f"for {max(1, int(left // 60))} min more"


def _images(n: int) -> str:
    return "the image" if n == 1 else f"the {n} images"


@dataclass
class ResultFailures:
    """What went wrong with a job's results, by kind (each gets its own plain sentence)."""

    storage: list[OSError] = field(default_factory=list)
    download: list[ApiError] = field(default_factory=list)
    other: list[BaseException] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.storage or self.download or self.other)

    def error(self, job: Job) -> ResultsNotKept:
        pending = len(job.pending_downloads)
        saved = len(job.result_hashes)
        expired = any(isinstance(e, LinkExpiredError) for e in self.download)
        if self.storage:
            first = self.storage[0]
            lead = getattr(first, "message", None) or f"Your library could not be written ({first.strerror or first})."
        elif expired:
            lead = "The links to the results have expired (the service keeps them for a limited time)."
        elif self.download:
            lead = f"{_images(pending).capitalize()} could not be downloaded from the image host."
        else:
            lead = f"{_images(pending).capitalize()} could not be kept."
        parts = [lead.rstrip(".") + "."]
        if saved:
            parts.append(f"{saved} {'was' if saved == 1 else 'were'} saved.")
        if expired:
            parts.append("The request is kept: use Re-run to make new images (a new charge).")
        else:
            parts.append(
                f"{_images(pending).capitalize()} of this job {'is' if pending == 1 else 'are'} kept at the service "
                f"{until_text(job.links_expire_at)}: press Retry download to fetch "
                f"{'it' if pending == 1 else 'them'} (no new request, no new charge)."
            )
        details = [str(getattr(e, "detail", None) or e) for e in (*self.storage, *self.download, *self.other)]
        return ResultsNotKept(" ".join(parts), detail="\n".join(dict.fromkeys(details)), expired=expired)


class ResultsNotKept(ApiError):
    """Some of a billed job's results are not in the library (still at the service, if not expired)."""

    def __init__(self, message: str, *, detail: str, expired: bool) -> None:
        super().__init__(message, detail=detail)
        self.expired = expired


class NothingToDownloadError(ApiError):
    """Retry download was asked of a job that has no results left to fetch (or whose links expired)."""
