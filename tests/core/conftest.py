"""Fixtures for the core tests: a fresh sandbox per test, an httpx client wired to it in-process,
a clock tests can move, and small images made on the spot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from PIL import Image, ImageDraw
from starlette.applications import Starlette

from ideogram_studio.sandbox import SandboxConfig, SandboxState, create_app, sandbox_transport

#: Base URL of the in-process sandbox; any host works, the transport sends everything to the app.
SANDBOX_URL = "http://sandbox.test"
TEST_API_KEY = "test-key"

MakePng = Callable[..., bytes]
MakeMask = Callable[..., bytes]


class FakeClock:
    """A clock that moves only when told to (for link expiry and `created`)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override in a module (or build your own app) to change the sandbox's settings."""
    return SandboxConfig()


@pytest.fixture
def sandbox_app(sandbox_config: SandboxConfig) -> Starlette:
    return create_app(sandbox_config)


@pytest.fixture
def sandbox_state(sandbox_app: Starlette) -> SandboxState:
    state: SandboxState = sandbox_app.state.sandbox
    return state


@pytest.fixture
async def sandbox_client(sandbox_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the in-process sandbox that sends a valid Api-Key with every request."""
    async with httpx.AsyncClient(
        transport=sandbox_transport(sandbox_app), base_url=SANDBOX_URL, headers={"Api-Key": TEST_API_KEY}
    ) as client:
        yield client


def png_bytes(
    width: int = 64,
    height: int = 64,
    *,
    colour: tuple[int, ...] | None = None,
    mode: str = "RGB",
    fmt: str = "PNG",
) -> bytes:
    """An image file. Without `colour`, a pattern where neighbouring pixels differ (red rises to the
    right, green downwards, blue in stripes), so "this pixel was kept" means something."""
    if colour is not None:
        img = Image.new(mode, (width, height), colour)
    else:
        red = Image.linear_gradient("L").rotate(90).resize((width, height))
        green = Image.linear_gradient("L").resize((width, height))
        blue = Image.new("L", (width, height), 40)
        stripes = ImageDraw.Draw(blue)
        for x in range(0, width, 7):
            stripes.line((x, 0, x, height), fill=220, width=2)
        img = Image.merge("RGB", (red, green, blue)).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def mask_bytes(width: int, height: int, change: tuple[int, int, int, int]) -> bytes:
    """An inpaint mask in Ideogram's polarity: white keeps, the black `change` box is edited."""
    mask = Image.new("L", (width, height), 255)
    ImageDraw.Draw(mask).rectangle(change, fill=0)
    buf = io.BytesIO()
    mask.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def make_png() -> MakePng:
    return png_bytes


@pytest.fixture
def make_mask() -> MakeMask:
    return mask_bytes
