"""The request types: enums match the contract, every rule names its field, encoding is right."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.api import enums
from ideogram_studio.api.errors import ImageFileError, RequestValidationError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.api.requests import (
    ALL_REQUESTS,
    EditRequest,
    GenerateRequest,
    GenerateTransparentRequest,
    ReframeRequest,
    RemixRequest,
    UpscaleRequest,
)

from .helpers import solid_image, solid_png

CONTRACT = json.loads((Path(__file__).parents[1] / "contract" / "openapi-v3.json").read_text())
SCHEMAS = CONTRACT["components"]["schemas"]


def mask(size: tuple[int, int] = (64, 64), changed: tuple[int, int, int, int] = (10, 10, 30, 30)) -> ImageFile:
    img = Image.new("L", size, 255)
    img.paste(0, changed)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageFile.from_bytes(buf.getvalue(), "mask.png")


@pytest.mark.parametrize(
    ("enum", "schema"),
    [
        (enums.AspectRatio, "AspectRatioV3"),
        (enums.Resolution, "ResolutionV3"),
        (enums.RenderingSpeed, "RenderingSpeed"),
        (enums.MagicPrompt, "MagicPromptOption"),
        (enums.StyleType, "StyleTypeV3"),
        (enums.StylePreset, "StylePresetV3"),
        (enums.PalettePreset, "ColorPalettePresetName"),
        (enums.UpscaleFactor, "UpscaleFactor"),
        (enums.DescribeModelVersion, "DescribeModelVersion"),
        (enums.MagicPromptVersion, "MagicPromptVersionEnum"),
    ],
)
def test_enums_match_the_contract(enum: type, schema: str) -> None:
    assert [m.value for m in enum] == SCHEMAS[schema]["enum"]


def test_there_are_69_resolutions_and_62_presets() -> None:
    assert len(enums.Resolution) == 69
    assert len(enums.StylePreset) == 62


def test_every_endpoint_of_the_contract_has_a_request_type_with_its_fields() -> None:
    by_endpoint = {cls.endpoint: cls for cls in ALL_REQUESTS}
    assert set(by_endpoint) == set(CONTRACT["paths"])
    for path, item in CONTRACT["paths"].items():
        ref = item["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        schema = SCHEMAS[ref.rsplit("/", 1)[1]]
        fields = set(schema["properties"])
        if path == "/upscale":  # image_request is a JSON part holding the other fields
            fields = {"image_file"} | set(SCHEMAS["UpscaleInitialImageRequest"]["properties"])
        assert set(by_endpoint[path].field_types()) == fields, path
        assert set(by_endpoint[path].required) == set(schema.get("required", [])) - {"image_request"}, path


def test_default_resolution_follows_the_aspect_ratio() -> None:
    assert enums.default_resolution(None) is enums.Resolution.R_1024X1024
    w, h = enums.size_of(enums.default_resolution(enums.AspectRatio.AR_16X9))
    assert abs(w / h - 16 / 9) < 0.05
    assert enums.human_name(enums.StylePreset.P_80S_ILLUSTRATION) == "80s Illustration"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (GenerateRequest(prompt=""), "prompt"),
        (GenerateRequest(prompt="x", num_images=9), "num_images"),
        (GenerateRequest(prompt="x", num_images=0), "num_images"),
        (GenerateRequest(prompt="x", seed=-1), "seed"),
        (GenerateRequest(prompt="x", seed=2_147_483_648), "seed"),
        (
            GenerateRequest(prompt="x", resolution=enums.Resolution.R_1024X1024, aspect_ratio=enums.AspectRatio.AR_1X1),
            "resolution",
        ),
        (GenerateRequest(prompt="x", style_codes=("XYZ",)), "style_codes"),
        (GenerateRequest(prompt="x", style_codes=("AABBCCDD",), style_type=enums.StyleType.GENERAL), "style_codes"),
        (
            GenerateRequest(prompt="x", style_codes=("AABBCCDD",), style_reference_images=(solid_image(),)),
            "style_codes",
        ),
        (GenerateRequest(prompt="x", color_palette=ColorPalette.custom(("red", 0.5))), "color_palette"),
        (GenerateRequest(prompt="x", color_palette=ColorPalette.custom(("#FF0000", 0.01))), "color_palette"),
        (
            GenerateRequest(prompt="x", color_palette=ColorPalette.custom(*[("#FF0000", 0.5)] * 9)),
            "color_palette",
        ),
        (
            GenerateRequest(prompt="x", character_reference_images=(solid_image(), solid_image())),
            "character_reference_images",
        ),
        (
            GenerateRequest(
                prompt="x",
                character_reference_images=(solid_image((64, 64)),),
                character_reference_images_mask=(mask((32, 32)),),
            ),
            "character_reference_images_mask",
        ),
        (GenerateRequest(prompt="x", style_reference_images=(solid_image(),) * 11), "style_reference_images"),
        (GenerateRequest(prompt="x", custom_model_uri="my-model"), "custom_model_uri"),
        (RemixRequest(prompt="x", image=solid_image(), image_weight=101), "image_weight"),
        (RemixRequest(prompt="x"), "image"),
        (EditRequest(prompt="x", image=solid_image((64, 64)), mask=mask((32, 32))), "mask"),
        (EditRequest(prompt="x", image=solid_image(), mask=mask(changed=(0, 0, 0, 0))), "mask"),
        (EditRequest(prompt="x", image=solid_image(), mask=mask(changed=(0, 0, 64, 64))), "mask"),
        (ReframeRequest(image=solid_image()), "resolution"),
        (GenerateTransparentRequest(prompt="x", rendering_speed=enums.RenderingSpeed.FLASH), "rendering_speed"),
        (UpscaleRequest(image_file=solid_image(), resemblance=0), "resemblance"),
    ],
)
def test_each_rule_names_its_field(request_: GenerateRequest, field: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        request_.validate()
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_valid_requests_pass() -> None:
    GenerateRequest(
        prompt="a poster",
        negative_prompt="blur",
        num_images=8,
        seed=2_147_483_647,
        aspect_ratio=enums.AspectRatio.AR_16X9,
        color_palette=ColorPalette.custom(("#AABBCC", 1.0), ("#123", 0.05)),
        style_codes=("AABBCCDD", "0133ff57"),
        character_reference_images=(solid_image(),),
        character_reference_images_mask=(mask(),),
    ).validate()
    EditRequest(prompt="x", image=solid_image(), mask=mask()).validate()


def test_file_size_limits_come_from_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from ideogram_studio.api import limits

    big = solid_image()
    monkeypatch.setitem(limits.FILE_SIZE_LIMITS, (None, "image"), len(big.data) - 1)
    with pytest.raises(RequestValidationError) as info:
        ReframeRequest(image=big, resolution=enums.Resolution.R_1024X1024).validate()
    assert info.value.field == "image"
    assert "limit" in info.value.rule


def test_form_encoding_repeats_lists_and_sends_palette_as_json() -> None:
    req = GenerateRequest(
        prompt="cat",
        style_codes=("AABBCCDD", "11223344"),
        color_palette=ColorPalette.preset("EMBER"),
        style_reference_images=(solid_image(), solid_image((32, 32))),
        num_images=2,
    )
    data, files = req.form()
    assert data["style_codes"] == ["AABBCCDD", "11223344"]
    assert data["prompt"] == "cat" and data["num_images"] == "2"
    palette = [f for f in files if f[0] == "color_palette"]
    assert palette == [("color_palette", (None, b'{"name":"EMBER"}', "application/json"))]
    assert [f[0] for f in files].count("style_reference_images") == 2


def test_upscale_sends_image_request_as_one_json_part() -> None:
    data, files = UpscaleRequest(image_file=solid_image(), resemblance=60, detail=40, prompt="sharper").form()
    assert data == {}
    parts = dict((name, value) for name, value in files)
    assert json.loads(parts["image_request"][1]) == {
        "prompt": "sharper",
        "resemblance": 60,
        "detail": 40,
        "num_images": 1,
    }
    assert parts["image_file"][2] == "image/png"


def test_from_parts_round_trips_json_and_form_strings() -> None:
    req = RemixRequest(
        prompt="p",
        image=solid_image(),
        image_weight=70,
        seed=5,
        style_preset=enums.StylePreset.WATERCOLOR,
        color_palette=ColorPalette.custom(("#AABBCC", 0.5)),
        style_codes=("AABBCCDD",),
    )
    again = RemixRequest.from_parts(req.fields_json(), req.files())
    assert again == req
    from_strings = GenerateRequest.from_parts({"prompt": "p", "num_images": "3", "style_type": "REALISTIC"})
    assert from_strings.num_images == 3 and from_strings.style_type is enums.StyleType.REALISTIC


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": "p", "num_images": "many"}, "num_images"),
        ({"prompt": "p", "style_type": "SHINY"}, "style_type"),
        ({"prompt": "p", "color_palette": "{not json"}, "color_palette"),
        ({"prompt": "p", "color_palette": '{"name": "NOPE"}'}, "color_palette"),
        ({"prompt": "p", "colour": "x"}, "colour"),
        ({}, "prompt"),
    ],
)
def test_from_parts_names_bad_values(fields: dict[str, object], field: str) -> None:
    with pytest.raises(RequestValidationError) as info:
        GenerateRequest.from_parts(fields)
    assert info.value.field == field


def test_image_files_are_checked_before_anything_is_built(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(ImageFileError, match="not an image"):
        ImageFile.from_path(text)
    truncated = solid_png((256, 256), color=None)[:200]  # header intact, data cut
    with pytest.raises(ImageFileError, match="damaged"):
        ImageFile.from_bytes(truncated, "cut.png")
    with pytest.raises(ImageFileError, match="GIF"):
        ImageFile.from_bytes(solid_png(fmt="GIF"), "anim.gif")
    with pytest.raises(ImageFileError, match="does not exist"):
        ImageFile.from_path(tmp_path / "missing.png")
    with pytest.raises(ImageFileError, match="empty"):
        ImageFile.from_bytes(b"", "zero.png")


def test_decompression_bomb_is_refused() -> None:
    # A tiny PNG that declares 20000x20000 pixels (400 MP): refused before decoding.
    bomb = Image.new("1", (20000, 20000))
    buf = io.BytesIO()
    bomb.save(buf, format="PNG", optimize=True)
    with pytest.raises(ImageFileError, match=r"megapixels|bomb"):
        ImageFile.from_bytes(buf.getvalue(), "bomb.png")
