"""The API client against the sandbox: every endpoint, every error path, retries, the limiter,
cancellation, downloads. Requests the client builds are checked against the OpenAPI contract."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from collections.abc import AsyncIterator, Callable

import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_studio.api import errors
from ideogram_studio.api.client import IdeogramClient, RetryPolicy
from ideogram_studio.api.enums import AspectRatio, PalettePreset, RenderingSpeed, Resolution, StylePreset, size_of
from ideogram_studio.api.images import ImageFile
from ideogram_studio.api.palette import ColorPalette
from ideogram_studio.api.requests import (
    DescribeRequest,
    EditRequest,
    GenerateRequest,
    GenerateTransparentRequest,
    LayerizeTextRequest,
    ReframeRequest,
    RemixRequest,
    ReplaceBackgroundRequest,
    UpscaleRequest,
)
from ideogram_studio.api.responses import DescribeResponse, GeneratedImage, ImageResponse, LayerizeTextResponse
from ideogram_studio.sandbox import Fault, SandboxConfig, SandboxState, create_app, sandbox_transport
from ideogram_studio.sandbox.server import serve_in_thread

from .contract_check import RecordingTransport, request_errors
from .helpers import FakeClock, mask_bytes, png_bytes, until

API = "http://api.sandbox.test"
IMAGES = "http://images.sandbox.test"


class Sleeps:
    """Records the back-off the client asks for, and waits only a token time."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    # Images come from another host than the API, as the real service's links do.
    return SandboxConfig(image_base_url=IMAGES)


@pytest.fixture
def recorder(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(sandbox_transport(sandbox_app))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(recorder: RecordingTransport, sleeps: Sleeps) -> AsyncIterator[IdeogramClient]:
    async with IdeogramClient(api_key="secret-test-key", base_url=API, transport=recorder, sleep=sleeps) as c:
        yield c


def image_file(width: int = 128, height: int = 96) -> ImageFile:
    return ImageFile.from_bytes(png_bytes(width, height), "source.png")


def mask_file(width: int = 128, height: int = 96, box: tuple[int, int, int, int] = (20, 20, 60, 60)) -> ImageFile:
    return ImageFile.from_bytes(mask_bytes(width, height, box), "mask.png")


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


# ---- every endpoint ------------------------------------------------------------------------


async def test_generate_round_trip_downloads_every_image(client: IdeogramClient, recorder: RecordingTransport) -> None:
    request = GenerateRequest(
        prompt="a lighthouse poster",
        negative_prompt="blur",
        num_images=3,
        seed=42,
        aspect_ratio=AspectRatio.AR_16X9,
        rendering_speed=RenderingSpeed.TURBO,
        style_preset=StylePreset.TRAVEL_POSTER,
        color_palette=ColorPalette.preset(PalettePreset.EMBER),
        style_codes=(),
    )
    response = await client.send(request)
    assert isinstance(response, ImageResponse)
    assert len(response.data) == 3
    images = [await client.download(item) for item in response.data]
    for item, data in zip(response.data, images, strict=True):
        assert item.url is not None and item.url.startswith(IMAGES)
        assert decode(data).size == item.expected_size
        w, h = decode(data).size
        assert abs(w / h - 16 / 9) < 0.05
    assert len(set(images)) == 3
    assert request_errors(recorder.requests[0]) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: GenerateRequest(
            prompt="x",
            resolution=Resolution.R_1280X800,
            color_palette=ColorPalette.custom(("#AABBCC", 0.8), ("#112233", 0.3)),
            style_codes=("AABBCCDD", "0133FF57"),
            character_reference_images=(image_file(),),
            character_reference_images_mask=(mask_file(),),
        ),
        lambda: GenerateTransparentRequest(prompt="a sticker", aspect_ratio=AspectRatio.AR_1X1),
        lambda: EditRequest(
            prompt="a hat", image=image_file(), mask=mask_file(), style_reference_images=(image_file(),)
        ),
        lambda: RemixRequest(prompt="in snow", image=image_file(), image_weight=80, aspect_ratio=AspectRatio.AR_4X3),
        lambda: ReframeRequest(image=image_file(), resolution=Resolution.R_1536X512, num_images=2),
        lambda: ReplaceBackgroundRequest(prompt="a forest", image=image_file()),
        lambda: UpscaleRequest(image_file=image_file(), resemblance=70, detail=30),
    ],
    ids=["generate-all-fields", "transparent", "edit", "remix", "reframe", "replace-background", "upscale"],
)
async def test_every_image_endpoint_round_trips(
    client: IdeogramClient, recorder: RecordingTransport, make: Callable[[], object]
) -> None:
    request = make()
    response = await client.send(request)  # type: ignore[call-overload]
    assert isinstance(response, ImageResponse) and response.data
    for item in response.data:
        data = await client.download(item)
        assert decode(data).size == item.expected_size
    posts = [r for r in recorder.requests if r.method == "POST"]
    assert len(posts) == 1 and request_errors(posts[0]) == []


async def test_edit_changes_only_the_black_part_of_the_mask(client: IdeogramClient) -> None:
    source = image_file(128, 96)
    response = await client.send(EditRequest(prompt="a hat", image=source, mask=mask_file(box=(20, 20, 60, 60))))
    result = decode(await client.download(response.data[0])).convert("RGB")
    original = source.pil().convert("RGB")
    changed = 0
    for y in range(96):
        for x in range(128):
            inside = 20 <= x <= 60 and 20 <= y <= 60
            same = result.getpixel((x, y)) == original.getpixel((x, y))
            assert same or inside, (x, y)
            changed += not same
    assert changed > 500


async def test_reframe_returns_the_chosen_resolution(client: IdeogramClient) -> None:
    response = await client.send(ReframeRequest(image=image_file(96, 96), resolution=Resolution.R_1536X640))
    assert decode(await client.download(response.data[0])).size == size_of(Resolution.R_1536X640)


async def test_describe_and_layerize_text(client: IdeogramClient, recorder: RecordingTransport) -> None:
    described = await client.send(DescribeRequest(image_file=image_file()))
    assert isinstance(described, DescribeResponse) and described.descriptions and described.descriptions[0]
    layers = await client.send(LayerizeTextRequest(image=image_file(), prompt="SALE"))
    assert isinstance(layers, LayerizeTextResponse) and layers.base_image_url
    assert decode(await client.download_url(layers.base_image_url)).size == (128, 96)
    assert all(request_errors(r) == [] for r in recorder.requests if r.method == "POST")


async def test_requests_are_multipart_even_without_files(client: IdeogramClient, recorder: RecordingTransport) -> None:
    await client.send(GenerateRequest(prompt="only text"))
    assert recorder.requests[0].headers["content-type"].startswith("multipart/form-data")


# ---- the key -------------------------------------------------------------------------------


async def test_the_key_goes_to_the_api_only(
    client: IdeogramClient, recorder: RecordingTransport, sandbox_state: SandboxState
) -> None:
    response = await client.send(GenerateRequest(prompt="x", num_images=2))
    for item in response.data:
        await client.download(item)
    posts = [r for r in recorder.requests if r.method == "POST"]
    gets = [r for r in recorder.requests if r.method == "GET"]
    assert all(r.headers["api-key"] == "secret-test-key" for r in posts)
    assert gets and all("api-key" not in r.headers for r in gets)
    assert sandbox_state.image_requests == 2 and sandbox_state.image_requests_with_api_key == 0
    assert "secret-test-key" not in repr(client)


async def test_a_missing_key_is_a_clear_authentication_error(recorder: RecordingTransport) -> None:
    async with IdeogramClient(api_key=None, base_url=API, transport=recorder) as anonymous:
        with pytest.raises(errors.AuthenticationError, match="Settings"):
            await anonymous.send(GenerateRequest(prompt="x"))
        with pytest.raises(errors.AuthenticationError):  # remix answers 403
            await anonymous.send(RemixRequest(prompt="x", image=image_file()))
    assert len(recorder.requests) == 2  # never retried


async def test_a_revoked_key_is_not_retried(sleeps: Sleeps) -> None:
    app = create_app(SandboxConfig(revoked_keys=frozenset({"old-key"})))
    async with IdeogramClient(api_key="old-key", base_url=API, transport=sandbox_transport(app), sleep=sleeps) as c:
        with pytest.raises(errors.AuthenticationError) as info:
            await c.send(GenerateRequest(prompt="x"))
    assert "old-key" not in str(info.value)
    assert sleeps.delays == []


# ---- errors and retries --------------------------------------------------------------------


async def test_server_400_reason_is_shown_and_not_retried(
    client: IdeogramClient, sandbox_state: SandboxState, sleeps: Sleeps
) -> None:
    sandbox_state.inject(Fault.error(400, times=1))
    with pytest.raises(errors.BadRequestError) as info:
        await client.send(GenerateRequest(prompt="x"))
    assert "refused the generate request" in info.value.message
    assert sleeps.delays == []


async def test_safety_rejection_is_422_with_reason(client: IdeogramClient) -> None:
    with pytest.raises(errors.SafetyRejectedError, match="safety check"):
        await client.send(GenerateRequest(prompt="something [unsafe]"))


async def test_withheld_image_is_reported_not_downloaded(client: IdeogramClient) -> None:
    response = await client.send(GenerateRequest(prompt="a [withheld] cat", num_images=2))
    withheld = [d for d in response.data if not d.is_image_safe]
    assert len(withheld) == 1 and withheld[0].url is None
    with pytest.raises(errors.DownloadError, match="withheld"):
        await client.download(withheld[0])


async def test_402_says_credit(client: IdeogramClient, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.error(402, times=1))
    with pytest.raises(errors.PaymentRequiredError, match="pay"):
        await client.send(GenerateRequest(prompt="x"))


async def test_429_is_retried_honouring_retry_after(
    client: IdeogramClient, sandbox_state: SandboxState, sleeps: Sleeps
) -> None:
    sandbox_state.inject(Fault.error(429, retry_after=7, times=2, endpoint="generate"))
    notes: list[str] = []
    response = await client.send(GenerateRequest(prompt="x"), on_retry=lambda n, e, d: notes.append(e.message))
    assert response.data
    assert sleeps.delays == [7.0, 7.0]
    assert len(notes) == 2 and "nothing was billed" in notes[0]
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == 3


async def test_500_backs_off_with_jitter_then_gives_up(
    client: IdeogramClient, sandbox_state: SandboxState, sleeps: Sleeps
) -> None:
    sandbox_state.inject(Fault.error(500))
    with pytest.raises(errors.ServerError, match="trouble"):
        await client.send(GenerateRequest(prompt="x"))
    assert len(sleeps.delays) == client.retry.attempts - 1
    policy = client.retry
    for attempt, delay in enumerate(sleeps.delays, 1):
        cap = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
        assert cap / 2 <= delay <= cap
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == client.retry.attempts


async def test_503_then_success(client: IdeogramClient, sandbox_state: SandboxState) -> None:
    sandbox_state.inject(Fault.error(503, times=1))
    assert (await client.send(GenerateRequest(prompt="x"))).data


async def test_dropped_connection_after_sending_is_never_resent(
    client: IdeogramClient, sandbox_state: SandboxState, sleeps: Sleeps
) -> None:
    sandbox_state.inject(Fault.drop(endpoint="generate", times=1))
    with pytest.raises(errors.OutcomeUnknownError) as info:
        await client.send(GenerateRequest(prompt="x"))
    assert info.value.maybe_billed and "billed" in info.value.message
    assert sleeps.delays == []
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == 1


async def test_connection_refused_is_a_network_error_and_retried(sleeps: Sleeps) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    async with IdeogramClient(
        api_key="k", base_url=f"http://127.0.0.1:{port}", sleep=sleeps, retry=RetryPolicy(attempts=3)
    ) as c:
        with pytest.raises(errors.NetworkError, match="Could not reach"):
            await c.send(GenerateRequest(prompt="x"))
    assert len(sleeps.delays) == 2


# ---- the limiter ---------------------------------------------------------------------------


async def test_many_requests_never_exceed_10_images_in_flight(
    sandbox_app: Starlette, sandbox_state: SandboxState
) -> None:
    sandbox_state.inject(Fault.latency(0.01, endpoint="generate"))
    async with IdeogramClient(api_key="k", base_url=API, transport=sandbox_transport(sandbox_app)) as c:
        sizes = [1, 2, 3, 4] * 10
        results = await asyncio.gather(
            *(c.send(GenerateRequest(prompt=f"p{i}", num_images=n)) for i, n in enumerate(sizes))
        )
    assert [len(r.data) for r in results] == sizes
    assert sandbox_state.requests_seen["/v1/ideogram-v3/generate"] == 40  # no 429, no retry
    assert 8 <= sandbox_state.max_in_flight_images_seen <= 10


async def test_without_the_limiter_the_sandbox_does_refuse(sandbox_app: Starlette, sandbox_state: SandboxState) -> None:
    """The counter above can fail: with a limit of 40 images, the sandbox sees too many and says 429."""
    sandbox_state.inject(Fault.latency(0.02, endpoint="generate"))
    async with IdeogramClient(
        api_key="k",
        base_url=API,
        transport=sandbox_transport(sandbox_app),
        max_in_flight_images=40,
        retry=RetryPolicy(attempts=1),
    ) as c:
        outcomes = await asyncio.gather(
            *(c.send(GenerateRequest(prompt="p", num_images=4)) for _ in range(10)), return_exceptions=True
        )
    assert any(isinstance(o, errors.RateLimitedError) for o in outcomes)


async def test_cancelling_the_task_aborts_the_request(client: IdeogramClient, sandbox_state: SandboxState) -> None:
    # An hour's latency: if cancelling did not abort the request, `await task` would hang and the
    # test would fail on its timeout.
    sandbox_state.inject(Fault.latency(3600, endpoint="generate"))
    task = asyncio.create_task(client.send(GenerateRequest(prompt="slow", num_images=4)))
    await until(lambda: client.limiter.in_flight, "the request to be in flight")
    assert client.limiter.in_flight == 4
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.limiter.in_flight == 0


# ---- downloads -----------------------------------------------------------------------------


async def test_expired_link_gives_a_clear_error(fake_clock: FakeClock) -> None:
    app = create_app(SandboxConfig(clock=fake_clock, link_lifetime=60, image_base_url=IMAGES))
    async with IdeogramClient(api_key="k", base_url=API, transport=sandbox_transport(app)) as c:
        response = await c.send(GenerateRequest(prompt="x"))
        fake_clock.advance(61)  # the server's clock; ours still thinks the link is fresh
        with pytest.raises(errors.LinkExpiredError, match="expired"):
            await c.download(response.data[0])
        stale = GeneratedImage(
            url=response.data[0].url and response.data[0].url.replace("exp=", "exp=1&x="),
            is_image_safe=True,
            resolution="1024x1024",
        )
        with pytest.raises(errors.LinkExpiredError):
            await c.download(stale)  # our own check: exp is in the past, no request made


async def test_truncated_download_is_retried(
    client: IdeogramClient, sandbox_state: SandboxState, sleeps: Sleeps
) -> None:
    response = await client.send(GenerateRequest(prompt="x"))
    sandbox_state.inject(Fault.truncate(times=1))
    data = await client.download(response.data[0])
    assert decode(data).size == response.data[0].expected_size
    assert len(sleeps.delays) == 1


async def test_download_that_keeps_failing_is_a_clear_error(
    client: IdeogramClient, sandbox_state: SandboxState
) -> None:
    response = await client.send(GenerateRequest(prompt="x"))
    sandbox_state.inject(Fault.truncate())
    with pytest.raises(errors.DownloadError, match=r"interrupted|cut short"):
        await client.download(response.data[0])


async def test_download_checks_size_and_resolution(client: IdeogramClient) -> None:
    response = await client.send(GenerateRequest(prompt="x", resolution=Resolution.R_1024X1024))
    item = response.data[0]
    lying = GeneratedImage(url=item.url, is_image_safe=True, resolution="1280x800")
    with pytest.raises(errors.DownloadError, match="not the promised 1280×800"):
        await client.download(lying)
    client.max_download_bytes = 1000
    with pytest.raises(errors.DownloadError, match="limit"):
        await client.download(item)


async def test_a_download_is_checked_off_the_loops_thread(
    client: IdeogramClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loop is the studio's GUI thread: decoding a large result there in full (the check) froze
    # the window 0.2-0.4 s at 8K.
    checked_in: list[threading.Thread] = []
    check = ImageFile.from_bytes

    def watched(data: bytes, filename: str = "image.png") -> ImageFile:
        checked_in.append(threading.current_thread())
        return check(data, filename)

    monkeypatch.setattr(ImageFile, "from_bytes", staticmethod(watched))
    response = await client.send(GenerateRequest(prompt="x"))
    data = await client.download(response.data[0])
    assert decode(data).size == response.data[0].expected_size
    assert checked_in and all(t is not threading.current_thread() for t in checked_in)


# ---- refused before sending ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: GenerateRequest(prompt="x", num_images=9),
        lambda: GenerateRequest(prompt="x", resolution=Resolution.R_1024X1024, aspect_ratio=AspectRatio.AR_1X1),
        lambda: EditRequest(prompt="x", image=image_file(128, 96), mask=mask_file(64, 64)),
        lambda: RemixRequest(prompt="x", image=image_file(), image_weight=0),
    ],
)
async def test_bad_requests_are_refused_before_sending(
    client: IdeogramClient, recorder: RecordingTransport, make: Callable[[], GenerateRequest]
) -> None:
    with pytest.raises(errors.RequestValidationError):
        await client.send(make())
    assert recorder.requests == []


# ---- a real socket -------------------------------------------------------------------------


async def test_over_a_real_socket_with_a_drop(sleeps: Sleeps) -> None:
    app = create_app(SandboxConfig())
    state: SandboxState = app.state.sandbox
    with serve_in_thread(app) as url:
        assert url.startswith("http://127.0.0.1:")
        async with IdeogramClient(api_key="k", base_url=url, sleep=sleeps) as c:
            response = await c.send(EditRequest(prompt="a hat", image=image_file(), mask=mask_file()))
            data = await c.download(response.data[0])
            assert decode(data).size == (128, 96)
            state.inject(Fault.drop(endpoint="generate", times=1))
            with pytest.raises(errors.OutcomeUnknownError):
                await c.send(GenerateRequest(prompt="x"))
            state.inject(Fault.error(429, retry_after=0.01, times=1))
            assert (await c.send(GenerateRequest(prompt="x"))).data
    assert sleeps.delays == [0.01]
