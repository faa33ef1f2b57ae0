"""What a library source answers: the one interface the library page's view-model
(ui/library/session.py, `LibrarySession`) talks to. The local gallery is one source
(`local_source.LocalLibrarySource`); a team library (PostgreSQL index + S3 files) can be another,
behind the same page.

Rules for an implementation:
- Plain Python, no Qt. Every method is synchronous and is called on a worker thread of the
  session (searches, counts, rows and writes each on a thread of their own, so two reads may run
  at the same time; writes come one at a time, in order). Never on the GUI thread, except the
  few marked "quick".
- Images are known by an `int` id (unique within the source; the grid holds only these) and by
  their content hash (`str`, what the rest of the app passes around).
- A failure the designer should read raises an error the UI expects (GalleryError or OSError,
  see ui/common/task_runner.EXPECTED) whose text is a sentence; the UI shows it and loses nothing.
- Searches are parsed searches (search_syntax.Search: the ImageQuery plus words and tags left
  out and a highest rating). A source may ignore filters it has no column for.
- What a source cannot do it leaves out of `capabilities`; the UI hides those actions and never
  calls the matching writes.

Showing another library: wrap it in a class with these methods (`isinstance(x, LibrarySource)`
checks the names; mypy checks the signatures where it is passed), then
`LibraryPage(None, runner, session=LibrarySession(source, runner))`: the same page, grid, side bar,
detail panel, undo and messages. A source that pages (`id_page_size`) gets its first page shown at
once and the rest appended while the search is current; `position()` places new results.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from .importer import Cancel, ImportReport, Namer, Progress
from .library_ops import DateCounts, DetailInfo, ExportOutcome, LibraryProblem
from .maintenance import IntegrityReport, RebuildReport
from .models import Collection, FacetValue, ImageRow, PurgeReport
from .query import FACETS
from .search_syntax import Search


class Capability(StrEnum):
    """What a source can do beyond reading (the UI offers only these)."""

    FAVOURITE = "favourite"
    RATING = "rating"
    TAGS = "tags"
    COLLECTIONS = "collections"
    TRASH = "trash"  # trash, restore, purge, empty the trash
    FILES = "files"  # images are local files: show in folder, drag out as files
    FLAG = "flag"  # pick / reject (culling, as in Lightroom)


ALL_CAPABILITIES = frozenset(Capability)


@dataclass(frozen=True)
class IdPage:
    """One page of a result's ids, in the search's order, and where the next page starts."""

    ids: Sequence[int]
    #: Opaque to the caller: passed back as `after` for the next page; None at the end.
    next: object | None = None


@runtime_checkable
class LibrarySource(Protocol):
    """A library the page can browse and edit. See the module doc for the rules."""

    #: Shown to the designer (the side bar's section, messages): "This computer", "Team".
    name: str
    capabilities: frozenset[Capability]
    #: How many ids to ask for at once (None: the session chooses: a first page of a few
    #: screens, then large pages; a remote source pages at its own size).
    id_page_size: int | None

    # ---- state ------------------------------------------------------------------------------
    def problem(self) -> LibraryProblem | None:
        """Why the library cannot be shown now (gone, unreachable), or None. Quick."""
        ...

    def reopen(self) -> None:
        """Forget connections: the next read opens the library anew (after a rebuild, a return)."""
        ...

    def close(self) -> None: ...

    # ---- a search ------------------------------------------------------------------------------
    def id_page(self, search: Search, *, after: object | None = None, limit: int | None = None) -> IdPage:
        """Ids of the result from `after` on (keyset paging), at most `limit` (None: all)."""
        ...

    def count(self, search: Search) -> int: ...

    def position(self, search: Search, image_id: int) -> int | None:
        """Where an image sits in the search's order; None when the search does not show it."""
        ...

    def facets(self, search: Search, fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
        """Counts per value of each field, under the search minus that field's own filter."""
        ...

    def date_counts(self, search: Search) -> DateCounts:
        """Images of the search (minus its dates) made today, yesterday, this week, this month."""
        ...

    def trash_count(self) -> int: ...

    def collections(self) -> list[Collection]:
        """Every collection with its number of images (empty without COLLECTIONS). Quick."""
        ...

    def tag_names(self) -> list[str]:
        """Every tag in use (for completion)."""
        ...

    # ---- images ----------------------------------------------------------------------------------
    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        """Rows in the order of `ids`; ids no longer there are left out."""
        ...

    def hashes_for(self, ids: Sequence[int]) -> dict[int, str]: ...

    def id_of(self, image_hash: str) -> int | None:
        """Quick (an indexed lookup)."""
        ...

    def detail(self, image_hash: str) -> DetailInfo | None:
        """Everything the detail panel shows about one image (None: not there any more)."""
        ...

    def read_bytes(self, image_hash: str) -> bytes: ...

    def submit_thumbnail(self, image_hash: str, size: int, *, force: bool = False) -> Future[Path]:
        """Start making (or finding) a thumbnail file `size` px on its longest side. Quick: the
        work runs on the source's own threads; `force` makes it again (a damaged cache)."""
        ...

    def path_for(self, image_hash: str) -> Path:
        """The image's local file (FILES only). Quick."""
        ...

    def local_file(self, row: ImageRow) -> Path | None:
        """The row's local file without asking anything (FILES only; None otherwise). Quick."""
        ...

    # ---- writes (one at a time, in order) ------------------------------------------------------------
    def set_favourite(self, ids: Sequence[int], value: bool) -> None: ...

    def set_rating(self, ids: Sequence[int], stars: int) -> None: ...

    def set_flag(self, ids: Sequence[int], flag: int) -> None:
        """1 picked, -1 rejected, 0 unflagged (FLAG_* in gallery/models.py)."""
        ...

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None: ...

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None: ...

    def trash(self, ids: Sequence[int]) -> None: ...

    def restore(self, ids: Sequence[int]) -> None: ...

    def purge(self, ids: Sequence[int]) -> PurgeReport:
        """Delete for good (only images in the trash)."""
        ...

    def empty_trash(self) -> PurgeReport: ...

    def create_collection(self, name: str, parent_id: int | None) -> Collection: ...

    def rename_collection(self, collection_id: int, name: str) -> None: ...

    def delete_collection(self, collection_id: int) -> None: ...

    def add_to_collection(self, collection_id: int, ids: Sequence[int]) -> None: ...

    def remove_from_collection(self, collection_id: int, ids: Sequence[int]) -> None: ...

    # ---- long work -------------------------------------------------------------------------------
    def maintenance(self) -> LibraryMaintenance | None:
        """Import, export, check and rebuild, if this source has them (None: it has not). Quick."""
        ...


class LibraryMaintenance(Protocol):
    """Long work on a library, on a worker thread: `progress(done, total, path)` is called from
    that thread; `cancel` (an Event or a callable) is looked at between files."""

    def import_paths(self, paths: Sequence[Path], progress: Progress, cancel: Cancel) -> ImportReport: ...

    def export(self, ids: Sequence[int], folder: Path, progress: Progress, cancel: Cancel, *,
               metadata: bool = True, namer: Namer | None = None) -> ExportOutcome:
        """Copies of the images in `folder`; `metadata` False: pixels only (no request inside);
        `namer`: file names from a naming template (never replacing a file already there)."""
        ...

    def check(self, repair: bool, progress: Progress, cancel: Cancel) -> IntegrityReport: ...

    def rebuild(self, progress: Progress) -> RebuildReport:
        """Rebuild the index from the files; nothing else may read or write meanwhile."""
        ...
