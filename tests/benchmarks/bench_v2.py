"""v2 benchmark (run on demand, not a test): a price quote's round trip and a poll's, against the
bare HTTP call in the same run.

    python tests/benchmarks/bench_v2.py                 # defaults
    python tests/benchmarks/bench_v2.py --reps 2000

(a) Quote. `client.v2.quote(request)` with the cache emptied before each call (validate, build
    the body, hash it for the cache key, POST `?dry_run=true`, map the status, read the PriceQuote)
    against a bare `httpx.AsyncClient.post` of the same prepared body to the same URL. A cache hit
    is timed too (what the UI pays when nothing changed).
(b) Poll. `client.v2.poll(generation_id)` (GET, status mapping, typed Generation) against a bare
    `httpx.AsyncClient.get` of the same URL.
Each against two in-process apps through the same transport: the sandbox (a completed generation
of 1 image; quotes are priced without rendering) and a trivial Starlette stub answering fixed
JSON of the same shapes (what is left is the client's own cost). Interleaved in random order;
median and p90, and their ratios (target ≤ 1.10).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from ideogram_studio.api.client import IdeogramClient, RetryPolicy  # noqa: E402
from ideogram_studio.api.requests import Operation  # noqa: E402
from ideogram_studio.api.v2_requests import V2Request  # noqa: E402
from ideogram_studio.api.v2_responses import AsyncAcknowledgement  # noqa: E402
from ideogram_studio.sandbox import create_app, sandbox_transport  # noqa: E402

BASE = "http://bench.local"
KEY = "bench-key"
QUOTE = {"object": "price_quote", "billing_identifier": "generate:ideogram_4_5", "quantity": 2,
         "usd_micros": 120000, "credit_millis": 12000, "qualifier": "exact"}  # fmt: skip
GENERATION = {"generation_id": "g1", "status": "completed", "created": "2026-01-01T00:00:00+00:00",
              "response_type": "image", "usage_cost_usd_micros": 60000, "billing_identifier": "generate:ideogram_4_5",
              "data": [{"url": f"{BASE}/sandbox/images/x.png?exp=4102444800&sig=00", "prompt": "{}",
                        "resolution": "1024x1024", "seed": 1, "is_image_safe": True}]}  # fmt: skip


def request() -> V2Request:
    return V2Request.build(Operation.GENERATE, "ideogram-4-5",
                           {"prompt": "a lighthouse at dusk, bold poster", "quality": "medium", "num_images": 2,
                            "seed": 1234, "size": "1024x1024"})  # fmt: skip


def stub_app() -> Starlette:
    quote, generation = json.dumps(QUOTE).encode(), json.dumps(GENERATION).encode()

    async def post(req: Request) -> Response:
        await req.body()
        return Response(quote, media_type="application/json")

    async def get(_: Request) -> Response:
        return Response(generation, media_type="application/json")

    return Starlette(routes=[Route("/v2/image/generate/ideogram-4-5", post, methods=["POST"]),
                             Route("/v2/generations/{generation_id}", get, methods=["GET"])])  # fmt: skip


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


Contender = Callable[[], Awaitable[object]]


async def race(contenders: dict[str, Contender], reps: int, warmup: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders)
    for i in range(warmup + reps):
        random.shuffle(order)
        for name in order:
            start = time.perf_counter()
            await contenders[name]()
            elapsed = time.perf_counter() - start
            if i >= warmup:
                times[name].append(elapsed)
    return times


def report(title: str, times: dict[str, list[float]], baseline: str) -> None:
    base_median, base_p90 = quantiles(times[baseline])
    print(f"\n{title}")
    print(f"  {'contender':<34} {'median ms':>10} {'p90 ms':>10} {'×median':>8} {'×p90':>8}")
    for name, samples in times.items():
        median, p90 = quantiles(samples)
        print(f"  {name:<34} {median * 1000:10.3f} {p90 * 1000:10.3f} {median / base_median:8.3f} "
              f"{p90 / base_p90:8.3f}")  # fmt: skip


async def bench(app_name: str, app: Starlette, reps: int, warmup: int) -> None:
    client = IdeogramClient(api_key=KEY, base_url=BASE, transport=sandbox_transport(app), retry=RetryPolicy(1))
    bare = httpx.AsyncClient(transport=sandbox_transport(app), headers={"User-Agent": "bench", "Api-Key": KEY})
    req = request()
    prepared = client.v2.http_request(req, dry_run=True)
    body, headers = prepared.read(), {"Content-Type": prepared.headers["Content-Type"]}
    quote_url = str(prepared.url)

    async def via_client() -> object:
        client.v2.forget_quotes()
        return await client.v2.quote(req)

    async def cached() -> object:
        return await client.v2.quote(req)

    async def via_bare() -> object:
        response = await bare.post(quote_url, content=body, headers=headers)
        return response.json()

    gc.collect()
    times = await race({"bare httpx POST ?dry_run=true": via_bare, "client.v2.quote (cache emptied)": via_client,
                        "client.v2.quote (cache hit)": cached}, reps, warmup)  # fmt: skip
    report(f"(a) quote round trip — {app_name}", times, "bare httpx POST ?dry_run=true")

    if app_name == "sandbox":
        ack = await client.v2.send(V2Request.build(Operation.GENERATE, "ideogram-4-5",
                                                   {"prompt": "x", "size": "720x1280"}), send_async=True)  # fmt: skip
        assert isinstance(ack, AsyncAcknowledgement)
        generation_id = ack.generation_id
    else:
        generation_id = "g1"
    poll_url = f"{BASE}/v2/generations/{generation_id}"

    async def poll_client() -> object:
        return await client.v2.poll(generation_id)

    async def poll_bare() -> object:
        return (await bare.get(poll_url)).json()

    gc.collect()
    times = await race({"bare httpx GET": poll_bare, "client.v2.poll": poll_client}, reps, warmup)
    report(f"(b) poll — {app_name}", times, "bare httpx GET")
    await client.aclose()
    await bare.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    random.seed(19)
    print(f"reps {args.reps}, warmup {args.warmup}; ratios to the bare call of the same run (target ≤ 1.10)")
    await bench("stub", stub_app(), args.reps, args.warmup)
    await bench("sandbox", create_app(), args.reps, args.warmup)


if __name__ == "__main__":
    asyncio.run(main())
