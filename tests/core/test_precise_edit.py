"""Precise Edit and remove object in the core: the context window's rules (one function for the
request and the canvas), references, the mask polarity table, prices, and both against the sandbox."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_studio.api import context_window as cw
from ideogram_studio.api import v2_pricing
from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.errors import RequestValidationError
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.registry import SPECS, MaskPolarity, spec_for
from ideogram_studio.api.requests import Operation
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.api.v2_responses import AsyncAcknowledgement, GenerationStatus, V2ImageResult
from ideogram_studio.imaging import mask_export
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

from .helpers import SANDBOX_URL, TEST_API_KEY, FakeClock, png_bytes

CONTRACT = Path(__file__).resolve().parents[1] / "contract" / "openapi-v2.json"
W, H = 1200, 800


def window(y0: int, x0: int, y1: int, x1: int) -> cw.ContextWindow:
    return cw.ContextWindow(y0, x0, y1, x1)


# ---- the context window's rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("win", "size", "rule"),
    [
        (window(0, 0, 256, 256), (W, H), None),
        (window(0, 0, 255, 400), (W, H), "each side ≥ 256 px"),
        (window(0, 0, 400, 255), (W, H), "each side ≥ 256 px"),
        (window(0, 0, 256, 1536), (2000, 2000), None),  # exactly 6:1
        (window(0, 0, 256, 1537), (2000, 2000), "aspect 1:6–6:1"),
        (window(0, 0, 1537, 256), (2000, 2000), "aspect 1:6–6:1"),
        (window(0, 0, 2048, 2048), (3000, 3000), None),  # exactly 4,194,304
        (window(0, 0, 2048, 2049), (3000, 3000), "≤ 4,194,304 px"),
        (window(0, 0, 300, 300), (W, H), None),
        (window(600, 0, 900, 300), (W, H), "outside the image"),
        (window(10, 10, 10, 300), (W, H), "empty"),
    ],
)
def test_each_rule_is_named_at_its_boundary(win: cw.ContextWindow, size: tuple[int, int], rule: str | None) -> None:
    broken = cw.broken_rule(win, *size)
    assert (broken.name if broken else None) == rule


def test_the_request_refuses_what_the_rule_function_refuses_with_the_same_sentence() -> None:
    image = ImageFile.from_bytes(png_bytes(W, H), "src.png")
    for value in ("0,0,100,400", "0,0,300,1900", "0,0,800,1200", "auto", "1,2,3"):
        request = V2Request.build(Operation.PRECISE_EDIT, "ideogram-4-5", {"prompt": "x", "context_window": value},
                                  {"image": [image]})  # fmt: skip
        expected = cw.field_rule(value, W, H, has_mask=False)
        if expected is None:
            request.validate()
            continue
        with pytest.raises(RequestValidationError) as caught:
            request.validate()
        assert caught.value.field == "context_window"
        if value != "1,2,3":  # (that one fails the field's pattern first, in other words)
            assert caught.value.rule == expected.sentence


@pytest.mark.parametrize("size", [(256, 256), (512, 384), (4000, 3000), (6000, 500), (300, 5000), (8192, 8192)])
def test_the_largest_allowed_window_obeys_every_rule(size: tuple[int, int]) -> None:
    win = cw.largest_allowed(*size)
    assert win is not None and cw.broken_rule(win, *size) is None
    assert win.width * win.height > cw.MAX_PIXELS * 0.99 or win.width == size[0] or win.height == size[1]


def test_no_window_fits_an_image_under_256_px() -> None:
    assert cw.largest_allowed(255, 1000) is None


def test_a_window_from_corners_dragged_backwards_is_normalised() -> None:
    assert cw.ContextWindow.from_corners(500.4, 300.6, 100.2, 20.0) == window(20, 100, 301, 500)
    assert window(20, 100, 301, 500).to_field() == "20,100,301,500"
    assert cw.ContextWindow.parse(" 20,100,301,500 ") == window(20, 100, 301, 500)


# ---- references ---------------------------------------------------------------------------------


def _mask(size: tuple[int, int], box: tuple[int, int, int, int], *, fill: int, ground: int) -> ImageFile:
    img = Image.new("L", size, ground)
    img.paste(fill, box)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return ImageFile.from_bytes(buf.getvalue(), "mask.png")


@pytest.mark.parametrize(("refs", "with_mask", "ok"), [(4, False, True), (5, False, False), (3, True, True),
                                                       (4, True, False)])  # fmt: skip
def test_references_up_to_four_or_three_with_a_mask(refs: int, with_mask: bool, ok: bool) -> None:
    image = ImageFile.from_bytes(png_bytes(W, H), "src.png")
    ref = ImageFile.from_bytes(png_bytes(64, 64), "ref.png")
    uploads: dict[str, list[ImageFile]] = {"image": [image], "reference_images": [ref] * refs}
    if with_mask:
        uploads["mask"] = [_mask((W, H), (10, 10, 200, 200), fill=0, ground=255)]
    request = V2Request.build(Operation.PRECISE_EDIT, "ideogram-4-5", {"prompt": "x"}, uploads)
    if ok:
        request.validate()
    else:
        with pytest.raises(RequestValidationError) as caught:
            request.validate()
        assert caught.value.field == "reference_images"


# ---- the one polarity table ----------------------------------------------------------------------


def test_the_polarity_table_agrees_with_every_registry_entry_and_the_contract() -> None:
    contract = json.loads(CONTRACT.read_text())["paths"]
    with_mask = [s for s in SPECS if s.has("mask")]
    assert {s.operation for s in with_mask} == set(mask_export.EXPORT_POLARITY)
    for spec in with_mask:
        assert mask_export.polarity_for(spec.operation) is spec.mask_polarity, spec.path
        assert contract[spec.path]["post"]["x-mask-polarity"] == spec.mask_polarity.value  # type: ignore[union-attr]
    assert mask_export.polarity_for(Operation.REMOVE_OBJECT) is MaskPolarity.WHITE_EDITS
    assert mask_export.polarity_for(Operation.PRECISE_EDIT) is MaskPolarity.BLACK_EDITS


#: What each polarity means in pixels: (the painted area's value, the kept area's value).
PIXELS = {MaskPolarity.BLACK_EDITS: (0, 255), MaskPolarity.WHITE_EDITS: (255, 0)}


@pytest.mark.parametrize(("operation", "polarity"), list(mask_export.EXPORT_POLARITY.items()))
def test_the_same_painting_exports_per_the_table(operation: Operation, polarity: MaskPolarity) -> None:
    coverage = Image.new("L", (40, 30), 0)
    coverage.paste(255, (5, 5, 15, 15))
    painted, kept = PIXELS[polarity]
    for grow, feather in ((0, 0), (2, 2)):  # both export paths (as painted; grown and feathered)
        mask = mask_export.mask_for(operation, coverage, grow, feather)
        assert mask.mode == "L" and mask.size == (40, 30)
        assert mask.getpixel((10, 10)) == painted and mask.getpixel((30, 20)) == kept
        assert set(mask.tobytes()) == {0, 255}
        file = mask_export.mask_file_for(operation, coverage, grow, feather)
        assert file.pil().tobytes() == mask.tobytes()
    assert mask_export.coverage_from_mask(operation, mask_export.mask_for(operation, coverage)).tobytes() == (
        coverage.tobytes())  # fmt: skip


def test_the_two_polarities_are_each_others_inverse() -> None:
    coverage = Image.new("L", (20, 20), 0)
    coverage.paste(255, (0, 0, 10, 20))
    black = mask_export.mask_for(Operation.PRECISE_EDIT, coverage).tobytes()
    white = mask_export.mask_for(Operation.REMOVE_OBJECT, coverage).tobytes()
    assert all(b + w == 255 for b, w in zip(black, white, strict=True))


def test_an_operation_without_a_mask_has_no_polarity() -> None:
    with pytest.raises(KeyError):
        mask_export.polarity_for(Operation.REMIX)


def test_remove_objects_request_validates_its_own_polarity() -> None:
    image = ImageFile.from_bytes(png_bytes(W, H), "src.png")
    coverage = Image.new("L", (W, H), 0)
    coverage.paste(255, (100, 100, 300, 300))
    good = mask_export.mask_file_for(Operation.REMOVE_OBJECT, coverage)
    V2Request.build(Operation.REMOVE_OBJECT, "ideogram-1", {}, {"image": [image], "mask": [good]}).validate()
    wrong_way = mask_export.mask_file_for(Operation.EDIT, Image.new("L", (W, H), 0))  # all white: nothing to remove
    with pytest.raises(RequestValidationError, match="marks the whole image"):
        V2Request.build(Operation.REMOVE_OBJECT, "ideogram-1", {}, {"image": [image], "mask": [wrong_way]}).validate()


# ---- prices -------------------------------------------------------------------------------------


def test_local_prices_for_precise_edit_and_remove_object() -> None:
    image = ImageFile.from_bytes(png_bytes(W, H), "src.png")
    pe = V2Request.build(Operation.PRECISE_EDIT, "ideogram-4-5", {"prompt": "x", "quality": "high", "num_images": 2},
                         {"image": [image]})  # fmt: skip
    assert str(v2_pricing.estimate(pe)) == "0.44"
    ro = V2Request.build(Operation.REMOVE_OBJECT, "ideogram-1", {}, {"image": [image]})
    assert str(v2_pricing.estimate(ro)) == "0.03"
    assert spec_for(Operation.REMOVE_OBJECT, "ideogram-1").dry_run


# ---- against the sandbox --------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return create_app(SandboxConfig(clock=clock, async_pending_seconds=3, poll_min_interval=0))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[IdeogramClient]:
    async def no_sleep(_: float) -> None:
        return None

    c = IdeogramClient(api_key=TEST_API_KEY, base_url=SANDBOX_URL, transport=sandbox_transport(app), sleep=no_sleep)
    yield c
    await c.aclose()


async def _pixels(client: IdeogramClient, result: V2ImageResult) -> Image.Image:
    return Image.open(io.BytesIO(await client.download(result.data[0]))).convert("RGB")


async def test_precise_edit_returns_the_exact_input_size_and_keeps_pixels_outside_the_window(
    client: IdeogramClient,
) -> None:
    src_bytes = png_bytes(700, 500)
    image = ImageFile.from_bytes(src_bytes, "src.png")
    request = V2Request.build(Operation.PRECISE_EDIT, "ideogram-4-5",
                              {"prompt": "a hat", "context_window": "0,0,300,300", "quality": "low"},
                              {"image": [image]})  # fmt: skip
    request.validate()
    result = await client.v2.send(request, send_async=False)
    assert isinstance(result, V2ImageResult)
    out, src = await _pixels(client, result), Image.open(io.BytesIO(src_bytes)).convert("RGB")
    assert out.size == (700, 500)
    assert out.getpixel((650, 450)) == src.getpixel((650, 450))  # outside the window: unchanged
    assert out.getpixel((150, 150)) != src.getpixel((150, 150))  # inside: edited


async def test_remove_object_is_async_quoted_and_fills_only_the_painted_area(
    app: Starlette, client: IdeogramClient, clock: FakeClock
) -> None:
    src_bytes = png_bytes(400, 300)
    image = ImageFile.from_bytes(src_bytes, "src.png")
    coverage = Image.new("L", (400, 300), 0)
    coverage.paste(255, (50, 50, 150, 150))  # painted: what to remove
    mask = mask_export.mask_file_for(Operation.REMOVE_OBJECT, coverage)
    request = V2Request.build(Operation.REMOVE_OBJECT, "ideogram-1", {"seed": 3}, {"image": [image], "mask": [mask]})
    request.validate()
    assert request.wants_async
    quote = await client.v2.quote(request)
    assert str(quote.usd) == "0.03" and quote.exact
    ack = await client.v2.send(request)
    assert isinstance(ack, AsyncAcknowledgement)
    done = await client.v2.wait(ack.generation_id, on_poll=lambda _g, wait: clock.advance(wait))
    assert done.status is GenerationStatus.COMPLETED and done.usage_cost_usd_micros == 30_000
    out = Image.open(io.BytesIO(await client.download(done.data[0]))).convert("RGB")
    src = Image.open(io.BytesIO(src_bytes)).convert("RGB")
    assert out.size == (400, 300)
    assert out.getpixel((100, 100)) != src.getpixel((100, 100))  # removed and filled
    assert out.getpixel((350, 250)) == src.getpixel((350, 250))  # kept
