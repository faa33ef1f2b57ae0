"""The sandbox refuses what the service refuses, with the status and a reason naming the field."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

MakePng = Callable[..., bytes]
MakeMask = Callable[..., bytes]
GENERATE = "/v1/ideogram-v3/generate"
INPAINT = "/v1/ideogram-v3/inpaint"


def png_part(name: str, data: bytes, filename: str = "image.png") -> tuple[str, tuple[str, bytes, str]]:
    return name, (filename, data, "image/png")


async def assert_bad_request(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert isinstance(error, str)
    assert field in error


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": "x", "aspect_ratio": "7x3"}, "aspect_ratio"),
        ({"prompt": "x", "rendering_speed": "LUDICROUS"}, "rendering_speed"),
        ({"prompt": "x", "resolution": "1024x1024", "aspect_ratio": "1x1"}, "resolution"),
        ({"prompt": "x", "num_images": "9"}, "num_images"),
        ({"prompt": "x", "num_images": "two"}, "num_images"),
        ({"prompt": "x", "seed": "-1"}, "seed"),
        ({"prompt": "x", "style_codes": ["AABBCCDD", "nothex!!"]}, "style_codes"),
        ({"prompt": "x", "color_palette": '{"name": "NEON"}'}, "color_palette"),
        ({"prompt": "x", "color_palette": "not json"}, "color_palette"),
        ({"prompt": "x", "unknown_field": "1"}, "unknown_field"),
        ({"prompt": "x", "image": "not a file"}, "image"),
        ({}, "prompt"),
        ({"prompt": "   "}, "prompt"),
    ],
)
async def test_generate_refuses_bad_fields(
    sandbox_client: httpx.AsyncClient, fields: dict[str, str], field: str
) -> None:
    await assert_bad_request(await sandbox_client.post(GENERATE, data=fields), field)


async def test_a_file_where_text_is_expected_is_refused(sandbox_client: httpx.AsyncClient, make_png: MakePng) -> None:
    files = [png_part("negative_prompt", make_png())]
    response = await sandbox_client.post(GENERATE, data={"prompt": "x"}, files=files)
    await assert_bad_request(response, "negative_prompt")


@pytest.mark.parametrize(
    "image",
    [b"hello, I am not an image", b"", "truncated"],
    ids=["not-an-image", "empty", "corrupt-png"],
)
async def test_inpaint_refuses_files_that_are_not_whole_images(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, make_mask: MakeMask, image: bytes | str
) -> None:
    data = make_png(64, 64)[:-40] if image == "truncated" else image
    assert isinstance(data, bytes)
    files = [png_part("image", data), png_part("mask", make_mask(64, 64, (0, 0, 31, 31)))]
    await assert_bad_request(await sandbox_client.post(INPAINT, data={"prompt": "x"}, files=files), "image")


@pytest.mark.parametrize(
    ("mask_size", "change"),
    [((64, 32), (0, 0, 10, 10)), ((64, 64), (-1, -1, -1, -1)), ((64, 64), (0, 0, 63, 63))],
    ids=["wrong-size", "nothing-to-change", "nothing-kept"],
)
async def test_inpaint_refuses_unusable_masks(
    sandbox_client: httpx.AsyncClient,
    make_png: MakePng,
    make_mask: MakeMask,
    mask_size: tuple[int, int],
    change: tuple[int, int, int, int],
) -> None:
    all_white = change[0] < 0
    mask = make_png(*mask_size, colour=255, mode="L") if all_white else make_mask(*mask_size, change)
    files = [png_part("image", make_png(64, 64)), png_part("mask", mask)]
    await assert_bad_request(await sandbox_client.post(INPAINT, data={"prompt": "x"}, files=files), "mask")


async def test_inpaint_refuses_resolution_it_does_not_take(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, make_mask: MakeMask
) -> None:
    files = [png_part("image", make_png(64, 64)), png_part("mask", make_mask(64, 64, (0, 0, 9, 9)))]
    response = await sandbox_client.post(INPAINT, data={"prompt": "x", "resolution": "1024x1024"}, files=files)
    await assert_bad_request(response, "resolution")


async def test_a_gif_is_refused(sandbox_client: httpx.AsyncClient) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    response = await sandbox_client.post("/describe", files=[png_part("image_file", buf.getvalue(), "a.gif")])
    await assert_bad_request(response, "image_file")


async def test_flash_is_refused_for_transparent_images(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/v1/ideogram-v3/generate-transparent", data={"prompt": "x", "rendering_speed": "FLASH"}
    )
    await assert_bad_request(response, "rendering_speed")


async def test_upscale_needs_its_image_request_part(sandbox_client: httpx.AsyncClient, make_png: MakePng) -> None:
    response = await sandbox_client.post("/upscale", files=[png_part("image_file", make_png())])
    await assert_bad_request(response, "image_request")
    bad_range = {"image_request": json.dumps({"resemblance": 101})}
    response = await sandbox_client.post("/upscale", data=bad_range, files=[png_part("image_file", make_png())])
    await assert_bad_request(response, "resemblance")


async def test_a_body_that_is_not_a_form_is_refused(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/v1/ideogram-v3/remix", content=b"prompt=x", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["error"]


# ---- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "   "], ids=["missing", "empty", "blank"])
async def test_a_missing_key_is_401(sandbox_client: httpx.AsyncClient, key: str | None) -> None:
    headers = {} if key is None else {"Api-Key": key}
    sandbox_client.headers.pop("Api-Key")
    response = await sandbox_client.post(GENERATE, data={"prompt": "x"}, headers=headers)
    assert response.status_code == 401
    assert "Api-Key" in response.json()["error"]


@pytest.mark.parametrize("path", ["/v1/ideogram-v3/remix", "/upscale"])
async def test_remix_and_upscale_answer_403_without_a_key(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, path: str
) -> None:
    sandbox_client.headers.pop("Api-Key")
    response = await sandbox_client.post(path, data={"prompt": "x"}, files=[png_part("image", make_png())])
    assert response.status_code == 403


async def test_a_revoked_key_is_401() -> None:
    app = create_app(SandboxConfig(revoked_keys=frozenset({"old-key"})))
    async with httpx.AsyncClient(transport=sandbox_transport(app), base_url="http://sandbox.test") as client:
        revoked = await client.post(GENERATE, data={"prompt": "x"}, headers={"Api-Key": "old-key"})
        fine = await client.post(GENERATE, data={"prompt": "x"}, headers={"Api-Key": "new-key"})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["error"]
    assert fine.status_code == 200


# ---- safety -----------------------------------------------------------------------------------


async def test_an_unsafe_prompt_is_422_with_an_error(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(GENERATE, data={"prompt": "something [unsafe] here"})
    assert response.status_code == 422
    assert set(response.json()) == {"error"}


async def test_a_withheld_image_has_no_url_but_the_others_do(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(GENERATE, data={"prompt": "a [withheld] picture", "num_images": "2"})
    assert response.status_code == 200
    withheld, shown = response.json()["data"]
    assert withheld["is_image_safe"] is False
    assert withheld["url"] is None
    assert isinstance(withheld["seed"], int) and withheld["prompt"]
    assert shown["is_image_safe"] is True
    assert (await sandbox_client.get(shown["url"])).status_code == 200
