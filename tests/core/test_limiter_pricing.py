"""The in-flight limiter (counted in images, first come first served) and the price table."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from ideogram_studio.api.enums import RenderingSpeed, UpscaleFactor
from ideogram_studio.api.limiter import InFlightLimiter
from ideogram_studio.api.pricing import estimate_cost, format_cost
from ideogram_studio.api.requests import DescribeRequest, GenerateRequest, GenerateTransparentRequest

from .helpers import solid_image, until


async def test_limiter_never_exceeds_capacity_in_images() -> None:
    limiter = InFlightLimiter(10)
    peak = 0

    async def job(weight: int) -> None:
        nonlocal peak
        async with limiter.slots(weight):
            peak = max(peak, limiter.in_flight)
            assert limiter.in_flight <= 10
            await asyncio.sleep(0.001)

    await asyncio.gather(*(job(w) for w in [4, 4, 4, 1, 8, 2, 10, 3] * 5))
    assert 8 <= peak <= 10
    assert limiter.in_flight == 0


async def test_limiter_is_first_come_first_served() -> None:
    limiter = InFlightLimiter(4)
    order: list[str] = []
    gate = asyncio.Event()

    async def job(name: str, weight: int) -> None:
        async with limiter.slots(weight):
            order.append(name)
            await gate.wait()

    first = asyncio.create_task(job("a", 3))
    await asyncio.sleep(0)
    big = asyncio.create_task(job("big", 4))
    await asyncio.sleep(0)
    small = asyncio.create_task(job("small", 1))  # fits now, but must not overtake "big"
    await until(lambda: limiter.waiting == 2, "both later jobs to be waiting for the limiter")
    assert order == ["a"]
    gate.set()
    await asyncio.gather(first, big, small)
    assert order == ["a", "big", "small"]


async def test_cancelled_waiter_gives_its_turn_away() -> None:
    limiter = InFlightLimiter(1)
    async with limiter.slots(1):
        waiter = asyncio.create_task(limiter._acquire(1))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert limiter.waiting == 0
    assert limiter.in_flight == 0


def test_prices_per_image_times_images() -> None:
    assert estimate_cost(GenerateRequest(prompt="x", num_images=4, rendering_speed=RenderingSpeed.QUALITY)) == Decimal(
        "0.36"
    )
    assert estimate_cost(GenerateRequest(prompt="x")) == Decimal("0.06")  # DEFAULT when not sent
    with_character = GenerateRequest(
        prompt="x", rendering_speed=RenderingSpeed.TURBO, num_images=2, character_reference_images=(solid_image(),)
    )
    assert estimate_cost(with_character) == Decimal("0.20")
    assert estimate_cost(GenerateTransparentRequest(prompt="x", rendering_speed=RenderingSpeed.TURBO)) == Decimal(
        "0.04"
    )


def test_unknown_prices_are_never_guessed() -> None:
    assert estimate_cost(DescribeRequest(image_file=solid_image())) is None
    assert estimate_cost(GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.BALANCED)) is None
    assert estimate_cost(GenerateTransparentRequest(prompt="x", upscale_factor=UpscaleFactor.X4)) is None
    assert format_cost(None) == "no published price"
    assert format_cost(Decimal("0.3")) == "≈ $0.30"
