"""Something large made on the GUI thread in short steps, so that input waits for one step at most.

Widgets are made on the GUI thread and nowhere else; a page of a few hundred widgets takes a few
hundred milliseconds there. Written as a generator that yields between pieces of a few tens of
milliseconds (imports, a panel, the wiring), it can be made a step at a time by whoever has a quiet
moment (ui/shell/idle_build.py), with the event loop running in between, and finished at once by
whoever needs it now (the generator's return value is the thing made).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Generic, TypeVar

T = TypeVar("T")

#: What makes a thing in steps: yields between steps, returns the thing.
Steps = Generator[None, None, T]


class InSteps(Generic[T]):
    """A thing being made by `steps`: `step()` one piece at a time, or `finish()` the rest now."""

    def __init__(self, steps: Steps[T]) -> None:
        self._steps = steps
        self._done = False
        self._result: T | None = None
        #: How many steps have been taken (tests, the log).
        self.taken = 0

    def done(self) -> bool:
        return self._done

    def step(self) -> bool:
        """Make the next piece; True once the thing is made."""
        if not self._done:
            try:
                next(self._steps)
                self.taken += 1
            except StopIteration as end:
                self._done = True
                self._result = end.value
        return self._done

    def finish(self) -> T:
        """Make whatever is left, now; the thing."""
        while not self.step():
            pass
        return self._result  # type: ignore[return-value]  # (set by the last step: T may include None)
