"""Estimated prices, USD per output image, as published for Ideogram 3.0.

One table, easy to update. Where no price is published (upscale, describe, BALANCED speed) the
estimate is None and the UI says "no published price": a guessed figure would mislead.
"""

from __future__ import annotations

from decimal import Decimal

from .enums import RenderingSpeed, UpscaleFactor
from .requests import ApiRequest, GenerateTransparentRequest, Operation

D = Decimal
STANDARD: dict[RenderingSpeed, Decimal] = {
    RenderingSpeed.FLASH: D("0.03"),
    RenderingSpeed.TURBO: D("0.03"),
    RenderingSpeed.DEFAULT: D("0.06"),
    RenderingSpeed.QUALITY: D("0.09"),
}
CHARACTER_REFERENCE: dict[RenderingSpeed, Decimal] = {
    RenderingSpeed.TURBO: D("0.10"),
    RenderingSpeed.DEFAULT: D("0.15"),
    RenderingSpeed.QUALITY: D("0.20"),
}
TRANSPARENT_X1: dict[RenderingSpeed, Decimal] = {
    RenderingSpeed.TURBO: D("0.04"),
    RenderingSpeed.DEFAULT: D("0.07"),
    RenderingSpeed.QUALITY: D("0.10"),
}
PRICED_OPERATIONS = {
    Operation.GENERATE,
    Operation.REMIX,
    Operation.EDIT,
    Operation.REFRAME,
    Operation.REPLACE_BACKGROUND,
}
#: What the studio says before an operation with no published price and no quote is sent (the v1
#: upscale and describe have no dry run and no v2 twin): a guessed figure would mislead.
UNPRICED: dict[Operation, str] = {
    Operation.UPSCALE: "Price unknown: Ideogram publishes no price for upscaling and gives no quote for it.",
    Operation.DESCRIBE: "Price unknown: Ideogram publishes no price for Describe and gives no quote for it.",
}
#: The speed the service uses when none is sent.
DEFAULT_SPEED = RenderingSpeed.DEFAULT


def price_per_image(request: ApiRequest) -> Decimal | None:
    speed = getattr(request, "rendering_speed", None) or DEFAULT_SPEED
    if isinstance(request, GenerateTransparentRequest):
        if request.upscale_factor not in (None, UpscaleFactor.X1):
            return None
        return TRANSPARENT_X1.get(speed)
    if request.operation not in PRICED_OPERATIONS:
        return None
    table = CHARACTER_REFERENCE if request.has_character_reference else STANDARD
    return table.get(speed)


def estimate_cost(request: ApiRequest) -> Decimal | None:
    """Estimated USD for the whole request (price per image × images), or None if unknown."""
    each = price_per_image(request)
    return None if each is None else each * request.image_count()


def format_cost(cost: Decimal | None) -> str:
    return "no published price" if cost is None else f"≈ ${cost:.2f}"
