"""Something large made on the GUI thread in short steps, so that input waits for one step at most.

Widgets are made on the GUI thread and nowhere else; a page of a few hundred widgets takes a few
hundred milliseconds there. Written as a generator that yields between pieces of a few tens of
milliseconds (imports, a panel, the wiring), it can be made a step at a time by whoever has a quiet
moment (ui/shell/idle_build.py), with the event loop running in between, and finished at once by
whoever needs it now (the generator's return value is the thing made).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import Callable, Generator, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

T = TypeVar("T")
U = TypeVar("U")

#: What makes a thing in steps: yields between steps, returns the thing.
Steps = Generator[None, None, T]

#: How long a step waits for an import in a worker thread before it gives the event loop a turn.
WAIT_S = 0.004
#: How long `in_turns` leaves the event loop to what is queued between two steps.
TURN_MS = 1
#: How much of many small pieces of work (`each_in_steps`) one step does, at most (and at least one).
STEP_S = 0.006


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


def imported(names: Iterable[str], *, in_worker: Iterable[str] = ()) -> Steps[None]:
    """Each of `names` imported in a step of its own (a module may be compiled at every start: a large
    one is a step's worth); list a module before those that import it, so that each step runs one
    module's code. `in_worker`: modules free of Qt too long for a step (numpy: 60-130 ms), imported
    first in a worker thread, while each step waits for it a few milliseconds without the GIL
    (app._preload_services does the same for the services). Finished at once (`InSteps.finish`), the
    steps wait for the worker as long as it takes, as an import on the GUI thread would."""
    for name in in_worker:
        worker = threading.Thread(target=_import_quietly, args=(name,), name=f"import {name}", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(WAIT_S)
            yield
        importlib.import_module(name)  # (found loaded; or its error raised here, where it is handled)
    for name in names:
        importlib.import_module(name)
        yield


def _import_quietly(name: str) -> None:
    with contextlib.suppress(Exception):  # (the GUI thread imports it again and meets the error there)
        importlib.import_module(name)


def each_in_steps(items: Iterable[U], do: Callable[[U], object], budget_s: float = STEP_S) -> Steps[None]:
    """`do(item)` for each of `items`, as many in a step as fit in `budget_s` (one at least)."""
    start = time.perf_counter()
    for item in items:
        do(item)
        if time.perf_counter() - start >= budget_s:
            yield
            start = time.perf_counter()


def in_turns(steps: InSteps[T], owner: QObject, then: Callable[[], object] = lambda: None) -> None:
    """`steps` taken one per turn of the Qt event loop from the next, then `then()`; none once `owner`
    (what is being made) is deleted. What came meanwhile goes first: each step waits a millisecond,
    so the events queued and their paint (a typed key, then the character drawn: two turns) are not
    held behind it."""
    from PySide6.QtCore import QTimer

    def turn() -> None:
        if steps.step():
            then()
        else:
            QTimer.singleShot(TURN_MS, owner, turn)

    QTimer.singleShot(TURN_MS, owner, turn)
