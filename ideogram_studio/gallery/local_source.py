"""The local gallery as a library source (library_source.LibrarySource and LibraryMaintenance).

Reads go through a LibraryReader (read-only connections of its own, one per thread, so a slow
facet count never holds up the rows the grid waits for); writes and long work through the
Gallery facade (one write connection, sidecars kept in step).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from .gallery import Gallery
from .importer import Cancel, ImportReport, Namer, Progress
from .library_ops import (
    DateCounts,
    DetailInfo,
    ExportOutcome,
    LibraryProblem,
    LibraryReader,
    export_with_progress,
    library_problem,
    load_detail,
)
from .library_source import ALL_CAPABILITIES, IdPage, LibraryMaintenance
from .maintenance import IntegrityReport, RebuildReport
from .models import Collection, FacetValue, ImageRow, PurgeReport
from .query import FACETS, Cursor
from .search_syntax import Search


class LocalLibrarySource:
    """This computer's gallery. See library_source for what each method promises."""

    name = "This computer"
    capabilities = ALL_CAPABILITIES
    id_page_size: int | None = None  # the session's pages: a first page at once, then large ones

    def __init__(self, gallery: Gallery) -> None:
        self.gallery = gallery
        self.reader = LibraryReader(gallery)

    # ---- state ------------------------------------------------------------------------------
    def problem(self) -> LibraryProblem | None:
        return library_problem(self.gallery)

    def reopen(self) -> None:
        self.reader.reopen()

    def close(self) -> None:
        self.reader.close()

    # ---- a search ------------------------------------------------------------------------------
    def id_page(self, search: Search, *, after: object | None = None, limit: int | None = None) -> IdPage:
        cursor = after if isinstance(after, Cursor) else None
        ids, nxt = self.reader.id_page(search, after=cursor, limit=limit)
        return IdPage(ids, nxt)

    def count(self, search: Search) -> int:
        return self.reader.count(search)

    def position(self, search: Search, image_id: int) -> int | None:
        return self.reader.position(search, image_id)

    def facets(self, search: Search, fields: Sequence[str] = FACETS) -> dict[str, list[FacetValue]]:
        return self.reader.facets(search, fields)

    def date_counts(self, search: Search) -> DateCounts:
        return self.reader.date_counts(search)

    def trash_count(self) -> int:
        return self.reader.trash_count()

    def collections(self) -> list[Collection]:
        return self.gallery.collections()

    def tag_names(self) -> list[str]:
        return [str(t.value) for t in self.gallery.all_tags()]

    # ---- images ----------------------------------------------------------------------------------
    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        return self.reader.rows_for(ids)

    def hashes_for(self, ids: Sequence[int]) -> dict[int, str]:
        return self.reader.hashes_for(ids)

    def id_of(self, image_hash: str) -> int | None:
        return self.reader.id_of(image_hash)

    def detail(self, image_hash: str) -> DetailInfo | None:
        return load_detail(self.gallery, image_hash)

    def read_bytes(self, image_hash: str) -> bytes:
        return self.gallery.read_bytes(image_hash)

    def submit_thumbnail(self, image_hash: str, size: int, *, force: bool = False) -> Future[Path]:
        return self.gallery.submit_thumbnail(image_hash, size, force=force)

    def path_for(self, image_hash: str) -> Path:
        return self.gallery.path_for(image_hash)

    def local_file(self, row: ImageRow) -> Path | None:
        return Path(self.gallery.data_dir) / row.path

    # ---- writes ----------------------------------------------------------------------------------------
    def set_favourite(self, ids: Sequence[int], value: bool) -> None:
        self.gallery.set_favourite(ids, value)

    def set_rating(self, ids: Sequence[int], stars: int) -> None:
        self.gallery.set_rating(ids, stars)

    def set_flag(self, ids: Sequence[int], flag: int) -> None:
        self.gallery.set_flag(ids, flag)

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        self.gallery.add_tags(ids, tags)

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        self.gallery.remove_tags(ids, tags)

    def trash(self, ids: Sequence[int]) -> None:
        self.gallery.trash(ids)

    def restore(self, ids: Sequence[int]) -> None:
        self.gallery.restore(ids)

    def purge(self, ids: Sequence[int]) -> PurgeReport:
        return self.gallery.purge(ids)

    def empty_trash(self) -> PurgeReport:
        return self.gallery.empty_trash()

    def create_collection(self, name: str, parent_id: int | None) -> Collection:
        return self.gallery.create_collection(name, parent_id)

    def rename_collection(self, collection_id: int, name: str) -> None:
        self.gallery.rename_collection(collection_id, name)

    def delete_collection(self, collection_id: int) -> None:
        self.gallery.delete_collection(collection_id)

    def add_to_collection(self, collection_id: int, ids: Sequence[int]) -> None:
        self.gallery.add_to_collection(collection_id, ids)

    def remove_from_collection(self, collection_id: int, ids: Sequence[int]) -> None:
        self.gallery.remove_from_collection(collection_id, ids)

    # ---- long work -------------------------------------------------------------------------------
    def maintenance(self) -> LibraryMaintenance | None:
        return self

    def import_paths(self, paths: Sequence[Path], progress: Progress, cancel: Cancel) -> ImportReport:
        return self.gallery.import_paths(paths, progress=progress, cancel=cancel)

    def export(self, ids: Sequence[int], folder: Path, progress: Progress, cancel: Cancel, *,
               metadata: bool = True, namer: Namer | None = None) -> ExportOutcome:
        return export_with_progress(self.gallery, ids, folder, progress=progress, cancel=cancel, metadata=metadata,
                                    namer=namer)

    def check(self, repair: bool, progress: Progress, cancel: Cancel) -> IntegrityReport:
        return self.gallery.check(repair=repair, progress=progress, cancel=cancel)

    def rebuild(self, progress: Progress) -> RebuildReport:
        return self.gallery.rebuild(progress=progress)
