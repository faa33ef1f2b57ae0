"""Running coroutines from widgets: keep a reference to each task, turn expected failures into a
message for the designer, send bugs to the crash handler. Widgets never hold long async code:
they call `runner.run(coro, name)` and get on with it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...api.errors import ApiError
from ...gallery import GalleryError
from ...secrets import SecretStoreError

log = logging.getLogger(__name__)
#: Failures that are about the world, not about our code: shown as a message, not a crash.
EXPECTED = (ApiError, GalleryError, SecretStoreError, OSError)


class TaskRunner(QObject):
    #: A designer-facing message for an expected failure: (title, text).
    failed = Signal(str, str)
    #: The same, with its technical side for "Details…": (title, text, detail).
    failed_with_detail = Signal(str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def run(self, coro: Coroutine[Any, Any, Any], name: str, *, replace: bool = False) -> asyncio.Task[Any]:
        """Start `coro`. With `replace`, a running task of the same name is cancelled first
        (a newer search or preview request supersedes the older one)."""
        old = self._tasks.get(name)
        if old is not None and not old.done():
            if replace:
                old.cancel()
            else:
                name = f"{name}#{id(coro)}"
        task = asyncio.get_event_loop().create_task(coro, name=name)
        self._tasks[name] = task
        task.add_done_callback(functools.partial(self._done, name))
        return task

    def running(self) -> list[asyncio.Task[Any]]:
        return [t for t in self._tasks.values() if not t.done()]

    async def cancel_all(self) -> None:
        tasks = self.running()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _done(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if isinstance(exc, EXPECTED):
            message = getattr(exc, "message", None)
            if not message and isinstance(exc, OSError) and exc.strerror:
                message = f"{exc.strerror}."  # the words, not "[Errno 28] …": the number goes to the details
            message = message or str(exc) or type(exc).__name__
            detail = str(getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}")
            log.info("%s failed: %s (%s)", name, message, detail)
            self.failed.emit(_title(name), message)
            self.failed_with_detail.emit(_title(name), message, detail)
            return
        # A bug: let the loop's exception handler (the crash handler) see it.
        asyncio.get_event_loop().call_exception_handler(
            {"message": f"Unexpected error in {name}", "exception": exc, "task": task}
        )


def _title(name: str) -> str:
    return name.split("#", 1)[0].replace("-", " ").capitalize()
