"""The team library as a library source (gallery/library_source.LibrarySource): the library page,
its grid, search syntax, side bar, detail and lineage work on it as on the local gallery.

What differs, and why:
- capabilities: ratings (your own; the grid shows the team rating), tags and trash. No
  favourites (personal: they stay local), no delete for good (only an administrator removes
  images from the team), no collections here yet, no files on this computer (pull them first).
- every edit names the version of each image as this computer last read it, so an image someone
  else changed meanwhile is not overwritten: the edit is refused with a sentence saying who
  changed it and what it looks like now, and the page shows the truth again.
- failures come out as GalleryError (what the page expects) with the team's sentence.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..gallery.errors import GalleryError
from ..gallery.library_ops import SOURCE_ROLES, ChainStep, DateCounts, DetailInfo, LibraryProblem
from ..gallery.library_source import Capability, IdPage, LibraryMaintenance
from ..gallery.models import Collection, FacetValue, ImageRow, PurgeReport
from ..gallery.query import FACETS
from ..gallery.search_syntax import Search
from .errors import TeamConflictError, TeamError, TeamNotFoundError, TeamUnreachableError
from .library import TeamLibrary
from .models import TeamImage
from .search import TeamCursor

T = TypeVar("T")
_FACETS = {"operation", "style_preset", "style_type", "palette", "aspect_ratio", "rendering_speed", "source",
           "rating", "tag"}
NO_DELETE = ("Images stay in the team library for everyone; only your studio's administrator can delete them. "
             "Move them to the trash instead.")


class TeamSourceError(GalleryError):
    """A team failure as the library page expects it; `current` holds the new state after a conflict."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


def _team_call(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except TeamConflictError as exc:
            raise TeamSourceError(str(exc), exc.current) from None
        except TeamError as exc:
            raise TeamSourceError(str(exc)) from None

    return wrapper


class TeamLibrarySource:
    """The team library behind the library page. See library_source for what each method promises."""

    name = "Team"
    capabilities = frozenset({Capability.RATING, Capability.TAGS, Capability.TRASH})
    id_page_size: int | None = 1000

    def __init__(self, library: TeamLibrary, *, problem: Callable[[], LibraryProblem | None] | None = None,
                 on_offline: Callable[[str], None] | None = None) -> None:
        """`on_offline(message)`: called (from a worker thread) when reads fall back to the cache,
        and with "" when the team answers again."""
        self.library = library
        self._problem = problem
        self._on_offline = on_offline
        self.offline = False
        self._cached: dict[int, TeamImage] = {}
        self._versions: dict[int, tuple[str, int]] = {}  # id → (hash, version) as last read
        self._lock = threading.Lock()
        self._thumbs = ThreadPoolExecutor(4, thread_name_prefix="team-thumbnail")

    # ---- state ------------------------------------------------------------------------------
    def problem(self) -> LibraryProblem | None:
        return self._problem() if self._problem is not None else None

    def reopen(self) -> None:
        self.library.db.close()

    def close(self) -> None:
        self._thumbs.shutdown(wait=False, cancel_futures=True)

    # ---- a search ------------------------------------------------------------------------------
    @_team_call
    def id_page(self, search: Search, *, after: object | None = None, limit: int | None = None) -> IdPage:
        cursor = after if isinstance(after, TeamCursor) else None
        try:
            ids, nxt = self.library.id_page(search, after=cursor, limit=limit or 100_000)
        except TeamUnreachableError as exc:
            return IdPage(self._go_offline(search, str(exc)))
        self._back_online()
        return IdPage(ids, nxt)

    @_team_call
    def count(self, search: Search) -> int:
        if self.offline:
            return len(self._cached)
        return self.library.count(search)

    @_team_call
    def position(self, search: Search, image_id: int) -> int | None:
        return self.library.position(search, image_id)

    @_team_call
    def facets(self, search: Search, fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
        if self.offline:
            return {f: [] for f in fields}
        wanted = [f for f in fields if f in _FACETS]
        found = self.library.facets(search, wanted)
        return {f: found.get(f, []) for f in fields}

    @_team_call
    def date_counts(self, search: Search) -> DateCounts:
        if self.offline:
            return DateCounts()
        return DateCounts(*self.library.date_counts(search))

    @_team_call
    def trash_count(self) -> int:
        if self.offline:
            return 0
        return self.library.trash_count()

    def collections(self) -> list[Collection]:
        return []

    @_team_call
    def tag_names(self) -> list[str]:
        if self.offline:
            return []
        return self.library.tag_names()

    # ---- images ----------------------------------------------------------------------------------
    @_team_call
    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        if self.offline:
            return [self._cached[i].to_image_row() for i in ids if i in self._cached]
        return [self._remember(r).to_image_row() for r in self.library.rows_by_id(ids)]

    # ---- offline: what this computer has cached ------------------------------------------------------
    def _go_offline(self, search: Search, message: str) -> list[int]:
        """The team is unreachable: answer from the cache (rows and thumbnails seen before)."""
        rows = self.library.cache.rows(trashed=bool(search.query.trashed), text=search.query.text)
        self._cached = {r.id: r for r in rows}
        if not self.offline and self._on_offline is not None:
            self._on_offline(message)
        self.offline = True
        return [r.id for r in rows]

    def _back_online(self) -> None:
        if self.offline:
            self.offline = False
            self._cached = {}
            if self._on_offline is not None:
                self._on_offline("")

    def team_rows(self, ids: Sequence[int]) -> list[TeamImage]:
        """The team's own rows (who published, when, everyone's ratings), for the detail panel."""
        try:
            return [self._remember(r) for r in self.library.rows_by_id(ids)]
        except TeamError as exc:
            raise TeamSourceError(str(exc)) from None

    @_team_call
    def hashes_for(self, ids: Sequence[int]) -> dict[int, str]:
        if self.offline:
            return {i: self._cached[i].hash for i in ids if i in self._cached}
        with self._lock:
            known = {i: self._versions[i][0] for i in ids if i in self._versions}
        missing = [i for i in ids if i not in known]
        if missing:
            known.update({r.id: r.hash for r in (self._remember(x) for x in self.library.rows_by_id(missing))})
        return known

    @_team_call
    def id_of(self, image_hash: str) -> int | None:
        return self.library.id_of(image_hash)

    @_team_call
    def detail(self, image_hash: str) -> DetailInfo | None:
        if self.offline:
            cached = next((r for r in self._cached.values() if r.hash == image_hash), None)
            if cached is None:
                return None
            return DetailInfo(row=cached.to_image_row(), metadata={}, parents=[], children=[],
                              chain=[ChainStep(cached.hash, cached.operation)], job=None, collections=[])
        image = self.library.get(image_hash)
        if image is None:
            return None
        self._remember(image)
        return DetailInfo(
            row=image.to_image_row(),
            metadata=self.library.metadata(image_hash),
            parents=self.library.parents(image_hash),
            children=self.library.children(image_hash),
            chain=self._chain(image),
            job=None,
            collections=[],
        )

    def _chain(self, image: TeamImage, max_depth: int = 12) -> list[ChainStep]:
        steps: list[ChainStep] = []
        seen: set[str] = set()
        current: str | None = image.hash
        while current is not None and current not in seen and len(steps) <= max_depth:
            seen.add(current)
            parents = self.library.parents(current)
            row = self.library.get(current)
            source = next((p for p in parents if p.role in SOURCE_ROLES), None)
            mask = next((p.parent for p in parents if p.role == "mask"), None)
            steps.append(ChainStep(current, row.operation if row is not None else None, mask))
            current = source.parent if source is not None else None
        steps.reverse()
        return steps

    @_team_call
    def read_bytes(self, image_hash: str) -> bytes:
        return self.library.read_bytes(image_hash)

    def submit_thumbnail(self, image_hash: str, size: int, *, force: bool = False) -> Future[Path]:
        return self._thumbs.submit(self._thumbnail, image_hash)

    @_team_call
    def _thumbnail(self, image_hash: str) -> Path:
        image = self.library.cache.get(image_hash) or self.library.get(image_hash)
        if image is not None:
            cached = self.library.cached_thumbnail(image)
            if cached is not None:
                return cached
        if image is None:
            raise TeamNotFoundError("That image is no longer in the team library.")
        return self.library.thumbnail(image)

    def path_for(self, image_hash: str) -> Path:
        raise TeamSourceError("Team images are not files on this computer: pull them into your library first.")

    def local_file(self, row: ImageRow) -> Path | None:
        return None

    # ---- writes (optimistic: each names the version last read) -------------------------------------------
    def set_favourite(self, ids: Sequence[int], value: bool) -> None:
        raise TeamSourceError("Favourites are your own: pull the images into your library to mark them.")

    def set_flag(self, ids: Sequence[int], flag: int) -> None:
        raise TeamSourceError("Picks and rejects are your own: pull the images into your library to sort them.")

    @_team_call
    def set_rating(self, ids: Sequence[int], stars: int) -> None:
        self.library.set_my_rating(list(self._hashes(ids)), stars)

    @_team_call
    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        self._bump(self.library.add_tags(list(self._hashes(ids)), tags, expected=self._expected_versions(ids)))

    @_team_call
    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        self._bump(self.library.remove_tags(list(self._hashes(ids)), tags, expected=self._expected_versions(ids)))

    @_team_call
    def trash(self, ids: Sequence[int]) -> None:
        self._bump(self.library.trash(list(self._hashes(ids)), expected=self._expected_versions(ids)))

    @_team_call
    def restore(self, ids: Sequence[int]) -> None:
        self._bump(self.library.restore(list(self._hashes(ids)), expected=self._expected_versions(ids)))

    def purge(self, ids: Sequence[int]) -> PurgeReport:
        raise TeamSourceError(NO_DELETE)

    def empty_trash(self) -> PurgeReport:
        raise TeamSourceError(NO_DELETE)

    def create_collection(self, name: str, parent_id: int | None) -> Collection:
        raise TeamSourceError("Collections of the team library are not offered yet.")

    def rename_collection(self, collection_id: int, name: str) -> None:
        raise TeamSourceError("Collections of the team library are not offered yet.")

    def delete_collection(self, collection_id: int) -> None:
        raise TeamSourceError("Collections of the team library are not offered yet.")

    def add_to_collection(self, collection_id: int, ids: Sequence[int]) -> None:
        raise TeamSourceError("Collections of the team library are not offered yet.")

    def remove_from_collection(self, collection_id: int, ids: Sequence[int]) -> None:
        raise TeamSourceError("Collections of the team library are not offered yet.")

    def maintenance(self) -> LibraryMaintenance | None:
        return None

    # ---- versions ------------------------------------------------------------------------------------
    def _remember(self, row: TeamImage) -> TeamImage:
        with self._lock:
            self._versions[row.id] = (row.hash, row.version)
        return row

    def _hashes(self, ids: Sequence[int]) -> list[str]:
        by_id = self.hashes_for(ids)
        return [by_id[i] for i in ids if i in by_id]

    def _expected_versions(self, ids: Sequence[int]) -> dict[str, int]:
        self._hashes(ids)  # reads the rows this computer has not seen yet
        with self._lock:
            return {self._versions[i][0]: self._versions[i][1] for i in ids if i in self._versions}

    def _bump(self, changed: Sequence[str]) -> None:
        """Our own edit moved these images one version on: later edits start from there."""
        done = set(changed)
        with self._lock:
            for image_id, (digest, version) in list(self._versions.items()):
                if digest in done:
                    self._versions[image_id] = (digest, version + 1)
