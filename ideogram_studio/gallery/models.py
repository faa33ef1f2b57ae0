"""Plain value types the gallery hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .metadata import IndexFields
from .query import Cursor

#: An image named by its index id (what the grid holds) or its content hash (what lasts).
ImageRef = int | str


#: The culling flag of an image (Lightroom's P / X / U).
FLAG_PICK = 1
FLAG_NONE = 0
FLAG_REJECT = -1

@dataclass(frozen=True)
class StoredImage:
    hash: str
    path: Path
    width: int
    height: int
    format: str
    bytes: int
    #: False when the same bytes were already in the library (nothing was written).
    new: bool = True


@dataclass(frozen=True)
class ImageRow:
    """One image as the grid and the detail panel see it (metadata is fetched separately)."""

    id: int
    hash: str
    path: str  # relative to the data folder
    width: int
    height: int
    format: str
    bytes: int
    created_at: datetime
    added_at: datetime
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
    favourite: bool
    rating: int
    trashed_at: datetime | None
    tags: tuple[str, ...]
    #: 1 picked, -1 rejected, 0 unflagged (see FLAG_* in gallery/index.py).
    flag: int = 0


@dataclass(frozen=True)
class Page:
    rows: list[ImageRow]
    #: Pass back as `after` for the next page; None at the end.
    next: Cursor | None


@dataclass(frozen=True)
class FacetValue:
    value: str | int | None
    count: int


@dataclass(frozen=True)
class Collection:
    id: int
    uid: str
    name: str
    parent_id: int | None
    created_at: datetime
    #: Images directly in it (not in sub-collections), trash excluded.
    count: int = 0


@dataclass(frozen=True)
class PurgeReport:
    purged: list[str] = field(default_factory=list)
    #: Still the source, mask or reference of another image: kept as hidden inputs, not deleted.
    kept: list[str] = field(default_factory=list)


@dataclass
class NewImage:
    """Everything needed to insert one image row (from a store, an import or a rebuild)."""

    hash: str
    path: str
    width: int
    height: int
    format: str
    bytes: int
    fields: IndexFields
    metadata: dict[str, Any]
    added_at: str
    favourite: bool = False
    rating: int = 0
    trashed_at: str | None = None
    tags: tuple[str, ...] = ()
    collection_uids: tuple[str, ...] = ()
    #: Overrides fields.is_input when set (an input later imported on purpose becomes visible).
    is_input: bool | None = None
    flag: int = 0
