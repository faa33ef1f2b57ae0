"""What became of a source's colour profile is kept with its results: the stored source is the
converted sRGB copy, so the note ("Converted from Display P3 to sRGB.") goes into the job and
every result's metadata, where the library's detail panel reads it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import RemixRequest
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import sandbox_transport
from tests.core.icc_profiles import matrix_profile

from .helpers import wait_finished


def p3_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 90)).save(
        buf, "PNG", icc_profile=matrix_profile("Display P3 (test)").tobytes()
    )
    return buf.getvalue()


@pytest.fixture
def gallery(tmp_path: Path) -> AsyncIterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


async def test_a_converted_source_is_said_in_each_result_and_survives_a_restart(
    sandbox_app: Starlette, gallery: Gallery
) -> None:
    source = ImageFile.from_bytes(p3_png(), "photo.png")
    assert source.colour_note == "Converted from Display P3 (test) to sRGB."
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app)) as c:
        queue = JobQueue(c, GalleryJobStore(gallery))
        job = await queue.submit(RemixRequest(prompt="warmer", image=source, image_weight=50, num_images=2))
        await wait_finished(queue, job.id)
        assert job.state is JobState.DONE and len(job.result_hashes) == 2
        await queue.aclose()
        again = JobQueue(c, GalleryJobStore(gallery))
        await again.recover()
        assert again.jobs[job.id].tags["colour_notes"] == {"image": ["Converted from Display P3 (test) to sRGB."]}
        await again.aclose()
    for digest in job.result_hashes:
        meta = gallery.library.index.metadata(digest)
        assert meta["input_colour"] == {"image": ["Converted from Display P3 (test) to sRGB."]}


async def test_an_srgb_source_adds_no_note(sandbox_app: Starlette, gallery: Gallery) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 90)).save(buf, "PNG")
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app)) as c:
        queue = JobQueue(c, GalleryJobStore(gallery))
        job = await queue.submit(
            RemixRequest(prompt="x", image=ImageFile.from_bytes(buf.getvalue(), "s.png"), image_weight=50)
        )
        await wait_finished(queue, job.id)
        await queue.aclose()
    assert "colour_notes" not in job.tags
    assert "input_colour" not in gallery.library.index.metadata(job.result_hashes[0])
