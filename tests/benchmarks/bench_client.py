"""API client benchmark (run on demand, not a test): per-request overhead, and the in-flight limit.

    python tests/benchmarks/bench_client.py                      # defaults
    python tests/benchmarks/bench_client.py --reps 300 --stub-reps 3000 --requests 100

(a) Overhead. `IdeogramClient.send(request)` (validate, build the multipart body, take places in
    the limiter, POST, map the status, decode the JSON into typed values) against a bare
    `httpx.AsyncClient.post` of the same multipart body (`request.multipart()`, built once) to the
    same in-process app through the same kind of transport, interleaved in random order, many
    repetitions; median and p90 of each, and their ratios (target ≤ 1.10).
    Two apps:
    - the sandbox (SandboxConfig has no render-size knob, so each answer renders a PNG at the
      smallest listed resolution, 512x1536; both contenders pay it, so it dilutes the ratio);
    - a trivial Starlette stub answering a fixed JSON of the same shape after reading the body:
      what is left is the client's own cost over bare httpx.
    Plus a breakdown of the client's per-request steps, timed alone.
(b) The in-flight limit. 100 requests (num_images 1-4, mixed) submitted at once through one client
    limited to 10 images, against a sandbox that answers 429 above 10 images in flight: the largest
    number in flight seen by the sandbox and by the client, 429s, total time, and the total time as
    a ratio to the same requests sent one after another (the baseline, same run).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
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
from ideogram_studio.api.enums import RenderingSpeed, Resolution  # noqa: E402
from ideogram_studio.api.errors import ApiError, RateLimitedError  # noqa: E402
from ideogram_studio.api.limiter import InFlightLimiter  # noqa: E402
from ideogram_studio.api.requests import GenerateRequest  # noqa: E402
from ideogram_studio.api.responses import ImageResponse  # noqa: E402
from ideogram_studio.sandbox import SandboxConfig, create_app, sandbox_transport  # noqa: E402

BASE = "http://bench.local"
KEY = "bench-key"
#: The smallest listed resolution (fewest pixels): the cheapest picture the sandbox can render.
SMALLEST = min(Resolution, key=lambda r: int(r.value.split("x")[0]) * int(r.value.split("x")[1]))


def generate_request(num_images: int = 1, seed: int = 1234) -> GenerateRequest:
    return GenerateRequest(
        prompt="a lighthouse at dusk, bold poster",
        num_images=num_images,
        seed=seed,
        resolution=SMALLEST,
        rendering_speed=RenderingSpeed.TURBO,
        style_codes=("AABBCCDD", "11223344"),
        negative_prompt="blurry",
    )


def stub_app() -> Starlette:
    """Answers any generate with a fixed body shaped like the sandbox's, after reading the request."""
    body = json.dumps(
        {
            "created": "2025-01-01T00:00:00+00:00",
            "data": [
                {
                    "url": f"{BASE}/sandbox/images/0123456789abcdef.png?exp=4102444800&sig=0123456789abcdef",
                    "prompt": "a lighthouse at dusk, bold poster",
                    "resolution": SMALLEST.value,
                    "is_image_safe": True,
                    "seed": 1234,
                    "style_type": "GENERAL",
                }
            ],
        }
    ).encode()

    async def answer(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(GenerateRequest.endpoint, answer, methods=["POST"])])


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.3f}"


# ---- (a) overhead ------------------------------------------------------------------------------


async def overhead(app_name: str, app: Starlette, reps: int, warmup: int) -> dict[str, tuple[float, float]]:
    request = generate_request()
    parts = request.multipart()
    url = BASE + request.endpoint
    headers = {"Api-Key": KEY}
    client = IdeogramClient(api_key=KEY, base_url=BASE, transport=sandbox_transport(app), retry=RetryPolicy(1))
    bare = httpx.AsyncClient(transport=sandbox_transport(app), headers={"User-Agent": "bench"})
    # The same bare post through httpx's own ASGITransport: what the sandbox's transport wrapper costs.
    plain = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), headers={"User-Agent": "bench"})

    async def ours() -> None:
        response = await client.send(request)
        assert response.data

    async def bare_post() -> None:
        response = await bare.post(url, files=parts, headers=headers)
        assert response.status_code == 200, response.text

    async def plain_post() -> None:
        response = await plain.post(url, files=parts, headers=headers)
        assert response.status_code == 200, response.text

    contenders: dict[str, Callable[[], Awaitable[None]]] = {
        "client.send": ours,
        "bare post": bare_post,
        "bare post, plain ASGITransport": plain_post,
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    rng = random.Random(7)
    try:
        for i in range(warmup + reps):
            order = list(contenders)
            rng.shuffle(order)  # interleaved, in random order: a busy moment hits all alike
            for name in order:
                t = time.perf_counter()
                await contenders[name]()
                elapsed = time.perf_counter() - t
                if i >= warmup:
                    times[name].append(elapsed)
    finally:
        await client.aclose()
        await bare.aclose()
        await plain.aclose()
    stats = {name: quantiles(samples) for name, samples in times.items()}
    base_med, base_p90 = stats["bare post"]
    print(f"\n== (a) per-request time, {app_name}: {reps} repetitions after {warmup} warm-up, interleaved ==")
    print(f"{'contender':34} {'median ms':>10} {'p90 ms':>10} {'÷ bare (median)':>16} {'÷ bare (p90)':>13}")
    for name, (med, p90) in stats.items():
        print(f"{name:34} {ms(med):>10} {ms(p90):>10} {med / base_med:15.3f}× {p90 / base_p90:12.3f}×")
    return stats


def breakdown(loops: int) -> None:
    """The client's own steps for one request, each timed alone (µs per call)."""
    request = generate_request()
    body = {
        "created": "2025-01-01T00:00:00+00:00",
        "data": [{"url": f"{BASE}/x.png?exp=1&sig=2", "prompt": "p", "resolution": SMALLEST.value,
                  "is_image_safe": True, "seed": 1, "style_type": "GENERAL"}],
    }  # fmt: skip
    limiter = InFlightLimiter(10)

    async def limiter_round() -> None:
        async with limiter.slots(1):
            pass

    def timed(fn: Callable[[], object]) -> float:
        t = time.perf_counter()
        for _ in range(loops):
            fn()
        return (time.perf_counter() - t) / loops * 1e6

    async def timed_async() -> float:
        t = time.perf_counter()
        for _ in range(loops):
            await limiter_round()
        return (time.perf_counter() - t) / loops * 1e6

    rows = [
        ("GenerateRequest.field_types()", timed(GenerateRequest.field_types)),
        ("request.validate()", timed(request.validate)),
        ("request.multipart()", timed(request.multipart)),
        ("ImageResponse.from_json()", timed(lambda: ImageResponse.from_json(body))),
        ("limiter.slots(1) enter + exit", asyncio.run(timed_async())),
    ]
    try:  # httpx's ASGITransport looks for trio on every request (a failed import without sniffio)
        from httpx._transports.asgi import is_running_trio

        rows.append(("(httpx ASGITransport: is_running_trio)", timed(is_running_trio)))
    except ImportError:
        pass
    print(f"\n== (a) the client's own steps, each alone ({loops} calls); send() runs field_types() 3 times ==")
    for name, us in rows:
        print(f"{name:40} {us:8.1f} µs")


# ---- (b) the in-flight limit ---------------------------------------------------------------


async def in_flight(requests: int, limit: int, latency: float, serial_baseline: bool, socket: bool) -> None:
    rng = random.Random(11)
    sizes = [rng.randint(1, 4) for _ in range(requests)]
    config = SandboxConfig(latency=latency, max_in_flight_images=limit)

    async def run(concurrent: bool) -> tuple[float, int, int, int, int, list[str]]:
        app = create_app(config)
        state = app.state.sandbox
        rate_limited = 0
        failures: list[str] = []

        def on_retry(attempt: int, error: ApiError, delay: float) -> None:
            nonlocal rate_limited
            rate_limited += isinstance(error, RateLimitedError)

        async def drive(client: IdeogramClient) -> tuple[float, int]:
            client_max = 0
            done = asyncio.Event()

            async def sample() -> None:
                nonlocal client_max
                while not done.is_set():
                    client_max = max(client_max, client.limiter.in_flight)
                    await asyncio.sleep(0.0005)

            async def one(n: int, i: int) -> None:
                try:
                    response = await client.send(generate_request(n, seed=1000 + i), on_retry=on_retry)
                    assert len(response.data) == n
                except ApiError as exc:
                    failures.append(exc.message)

            sampler = asyncio.create_task(sample())
            t = time.perf_counter()
            if concurrent:
                await asyncio.gather(*(one(n, i) for i, n in enumerate(sizes)))
            else:
                for i, n in enumerate(sizes):
                    await one(n, i)
            elapsed = time.perf_counter() - t
            done.set()
            await sampler
            return elapsed, client_max

        if socket:
            from ideogram_studio.sandbox.server import serve_in_thread

            with serve_in_thread(app) as url:
                async with IdeogramClient(api_key=KEY, base_url=url, max_in_flight_images=limit) as client:
                    elapsed, client_max = await drive(client)
        else:
            async with IdeogramClient(
                api_key=KEY, base_url=BASE, transport=sandbox_transport(app), max_in_flight_images=limit
            ) as client:
                elapsed, client_max = await drive(client)
        seen = sum(state.requests_seen.values())
        return elapsed, state.max_in_flight_images_seen, client_max, rate_limited, seen - requests, failures

    where = "a real socket (uvicorn in a thread)" if socket else "the in-process sandbox"
    print(f"\n== (b) {requests} requests, {sum(sizes)} images (num_images 1-4, mixed), submitted at once; "
          f"limit {limit} images; sandbox latency {latency * 1000:.0f} ms + rendering at {SMALLEST.value}; "
          f"over {where} ==")  # fmt: skip
    elapsed, max_seen, client_max, limited, extra, failures = await run(True)
    print(f"{'total time':42} {elapsed:8.2f} s")
    print(f"{'max images in flight, seen by the sandbox':42} {max_seen:8d}   (limit {limit})")
    print(f"{'max images in flight, client limiter':42} {client_max:8d}")
    print(f"{'429 answers (retries after 429)':42} {limited:8d}   (extra API calls seen: {extra})")
    print(f"{'failed requests':42} {len(failures):8d}   {failures[:3] if failures else ''}")
    print(f"{'packing bound (images × latency ÷ limit)':42} {sum(sizes) * latency / limit:8.2f} s")
    if serial_baseline:
        serial, *_ = await run(False)
        print(f"{'baseline: the same requests one by one':42} {serial:8.2f} s")
        print(f"{'ratio concurrent ÷ one by one':42} {elapsed / serial:8.3f}×  (speed-up {serial / elapsed:.1f}×)")
    verdict = "OK" if max_seen <= limit and limited == 0 and not failures else "PROBLEM"
    print(f"verdict: {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=300, help="repetitions against the sandbox (each renders a PNG)")
    ap.add_argument("--stub-reps", type=int, default=3000, help="repetitions against the stub app")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--loops", type=int, default=5000, help="calls per step in the breakdown")
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--limit", type=int, default=10, help="images in flight, client and sandbox")
    ap.add_argument("--latency", type=float, default=0.05, help="sandbox latency per API call in (b), seconds")
    ap.add_argument("--no-serial", action="store_true", help="skip the one-by-one baseline of (b)")
    ap.add_argument("--socket", action="store_true", help="also run (b) over a real socket")
    ap.add_argument("--skip", choices=("a", "b"), action="append", default=[])
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]}, httpx {httpx.__version__}, {os.cpu_count()} CPUs")
    gc.collect()
    if "a" not in args.skip:
        sandbox = asyncio.run(overhead("the sandbox app", create_app(SandboxConfig()), args.reps, args.warmup))
        stub = asyncio.run(overhead("a trivial stub app", stub_app(), args.stub_reps, args.warmup))
        breakdown(args.loops)
        print("\n== (a) summary: client.send ÷ bare httpx post, same app, same run (target ≤ 1.10×) ==")
        print(f"{'app':22} {'median':>9} {'p90':>9}  {'client overhead (median)':>25}")
        for name, stats in (("sandbox (renders)", sandbox), ("stub (fixed JSON)", stub)):
            (med, p90), (bmed, bp90) = stats["client.send"], stats["bare post"]
            verdict = "OK" if med / bmed <= 1.10 else "over target"
            print(f"{name:22} {med / bmed:8.3f}× {p90 / bp90:8.3f}×  {(med - bmed) * 1e6:+15.0f} µs/request  {verdict}")
    if "b" not in args.skip:
        asyncio.run(in_flight(args.requests, args.limit, args.latency, not args.no_serial, socket=False))
        if args.socket:
            asyncio.run(in_flight(args.requests, args.limit, args.latency, not args.no_serial, socket=True))


if __name__ == "__main__":
    main()
