"""Rebuild the index from the files alone, and check the library's integrity (and repair it).

Rebuild: the old index file (and its -wal/-shm) is moved aside, never deleted; a new index is
filled from images/ (each file's own metadata), annotations/ (sidecars) and collections.json.
Jobs cannot be derived from files: they are copied from the old index when it can still be
read (a damaged file often still yields most rows), and the report says how many.

Check: finds indexed images whose file is missing or whose bytes no longer match their hash,
image files the index does not know (orphans), stale or unreadable thumbnails and leftover
temp files. Repair re-indexes orphans, removes rows of missing files (their sidecars are kept,
so a file restored later comes back with its tags), moves mismatched files into quarantine/
and deletes only caches and temp files. No user image is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._util import now_iso, sha256_file, sha256_hex
from .annotations import SidecarStore
from .db import Database
from .errors import GalleryError, ImageRejectedError
from .files import FileStore, is_temp_name
from .index import GalleryIndex
from .ingest import Library, describe_file, index_existing_file, probe_header
from .models import ImageRow, NewImage
from .thumbnails import Thumbnailer

INDEX_NAME = "index.sqlite3"
Progress = Callable[[int, int, Path], None]
Cancel = threading.Event | Callable[[], bool] | None


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


# ---- rebuild -----------------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    images: int = 0
    quarantined: list[tuple[Path, str]] = field(default_factory=list)
    jobs_salvaged: int = 0
    #: Where the previous index was moved (None if there was none).
    moved_aside: Path | None = None


def _salvage_jobs(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM jobs").fetchall()]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def move_index_aside(data_dir: Path) -> Path | None:
    """Rename index.sqlite3 (and -wal, -shm) to index-broken-<time>.sqlite3…; returns the new path."""
    path = data_dir / INDEX_NAME
    if not path.exists():
        for suffix in ("-wal", "-shm"):  # a lone WAL must not be replayed into a new index
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{suffix}", data_dir / f"index-orphan-{int(time.time())}.sqlite3{suffix}")
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = data_dir / f"index-broken-{stamp}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = data_dir / f"index-broken-{stamp}-{n}.sqlite3"
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{target}{suffix}")
    os.replace(path, target)
    return target


def _read_one(lib: Library, path: Path) -> tuple[Path, NewImage | None, str | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return path, None, f"cannot be read ({exc.strerror})"
    digest = sha256_hex(data)
    if path.stem != digest:
        return path, None, "its content does not match its name (hash)"
    try:
        probed = probe_header(data, path.name)
    except ImageRejectedError as exc:
        return path, None, exc.message
    if lib.files.image_path(digest, probed.format) != path:
        return path, None, f"wrong extension for a {probed.format} image"
    return path, describe_file(lib, digest, path, data, probed), None


def fill_index(lib: Library, *, progress: Progress | None = None, workers: int | None = None) -> RebuildReport:
    """Index every image file (the index should be empty); quarantines files that fail."""
    report = RebuildReport()
    lib.index.restore_collection_tree(lib.sidecars.read_collections())
    paths = list(lib.files.iter_image_files())
    total = len(paths)
    batch: list[NewImage] = []
    with ThreadPoolExecutor(workers or min(4, os.cpu_count() or 2)) as pool:
        for i, (path, new, problem) in enumerate(pool.map(lambda p: _read_one(lib, p), paths)):
            if new is None:
                lib.files.quarantine(path, problem or "unreadable")
                report.quarantined.append((path, problem or "unreadable"))
            else:
                batch.append(new)
            if len(batch) >= 500:
                report.images += lib.index.insert_many(batch)
                batch.clear()
            if progress is not None:
                progress(i + 1, total, path)
    report.images += lib.index.insert_many(batch)
    return report


def rebuild_index(data_dir: Path, *, progress: Progress | None = None) -> RebuildReport:
    """Move the current index aside (never deleted) and build a new one from the files.

    The gallery must not be open on this folder while this runs.
    """
    data_dir = Path(data_dir)
    jobs = _salvage_jobs(data_dir / INDEX_NAME)
    moved = move_index_aside(data_dir)
    db = Database(data_dir / INDEX_NAME)
    try:
        sidecars = SidecarStore(data_dir)
        lib = Library(data_dir, FileStore(data_dir), sidecars, GalleryIndex(db, sidecars=None))
        report = fill_index(lib, progress=progress)
        report.moved_aside = moved
        with db.transaction() as conn:
            for job in jobs:
                cols = [c for c in job if c in _JOB_COLUMNS]
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(
                        f"INSERT OR IGNORE INTO jobs ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        [job[c] for c in cols],
                    )
                    report.jobs_salvaged += 1
    finally:
        db.close()
    return report


_JOB_COLUMNS = {
    "id", "operation", "state", "request", "input_hashes", "result_hashes", "error", "estimated_cost",
    "created_at", "updated_at", "started_at", "finished_at", "billed", "extra",
}


# ---- integrity check ---------------------------------------------------------------------------------


@dataclass
class IntegrityReport:
    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)
    stale_thumbnails: list[Path] = field(default_factory=list)
    temp_files: list[Path] = field(default_factory=list)
    #: Annotations of images whose file is gone. Not a fault: they are kept on purpose, so a
    #: file restored from a backup comes back with its tags, rating and collections.
    orphan_sidecars: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)
    #: What the repair did, in words.
    actions: list[str] = field(default_factory=list)
    cancelled: bool = False
    #: The index's rows of the missing and damaged images, so a report can name them as the
    #: designer knows them (prompt, date, size) rather than by hash.
    rows: dict[str, ImageRow] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (
            self.missing or self.mismatched or self.orphans or self.stale_thumbnails or self.temp_files
            or self.index_problems
        )


def _temp_files(folders: list[Path], min_age: float) -> Iterator[Path]:
    now = time.time()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if is_temp_name(e.name) and e.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - e.stat().st_mtime >= min_age:
                        yield Path(e.path)


def check_library(
    lib: Library,
    thumbs: Thumbnailer | None,
    *,
    repair: bool = False,
    deep: bool = True,
    temp_min_age: float = 60.0,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> IntegrityReport:
    """Find (and with repair=True fix) every inconsistency between index, files and caches.

    deep: re-hash every image and decode every thumbnail (slow on a big library); otherwise
    only existence is checked. Temp files younger than temp_min_age seconds may belong to a
    write in progress and are left alone.
    """
    report = IntegrityReport()
    report.index_problems = lib.index.db.quick_check()
    indexed = lib.index.all_hashes()
    total = len(indexed)
    for i, (digest, rel) in enumerate(indexed.items()):
        if _cancelled(cancel):
            report.cancelled = True
            return report
        path = lib.root / rel
        try:
            if not path.is_file():
                report.missing.append(digest)
            elif deep and sha256_file(path) != digest:
                report.mismatched.append(digest)
        except OSError:
            report.missing.append(digest)
        if progress is not None:
            progress(i + 1, total, path)
    for digest in (*report.missing, *report.mismatched):
        row = lib.index.get(digest)
        if row is not None:
            report.rows[digest] = row
    known_paths = {lib.root / rel for rel in indexed.values()}
    report.orphans = [p for p in lib.files.iter_image_files() if p not in known_paths]
    folders = [lib.root, *lib.files.shard_dirs(), *lib.sidecars.shard_dirs(), lib.sidecars.dir, lib.sidecars.staging]
    if thumbs is not None:
        for digest, _size, path in thumbs.iter_cached():
            if not digest:
                folders.append(path.parent)
            elif digest not in indexed or (deep and not thumbs.is_readable(path)):
                report.stale_thumbnails.append(path)
    report.temp_files = sorted(set(_temp_files(list(dict.fromkeys(folders)), temp_min_age)))
    on_disk = {p.stem for p in lib.files.iter_image_files()}
    report.orphan_sidecars = [h for h in lib.sidecars.iter_hashes() if h not in indexed and h not in on_disk]
    if repair:
        _repair(lib, thumbs, report)
    return report


def _repair(lib: Library, thumbs: Thumbnailer | None, report: IntegrityReport) -> None:
    if report.missing:
        lib.index.delete_rows(report.missing, keep_if_referenced=False)
        report.actions.append(
            f"Removed {len(report.missing)} index entries whose file is missing "
            "(their annotations are kept: restoring the file brings them back)."
        )
    for digest in report.mismatched:
        row = lib.index.get(digest)
        if row is None:
            continue
        moved = lib.files.quarantine(lib.root / row.path, "its content no longer matches its hash")
        lib.index.delete_rows([digest], keep_if_referenced=False)
        if thumbs is not None:
            thumbs.invalidate(digest)
        report.actions.append(f"Moved damaged {row.path} to {moved} and removed it from the index.")
    for path in report.orphans:
        try:
            index_existing_file(lib, path)
            report.actions.append(f"Indexed {path.name}, which was in the library folder but not in the index.")
        except ImageRejectedError as exc:
            moved = lib.files.quarantine(path, exc.message)
            report.actions.append(f"Moved {path.name} to {moved}: {exc.message}")
        except GalleryError as exc:
            report.actions.append(f"Could not index {path.name}: {exc.message}")
    for path in report.stale_thumbnails:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if report.stale_thumbnails:
        report.actions.append(f"Deleted {len(report.stale_thumbnails)} stale thumbnails (they are made again).")
    for path in report.temp_files:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if report.temp_files:
        report.actions.append(f"Deleted {len(report.temp_files)} leftover temporary files.")
    if report.index_problems:
        report.actions.append("The index itself reports damage: rebuild it from the files.")
    report.actions.append(f"Check finished {now_iso()}.")


def open_database(data_dir: Path) -> Database:
    return Database(Path(data_dir) / INDEX_NAME)
