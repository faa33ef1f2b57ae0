"""A batch's total from the service's quotes, asked before anything is sent.

The rows of a batch differ in their prompt and seed, which do not change a price; everything else
(model, speed or quality, number of images, references…) may. So the plan is grouped by what can
change the price, one quote is asked per group (for its first request, exactly as it will be sent;
v1 Ideogram 3.0 requests through their v2 twin, api/v1_quotes.py) and multiplied by the group's
size. A group the service cannot price keeps the local table's figure and the total says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..api import v2_pricing
from ..api.pricing import estimate_cost
from ..api.v1_quotes import as_v2
from ..api.v2_requests import JSON_PROMPT, V2Request
from ..api.v2_responses import PriceQuote, QuoteSource
from .plan import AnyRequest, BatchPlan

#: Fields that never change what a request costs.
PRICE_NEUTRAL = frozenset({"prompt", JSON_PROMPT, "seed", "negative_prompt"})

Quoter = Callable[[V2Request], Awaitable[PriceQuote | None]]
LocalPrice = Callable[[AnyRequest], Decimal | None]


@dataclass(frozen=True)
class PlanQuote:
    """What the whole plan costs: `total` (quotes × group sizes, local figures where no quote came),
    `upper` (the estimates' upper bounds where given), how many requests each source priced."""

    total: Decimal
    upper: Decimal
    quoted: int
    exact: bool
    local: int
    unknown: int

    def text(self) -> str:
        if self.quoted == 0:
            return f"≈ ${self.total:.2f} (local price table)"
        head = f"${self.total:.2f}" if self.exact and self.upper == self.total else f"up to ${self.upper:.2f}"
        parts = [f"{head} (Ideogram's quote{', exact' if self.exact else ''})"]
        if self.local:
            parts.append(f"{self.local} request{'s' * (self.local != 1)} priced from the local table")
        if self.unknown:
            parts.append(f"{self.unknown} without a published price")
        return "; ".join(parts)


def local_price(request: AnyRequest) -> Decimal | None:
    """The local table's figure for a request of either API (v1's 3.0 table, v2's catalogue)."""
    return v2_pricing.estimate(request) if isinstance(request, V2Request) else estimate_cost(request)


def price_key(request: AnyRequest) -> str:
    values = request.values if isinstance(request, V2Request) else request.fields_json()
    kept = {k: v for k, v in values.items() if k not in PRICE_NEUTRAL}
    files: dict[str, Any] = {k: len(v) for k, v in request.files().items()}
    return repr((request.endpoint, sorted(kept.items(), key=lambda kv: kv[0]), sorted(files.items())))


def groups(plan: BatchPlan) -> list[tuple[AnyRequest, int]]:
    """One request per price group, and how many of the plan's requests share its price."""
    found: dict[str, list[Any]] = {}
    for item in plan.items:
        key = price_key(item.request)
        if key in found:
            found[key][1] += 1
        else:
            found[key] = [item.request, 1]
    return [(request, count) for request, count in found.values()]


async def quote_plan(plan: BatchPlan, quote: Quoter, local: LocalPrice) -> PlanQuote:
    total = upper = Decimal(0)
    quoted = local_count = unknown = 0
    exact = True
    for request, count in groups(plan):
        twin = as_v2(request)
        answer = await quote(twin) if twin is not None and twin.spec.dry_run else None
        if answer is not None and answer.source is QuoteSource.SERVICE:
            total += answer.usd * count
            upper += (answer.upper_bound_usd or answer.usd) * count
            quoted += count
            exact = exact and answer.exact
            continue
        figure = local(request)
        if figure is None:
            unknown += count
            continue
        total += figure * count
        upper += figure * count
        local_count += count
    return PlanQuote(total, upper, quoted, exact and quoted > 0, local_count, unknown)
