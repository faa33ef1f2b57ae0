"""The Gallery facade: what the rest of the app uses. It delegates to the focused modules.

Everything here is synchronous and thread-safe; from asyncio, call through
`asyncio.to_thread(gallery.method, ...)` (thumbnails have their own `async thumbnail()`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from ._util import to_iso, utcnow
from .annotations import SidecarStore
from .db import Database
from .errors import NotFoundError, StorageError
from .files import FileStore, ensure_dir, refuse_links
from .importer import Cancel, ExportReport, ImportReport, Namer, Progress, export_images, import_files, import_tag
from .index import GalleryIndex
from .ingest import Library, recover_pending, store_bytes
from .journal import JobJournal, JobRecord
from .lock import LibraryLock
from .maintenance import INDEX_NAME, IntegrityReport, RebuildReport, check_library, rebuild_index
from .metadata import LineageLink, input_metadata, result_metadata
from .models import Collection, FacetValue, ImageRef, ImageRow, Page, PurgeReport, StoredImage
from .query import FACETS, Cursor, ImageQuery
from .space import SpaceGuard
from .thumbnails import DEFAULT_SIZES, Thumbnailer

#: Environment variable that overrides the default data folder (tests, portable installs).
DATA_DIR_ENV = "IDEOGRAM_STUDIO_DATA_DIR"


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("IdeogramStudio", appauthor=False))


class Gallery:
    """The image library: files, index, thumbnails, job journal."""

    def __init__(self, data_dir: Path, db: Database, *, thumbnail_sizes: Iterable[int], thumbnail_workers: int | None,
                 verify_thumbnails: bool, lock: LibraryLock | None = None) -> None:
        self.data_dir = data_dir
        #: This process's hold on the library (None: opened without one, read-only tools).
        self.lock = lock
        self._db = db
        sidecars = SidecarStore(data_dir)
        files = FileStore(data_dir)
        self._lib = Library(data_dir, files, sidecars, GalleryIndex(db, sidecars))
        self._jobs = JobJournal(db)
        #: Free-space checks before a job is sent, and the journal's reserve on a full disk.
        self.space = SpaceGuard(data_dir)
        self._thumbs = Thumbnailer(data_dir, files.find, sizes=thumbnail_sizes, workers=thumbnail_workers,
                                   verify_cached=verify_thumbnails)
        self._closed = False

    # ---- life cycle ---------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        data_dir: Path | None = None,
        *,
        thumbnail_sizes: Iterable[int] = DEFAULT_SIZES,
        thumbnail_workers: int | None = None,
        verify_thumbnails: bool = True,
        holder: str = "studio",
    ) -> Gallery:
        """Open (creating if needed) the library in `data_dir` (default: the user data folder).

        The library's lock is taken first (`holder`: "studio" or "cli", said to whoever finds it
        held), so recovery below only ever finishes the writes of a process that has ended.
        Raises LibraryInUseError if another process holds it, IndexCorruptError if the index is
        damaged (offer `rebuild_index(data_dir)`), StorageError if the folder cannot be written.
        """
        root = Path(data_dir) if data_dir is not None else default_data_dir()
        ensure_dir(root)
        if not os.access(root, os.W_OK):
            raise StorageError(f"The library folder {root} is read-only; choose another folder.", errno=30)
        refuse_links(root, root / INDEX_NAME)  # a planted link would put the index (every prompt) elsewhere
        lock = LibraryLock(root, kind=holder)
        lock.acquire()
        try:
            db = Database(root / INDEX_NAME)
        except BaseException:
            lock.release()
            raise
        try:
            gallery = cls(root, db, thumbnail_sizes=thumbnail_sizes, thumbnail_workers=thumbnail_workers,
                          verify_thumbnails=verify_thumbnails, lock=lock)
            recover_pending(gallery._lib)
            gallery.space.ensure_reserve()
        except BaseException:
            db.close()
            lock.release()
            raise
        return gallery

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._thumbs.close()
        try:
            self._db.close()
        finally:
            if self.lock is not None:
                self.lock.release()

    def __enter__(self) -> Gallery:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._db.user_version

    # ---- storing -------------------------------------------------------------------------------------
    def store_image(
        self,
        data: bytes,
        *,
        operation: str,
        request_fields: Mapping[str, Any],
        response_fields: Mapping[str, Any],
        parents: Sequence[str] = (),
        mask: str | None = None,
        references: Mapping[str, Sequence[str]] | None = None,
        job_id: str | None = None,
        is_input: bool = False,
        created_at: datetime | None = None,
        input_colour: Mapping[str, Sequence[str]] | None = None,
    ) -> StoredImage:
        """Store a result the API returned, with its metadata inside (PNG) or in its sidecar.

        parents: hashes of the source image(s) (role `image`); mask: the mask's hash;
        references: form field → hashes (`style_reference_images`, `character_reference_images`…).
        input_colour: form field → what became of each input's colour profile (api/colour.py's notes).
        Raises ImageRejectedError, SecretInMetadataError, StorageError (nothing is left behind).
        """
        if is_input:
            return self.store_input(data, "image")
        lineage = [(h, "image") for h in parents]
        if mask is not None:
            lineage.append((mask, "mask"))
        for role, hashes in (references or {}).items():
            lineage.extend((h, role) for h in hashes)
        meta = result_metadata(
            operation=str(operation),
            request_fields=request_fields,
            response_fields=response_fields,
            lineage=lineage,
            job_id=job_id,
            created_at=to_iso(created_at) if created_at else None,
            input_colour=input_colour,
        )
        return store_bytes(self._lib, data, metadata=meta, embed=True, name="The downloaded image")

    def store_input(self, data: bytes, role: str, *, filename: str | None = None) -> StoredImage:
        """Store an input (edit source, mask, reference) byte-exact, hidden from the main grid.

        The same bytes already in the library (e.g. a gallery image used as a source) give back
        that image's hash, so lineage links the two.
        """
        meta = input_metadata(role, filename=filename)
        return store_bytes(self._lib, data, metadata=meta, embed=False, name=filename or f"The {role} image")

    def read_bytes(self, ref: ImageRef) -> bytes:
        try:
            return self.path_for(ref).read_bytes()
        except OSError as exc:
            raise StorageError(f"Cannot read the image file ({exc.strerror}).", errno=exc.errno) from None

    def path_for(self, ref: ImageRef) -> Path:
        row = self._lib.index.get(ref)
        if row is not None:
            return self.data_dir / row.path
        if isinstance(ref, str):
            found = self._lib.files.find(ref)
            if found is not None:
                return found
        raise NotFoundError(f"No image {ref!r} in the gallery.")

    def metadata(self, ref: ImageRef) -> dict[str, Any]:
        return self._lib.index.metadata(ref)

    def get(self, ref: ImageRef) -> ImageRow | None:
        return self._lib.index.get(ref)

    # ---- querying -------------------------------------------------------------------------------------
    def search(self, text: str = "", query: ImageQuery | None = None) -> list[int]:
        """Ids matching free text (words, "phrases"; never a syntax error) within `query`."""
        return self._lib.index.ids(replace(query or ImageQuery(), text=text))

    def ids(self, query: ImageQuery | None = None) -> list[int]:
        """Ids of the whole result in order (default: the visible library, newest first)."""
        return self._lib.index.ids(query)

    def count(self, query: ImageQuery | None = None) -> int:
        return self._lib.index.count(query)

    def rows_for(self, ids: Sequence[int]) -> list[ImageRow]:
        return self._lib.index.rows_for(ids)

    def page(self, query: ImageQuery | None = None, *, after: Cursor | None = None, limit: int = 200) -> Page:
        return self._lib.index.page(query, after=after, limit=limit)

    def facets(
        self, query: ImageQuery | None = None, fields: Sequence[str] = FACETS
    ) -> dict[str, list[FacetValue]]:
        return self._lib.index.facets(query, fields)

    # ---- annotations ----------------------------------------------------------------------------------
    def set_favourite(self, refs: Iterable[ImageRef], value: bool = True) -> None:
        self._lib.index.set_favourite(refs, value)

    def set_rating(self, refs: Iterable[ImageRef], rating: int) -> None:
        self._lib.index.set_rating(refs, rating)

    def set_flag(self, refs: Iterable[ImageRef], flag: int) -> None:
        """Pick (1), reject (-1) or unflag (0): the culling flag, kept in the index and the sidecar."""
        self._lib.index.set_flag(refs, flag)

    def add_tags(self, refs: Iterable[ImageRef], tags: Iterable[str]) -> None:
        self._lib.index.add_tags(refs, tags)

    def remove_tags(self, refs: Iterable[ImageRef], tags: Iterable[str]) -> None:
        self._lib.index.remove_tags(refs, tags)

    def set_tags(self, ref: ImageRef, tags: Iterable[str]) -> None:
        self._lib.index.set_tags(ref, tags)

    def all_tags(self) -> list[FacetValue]:
        return self._lib.index.all_tags()

    def create_collection(self, name: str, parent_id: int | None = None) -> Collection:
        return self._lib.index.create_collection(name, parent_id)

    def rename_collection(self, collection_id: int, name: str) -> None:
        self._lib.index.rename_collection(collection_id, name)

    def move_collection(self, collection_id: int, parent_id: int | None) -> None:
        self._lib.index.move_collection(collection_id, parent_id)

    def delete_collection(self, collection_id: int) -> None:
        self._lib.index.delete_collection(collection_id)

    def collections(self) -> list[Collection]:
        return self._lib.index.collections()

    def add_to_collection(self, collection_id: int, refs: Iterable[ImageRef]) -> None:
        self._lib.index.add_to_collection(collection_id, refs)

    def remove_from_collection(self, collection_id: int, refs: Iterable[ImageRef]) -> None:
        self._lib.index.remove_from_collection(collection_id, refs)

    def collections_of(self, ref: ImageRef) -> list[int]:
        return self._lib.index.collections_of(ref)

    # ---- trash ----------------------------------------------------------------------------------------
    def trash(self, refs: Iterable[ImageRef]) -> list[int]:
        """Move to the trash (undo with restore); returns the ids that were not already there."""
        return self._lib.index.trash(refs)

    def restore(self, refs: Iterable[ImageRef]) -> list[int]:
        return self._lib.index.restore(refs)

    def purge(self, refs: Iterable[ImageRef]) -> PurgeReport:
        """Delete for good: rows, files, sidecars, thumbnails. An image another image was made
        from (source, mask, reference) is kept as a hidden input instead, so that one can be re-run."""
        removed, kept = self._lib.index.delete_rows(refs, keep_if_referenced=True)
        for digest, rel in removed:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / rel).unlink()
            self._lib.sidecars.remove(digest)
            self._thumbs.invalidate(digest)
        return PurgeReport([d for d, _ in removed], kept)

    def empty_trash(self, older_than: timedelta | None = None) -> PurgeReport:
        """Purge what has been in the trash longer than `older_than` (everything if None)."""
        cutoff = utcnow() - older_than if older_than is not None else None
        return self.purge(self._lib.index.trashed_before(cutoff))

    # ---- lineage --------------------------------------------------------------------------------------
    def parents(self, ref: ImageRef) -> list[LineageLink]:
        return self._lib.index.parents(ref)

    def children(self, ref: ImageRef) -> list[LineageLink]:
        return self._lib.index.children(ref)

    # ---- job journal ----------------------------------------------------------------------------------
    def insert_job(self, job: JobRecord) -> None:
        self._jobs.insert_job(job)

    def insert_jobs(self, jobs: list[JobRecord]) -> None:
        self._jobs.insert_jobs(jobs)

    def update_job(self, job_id: str, **changes: Any) -> JobRecord:
        return self._jobs.update_job(job_id, **changes)

    def update_jobs(self, changes: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """Many jobs' changes in one transaction (all or nothing)."""
        self._jobs.update_jobs(changes)

    def get_job(self, job_id: str) -> JobRecord | None:
        return self._jobs.get_job(job_id)

    def jobs_in_states(self, states: Iterable[str]) -> list[JobRecord]:
        return self._jobs.jobs_in_states(states)

    def recent_jobs(self, limit: int = 100) -> list[JobRecord]:
        return self._jobs.recent_jobs(limit)

    def spend_on(
        self, day: date, tz: tzinfo | None = None, *, states: Iterable[str] | None = None, billed_only: bool = False
    ) -> Decimal:
        return self._jobs.spend_on(day, tz, states=states, billed_only=billed_only)

    def spend_since(
        self, since: datetime, *, states: Iterable[str] | None = None, billed_only: bool = False
    ) -> Decimal:
        return self._jobs.spend_since(since, states=states, billed_only=billed_only)

    def check_space(self, images: int) -> None:
        """StorageError (said before anything is sent) if the disk cannot take `images` more results."""
        self.space.check(images)

    def release_space_reserve(self) -> bool:
        """Free the reserve kept for journal writes on a full disk; True if there was one."""
        return self.space.release()

    # ---- thumbnails -----------------------------------------------------------------------------------
    def submit_thumbnail(self, digest: str, size: int, *, force: bool = False) -> Future[Path]:
        return self._thumbs.submit(digest, size, force=force)

    async def thumbnail(self, digest: str, size: int) -> Path:
        return await self._thumbs.thumbnail(digest, size)

    def cached_thumbnail(self, digest: str, size: int) -> Path | None:
        return self._thumbs.cached_path(digest, size)

    # ---- files ----------------------------------------------------------------------------------------
    def import_paths(self, paths: Iterable[Path], *, progress: Progress | None = None,
                     cancel: Cancel = None) -> ImportReport:
        """Import files; what one import brought (new or already there) is tagged `import <when>`,
        so the library's "Last import" finds it again (a search, like "This batch")."""
        tag = import_tag(datetime.now())
        report = import_files(self._lib, paths, progress=progress, cancel=cancel)
        brought = list(dict.fromkeys(h for _, h in (*report.imported, *report.duplicates)))
        if brought:
            try:
                self.add_tags(brought, [tag])
            except StorageError as exc:  # the images are in; only the tag is missing
                report.error = report.error or exc.message
        return report

    def export(self, refs: Sequence[ImageRef], folder: Path, *, sidecar: bool = False,
               max_name_length: int = 60, metadata: bool = True, namer: Namer | None = None,
               number_from: int = 1, total: int | None = None) -> ExportReport:
        """Copies without any personal metadata; `metadata=False`: without the request metadata too;
        `namer`: file names from a naming template (see export_images)."""
        return export_images(self._lib, refs, folder, sidecar=sidecar, max_name_length=max_name_length,
                             metadata=metadata, namer=namer, number_from=number_from, total=total)

    def check(self, *, repair: bool = False, deep: bool = True, temp_min_age: float = 60.0,
              progress: Progress | None = None, cancel: Cancel = None) -> IntegrityReport:
        return check_library(self._lib, self._thumbs, repair=repair, deep=deep, temp_min_age=temp_min_age,
                             progress=progress, cancel=cancel)

    def rebuild(self, *, progress: Progress | None = None) -> RebuildReport:
        """Rebuild this library's index from its files, in place (the old index is kept aside).

        Make no other calls on this gallery while it runs.
        """
        self._db.close()
        try:
            report = rebuild_index(self.data_dir, progress=progress)
        finally:
            self._db = Database(self.data_dir / INDEX_NAME)
        sidecars = self._lib.sidecars
        self._lib = Library(self.data_dir, self._lib.files, sidecars, GalleryIndex(self._db, sidecars))
        self._jobs = JobJournal(self._db)
        return report

    @property
    def index(self) -> GalleryIndex:
        """Lower-level index access (bulk inserts in benchmarks and tests)."""
        return self._lib.index

    @property
    def library(self) -> Library:
        return self._lib
