"""The queue on the real gallery: results stored with metadata and lineage, the journal in the
index, recovery after a SIGKILL in the middle of a download."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.errors import RequestValidationError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import EditRequest, GenerateRequest, Operation
from ideogram_studio.gallery import KEYWORD, Gallery, ImageQuery
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import sandbox_transport

from .helpers import mask_bytes, png_bytes, wait_finished

KEY = "sk-never-in-files-0123456789"


@pytest.fixture
def gallery(tmp_path: Path) -> AsyncIterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


@pytest.fixture
async def queue(sandbox_app: Starlette, gallery: Gallery) -> AsyncIterator[JobQueue]:
    async with IdeogramClient(api_key=KEY, base_url="http://api.test", transport=sandbox_transport(sandbox_app)) as c:
        q = JobQueue(c, GalleryJobStore(gallery))
        yield q
        await q.aclose()


async def test_results_land_in_the_gallery_with_metadata_inside(queue: JobQueue, gallery: Gallery) -> None:
    job = await queue.submit(GenerateRequest(prompt="a red kite over dunes", num_images=2, seed=7))
    await wait_finished(queue, job.id)
    assert job.state is JobState.DONE and len(job.result_hashes) == 2
    rows = gallery.rows_for(gallery.ids(ImageQuery(text="kite")))
    assert {r.hash for r in rows} == set(job.result_hashes)
    path = gallery.path_for(job.result_hashes[0])
    with Image.open(path) as img:
        meta = json.loads(img.text[KEYWORD])  # type: ignore[attr-defined]
    assert meta["operation"] == "generate"
    assert meta["request"]["prompt"] == "a red kite over dunes"
    assert "seed" in meta["response"]
    record = gallery.get_job(job.id)
    assert record is not None and record.state == "done" and record.billed
    assert record.result_hashes == job.result_hashes


async def test_edit_results_keep_lineage_to_source_and_mask(queue: JobQueue, gallery: Gallery) -> None:
    source = ImageFile.from_bytes(png_bytes(96, 64), "s.png")
    mask = ImageFile.from_bytes(mask_bytes(96, 64, (10, 10, 40, 40)), "m.png")
    job = await queue.submit(EditRequest(prompt="a hat", image=source, mask=mask))
    await wait_finished(queue, job.id)
    parents = gallery.parents(job.result_hashes[0])
    roles = {link.role: link.parent for link in parents}
    assert roles["image"] == job.input_hashes["image"][0]
    assert roles["mask"] == job.input_hashes["mask"][0]
    assert gallery.read_bytes(roles["image"]) == source.data
    assert any(link.child == job.result_hashes[0] for link in gallery.children(roles["image"]))


async def test_the_key_is_in_no_file_the_gallery_wrote(queue: JobQueue, gallery: Gallery) -> None:
    source = ImageFile.from_bytes(png_bytes(64, 64), "s.png")
    for request in (
        GenerateRequest(prompt="p", num_images=2),
        EditRequest(prompt="x", image=source, mask=ImageFile.from_bytes(mask_bytes(64, 64, (0, 0, 9, 9)), "m.png")),
    ):
        job = await queue.submit(request)
        await wait_finished(queue, job.id)
    gallery.close()
    hits = [p for p in gallery.data_dir.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
    assert hits == []


async def test_spend_counts_billed_jobs_only(queue: JobQueue) -> None:
    job = await queue.submit(GenerateRequest(prompt="x", num_images=2))
    await wait_finished(queue, job.id)
    assert await queue.spend_today() == job.estimated_cost


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from ideogram_studio.api.client import IdeogramClient
    from ideogram_studio.api.images import ImageFile
    from ideogram_studio.api.requests import EditRequest
    from ideogram_studio.gallery import Gallery
    from ideogram_studio.jobs import JobQueue, JobState
    from ideogram_studio.jobs.gallery_store import GalleryJobStore
    from ideogram_studio.sandbox import Fault, SandboxConfig, create_app, sandbox_transport
    from tests.core.helpers import mask_bytes, png_bytes

    async def main():
        app = create_app(SandboxConfig())
        app.state.sandbox.inject(Fault.latency(60, endpoint="images"))  # downloads hang
        gallery = Gallery.open(sys.argv[1])
        client = IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app))
        queue = JobQueue(client, GalleryJobStore(gallery))
        request = EditRequest(prompt="hat", image=ImageFile.from_bytes(png_bytes(64, 64), "s.png"),
                              mask=ImageFile.from_bytes(mask_bytes(64, 64, (5, 5, 30, 30)), "m.png"))
        job = await queue.submit(request)
        while gallery.get_job(job.id).state != "downloading":
            await asyncio.sleep(0.01)
        print(job.id, flush=True)
        await asyncio.sleep(60)

    asyncio.run(main())
    """
)


async def test_sigkill_during_a_download_leaves_an_interrupted_job(tmp_path: Path, sandbox_app: Starlette) -> None:
    library = tmp_path / "killed"
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(library)],
        stdout=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), 30)
        job_id = line.decode().strip()
        assert job_id
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    gallery = Gallery.open(library)
    try:
        assert gallery.get_job(job_id).state == "downloading"  # type: ignore[union-attr]
        async with IdeogramClient(
            api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app)
        ) as c:
            queue = JobQueue(c, GalleryJobStore(gallery))
            interrupted = await queue.recover()
            assert [j.id for j in interrupted] == [job_id]
            job = interrupted[0]
            assert job.state is JobState.INTERRUPTED and job.operation is Operation.EDIT
            assert isinstance(job.request, EditRequest) and job.request.image is not None
            assert job.request.image.data == png_bytes(64, 64)  # inputs intact
            assert gallery.get_job(job_id).state == "interrupted"  # type: ignore[union-attr]
            await queue.aclose()
        report = gallery.check()
        assert report.clean, report
    finally:
        gallery.close()


async def test_a_batch_is_journalled_at_once_and_all_or_nothing(queue: JobQueue, gallery: Gallery) -> None:
    good = [(GenerateRequest(prompt=f"poster {i}", seed=i), {"batch": "B", "batch_row": i}) for i in range(1, 4)]
    jobs = await queue.submit_many(good)
    assert [j.request.prompt for j in jobs] == ["poster 1", "poster 2", "poster 3"]
    assert all(gallery.get_job(j.id) is not None for j in jobs)  # journalled before anything is sent
    await wait_finished(queue, *(j.id for j in jobs))
    assert all(j.state is JobState.DONE for j in jobs)
    bad = [*good, (GenerateRequest(prompt="x", seed=-1), None)]
    before = len(gallery.recent_jobs(100))
    with pytest.raises(RequestValidationError):
        await queue.submit_many(bad)
    assert len(gallery.recent_jobs(100)) == before  # nothing of the refused batch was kept or sent
