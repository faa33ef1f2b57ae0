"""Prices before spending: a v1 Ideogram 3.0 request priced through its v2 twin, and a batch's total
from one quote per price group (against the sandbox), a 4.x batch planned on the 4.x request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from starlette.applications import Starlette

from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.enums import AspectRatio, MagicPrompt, RenderingSpeed, StylePreset
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.pricing import estimate_cost
from ideogram_studio.api.requests import GenerateRequest, Operation
from ideogram_studio.api.v1_quotes import as_v2
from ideogram_studio.api.v2_requests import V2Request
from ideogram_studio.batch.plan import SeedMode, SeedPolicy, from_template
from ideogram_studio.batch.pricing import groups, local_price, quote_plan
from ideogram_studio.batch.variables import parse_template
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport

from .helpers import SANDBOX_URL, TEST_API_KEY, png_bytes


@pytest.fixture
def app() -> Starlette:
    return create_app(SandboxConfig())


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[IdeogramClient]:
    c = IdeogramClient(api_key=TEST_API_KEY, base_url=SANDBOX_URL, transport=sandbox_transport(app))
    yield c
    await c.aclose()


def test_a_v1_generate_has_a_v2_twin_with_lowercase_enums() -> None:
    v1 = GenerateRequest(prompt="a mug", rendering_speed=RenderingSpeed.TURBO, aspect_ratio=AspectRatio("16x9"),
                         magic_prompt=MagicPrompt.OFF, style_preset=StylePreset("BAUHAUS"), num_images=2)  # fmt: skip
    twin = as_v2(v1)
    assert twin is not None and twin.endpoint == "/v2/image/generate/ideogram-3"
    assert twin.values == {"prompt": "a mug", "rendering_speed": "turbo", "aspect_ratio": "16x9",
                           "magic_prompt": "off", "style_preset": "bauhaus", "num_images": 2}  # fmt: skip


def test_no_twin_where_the_price_would_differ_or_the_twin_refuses() -> None:
    face = ImageFile.from_bytes(png_bytes(64, 64), "face.png")
    assert as_v2(GenerateRequest(prompt="x", character_reference_images=(face,))) is None  # another model
    assert as_v2(GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.FLASH)) is None  # no flash on v2


async def test_the_twins_quote_is_the_v1_price(client: IdeogramClient) -> None:
    v1 = GenerateRequest(prompt="a mug", rendering_speed=RenderingSpeed.QUALITY, num_images=3)
    twin = as_v2(v1)
    assert twin is not None
    quote = await client.v2.quote(twin)
    assert quote.exact and quote.usd == estimate_cost(v1) == Decimal("0.27")


async def test_a_batch_is_priced_with_one_quote_per_price_group(app: Starlette, client: IdeogramClient) -> None:
    base = V2Request.build(Operation.GENERATE, "ideogram-4-5", {"prompt": "x", "quality": "low", "num_images": 2})
    expansions = parse_template("a {red|blue|green} {mug|poster}", {}).expand()
    plan = from_template("Mugs", base, expansions, seeds=SeedPolicy(SeedMode.INCREMENTING, 5), repeat=2)
    assert plan.request_count == 12 and len(groups(plan)) == 1
    first = plan.items[0].request
    assert isinstance(first, V2Request) and first.model == "ideogram-4-5"
    assert first.values["prompt"] == "a red mug" and first.values["seed"] == 5 and first.values["quality"] == "low"
    asked: list[V2Request] = []

    async def quote(request: V2Request):  # type: ignore[no-untyped-def]
        asked.append(request)
        return await client.v2.quote_or_estimate(request)

    total = await quote_plan(plan, quote, local_price)
    assert len(asked) == 1 and app.state.sandbox.quotes == 1
    assert total.exact and total.total == Decimal("0.72") == total.upper  # 12 × 2 images × $0.03
    assert total.text() == "$0.72 (Ideogram's quote, exact)"


async def test_groups_the_service_cannot_price_keep_the_local_figure(client: IdeogramClient) -> None:
    base = GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.FLASH)  # no v2 twin: local table
    plan = from_template("Flash", base, parse_template("{a|b}", {}).expand())
    total = await quote_plan(plan, client.v2.quote_or_estimate, local_price)
    assert total.quoted == 0 and total.local == 2 and total.total == Decimal("0.06")
    assert total.text() == "≈ $0.06 (local price table)"


def test_a_structured_prompt_is_kept_across_the_batch_rows() -> None:
    caption = {
        "high_level_description": "A poster", "style_description": {"aesthetics": "bold", "lighting": "flat",
        "medium": "print", "art_style": "swiss", "color_palette": ["#112233"]},
        "compositional_deconstruction": {"background": "cream", "elements": [
            {"type": "obj", "bbox": [400, 300, 900, 700], "desc": "a fox"}]},
    }  # fmt: skip
    base = V2Request.build(Operation.GENERATE, "ideogram-4", {"json_prompt": caption})
    plan = from_template("Foxes", base, parse_template("{a|b}", {}).expand(), seeds=SeedPolicy(SeedMode.FIXED, 9))
    for item in plan.items:
        assert isinstance(item.request, V2Request)
        assert item.request.json_prompt == caption and "prompt" not in item.request.values
        assert item.request.values["seed"] == 9


@pytest.mark.parametrize(
    ("model", "values", "price"),
    [
        ("ideogram-3", {"rendering_speed": "turbo"}, "0.04"),
        ("ideogram-3", {}, "0.07"),
        ("ideogram-3", {"upscale_factor": "x2"}, None),  # no published figure: no guess
        ("ideogram-4", {}, "0.06"),
        ("ideogram-4", {"rendering_speed": "quality"}, None),
    ],
)
def test_transparent_endpoints_have_a_local_figure_where_one_is_known(model, values, price) -> None:
    request = V2Request.build(Operation.GENERATE_TRANSPARENT, model, {"prompt": "a badge", **values})
    figure = local_price(request)
    assert (None if figure is None else str(figure)) == price


def test_a_mixed_total_says_in_words_what_was_priced_how() -> None:
    from ideogram_studio.batch.pricing import PlanQuote

    mixed = PlanQuote(Decimal("0.30"), Decimal("0.30"), quoted=8, exact=True, local=1, unknown=2)
    assert mixed.text() == (
        "$0.30 (Ideogram's quote, exact); 1 request priced from the local table; 2 without a published price"
    )
    assert "3 requests priced" in PlanQuote(Decimal(1), Decimal(1), 1, True, 3, 0).text()
