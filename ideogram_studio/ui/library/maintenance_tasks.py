"""Long library work — import, export, library check, rebuilding the index — off the GUI thread,
one at a time, with progress, Cancel and a report at the end. No widgets: a LibraryTaskBar
(task_bar.py) shows the signals.

The work is a plain function `work(progress, cancel)` run in a thread; `progress(done, total,
path)` may be called from that thread (updates reach the GUI at most every 50 ms), `cancel` is a
threading.Event the function checks between files.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from ..common.task_runner import EXPECTED, TaskRunner
from .reports import TaskReport

T = TypeVar("T")
Work = Callable[[Callable[[int, int, Path], None], threading.Event], T]
PROGRESS_EVERY_S = 0.05


class LongTasks(QObject):
    """Runs one long task at a time through the TaskRunner."""

    #: A task began: (title, whether it can be cancelled).
    started = Signal(str, bool)
    #: (done, total, the file's name).
    progressed = Signal(int, int, str)
    #: The task ended: (its report, labels of extra actions offered with it).
    finished = Signal(object, tuple)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._cancel: threading.Event | None = None
        self._running = False

    def busy(self) -> bool:
        return self._running

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def start(
        self,
        title: str,
        work: Work[T],
        report: Callable[[T], TaskReport],
        *,
        cancellable: bool = True,
        done: Callable[[T], None] | None = None,
        actions: Callable[[T], tuple[str, ...]] | None = None,
        failed: Callable[[], None] | None = None,
    ) -> asyncio.Task[Any] | None:
        """Start `work` unless another task runs (then None is returned). `actions(result)`: labels
        of actions offered with the report (the session knows what each does)."""
        if self.busy():
            return None
        cancel = threading.Event()
        self._cancel = cancel
        self._running = True
        self.started.emit(title, cancellable)
        return self._runner.run(self._run(title, work, report, cancel, done, actions, failed),
                                f"library-{title.lower().replace(' ', '-')}")

    def _end(self, report: TaskReport, actions: tuple[str, ...] = ()) -> None:
        self._running = False
        self.finished.emit(report, actions)

    async def _run(self, title: str, work: Work[T], report: Callable[[T], TaskReport], cancel: threading.Event,
                   done: Callable[[T], None] | None, actions: Callable[[T], tuple[str, ...]] | None,
                   failed: Callable[[], None] | None) -> None:
        loop = asyncio.get_running_loop()
        last = [0.0]

        def progress(i: int, total: int, path: Path) -> None:
            now = time.monotonic()
            if i >= total or now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                loop.call_soon_threadsafe(self._progress, i, total, Path(path).name)

        try:
            result = await asyncio.to_thread(work, progress, cancel)
        except asyncio.CancelledError:
            cancel.set()
            raise
        except EXPECTED as exc:
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self._end(TaskReport(title, message, (), ok=False))
            if failed is not None:
                failed()
            return
        except BaseException:
            self._end(TaskReport(title, "Something went wrong; the details are in the log.", (), ok=False))
            if failed is not None:
                failed()
            raise
        finally:
            if self._cancel is cancel:
                self._cancel = None
        self._end(report(result), actions(result) if actions is not None else ())
        if done is not None:
            done(result)

    def _progress(self, done: int, total: int, name: str) -> None:
        if self._running:
            self.progressed.emit(done, total, name)
