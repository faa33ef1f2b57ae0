"""A full disk at every write site of the gallery and the journal: a StorageError with a sentence
a designer understands (never sqlite3's own error, never a crash), nothing half-written, nothing
billed twice. Two ways: SQLite's own SQLITE_FULL (a page limit on the index) and ENOSPC from the
OS calls; and, where the tests run as root (CI does), a real 3 MB tmpfs filled up."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.gallery import Gallery, JobRecord, StorageError
from ideogram_studio.gallery import files as files_mod
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import sandbox_transport

from .gallery_fixtures import noise_png, store_result
from .helpers import wait_finished
from .small_disk import fill, mounted_tmpfs

GENERATE = "/v1/ideogram-v3/generate"


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


@contextlib.contextmanager
def index_full(gallery: Gallery) -> Iterator[None]:
    """SQLite's own "database or disk is full": the index may not grow by a single page."""
    db = gallery._db
    with db.transaction() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    # (the limit applies to the checkpointed file and to the WAL's view of it alike)
    db._conn.execute(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        db._conn.execute("PRAGMA max_page_count = 1073741823")


@contextlib.contextmanager
def os_full(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ENOSPC from every write the gallery's files make (os.write, os.open of a new file)."""
    real_open = os.open

    def fail_write(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fail_create(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(files_mod.os, "write", fail_write)
        m.setattr(files_mod.os, "open", fail_create)
        yield


def _job(job_id: str = "job-1") -> JobRecord:
    return JobRecord(id=job_id, operation="generate", state="queued", request={"prompt": "x"})


def _assert_plain(exc: StorageError, folder: Path) -> None:
    text = str(exc)
    assert text.startswith("The disk holding your library is full")
    assert str(folder) in text and " free" in text
    assert "sqlite" not in text.lower() and "Errno" not in text and "OperationalError" not in text
    assert exc.errno == errno.ENOSPC and exc.disk_full and exc.detail


# Every write site, with what it must leave behind. Each one's action runs on a full index.
INDEX_SITES = {
    "store a result (index row)": lambda g: store_result(g, 1),
    "store an input (index row)": lambda g: g.store_input(noise_png(seed=2), "image"),
    "journal: new job": lambda g: g.insert_job(_job("new")),
    "journal: job update": lambda g: g.update_job("job-1", state="sending"),
    "tags": lambda g: g.add_tags([g.ids()[0]], ["poster"]),
    "rating": lambda g: g.set_rating([g.ids()[0]], 4),
    "collection": lambda g: g.create_collection("Posters " + "x" * 4000),
    "trash": lambda g: g.trash([g.ids()[0]]),
}


@pytest.mark.parametrize("site", list(INDEX_SITES))
def test_a_full_index_is_a_storage_error_at_every_site(gallery: Gallery, site: str) -> None:
    store_result(gallery, 0)
    gallery.insert_job(_job())
    before = (gallery.count(), gallery.get_job("job-1"))
    with index_full(gallery):
        try:
            for n in range(40):  # (small writes may fit in the last page: fill it up)
                INDEX_SITES[site](gallery) if n == 0 else _grow(gallery, site, n)
        except StorageError as exc:
            _assert_plain(exc, gallery.data_dir)
        else:
            pytest.fail(f"{site}: no StorageError on a full index")
    # Nothing half-done; the library works again once there is room.
    assert gallery.library.index.pending() == []
    assert gallery.count() >= before[0] and gallery.get_job("job-1") is not None
    indexed = {gallery.data_dir / r.path for r in gallery.rows_for(gallery.ids(_everything()))}
    assert set((gallery.data_dir / "images").rglob("*.png")) <= indexed  # no file left unindexed
    store_result(gallery, 99)


def _everything() -> Any:
    from ideogram_studio.gallery import ImageQuery

    return ImageQuery(inputs=None, trashed=None)


def _grow(gallery: Gallery, site: str, n: int) -> None:
    if site.startswith("journal"):
        gallery.insert_job(_job(f"grow-{n}-" + "y" * 2000))
    elif site.startswith("store an input"):
        gallery.store_input(noise_png(seed=1000 + n), "image")
    else:
        store_result(gallery, 1000 + n)


FILE_SITES = {
    "result image file": lambda g: store_result(g, 5),
    "input image file": lambda g: g.store_input(noise_png(seed=6), "image"),
    "sidecar (tags on an input)": lambda g: g.add_tags([g.store_input(noise_png(seed=7), "image").hash], ["t"]),
    "export": lambda g: g.export([g.ids()[0]], g.data_dir.parent / "export"),
}


@pytest.mark.parametrize("site", list(FILE_SITES))
def test_a_full_disk_under_the_files_is_a_storage_error(
    gallery: Gallery, monkeypatch: pytest.MonkeyPatch, site: str
) -> None:
    store_result(gallery, 0)
    count = gallery.count()
    with os_full(monkeypatch), pytest.raises(StorageError) as info:
        FILE_SITES[site](gallery)
    # An export names the disk exported to, which need not be the library's.
    disk = "The disk you are exporting to is full" if site == "export" else "The disk holding your library is full"
    assert disk in str(info.value) and info.value.disk_full
    assert not [p for p in gallery.data_dir.rglob("*") if files_mod.is_temp_name(p.name)]
    assert gallery.library.index.pending() == []
    assert gallery.count() <= count + (1 if site.startswith("sidecar") else 0)


def test_a_thumbnail_on_a_full_disk_is_a_storage_error(gallery: Gallery, monkeypatch: pytest.MonkeyPatch) -> None:
    digest = store_result(gallery, 0)
    with os_full(monkeypatch), pytest.raises(StorageError, match="full"):
        gallery.submit_thumbnail(digest, 256).result(10)


def test_opening_a_library_on_a_full_disk_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new library (index created, schema written) on a disk with no room."""
    real_connect = sqlite3.connect

    def full_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 1")
        return conn

    monkeypatch.setattr(sqlite3, "connect", full_connect)
    with pytest.raises(StorageError) as info:
        Gallery.open(tmp_path / "library")
    _assert_plain(info.value, tmp_path / "library")


def test_a_full_disk_is_said_before_a_job_is_sent(gallery: Gallery) -> None:
    gallery.space.min_free_bytes = 10**18  # more than any disk has
    with pytest.raises(StorageError) as info:
        GalleryJobStore(gallery).check_space(2)
    assert "Nothing was sent" in str(info.value) and str(gallery.data_dir) in str(info.value)


def test_the_journal_gets_the_space_reserve_on_a_full_disk(gallery: Gallery) -> None:
    gallery.space.min_free_bytes = 0
    gallery.space.ensure_reserve()
    assert gallery.space.reserve_path.stat().st_size == gallery.space.reserve_bytes
    store = GalleryJobStore(gallery)
    calls = []
    real = store._save_job

    def full_once(job: Any) -> None:
        calls.append(job.id)
        if len(calls) == 1:
            raise StorageError("The disk holding your library is full", errno=errno.ENOSPC)
        real(job)

    store._save_job = full_once  # type: ignore[method-assign]
    from ideogram_studio.jobs.model import Job

    job = Job(operation=GenerateRequest(prompt="x").operation, request=GenerateRequest(prompt="x"))
    store.save_job(job)
    assert calls == [job.id, job.id] and gallery.get_job(job.id) is not None
    assert not gallery.space.reserve_path.exists()


# ---- a real full disk (root only: CI runs as root) ---------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path, "3m") as disk:
        yield disk


@pytest.fixture
async def full_queue(small_disk: Path, sandbox_app: Starlette) -> AsyncIterator[tuple[JobQueue, Gallery, Path]]:
    gallery = Gallery.open(small_disk / "library")
    gallery.space.min_free_bytes = 0
    gallery.space.reserve_bytes = 256 * 1024
    gallery.space.ensure_reserve()
    errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app)) as c:
        queue = JobQueue(c, GalleryJobStore(gallery))
        yield queue, gallery, small_disk
        await queue.aclose()
    gallery.close()
    loop.set_exception_handler(None)
    assert not errors, errors  # nothing escaped to the crash handler


async def test_a_real_full_disk_keeps_the_job_for_retry_download(
    full_queue: tuple[JobQueue, Gallery, Path], sandbox_app: Starlette
) -> None:
    queue, gallery, disk = full_queue
    state = sandbox_app.state.sandbox
    # Nearly full: the pre-flight check says so before anything is sent.
    gallery.space.bytes_per_image = 1024 * 1024
    ballast = fill(disk, 300 * 1024)
    with pytest.raises(StorageError, match="Nothing was sent"):
        await queue.submit(GenerateRequest(prompt="a lighthouse", num_images=2))
    assert state.requests_seen[GENERATE] == 0
    # The disk fills up after the check (another program wrote meanwhile): the job is sent, billed,
    # and its results cannot be saved.
    gallery.space.bytes_per_image = 0
    ballast.unlink()
    fill(disk, 40 * 1024)
    job = await queue.submit(GenerateRequest(prompt="a lighthouse", num_images=2))
    await wait_finished(queue, job.id)
    assert job.state is JobState.FAILED and job.billed
    assert job.error and job.error.startswith("The disk holding your library is full")
    assert "Retry download" in job.error and sorted(job.pending_downloads) == [0, 1]
    record = gallery.get_job(job.id)  # the reserve let the journal say so
    assert record is not None and record.state == "failed" and record.billed
    assert sorted(record.extra["pending_downloads"]) == [0, 1]
    # A second Generate on the still-full disk is a message before sending, not a crash.
    gallery.space.bytes_per_image = 1024 * 1024
    with pytest.raises(StorageError, match="Nothing was sent"):
        await queue.submit(GenerateRequest(prompt="again"))
    assert state.requests_seen[GENERATE] == 1
    # Room again: Retry download fetches the same links; nothing is sent again.
    (disk / "ballast").unlink()
    sent = state.requests_seen[GENERATE]
    await queue.retry_download(job.id)
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE and len(job.result_hashes) == 2
    assert state.requests_seen[GENERATE] == sent
    assert gallery.get_job(job.id).state == "done"  # type: ignore[union-attr]
    assert datetime.now(UTC) > record.created_at
