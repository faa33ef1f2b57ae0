"""Issue 20, item 1: uploads carry pixels, not a life. A phone photo sent as a source loses its
place, camera and owner (and its local name) losslessly; its ICC profile and orientation stay; what
the job stores as its input is the stripped file."""

from __future__ import annotations

import io
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.errors import ImageFileError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.metadata_strip import STUDIO_KEYWORD, strip_metadata
from ideogram_studio.api.requests import RemixRequest
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import JobQueue, JobState
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import SandboxState, sandbox_transport

from .helpers import wait_finished
from .privacy_samples import ORIENTATION, SRGB, XMP, assert_no_life, phone_exif, phone_jpeg, picture, pixels

# ---- the stripper, format by format ---------------------------------------------------------------


def test_a_jpeg_loses_place_camera_owner_but_not_a_pixel_nor_its_colour_profile() -> None:
    original = phone_jpeg()
    stripped = strip_metadata(original, "JPEG")
    assert_no_life(stripped)
    assert pixels(stripped) == pixels(original)  # lossless: the same entropy-coded data
    with Image.open(io.BytesIO(stripped)) as img:
        assert img.info["icc_profile"] == SRGB
        assert dict(img.getexif()) == {ORIENTATION: 6}  # upright on every screen, as before
    assert len(stripped) < len(original)


def test_an_upright_jpeg_keeps_no_exif_at_all() -> None:
    stripped = strip_metadata(phone_jpeg(orientation=1), "JPEG")
    assert b"Exif\x00\x00" not in stripped
    assert_no_life(stripped)


def test_a_clean_file_keeps_its_exact_bytes() -> None:
    buf = io.BytesIO()
    picture().save(buf, "JPEG", quality=90)
    clean = buf.getvalue()
    assert strip_metadata(clean, "JPEG") is clean


def test_a_png_keeps_only_the_studios_own_text() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(STUDIO_KEYWORD, '{"operation": "generate", "request": {"prompt": "a kite"}}')
    info.add_text("Author", "Jane Doe")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    buf = io.BytesIO()
    picture().save(buf, "PNG", pnginfo=info, exif=phone_exif(), icc_profile=SRGB)
    original = buf.getvalue()
    stripped = strip_metadata(original, "PNG", keep_text=(STUDIO_KEYWORD,))
    assert_no_life(stripped)
    with Image.open(io.BytesIO(stripped)) as img:
        assert set(img.text) == {STUDIO_KEYWORD}  # type: ignore[attr-defined]
        assert img.info["icc_profile"] == SRGB
    assert pixels(stripped) == pixels(original)
    pixels_only = strip_metadata(original, "PNG")
    with Image.open(io.BytesIO(pixels_only)) as img:
        assert not img.text  # type: ignore[attr-defined]


def test_a_webp_loses_exif_and_xmp() -> None:
    buf = io.BytesIO()
    picture().save(buf, "WEBP", lossless=True, exif=phone_exif().tobytes(), xmp=XMP, icc_profile=SRGB)
    original = buf.getvalue()
    stripped = strip_metadata(original, "WEBP")
    assert_no_life(stripped)
    assert pixels(stripped) == pixels(original)
    assert struct.unpack("<I", stripped[4:8])[0] == len(stripped) - 8
    with Image.open(io.BytesIO(stripped)) as img:
        assert img.info["icc_profile"] == SRGB


def test_image_file_holds_the_stripped_bytes_and_a_neutral_upload_name(tmp_path: Path) -> None:
    path = tmp_path / "IMG_2041.jpg"
    path.write_bytes(phone_jpeg())
    image = ImageFile.from_path(path)
    assert_no_life(image.data)
    assert image.filename == "IMG_2041.jpg"  # for messages on this computer
    assert image.upload_name == "image.jpg"  # what the service is told


def test_a_damaged_container_is_refused_with_a_sentence() -> None:
    data = bytearray(phone_jpeg())
    app1 = data.index(b"\xff\xe1")
    data[app1 + 2 : app1 + 4] = b"\xff\xff"  # a segment length past the end
    with pytest.raises(ImageFileError):
        ImageFile.from_bytes(bytes(data), "broken.jpg")


# ---- end to end: the queue, the sandbox, the gallery ---------------------------------------------


@pytest.fixture
def gallery(tmp_path: Path) -> AsyncIterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


async def test_a_phone_photo_as_a_remix_source_leaves_without_its_life(
    sandbox_app: Starlette, sandbox_state: SandboxState, gallery: Gallery, tmp_path: Path
) -> None:
    path = tmp_path / "IMG_2041.jpg"
    original = phone_jpeg()
    path.write_bytes(original)
    async with IdeogramClient(
        api_key="sk-test-0123456789", base_url="http://api.test", transport=sandbox_transport(sandbox_app)
    ) as client:
        queue = JobQueue(client, GalleryJobStore(gallery))
        try:
            job = await queue.submit(RemixRequest(prompt="the same street at night", image=ImageFile.from_path(path)))
            await wait_finished(queue, job.id)
        finally:
            await queue.aclose()
    assert job.state is JobState.DONE
    (received,) = sandbox_state.last_request_file_data["image"]
    assert_no_life(received)
    assert pixels(received) == pixels(original)
    assert sandbox_state.last_request_files["image"] == ["image.jpg"]
    # What the library keeps as the job's input is the stripped file, not the photo.
    (stored_hash,) = job.input_hashes["image"]
    assert gallery.read_bytes(stored_hash) == received
