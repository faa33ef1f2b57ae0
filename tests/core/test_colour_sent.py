"""Colour that stays true, checked where it matters (issue 17): a Display P3 and an Adobe RGB image,
made here with Pillow's ImageCms, are sent through the client to the sandbox as a source and as a
style reference; what the sandbox receives is sRGB, and a known patch lands within ΔE 2 of its
colour. A broken profile is sent as it is, with a note, never a crash."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.colour import is_srgb
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.requests import GenerateRequest, RemixRequest
from ideogram_studio.sandbox import sandbox_transport
from ideogram_studio.sandbox.state import SandboxState
from tests.core.icc_profiles import PROFILES, delta_e, lab_of, matrix_profile

#: A skin tone and a brand teal: inside sRGB, so a correct conversion lands on them.
PATCHES = ((170, 110, 90), (90, 150, 140))


def photo(profile_name: str, fmt: str) -> bytes:
    """Two patches side by side, tagged with the wide-gamut profile."""
    image = Image.new("RGB", (64, 32), PATCHES[0])
    image.paste(PATCHES[1], (32, 0, 64, 32))
    buf = io.BytesIO()
    image.save(buf, fmt, icc_profile=matrix_profile(profile_name).tobytes(), quality=100)
    return buf.getvalue()


def assert_true_colour(received: bytes, profile_name: str) -> None:
    got = Image.open(io.BytesIO(received))
    assert is_srgb(got.info.get("icc_profile") or b"") or "icc_profile" not in got.info
    rgb = got.convert("RGB")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    source = matrix_profile(profile_name)
    for patch, x in zip(PATCHES, (16, 48), strict=True):
        sent = rgb.getpixel((x, 16))
        assert isinstance(sent, tuple)
        error = delta_e(lab_of(patch, source), lab_of(sent[:3], srgb))
        assert error <= 2.0, (profile_name, patch, sent, error)


@pytest.mark.parametrize(("name", "fmt"), [(n, f) for n in sorted(PROFILES) for f in ("PNG", "JPEG")])
async def test_what_the_sandbox_receives_is_srgb_within_delta_e_2(sandbox_app: Starlette, name: str, fmt: str) -> None:
    state: SandboxState = sandbox_app.state.sandbox
    transport = sandbox_transport(sandbox_app)
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=transport) as client:
        source = ImageFile.from_bytes(photo(name, fmt), f"photo.{fmt.lower()}")
        await client.send(RemixRequest(prompt="warmer", image=source, image_weight=50))
        [received] = state.last_request_file_data["image"]
        assert_true_colour(received, name)

        reference = ImageFile.from_bytes(photo(name, fmt), f"reference.{fmt.lower()}")
        await client.send(GenerateRequest(prompt="a poster", style_reference_images=(reference,)))
        [received] = state.last_request_file_data["style_reference_images"]
        assert_true_colour(received, name)


async def test_a_broken_profile_is_sent_as_it_is_with_a_note(sandbox_app: Starlette) -> None:
    state: SandboxState = sandbox_app.state.sandbox
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), PATCHES[0]).save(buf, "PNG", icc_profile=b"this is not an ICC profile")
    source = ImageFile.from_bytes(buf.getvalue(), "broken.png")
    assert "damaged" in source.colour_note  # the note the detail panel shows
    async with IdeogramClient(
        api_key="k", base_url="http://api.test", transport=sandbox_transport(sandbox_app)
    ) as client:
        await client.send(RemixRequest(prompt="warmer", image=source, image_weight=50))
    [received] = state.last_request_file_data["image"]
    assert Image.open(io.BytesIO(received)).convert("RGB").getpixel((5, 5)) == PATCHES[0]
