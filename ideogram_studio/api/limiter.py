"""A first-come-first-served limiter counted in images, as the service counts its in-flight limit."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class InFlightLimiter:
    """Keeps at most `capacity` images in flight; a request of n images takes n places.

    Waiters are served in arrival order, so a large request is not starved by small ones.
    A request larger than the capacity takes the whole capacity (it could never run otherwise).
    """

    def __init__(self, capacity: int = 10) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._used = 0
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def in_flight(self) -> int:
        return self._used

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @asynccontextmanager
    async def slots(self, weight: int = 1) -> AsyncIterator[None]:
        weight = max(1, min(weight, self.capacity))
        await self._acquire(weight)
        try:
            yield
        finally:
            self._release(weight)

    async def _acquire(self, weight: int) -> None:
        if not self._waiters and self._used + weight <= self.capacity:
            self._used += weight
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (weight, future)
        self._waiters.append(entry)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # Granted and cancelled in the same tick: give the places back.
                self._release(weight)
            else:
                self._waiters.remove(entry)
                self._wake()
            raise

    def _release(self, weight: int) -> None:
        self._used -= weight
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            weight, future = self._waiters[0]
            if future.done():
                self._waiters.popleft()
                continue
            if self._used + weight > self.capacity:
                break
            self._waiters.popleft()
            self._used += weight
            future.set_result(None)
