"""Value types the team library hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..gallery.models import ImageRow
from .search import TeamCursor

#: Columns read for a grid row (the metadata JSON is fetched separately, like the local index).
ROW_COLUMNS = (
    "images.id, images.hash, images.format, images.width, images.height, images.bytes, images.thumbnail, "
    "images.created_at, images.published_at, images.published_by, images.operation, images.source, images.prompt, "
    "images.prompt_used, images.negative_prompt, images.style_type, images.style_preset, images.palette, "
    "images.aspect_ratio, images.resolution, images.seed, images.rendering_speed, images.job_id, images.is_input, "
    "images.tags, images.rating, images.rating_mean, images.rating_count, images.trashed_at, images.trashed_by, "
    "images.version, images.changed_at, images.changed_by, "
    "(SELECT r.rating FROM ratings r WHERE r.hash = images.hash AND r.person = current_user) AS my_rating"
)


@dataclass(frozen=True)
class TeamImage:
    """One image of the team library as the grid and the detail panel see it."""

    id: int
    hash: str
    format: str
    width: int
    height: int
    bytes: int
    thumbnail: str | None
    created_at: datetime
    published_at: datetime
    published_by: str
    operation: str | None
    source: str | None
    prompt: str | None
    prompt_used: str | None
    negative_prompt: str | None
    style_type: str | None
    style_preset: str | None
    palette: str | None
    aspect_ratio: str | None
    resolution: str | None
    seed: int | None
    rendering_speed: str | None
    job_id: str | None
    is_input: bool
    tags: tuple[str, ...]
    #: The team rating: everyone's ratings, averaged and rounded (0: nobody rated it).
    rating: int
    rating_mean: float | None
    rating_count: int
    trashed_at: datetime | None
    trashed_by: str | None
    #: Bumped by every edit; send it back with an edit to be told when someone changed it first.
    version: int
    changed_at: datetime
    changed_by: str
    my_rating: int | None = None

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> TeamImage:
        values = {k: r[k] for k in cls.__dataclass_fields__ if k in r}
        values["tags"] = tuple(r.get("tags") or ())
        return cls(**values)

    def as_json(self) -> dict[str, Any]:
        """For the offline cache."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k, v in out.items():
            if isinstance(v, datetime):
                out[k] = v.isoformat()
        out["tags"] = list(self.tags)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TeamImage:
        values = dict(data)
        for k in ("created_at", "published_at", "trashed_at", "changed_at"):
            if isinstance(values.get(k), str):
                values[k] = datetime.fromisoformat(values[k])
        values["tags"] = tuple(values.get("tags") or ())
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})

    def to_image_row(self) -> ImageRow:
        """The same image in the local grid's shape (path empty: the file is on the team store)."""
        return ImageRow(
            id=self.id, hash=self.hash, path="", width=self.width, height=self.height, format=self.format,
            bytes=self.bytes, created_at=self.created_at, added_at=self.published_at, operation=self.operation,
            source=self.source, prompt=self.prompt, prompt_used=self.prompt_used,
            negative_prompt=self.negative_prompt, style_type=self.style_type, style_preset=self.style_preset,
            palette=self.palette, aspect_ratio=self.aspect_ratio, resolution=self.resolution, seed=self.seed,
            rendering_speed=self.rendering_speed, job_id=self.job_id, is_input=self.is_input,
            favourite=self.my_rating == 5, rating=self.rating, trashed_at=self.trashed_at, tags=self.tags,
        )


@dataclass(frozen=True)
class TeamPage:
    rows: list[TeamImage]
    #: Pass back as `after` for the next page; None at the end.
    next: TeamCursor | None
    #: True when the rows come from the local cache because the team is unreachable.
    cached: bool = False


@dataclass(frozen=True)
class TeamCollection:
    id: int
    name: str
    created_by: str
    version: int
    count: int = 0


@dataclass
class PublishReport:
    """What a publish run did, in numbers and sentences."""

    published: list[str] = field(default_factory=list)  # new rows
    already: list[str] = field(default_factory=list)  # someone had published the same bytes
    failed: dict[str, str] = field(default_factory=dict)  # hash → why (left out; nothing half-published)
    waiting: int = 0  # still queued (team unreachable, or cancelled)
    error: str | None = None  # why the run stopped early

    def summary(self) -> str:
        parts = []
        if self.published:
            parts.append(f"{len(self.published)} published")
        if self.already:
            parts.append(f"{len(self.already)} already in the team library")
        if self.failed:
            parts.append(f"{len(self.failed)} not published")
        if self.waiting:
            parts.append(f"{self.waiting} waiting in the queue")
        text = ", ".join(parts) or "nothing to publish"
        return f"{text[0].upper()}{text[1:]}." + (f" {self.error}" if self.error else "")


@dataclass
class PullReport:
    pulled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        parts = []
        if self.pulled:
            parts.append(f"{len(self.pulled)} copied into your library")
        if self.already:
            parts.append(f"{len(self.already)} already there")
        if self.failed:
            parts.append(f"{len(self.failed)} not copied ({next(iter(self.failed.values()))})")
        text = ", ".join(parts) or "nothing to copy"
        return f"{text[0].upper()}{text[1:]}."
