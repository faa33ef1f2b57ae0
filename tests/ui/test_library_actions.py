"""Describe and Upscale from the library: the requests built from the gallery's bytes go through the
in-process sandbox as they are, and an upscale sent through the job queue is stored with its
lineage to the image it was made from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.errors import ImageFileError
from ideogram_studio.api.requests import DescribeRequest, UpscaleRequest
from ideogram_studio.api.responses import DescribeResponse
from ideogram_studio.gallery import Gallery, ImageQuery, NotFoundError
from ideogram_studio.gallery.library_ops import lineage_chain, load_detail
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport
from ideogram_studio.ui.library.actions import describe_request, upscale_request

from .library_data import picture


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


@pytest.fixture
def source(gallery: Gallery) -> str:
    return gallery.store_image(picture(320, 240, 7, "source"), operation="generate",
                               request_fields={"prompt": "a red kite over dunes", "aspect_ratio": "4x3"},
                               response_fields={"seed": 7, "resolution": "320x240"}).hash


@pytest.fixture
async def client() -> AsyncIterator[IdeogramClient]:
    app = create_app(SandboxConfig())
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app)) as c:
        yield c


async def wait_done(queue: JobQueue, job_id: str) -> None:
    for _ in range(500):
        if queue.jobs[job_id].state.finished:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the job did not finish")


def test_requests_carry_the_stored_bytes(gallery: Gallery, source: str) -> None:
    describe = describe_request(gallery, source)
    assert isinstance(describe, DescribeRequest)
    assert describe.image_file is not None and describe.image_file.data == gallery.read_bytes(source)
    upscale = upscale_request(gallery, source, 70, 30)
    assert isinstance(upscale, UpscaleRequest)
    assert (upscale.resemblance, upscale.detail) == (70, 30)
    assert upscale.image_file is not None and upscale.image_file.size == (320, 240)
    with pytest.raises(NotFoundError):
        describe_request(gallery, "0" * 64)


def test_an_image_the_api_does_not_take_is_refused_with_a_message(gallery: Gallery) -> None:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(buf, "GIF")
    gif = gallery.import_paths([_write(gallery.data_dir.parent / "x.gif", buf.getvalue())]).imported[0][1]
    with pytest.raises(ImageFileError, match="PNG, JPEG or WebP"):
        describe_request(gallery, gif)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


async def test_describe_round_trips_through_the_sandbox(gallery: Gallery, source: str,
                                                         client: IdeogramClient) -> None:
    response = await client.send(describe_request(gallery, source))
    assert isinstance(response, DescribeResponse)
    assert response.descriptions and all(response.descriptions)


async def test_upscale_through_the_queue_is_stored_with_lineage(gallery: Gallery, source: str,
                                                                client: IdeogramClient) -> None:
    queue = JobQueue(client, GalleryJobStore(gallery))
    try:
        job = await queue.submit(upscale_request(gallery, source, 60, 40))
        await wait_done(queue, job.id)
        assert job.state is JobState.DONE, job.error
        (result,) = job.result_hashes
        row = gallery.get(result)
        assert row is not None and row.operation == "upscale"
        assert (row.width, row.height) > (320, 240)
        parents = gallery.parents(result)
        assert [(p.parent, p.role) for p in parents] == [(source, "image")]  # the upscaled image's source
        assert [c.child for c in gallery.children(source)] == [result]
        chain = lineage_chain(gallery, result)
        assert [s.hash for s in chain] == [source, result]
        assert chain[-1].operation == "upscale"
        info = load_detail(gallery, result)
        assert info is not None and info.job is not None and info.job.id == job.id
        assert result in {r.hash for r in gallery.rows_for(gallery.ids(ImageQuery(operations=("upscale",))))}
        # Describe through the queue: no image, the descriptions are kept with the job.
        described = await queue.submit(describe_request(gallery, source))
        await wait_done(queue, described.id)
        assert described.state is JobState.DONE and described.response
    finally:
        await queue.aclose()
