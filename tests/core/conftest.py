"""Fixtures for the core tests: a fresh sandbox per test, an httpx client wired to it in-process,
a clock tests can move, and small images made on the spot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_studio.sandbox import SandboxConfig, SandboxState, create_app, sandbox_transport

from .helpers import SANDBOX_URL, TEST_API_KEY, FakeClock, mask_bytes, png_bytes

MakePng = Callable[..., bytes]
MakeMask = Callable[..., bytes]


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


@pytest.fixture
def make_png() -> MakePng:
    return png_bytes


@pytest.fixture
def make_mask() -> MakeMask:
    return mask_bytes
