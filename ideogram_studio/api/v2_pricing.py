"""The local v2 price table: only the fallback when the service cannot quote (it goes stale).

Ideogram's catalogue of 2026-11-16 (digest, "Prices"), USD per image. A quote from the service
(`dry_run`) always wins; a figure from here is shown labelled "local price table".
"""

from __future__ import annotations

from decimal import Decimal

from .requests import Operation
from .v2_requests import V2Request

D = Decimal
BY_QUALITY_45 = {"low": D("0.03"), "medium": D("0.06"), "high": D("0.10")}
PRECISE_EDIT = {"very_low": D("0.008"), "low": D("0.03"), "medium": D("0.06"), "high": D("0.22")}
SPEED_4 = {"turbo": D("0.03"), "default": D("0.06"), "quality": D("0.10")}
SPEED_3 = {"turbo": D("0.03"), "default": D("0.06"), "quality": D("0.09")}
TRANSPARENT_3 = {"turbo": D("0.04"), "default": D("0.07"), "quality": D("0.10")}
TRANSPARENT_4_DEFAULT = D("0.06")
#: Remove object is not in the catalogue: its figure is Ideogram's own dry-run quote of 2026-10-10
#: (qmediat/ideogram-mcp docs/PRICES-2026-10-10.md: object_removal_usage_v2, $0.03 exact).
FLAT = {Operation.REMOVE_BACKGROUND: D("0.01"), Operation.LAYERIZE_TEXT: D("0.09"), Operation.REMOVE_OBJECT: D("0.03")}


def price_per_image(request: V2Request) -> Decimal | None:
    v, op, model = request.values, request.operation, request.model
    if op in FLAT:
        return FLAT[op]
    if op is Operation.GENERATE_TRANSPARENT:
        return _transparent(request)
    if op is Operation.PRECISE_EDIT:
        return PRECISE_EDIT.get(str(v.get("quality", "medium")))
    if model in ("ideogram-4-5", "ideogram-4-6"):
        return BY_QUALITY_45.get(str(v.get("quality", "medium")))
    speed = str(v.get("rendering_speed", "default"))
    if model == "ideogram-4" and op in (Operation.GENERATE, Operation.REMIX):
        return SPEED_4.get(speed)
    if model == "ideogram-3" and op in (
        Operation.GENERATE, Operation.REMIX, Operation.EDIT, Operation.REFRAME, Operation.REPLACE_BACKGROUND,
    ):  # fmt: skip
        return SPEED_3.get(speed)
    return None


def _transparent(request: V2Request) -> Decimal | None:
    """3.0 transparent: the published v1 figures at x1 (no price for an upscale); 4.0 transparent:
    only its default is known (Ideogram's dry-run quote of 2026-10-10, $0.06)."""
    v = request.values
    if request.model == "ideogram-3":
        if v.get("upscale_factor", "x1") != "x1":
            return None
        return TRANSPARENT_3.get(str(v.get("rendering_speed", "default")))
    if request.model == "ideogram-4" and v.get("rendering_speed", "default") == "default":
        return TRANSPARENT_4_DEFAULT if v.get("output_resolution", "1k") == "1k" else None
    return None


def estimate(request: V2Request) -> Decimal | None:
    each = price_per_image(request)
    return None if each is None else each * request.image_count()
