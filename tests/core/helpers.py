"""Helpers shared by the core tests (plain functions and classes; fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

from PIL import Image, ImageDraw

from ideogram_studio.api.images import ImageFile
from ideogram_studio.jobs import JobQueue

#: Base URL of the in-process sandbox; any host works, the transport sends everything to the app.
SANDBOX_URL = "http://sandbox.test"
TEST_API_KEY = "test-key"


class FakeClock:
    """A clock that moves only when told to (for link expiry and `created`)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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


def solid_png(
    size: tuple[int, int] = (64, 64), color: object = (200, 40, 40), mode: str = "RGB", fmt: str = "PNG"
) -> bytes:
    """An image file of one colour."""
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)  # type: ignore[arg-type]
    return buf.getvalue()


def solid_image(size: tuple[int, int] = (64, 64), **kw: object) -> ImageFile:
    """`solid_png` as an `ImageFile` named src.png."""
    return ImageFile.from_bytes(solid_png(size, **kw), "src.png")  # type: ignore[arg-type]


async def wait_finished(queue: JobQueue, *job_ids: str) -> None:
    """Wait (at most 10 s) until every job has finished, woken by the queue's own events."""
    done = asyncio.Event()

    def check(_: object = None) -> None:
        if all(queue.jobs[j].state.finished for j in job_ids):
            done.set()

    unsubscribe = queue.subscribe(check)
    try:
        check()
        await asyncio.wait_for(done.wait(), 10)
    finally:
        unsubscribe()


async def until(condition: Callable[[], object], what: str = "the condition", within: float = 10) -> None:
    """Wait on the running loop until `condition()` is true, checking between loop turns; fail after
    `within` seconds. For state that changes without an event the test could await."""
    try:
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110 (the state has no event to await)
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"timed out after {within} s waiting for {what}") from None
