"""The Speed list's price beside each speed, from the table of the model the form sends to: the v1
Ideogram 3.0 table for a 3.0 request, the v2 table for a v2 model (4.0's own prices; never 3.0's
figures beside a 4.x model)."""

from __future__ import annotations

import dataclasses

from ...api import v2_pricing
from ...api.enums import RenderingSpeed, human_name
from ...api.pricing import price_per_image
from ...api.requests import ApiRequest
from ...api.v2_requests import V2Request


def speed_item_text(request: ApiRequest | V2Request, speed: RenderingSpeed | None) -> str:
    """'Turbo  ·  $0.03 / image' for this request at this speed (None: the speed not set)."""
    name = "Not set (Default)" if speed is None else human_name(speed)
    if isinstance(request, V2Request):
        values = {k: v for k, v in request.values.items() if k != "rendering_speed"}
        if speed is not None:
            values["rendering_speed"] = speed.value.lower()
        price = v2_pricing.price_per_image(V2Request(request.operation, request.model, values, request.uploads))
    else:
        price = price_per_image(dataclasses.replace(request, rendering_speed=speed))  # type: ignore[call-arg]
    return f"{name}  ·  {'no published price' if price is None else f'${price:.2f} / image'}"
