"""The sandbox's endpoints, through raw multipart over the in-process transport: JSON shapes,
determinism, sizes, and what each operation does to pixels."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat

from ideogram_studio.api.enums import AspectRatio, PalettePreset, default_resolution, size_of
from ideogram_studio.sandbox.palettes import PRESET_COLOURS, parse_hex

GENERATE = "/v1/ideogram-v3/generate"
MakePng = Callable[..., bytes]
MakeMask = Callable[..., bytes]
IMAGE_KEYS = {"url", "prompt", "resolution", "is_image_safe", "seed", "style_type"}

Part = tuple[str, tuple[str | None, bytes | str, str]]
Files = Sequence[Part]


async def post(
    client: httpx.AsyncClient, path: str, fields: dict[str, Any] | None = None, files: Files | None = None
) -> httpx.Response:
    return await client.post(path, data=fields or {}, files=files or [])


async def ok_json(client: httpx.AsyncClient, path: str, fields: dict[str, Any], files: Files | None = None) -> Any:
    response = await post(client, path, fields, files)
    assert response.status_code == 200, response.text
    return response.json()


async def download(client: httpx.AsyncClient, url: str) -> Image.Image:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert int(response.headers["content-length"]) == len(response.content)
    img = Image.open(io.BytesIO(response.content))
    img.load()
    return img


def png_part(name: str, data: bytes, filename: str = "image.png") -> Part:
    return name, (filename, data, "image/png")


def mean_abs_difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


# ---- shapes ---------------------------------------------------------------------------------


async def test_generate_answers_the_contract_shape_and_serves_the_image(sandbox_client: httpx.AsyncClient) -> None:
    body = await ok_json(sandbox_client, GENERATE, {"prompt": "a lighthouse at dusk", "seed": "7"})

    assert set(body) == {"created", "data"}
    assert datetime.fromisoformat(body["created"]).tzinfo is not None
    [item] = body["data"]
    assert set(item) == IMAGE_KEYS
    assert item["is_image_safe"] is True
    assert item["seed"] == 7
    assert item["resolution"] == "1024x1024"
    assert item["style_type"] == "GENERAL"
    assert item["url"].startswith("http://sandbox.test/sandbox/images/")
    assert "exp=" in item["url"] and "sig=" in item["url"]
    img = await download(sandbox_client, item["url"])
    assert img.size == (1024, 1024)
    assert img.format == "PNG"


@pytest.mark.parametrize(
    ("path", "fields", "file_fields"),
    [
        ("/v1/ideogram-v3/generate-transparent", {"prompt": "a logo"}, ()),
        ("/v1/ideogram-v3/inpaint", {"prompt": "a hat"}, ("image", "mask")),
        ("/v1/ideogram-v3/edit", {"prompt": "a hat"}, ("image", "mask")),
        ("/v1/ideogram-v3/remix", {"prompt": "in winter"}, ("image",)),
        ("/v1/ideogram-v3/reframe", {"resolution": "1280x800"}, ("image",)),
        ("/v1/ideogram-v3/replace-background", {"prompt": "a forest"}, ("image",)),
    ],
)
async def test_every_image_endpoint_answers_with_images(
    sandbox_client: httpx.AsyncClient,
    make_png: MakePng,
    make_mask: MakeMask,
    path: str,
    fields: dict[str, str],
    file_fields: tuple[str, ...],
) -> None:
    parts = {"image": make_png(128, 128), "mask": make_mask(128, 128, (32, 32, 95, 95))}
    body = await ok_json(sandbox_client, path, fields, [png_part(f, parts[f]) for f in file_fields])

    [item] = body["data"]
    assert set(item) >= IMAGE_KEYS
    assert item["is_image_safe"] is True
    img = await download(sandbox_client, item["url"])
    expected = item.get("upscaled_resolution") or item["resolution"]
    assert img.size == size_of(expected)


async def test_describe_answers_descriptions(sandbox_client: httpx.AsyncClient, make_png: MakePng) -> None:
    image = make_png(64, 48, colour=(210, 30, 30))
    body = await ok_json(sandbox_client, "/describe", {}, [png_part("image_file", image)])
    again = await ok_json(
        sandbox_client, "/describe", {"describe_model_version": "V_3"}, [png_part("image_file", image)]
    )

    assert set(body) == {"descriptions"}
    [description] = body["descriptions"]
    assert "64x48" in description["text"]
    assert "red" in description["text"]
    assert again == body  # deterministic


async def test_layerize_text_answers_its_schema(sandbox_client: httpx.AsyncClient, make_png: MakePng) -> None:
    body = await ok_json(
        sandbox_client,
        "/v1/ideogram-v3/layerize-text",
        {"prompt": "SALE", "seed": "3"},
        [png_part("image", make_png(200, 100))],
    )

    assert set(body) == {"base_image_url", "original_image_url", "seed", "text_blocks"}
    assert body["seed"] == 3
    [block] = body["text_blocks"]
    assert block["text"] == "SALE"
    assert {"x", "y", "width", "height", "alignment", "color", "role"} <= set(block)
    base = await download(sandbox_client, body["base_image_url"])
    original = await download(sandbox_client, body["original_image_url"])
    assert base.size == original.size == (200, 100)


@pytest.mark.parametrize("as_json_part", [True, False], ids=["json-part", "plain-value"])
async def test_upscale_doubles_the_size(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, as_json_part: bool
) -> None:
    image_request = json.dumps({"resemblance": 60, "detail": 70, "seed": 11})
    files: list[Part] = [png_part("image_file", make_png(300, 200))]
    fields: dict[str, str] = {}
    if as_json_part:
        files.append(("image_request", ("blob", image_request.encode(), "application/json")))
    else:
        fields["image_request"] = image_request
    body = await ok_json(sandbox_client, "/upscale", fields, files)

    [item] = body["data"]
    assert item["resolution"] == "300x200"
    assert item["upscaled_resolution"] == "600x400"
    assert item["seed"] == 11
    assert (await download(sandbox_client, item["url"])).size == (600, 400)


# ---- determinism ----------------------------------------------------------------------------


async def test_same_request_and_seed_give_the_same_bytes(sandbox_client: httpx.AsyncClient) -> None:
    fields = {"prompt": "a red fox", "seed": "42", "style_preset": "ART_DECO"}
    first = (await ok_json(sandbox_client, GENERATE, fields))["data"][0]
    second = (await ok_json(sandbox_client, GENERATE, fields))["data"][0]
    other = (await ok_json(sandbox_client, GENERATE, {**fields, "seed": "43"}))["data"][0]

    assert first["url"] != second["url"]  # a new link each time, the same picture
    bytes_1 = (await sandbox_client.get(first["url"])).content
    assert bytes_1 == (await sandbox_client.get(second["url"])).content
    assert bytes_1 != (await sandbox_client.get(other["url"])).content


async def test_a_missing_seed_is_derived_from_the_request_and_returned(sandbox_client: httpx.AsyncClient) -> None:
    first = (await ok_json(sandbox_client, GENERATE, {"prompt": "a blue whale"}))["data"][0]
    second = (await ok_json(sandbox_client, GENERATE, {"prompt": "a blue whale"}))["data"][0]
    replay = await ok_json(sandbox_client, GENERATE, {"prompt": "a blue whale", "seed": str(first["seed"])})
    other = (await ok_json(sandbox_client, GENERATE, {"prompt": "a grey whale"}))["data"][0]

    assert isinstance(first["seed"], int)
    assert first["seed"] == second["seed"] != other["seed"]
    pixels = (await sandbox_client.get(first["url"])).content
    assert pixels == (await sandbox_client.get(replay["data"][0]["url"])).content


async def test_each_of_num_images_differs_and_can_be_made_again_alone(sandbox_client: httpx.AsyncClient) -> None:
    body = await ok_json(sandbox_client, GENERATE, {"prompt": "tulips", "seed": "100", "num_images": "3"})
    seeds = [item["seed"] for item in body["data"]]
    contents = [(await sandbox_client.get(item["url"])).content for item in body["data"]]
    alone = (await ok_json(sandbox_client, GENERATE, {"prompt": "tulips", "seed": "101"}))["data"][0]

    assert seeds == [100, 101, 102]
    assert len(set(contents)) == 3
    assert (await sandbox_client.get(alone["url"])).content == contents[1]


# ---- sizes, colours, prompts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "1024x1024"),
        ({"resolution": "1280x800"}, "1280x800"),
        ({"aspect_ratio": "16x9"}, str(default_resolution(AspectRatio.AR_16X9))),
        ({"aspect_ratio": "1x3"}, str(default_resolution(AspectRatio.AR_1X3))),
    ],
)
async def test_output_has_the_requested_resolution(
    sandbox_client: httpx.AsyncClient, fields: dict[str, str], expected: str
) -> None:
    [item] = (await ok_json(sandbox_client, GENERATE, {"prompt": "a bridge", **fields}))["data"]

    assert item["resolution"] == expected
    assert (await download(sandbox_client, item["url"])).size == size_of(expected)


def share_of_colours(img: Image.Image, colours: set[tuple[int, int, int]]) -> float:
    counts = img.convert("RGB").getcolors(maxcolors=img.width * img.height) or []
    return sum(n for n, c in counts if c in colours) / (img.width * img.height)


async def test_custom_palette_colours_are_painted(sandbox_client: httpx.AsyncClient) -> None:
    members = [{"color_hex": "#FF0000", "color_weight": 0.6}, {"color_hex": "#00FF00", "color_weight": 0.4}]
    palette = {"members": members}
    files: Files = [("color_palette", (None, json.dumps(palette), "application/json"))]
    [item] = (await ok_json(sandbox_client, GENERATE, {"prompt": "shapes", "seed": "5"}, files))["data"]

    img = await download(sandbox_client, item["url"])
    assert share_of_colours(img, {(255, 0, 0), (0, 255, 0)}) > 0.02


async def test_preset_palette_colours_are_painted(sandbox_client: httpx.AsyncClient) -> None:
    fields = {"prompt": "shapes", "seed": "5", "color_palette": json.dumps({"name": "ULTRAMARINE"})}
    [item] = (await ok_json(sandbox_client, GENERATE, fields))["data"]

    img = await download(sandbox_client, item["url"])
    preset = {parse_hex(c) for c in PRESET_COLOURS[PalettePreset.ULTRAMARINE]}
    assert share_of_colours(img, preset) > 0.02


@pytest.mark.parametrize(("magic", "rewritten"), [("ON", True), ("AUTO", True), ("OFF", False)])
async def test_magic_prompt_rewrites_only_when_asked(
    sandbox_client: httpx.AsyncClient, magic: str, rewritten: bool
) -> None:
    [item] = (await ok_json(sandbox_client, GENERATE, {"prompt": "a cat", "magic_prompt": magic}))["data"]

    assert item["prompt"].startswith("a cat")
    assert (item["prompt"] != "a cat") is rewritten


async def test_auto_style_type_resolves_to_a_concrete_one(sandbox_client: httpx.AsyncClient) -> None:
    [item] = (await ok_json(sandbox_client, GENERATE, {"prompt": "a cat", "style_type": "AUTO"}))["data"]
    assert item["style_type"] in {"GENERAL", "REALISTIC", "DESIGN", "FICTION"}


async def test_generate_accepts_a_json_body_as_the_contract_allows(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        GENERATE, json={"prompt": "a cat", "num_images": 2, "color_palette": {"name": "EMBER"}}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 2


# ---- what the operations do to pixels -------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/ideogram-v3/inpaint", "/v1/ideogram-v3/edit"])
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
async def test_edit_keeps_every_white_mask_pixel_and_changes_every_black_one(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, make_mask: MakeMask, path: str, mode: str
) -> None:
    source_bytes = make_png(240, 160, mode=mode)
    change = (60, 40, 179, 119)
    files = [png_part("image", source_bytes), png_part("mask", make_mask(240, 160, change))]
    [item] = (await ok_json(sandbox_client, path, {"prompt": "a red balloon", "seed": "1"}, files))["data"]

    result = await download(sandbox_client, item["url"])
    source = Image.open(io.BytesIO(source_bytes))
    assert result.size == source.size
    assert result.mode == source.mode
    keep = Image.open(io.BytesIO(make_mask(240, 160, change))).convert("L")
    diff = ImageChops.difference(result, source)
    kept_diff = Image.composite(diff, Image.new(diff.mode, diff.size), keep)
    assert kept_diff.getbbox() is None, "a pixel under white (keep) changed"
    changed = diff.convert("RGB").crop((change[0], change[1], change[2] + 1, change[3] + 1))
    r, g, b = changed.split()
    per_pixel = ImageChops.lighter(ImageChops.lighter(r, g), b)
    lowest, _ = per_pixel.getextrema()
    assert isinstance(lowest, int) and lowest > 0, "a pixel under black (change) was left as it was"


async def test_edit_reports_a_listed_resolution_and_the_true_size(
    sandbox_client: httpx.AsyncClient, make_png: MakePng, make_mask: MakeMask
) -> None:
    files = [png_part("image", make_png(300, 200)), png_part("mask", make_mask(300, 200, (0, 0, 99, 99)))]
    [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/inpaint", {"prompt": "x"}, files))["data"]

    assert item["upscaled_resolution"] == "300x200"
    assert item["resolution"] in {"1152x704", "1216x832", "1248x832"}  # a listed 3:2-ish size
    assert (await download(sandbox_client, item["url"])).size == (300, 200)


async def test_reframe_centres_the_scaled_source_in_the_new_size(
    sandbox_client: httpx.AsyncClient, make_png: MakePng
) -> None:
    source_bytes = make_png(256, 256)
    files = [png_part("image", source_bytes)]
    [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/reframe", {"resolution": "1280x800"}, files))["data"]

    result = await download(sandbox_client, item["url"])
    assert result.size == (1280, 800)
    source = Image.open(io.BytesIO(source_bytes)).convert("RGB")
    inside = result.convert("RGB").crop((240, 0, 1040, 800))
    assert mean_abs_difference(inside, source.resize((800, 800), Image.Resampling.BICUBIC)) < 2
    assert mean_abs_difference(result.crop((0, 0, 240, 800)), inside.crop((0, 0, 240, 800))) > 5


async def test_replace_background_keeps_the_subject_found_against_a_plain_border(
    sandbox_client: httpx.AsyncClient,
) -> None:
    source = Image.new("RGB", (200, 200), (250, 250, 250))
    ImageDraw.Draw(source).ellipse((60, 60, 140, 140), fill=(200, 20, 20))
    buf = io.BytesIO()
    source.save(buf, format="PNG")
    files = [png_part("image", buf.getvalue())]
    [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/replace-background", {"prompt": "a beach"}, files))["data"]

    result = (await download(sandbox_client, item["url"])).convert("RGB")
    subject = source.convert("L").point(lambda v: 255 if v < 200 else 0)  # the red disc
    diff = ImageChops.difference(result, source)
    assert Image.composite(diff, Image.new("RGB", diff.size), subject).getbbox() is None
    background = ImageOps.invert(subject)
    assert (
        mean_abs_difference(
            Image.composite(result, Image.new("RGB", result.size), background),
            Image.composite(source, Image.new("RGB", source.size), background),
        )
        > 10
    )


async def test_replace_background_keeps_the_opaque_part_of_a_transparent_source(
    sandbox_client: httpx.AsyncClient,
) -> None:
    source = Image.new("RGBA", (120, 90), (0, 0, 0, 0))
    source.paste((10, 200, 90, 255), (30, 20, 90, 70))
    buf = io.BytesIO()
    source.save(buf, format="PNG")
    files = [png_part("image", buf.getvalue())]
    [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/replace-background", {"prompt": "a sky"}, files))["data"]

    result = await download(sandbox_client, item["url"])
    assert result.mode == "RGBA"
    assert result.crop((30, 20, 90, 70)).tobytes() == source.crop((30, 20, 90, 70)).tobytes()
    assert result.getpixel((0, 0)) != (0, 0, 0, 0)


async def test_remix_follows_the_source_more_as_image_weight_rises(
    sandbox_client: httpx.AsyncClient, make_png: MakePng
) -> None:
    source_bytes = make_png(512, 512)
    source = Image.open(io.BytesIO(source_bytes)).convert("RGB").resize((1024, 1024), Image.Resampling.BICUBIC)
    distances = []
    for weight in ("10", "50", "90"):
        fields = {"prompt": "a garden", "seed": "9", "resolution": "1024x1024", "image_weight": weight}
        [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/remix", fields, [png_part("image", source_bytes)]))[
            "data"
        ]
        distances.append(mean_abs_difference(await download(sandbox_client, item["url"]), source))

    assert distances[0] > distances[1] > distances[2]


async def test_generate_transparent_has_a_transparent_background_and_upscales(
    sandbox_client: httpx.AsyncClient,
) -> None:
    fields = {"prompt": "a sticker", "aspect_ratio": "1x1", "upscale_factor": "X2"}
    [item] = (await ok_json(sandbox_client, "/v1/ideogram-v3/generate-transparent", fields))["data"]

    assert item["resolution"] == "1024x1024"
    assert item["upscaled_resolution"] == "2048x2048"
    img = await download(sandbox_client, item["url"])
    assert img.mode == "RGBA"
    assert img.size == (2048, 2048)
    assert img.getpixel((0, 0))[3] == 0  # type: ignore[index]
    assert img.getchannel("A").getextrema() == (0, 255)
